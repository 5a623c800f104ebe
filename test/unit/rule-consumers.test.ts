/**
 * Every error rule mirrors a consumer (core/rule-fixtures.ts `consumer`): its accept fixture lints with no
 * error, its reject fixture gets the rule as an error. A new error rule without both fails here.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintPackDirs } from '../../core/lint-packs.ts';
import { BASE_PACKS, CONSUMER_FIXTURES, type FixtureFile } from '../../core/rule-fixtures.ts';
import { type ErrorRuleId, RULES } from '../../core/rules.ts';
import { tempDir, tgzOf } from '../helpers/packs.ts';

async function materialize(
  base: Record<string, FixtureFile>,
  over: Record<string, FixtureFile>,
): Promise<string> {
  const dir = tempDir();
  for (const [rel, content] of Object.entries({ ...base, ...over })) {
    const file = path.join(dir, rel);
    if (content === null) {
      rmSync(file, { force: true });
      continue;
    }
    mkdirSync(path.dirname(file), { recursive: true });
    if (typeof content === 'string') writeFileSync(file, content);
    else if ('base64' in content) writeFileSync(file, Buffer.from(content.base64, 'base64'));
    else if ('tgz' in content) writeFileSync(file, await tgzOf(content.tgz));
    else if ('fifo' in content) execFileSync('mkfifo', [file]);
    else if ('symlink' in content) symlinkSync(content.symlink, file);
    else writeFileSync(file, content.repeat.repeat(content.times));
  }
  return dir;
}

const errorRules = RULES.filter((r) => r.severity === 'error').map((r) => r.id as ErrorRuleId);

async function lintFixture(id: ErrorRuleId, which: 'accepts' | 'rejects') {
  const c = CONSUMER_FIXTURES[id];
  const f = c[which];
  const base = BASE_PACKS[c.base];
  const dirs = [await materialize(base, f.files)];
  if (f.companion) dirs.push(await materialize(base, f.companion));
  const run = await lintPackDirs(dirs);
  return run.packs[0]?.findings ?? [];
}

describe('consumer fixtures', () => {
  it('exist for exactly the error rules, and each error rule names its consumer', () => {
    expect(Object.keys(CONSUMER_FIXTURES).sort()).toEqual([...errorRules].sort());
    for (const id of errorRules) expect(CONSUMER_FIXTURES[id].consumer.length, id).toBeGreaterThan(20);
  });

  it('start from base packs that lint clean', async () => {
    const dirs = [await materialize(BASE_PACKS.manifests, {}), await materialize(BASE_PACKS.chart, {})];
    expect((await lintPackDirs(dirs)).findings).toEqual([]);
  });

  describe.each(errorRules)('%s', (id) => {
    it(`the consumer accepts: ${CONSUMER_FIXTURES[id].accepts.note}`, async () => {
      const errors = (await lintFixture(id, 'accepts')).filter((f) => f.severity === 'error');
      expect(errors).toEqual([]);
    });
    it(`the consumer rejects: ${CONSUMER_FIXTURES[id].rejects.note}`, async () => {
      const findings = await lintFixture(id, 'rejects');
      expect(
        findings.filter((f) => f.rule === id && f.severity === 'error').length,
        JSON.stringify(findings),
      ).toBeGreaterThan(0);
    });
  });
});
