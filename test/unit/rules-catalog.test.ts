/** The rule catalog against its fixtures: every rule has fixtures, and the base packs lint clean. */
import { describe, expect, it } from 'vitest';
import { KNOWN_KEYS } from '../../core/lint/pack-json.ts';
import { lintPackDirs } from '../../core/lint-packs.ts';
import { RULES } from '../../core/rules.ts';
import packSchema from '../../core/schemas/pack.schema.json' with { type: 'json' };
import { chartTgz, goodPack, makePack } from '../helpers/packs.ts';
import { CHART, chartPack, GOOD_PRESETS, GOOD_SCHEMA, GOOD_VALUES, lines } from '../helpers/rule-cases.ts';
import { ALL_CASES as CASES } from '../rule-cases/index.ts';

describe('pack-json/unknown-key', () => {
  it('knows exactly the keys of the pack.json schema', () => {
    expect(KNOWN_KEYS).toEqual(Object.keys(packSchema.properties));
  });
});

describe('rule fixtures', () => {
  it('cover every rule of the catalog, and only those', () => {
    expect(Object.keys(CASES).sort()).toEqual(RULES.map((r) => r.id).sort());
  });

  it.each(RULES.map((r) => [r.id, r.severity] as const))(
    '%s: the first fixture gets the rule at its catalog severity (%s)',
    (id, severity) => {
      const first = CASES[id]?.[0];
      expect(first?.findings.some((f) => f.rule === id && f.severity === severity)).toBe(true);
      for (const c of CASES[id] ?? []) expect(c.findings.map((f) => f.rule)).toContain(id);
    },
  );

  it('start from packs that lint clean', async () => {
    const full = makePack(
      goodPack({
        'values.yaml': lines('# spectrocloud.com/enabled-presets: Size:small', ...GOOD_VALUES),
        'presets.yaml': lines(...GOOD_PRESETS),
        'schema.yaml': lines(...GOOD_SCHEMA),
      }),
    );
    const chart = makePack(
      await chartPack({
        [CHART]: await chartTgz({
          'mychart/values.schema.json': JSON.stringify({ properties: { replicaCount: { type: 'integer' } } }),
        }),
      }),
    );
    const run = await lintPackDirs([full, chart]);
    expect(run.findings).toEqual([]);
  });
});
