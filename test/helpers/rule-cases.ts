import { describe, expect, it } from 'vitest';
import { compareFindings, type Finding, type Severity } from '../../core/findings.ts';
import { lintPack } from '../../core/lint-pack.ts';
import { lintPackDirs } from '../../core/lint-packs.ts';
import type { PackTree } from '../../core/pack-tree.ts';
import { RULE_BY_ID, type RuleId } from '../../core/rules.ts';
import { chartTgz, GOOD_PACK_JSON, GOOD_VALUES, goodPack, type PackFiles } from './packs.ts';

// ---------------------------------------------------------------------------------------------
// Fixture building blocks

export { GOOD_PACK_JSON, GOOD_VALUES };

/**
 * goodPack()'s pack.json with keys replaced (undefined removes one). Keys keep their place, so
 * the lines are: 2 name, 3 displayName, 4 version, 5 layer, 6 addonType, 8 cloudTypes[0],
 * 11 kubeManifests[0] (or charts[0] in chartPack()).
 */
export function packJson(over: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...GOOD_PACK_JSON, ...over }, null, 2);
}

export const lines = (...l: string[]): string => `${l.join('\n')}\n`;

export const GOOD_MANIFEST_HEAD = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: demo'];

export const GOOD_PRESETS = [
  'presets:',
  '  - name: small',
  '    displayName: Small',
  '    group: Size',
  '    remove:',
  '      - manifests.demo-app.replicas',
  '    add: |',
  '      manifests:',
  '        demo-app:',
  '          replicas: 1',
];

export const GOOD_SCHEMA = [
  'pack.namespace:',
  `  schema: '{{ required | format "\${string}" | hints "Namespace" }}'`,
];

export const CHART = 'charts/mychart-1.0.0.tgz';

/** A clean chart-based pack: pack.json line 11 is charts[0]; values.yaml configures charts.mychart. */
export async function chartPack(
  over: Record<string, string | Buffer | undefined> = {},
  chart?: Buffer,
): Promise<PackFiles> {
  return goodPack({
    'pack.json': packJson({ name: 'demo-chart', kubeManifests: undefined, charts: [CHART] }),
    'manifests/demo-app.yaml': undefined,
    'values.yaml': lines(
      'pack:',
      '  namespace: demo',
      '  content:',
      '    images:',
      '      - image: ghcr.io/example/mychart:1.0.0',
      'charts:',
      '  mychart:',
      '    replicaCount: 1',
    ),
    [CHART]: chart ?? (await chartTgz()),
    ...over,
  });
}

/** A PNG signature and IHDR chunk claiming the given size: all the logo rules read. */
export function pngHeader(width: number, height: number): Buffer {
  const b = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  b.writeUInt8(8, 24); // bit depth
  b.writeUInt8(6, 25); // colour type RGBA
  return b; // the CRC (bytes 29..32) is left zero: the linter does not check it
}

export const MiB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Expectations

export interface Expected {
  rule: RuleId;
  severity: Severity;
  file: string;
  line?: number;
  column?: number;
  /** Substrings the message must contain, in order. */
  message: string[];
}

export interface Case {
  name: string;
  /** Writes the fixture; returns the pack folder(s) to lint together (the first is checked) or a tree. */
  setup: () => string | string[] | PackTree | Promise<string | string[] | PackTree>;
  /** Every finding the checked pack must get: nothing more, nothing less. */
  findings: Expected[];
}

/** A finding at a position with the catalog's severity. */
export function at(rule: RuleId, file: string, line: number, column: number, ...message: string[]): Expected {
  return { rule, severity: catalogSeverity(rule), file, line, column, message };
}

/** A finding about a whole file (no position) with the catalog's severity. */
export function whole(rule: RuleId, file: string, ...message: string[]): Expected {
  return { rule, severity: catalogSeverity(rule), file, message };
}

export function catalogSeverity(rule: RuleId): Severity {
  const info = RULE_BY_ID.get(rule);
  if (!info) throw new Error(`unknown rule ${rule}`);
  return info.severity;
}

export const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function matcher(e: Expected): Record<string, unknown> {
  return {
    rule: e.rule,
    severity: e.severity,
    file: e.file,
    line: e.line,
    column: e.column,
    message: expect.stringMatching(new RegExp(e.message.map(escapeRe).join('[\\s\\S]*'))),
  };
}

/** Lints the fixture; returns the checked pack's findings with pack-relative paths. */
export async function lintFixture(target: string | string[] | PackTree): Promise<Finding[]> {
  if (typeof target === 'object' && !Array.isArray(target)) return (await lintPack(target)).findings;
  const dirs = Array.isArray(target) ? target : [target];
  const run = await lintPackDirs(dirs);
  const report = run.packs[0];
  if (!report) throw new Error('no pack linted');
  // lintPackDirs reports the same findings with the pack folder prefixed to `file`.
  const prefixed = run.findings.filter((f) => f.pack === report.pack);
  expect(prefixed).toEqual(
    report.findings.map((f) => ({ pack: report.pack, ...f, file: `${report.pack}/${f.file}` })),
  );
  return report.findings;
}

export function sortExpected(list: Expected[]): Expected[] {
  return [...list].sort((a, b) =>
    compareFindings(
      { ...a, message: '', line: a.line, column: a.column },
      { ...b, message: '', line: b.line, column: b.column },
    ),
  );
}
export type RuleCases = Partial<Record<RuleId, Case[]>>;

/** Registers one test per fixture: the fixture's findings, exactly. */
export function describeRuleCases(cases: RuleCases): void {
  for (const [id, list] of Object.entries(cases)) {
    describe(id, () => {
      for (const c of list ?? []) {
        it(c.name, async () => {
          const findings = await lintFixture(await c.setup());
          expect(findings).toEqual(sortExpected(c.findings).map(matcher));
        });
      }
    });
  }
}
