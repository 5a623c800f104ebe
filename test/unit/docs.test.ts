import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../core/rules.ts';
import { generate, schemas } from '../../scripts/gen-validators.mjs';
import { ROOT, runCli } from '../helpers/packs.ts';
import { renderRulesDoc, renderRuleTable } from '../helpers/rules-doc.ts';

let readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const RULES_DOC = path.join(ROOT, 'docs', 'rules.md');
if (process.env.UPDATE_DOCS) {
  const start = readme.indexOf('<!-- rules:start -->') + '<!-- rules:start -->'.length;
  readme = `${readme.slice(0, start)}\n${renderRuleTable()}\n${readme.slice(readme.indexOf('<!-- rules:end -->'))}`;
  writeFileSync(path.join(ROOT, 'README.md'), readme);
  writeFileSync(RULES_DOC, renderRulesDoc());
}

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

  it('docs/rules.md is generated from the catalog and its consumer fixtures', () => {
    expect(readFileSync(RULES_DOC, 'utf8')).toBe(renderRulesDoc());
  });

  it('README shows the real --help output', async () => {
    const help = (await runCli(['--help'])).stdout.trim();
    expect(readme).toContain(help);
  });
});

describe('generated code', () => {
  it.each(schemas)('the precompiled validator of %s matches its schema', (schema, out, options) => {
    const committed = readFileSync(path.join(ROOT, out), 'utf8');
    expect(committed).toBe(generate(schema, options));
  });
});
