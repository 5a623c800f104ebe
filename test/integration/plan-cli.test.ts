/**
 * `packyard plan`, `packyard diff` and `packyard palette sync` (the CLI bundle) against
 * `packyard serve`'s stack and the Palette contract stand-in (test/helpers/palette-api.ts).
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LocalRegistry } from '../../lambdas/local/serve.ts';
import { pack } from '../helpers/action.ts';
import { runCli, tempDir, writeFiles } from '../helpers/packs.ts';
import { type PaletteStandIn, startPaletteStandIn } from '../helpers/palette-api.ts';
import { READER, startTestRegistry, WRITER } from '../helpers/registry.ts';

let reg: LocalRegistry;
let ref: string;
let palette: PaletteStandIn;
const env = (user: { username: string; password: string } = WRITER) => ({
  PACKYARD_USERNAME: user.username,
  PACKYARD_PASSWORD: user.password,
  PACKYARD_CONFIG_DIR: tempDir('plan-cli-config-'),
  PACKYARD_RETRIES: '0',
});
const values = (ns: string) =>
  `pack:\n  namespace: ${ns}\n  content:\n    images:\n      - image: ghcr.io/acme/demo:1.0.0\n`;

beforeAll(async () => {
  reg = await startTestRegistry();
  ref = new URL(reg.url).host;
  const root = tempDir('plan-cli-published-');
  writeFiles(path.join(root, 'alpha'), pack('alpha', { 'values.yaml': values('demo') }));
  writeFiles(path.join(root, 'beta'), pack('beta', { 'pack.json': '{"version": "2.0.0"}' }));
  const push = await runCli(['push', root, '--registry', ref], { env: env() });
  expect(push.code).toBe(0);
  palette = await startPaletteStandIn({
    apiKey: 'cli-palette-key',
    uid: 'a1b2c3d4e5f6a1b2c3d4e5f6',
    registry: reg.url,
    username: READER.username,
    password: READER.password,
  });
});

describe('packyard plan and diff', () => {
  const root = tempDir('plan-cli-');
  beforeAll(() => {
    writeFiles(path.join(root, 'alpha'), pack('alpha', { 'values.yaml': values('other') }));
    writeFiles(path.join(root, 'beta'), pack('beta', { 'pack.json': '{"version": "1.9.0"}' }));
    writeFiles(path.join(root, 'gamma'), pack('gamma'));
  });

  it('plans each pack, names the errors with the version to bump to, and exits 1', async () => {
    const r = await runCli(['plan', root, '--registry', ref], { env: env(READER) });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✖ alpha 1.0.0  changed without a version bump');
    expect(r.stdout).toContain('alpha/pack.json:4:14  content changed without a version bump');
    expect(r.stdout).toContain('bump "version" in pack.json to 1.0.1');
    expect(r.stdout).toContain('✖ beta 1.9.0  version lower than published');
    expect(r.stdout).toContain(
      'version 1.9.0 is lower than the newest published 2.0.0; bump "version" in pack.json to 2.0.1',
    );
    expect(r.stdout).toContain('+ gamma 1.0.0  new pack');
    expect(r.stdout).toContain('M values.yaml');
    expect(r.stderr).toContain('3 packs planned against');
    const json = await runCli(['plan', root, '--registry', ref, '--format', 'json'], { env: env(READER) });
    const entries = JSON.parse(json.stdout) as {
      name: string;
      plan: string;
      suggestedVersion: string | null;
    }[];
    expect(entries.map((e) => [e.name, e.plan, e.suggestedVersion])).toEqual([
      ['alpha', 'changed-without-bump', '1.0.1'],
      ['beta', 'version-lower', '2.0.1'],
      ['gamma', 'new-pack', null],
    ]);
  });

  it('diffs one pack against its published version', async () => {
    const r = await runCli(['diff', path.join(root, 'alpha'), '--registry', ref], { env: env(READER) });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('M values.yaml');
    expect(r.stdout).toContain('-  namespace: demo\n+  namespace: other\n');
    expect(r.stderr).toContain('against published 1.0.0');
  });
});

describe('packyard palette sync', () => {
  it('waits until Palette lists the pack', async () => {
    const r = await runCli(
      [
        'palette',
        'sync',
        'alpha:1.0.0',
        '--registry-uid',
        palette.uid,
        '--endpoint',
        palette.url,
        '--timeout',
        '20',
      ],
      { env: { PALETTE_API_KEY: 'cli-palette-key' } },
    );
    expect(r.stderr).not.toContain('cli-palette-key');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('alpha:1.0.0  visible in Palette\n');
  });

  it('says when the key is refused, and takes the key only from PALETTE_API_KEY', async () => {
    const wrong = await runCli(
      ['palette', 'sync', 'alpha:1.0.0', '--registry-uid', palette.uid, '--endpoint', palette.url],
      {
        env: { PALETTE_API_KEY: 'nope' },
      },
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('Palette refused the API key (401: Invalid API key)');
    const none = await runCli(['palette', 'sync', 'alpha:1.0.0', '--registry-uid', palette.uid], {
      env: { PALETTE_API_KEY: '' },
    });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('set PALETTE_API_KEY');
  });
});
