/** The bundled Action reads the same lint configuration as the CLI: found upward, or its `config` input. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pack, result, runAction, workspace } from '../helpers/action.ts';

describe('Action lint configuration', () => {
  it("applies the repository's .packyard.yaml, or the file the config input names", async () => {
    const ws = workspace({ odd: pack('odd', { 'pack.json': JSON.stringify({ addonType: 'gizmo' }) }) });
    mkdirSync(path.join(ws, '.git'));
    writeFileSync(path.join(ws, '.packyard.yaml'), 'rules:\n  pack-json/addon-type: error\n');
    const strict = await runAction(ws, { path: 'packs', 'dry-run': 'true' });
    expect(strict.code).toBe(1);
    expect(result(strict).map((r) => [r.name, r.status])).toEqual([['odd', 'invalid']]);
    expect(strict.stdout).toMatch(/^::error title=pack-json\/addon-type.*file=packs\/odd\/pack.json/m);

    writeFileSync(path.join(ws, 'lenient.yaml'), 'rules:\n  pack-json/addon-type: off\n');
    const lenient = await runAction(ws, { path: 'packs', 'dry-run': 'true', config: 'lenient.yaml' });
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).not.toContain('pack-json/addon-type');

    writeFileSync(path.join(ws, 'bad.yaml'), 'rules:\n  pack-json/addon-typo: off\n');
    const bad = await runAction(ws, { path: 'packs', 'dry-run': 'true', config: 'bad.yaml' });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(
      'bad.yaml:2:3: unknown rule "pack-json/addon-typo"; did you mean "pack-json/addon-type"?',
    );
  });
});
