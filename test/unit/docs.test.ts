import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../core/rules.ts';
import { generate } from '../../scripts/gen-validators.mjs';
import { ROOT, runCli } from '../helpers/packs.ts';

const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

describe('docs stay true to the code', () => {
  it('README rule table lists exactly the rule catalog', () => {
    const table = readme.slice(readme.indexOf('<!-- rules:start -->'), readme.indexOf('<!-- rules:end -->'));
    const rows = [...table.matchAll(/^\| `([^`]+)` \| (error|warning) \| (.+) \|$/gm)].map((m) => ({
      id: m[1],
      severity: m[2],
      description: m[3],
    }));
    expect(rows).toEqual(RULES.map((r) => ({ id: r.id, severity: r.severity, description: r.description })));
  });

  it('README shows the real --help output', async () => {
    const help = (await runCli(['--help'])).stdout.trim();
    expect(readme).toContain(help);
  });
});

describe('generated code', () => {
  it('the precompiled pack.json validator matches its schema', () => {
    const committed = readFileSync(path.join(ROOT, 'core/schemas/pack-validate.generated.js'), 'utf8');
    expect(committed).toBe(generate('core/schemas/pack.schema.json'));
  });
});
