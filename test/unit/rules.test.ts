/**
 * One failing fixture (at least) per rule of the catalog, each asserted exactly: rule, severity,
 * file, position and a message naming the offending value. Every fixture starts from a clean pack
 * and breaks one thing, and the test checks the complete list of findings, so a fixture that also
 * trips another rule fails too.
 */
import { execFileSync } from 'node:child_process';
import { symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compareFindings, type Finding, type Severity } from '../../core/findings.ts';
import { lintPack } from '../../core/lint-pack.ts';
import { lintPackDirs } from '../../core/lint-packs.ts';
import { type PackTree, readPackTree } from '../../core/pack-tree.ts';
import { RULE_BY_ID, RULES, type RuleId } from '../../core/rules.ts';
import { chartTgz, goodPack, makePack, type PackFiles, TINY_PNG, tempDir, tgzOf } from '../helpers/packs.ts';

// ---------------------------------------------------------------------------------------------
// Fixture building blocks

const GOOD_PACK_JSON: Record<string, unknown> = {
  name: 'demo-app',
  displayName: 'Demo App',
  version: '1.0.0',
  layer: 'addon',
  addonType: 'app services',
  cloudTypes: ['all'],
  kubeManifests: ['manifests/demo-app.yaml'],
};

/**
 * goodPack()'s pack.json with keys replaced (undefined removes one). Keys keep their place, so
 * the lines are: 2 name, 3 displayName, 4 version, 5 layer, 6 addonType, 8 cloudTypes[0],
 * 11 kubeManifests[0] (or charts[0] in chartPack()).
 */
function packJson(over: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...GOOD_PACK_JSON, ...over }, null, 2);
}

const lines = (...l: string[]): string => `${l.join('\n')}\n`;

/** goodPack()'s values.yaml, line by line. */
const GOOD_VALUES = [
  'pack:',
  '  namespace: demo',
  '  content:',
  '    images:',
  '      - image: ghcr.io/example/demo:1.0.0',
  'manifests:',
  '  demo-app:',
  '    replicas: 1',
];

const GOOD_MANIFEST_HEAD = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: demo'];

const GOOD_PRESETS = [
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

const GOOD_SCHEMA = [
  'pack.namespace:',
  `  schema: '{{ required | format "\${string}" | hints "Namespace" }}'`,
];

const CHART = 'charts/mychart-1.0.0.tgz';

/** A clean chart-based pack: pack.json line 11 is charts[0]; values.yaml configures charts.mychart. */
async function chartPack(
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
function pngHeader(width: number, height: number): Buffer {
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

const MiB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Expectations

interface Expected {
  rule: RuleId;
  severity: Severity;
  file: string;
  line?: number;
  column?: number;
  /** Substrings the message must contain, in order. */
  message: string[];
}

interface Case {
  name: string;
  /** Writes the fixture; returns the pack folder(s) to lint together (the first is checked) or a tree. */
  setup: () => string | string[] | PackTree | Promise<string | string[] | PackTree>;
  /** Every finding the checked pack must get: nothing more, nothing less. */
  findings: Expected[];
}

/** A finding at a position with the catalog's severity. */
function at(rule: RuleId, file: string, line: number, column: number, ...message: string[]): Expected {
  return { rule, severity: catalogSeverity(rule), file, line, column, message };
}

/** A finding about a whole file (no position) with the catalog's severity. */
function whole(rule: RuleId, file: string, ...message: string[]): Expected {
  return { rule, severity: catalogSeverity(rule), file, message };
}

function catalogSeverity(rule: RuleId): Severity {
  const info = RULE_BY_ID.get(rule);
  if (!info) throw new Error(`unknown rule ${rule}`);
  return info.severity;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function matcher(e: Expected): Record<string, unknown> {
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
async function lintFixture(target: string | string[] | PackTree): Promise<Finding[]> {
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

function sortExpected(list: Expected[]): Expected[] {
  return [...list].sort((a, b) =>
    compareFindings(
      { ...a, message: '', line: a.line, column: a.column },
      { ...b, message: '', line: b.line, column: b.column },
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// The cases, keyed by rule id: TypeScript and the first test both insist every rule has some.

const CASES: Record<RuleId, Case[]> = {
  'file/unreadable': [
    {
      name: 'a FIFO in the pack',
      setup: () => {
        const dir = makePack(goodPack());
        execFileSync('mkfifo', [path.join(dir, 'events.pipe')]);
        return dir;
      },
      findings: [whole('file/unreadable', 'events.pipe', 'is not a regular file', 'FIFO')],
    },
    {
      name: 'a folder where values.yaml should be',
      setup: () => makePack(goodPack({ 'values.yaml': undefined, 'values.yaml/notes.txt': 'x' })),
      findings: [whole('file/unreadable', 'values.yaml', 'cannot be read', 'is a folder, not a file')],
    },
    {
      name: 'a file the operating system refuses to read (EACCES)',
      setup: async () => {
        const tree = await readPackTree(makePack(goodPack()));
        return {
          ...tree,
          read: (rel: string, max: number) => {
            if (rel === 'values.yaml') {
              throw Object.assign(new Error("EACCES: permission denied, open 'values.yaml'"), {
                code: 'EACCES',
              });
            }
            return tree.read(rel, max);
          },
        };
      },
      findings: [whole('file/unreadable', 'values.yaml', 'cannot be read', 'permission denied')],
    },
  ],

  'file/too-large': [
    {
      name: 'a sparse 9 MiB values.yaml',
      setup: () => {
        const dir = makePack(goodPack());
        truncateSync(path.join(dir, 'values.yaml'), 9 * MiB);
        return dir;
      },
      findings: [whole('file/too-large', 'values.yaml', 'is 9.0 MiB', 'over the 8.0 MiB')],
    },
    {
      name: 'a sparse 9 MiB logo.png',
      setup: () => {
        const dir = makePack(goodPack());
        truncateSync(path.join(dir, 'logo.png'), 9 * MiB);
        return dir;
      },
      findings: [whole('file/too-large', 'logo.png', 'is 9.0 MiB', 'over the 8.0 MiB')],
    },
  ],

  'file/binary': [
    {
      name: 'a NUL byte in values.yaml',
      setup: () => makePack(goodPack({ 'values.yaml': Buffer.from('pack:\n  namespace: demo\0\n') })),
      findings: [at('file/binary', 'values.yaml', 2, 18, 'NUL byte at offset 23', 'UTF-8 text')],
    },
    {
      name: 'Latin-1 (invalid UTF-8) in values.yaml',
      setup: () =>
        makePack(
          goodPack({
            'values.yaml': Buffer.concat([
              Buffer.from('pack:\n  namespace: d'),
              Buffer.from([0xe9]),
              Buffer.from('mo\n'),
            ]),
          }),
        ),
      findings: [at('file/binary', 'values.yaml', 2, 15, 'not valid UTF-8', 'byte 0xe9 at offset 20')],
    },
    {
      name: 'invalid UTF-8 after a legitimate U+FFFD in pack.json',
      setup: () =>
        makePack(
          goodPack({
            'pack.json': Buffer.concat([
              Buffer.from('{"displayName": "\uFFFD'),
              Buffer.from([0xff]),
              Buffer.from('"}'),
            ]),
          }),
        ),
      findings: [at('file/binary', 'pack.json', 1, 19, 'not valid UTF-8', 'byte 0xff at offset 20')],
    },
  ],

  'file/symlink': [
    {
      name: 'a dangling link',
      setup: () => {
        const dir = makePack(goodPack());
        symlinkSync('missing.yaml', path.join(dir, 'extra.yaml'));
        return dir;
      },
      findings: [whole('file/symlink', 'extra.yaml', 'dangling symbolic link', '"missing.yaml"')],
    },
    {
      name: 'a link to a file outside the pack',
      setup: () => {
        const outside = path.join(tempDir(), 'secret.txt');
        writeFileSync(outside, 'secret\n');
        const dir = makePack(goodPack());
        symlinkSync(outside, path.join(dir, 'notes.txt'));
        return dir;
      },
      findings: [whole('file/symlink', 'notes.txt', 'leaves the pack folder')],
    },
    {
      name: 'a link to a folder inside the pack',
      setup: () => {
        const dir = makePack(goodPack());
        symlinkSync('manifests', path.join(dir, 'more-manifests'));
        return dir;
      },
      findings: [whole('file/symlink', 'more-manifests', 'symbolic link to a folder')],
    },
  ],

  'pack-json/missing': [
    {
      name: 'no pack.json',
      setup: () => makePack(goodPack({ 'pack.json': undefined })),
      findings: [
        whole('pack-json/missing', 'pack.json', 'no pack.json', 'name, displayName, version and layer'),
      ],
    },
  ],

  'pack-json/syntax': [
    {
      name: 'a missing comma',
      setup: () => makePack(goodPack({ 'pack.json': packJson().replace('"demo-app",', '"demo-app"') })),
      findings: [at('pack-json/syntax', 'pack.json', 3, 3, 'CommaExpected', 'add a comma')],
    },
    {
      name: 'a trailing comma',
      setup: () => makePack(goodPack({ 'pack.json': packJson().replace('"all"\n  ],', '"all",\n  ],') })),
      findings: [at('pack-json/syntax', 'pack.json', 9, 3, 'ValueExpected', 'trailing commas')],
    },
  ],

  'pack-json/schema': [
    {
      name: 'an unknown layer',
      setup: () => makePack(goodPack({ 'pack.json': packJson({ layer: 'addons' }) })),
      findings: [
        at('pack-json/schema', 'pack.json', 5, 12, '"layer" (is "addons") must be one of', '"addon"'),
      ],
    },
    {
      name: 'no displayName',
      setup: () => makePack(goodPack({ 'pack.json': packJson({ displayName: undefined }) })),
      findings: [at('pack-json/schema', 'pack.json', 1, 1, 'missing the required property "displayName"')],
    },
    {
      name: 'a cloudType of the wrong type',
      setup: () => makePack(goodPack({ 'pack.json': packJson({ cloudTypes: ['all', 7] }) })),
      findings: [at('pack-json/schema', 'pack.json', 9, 5, '"cloudTypes.1" (is 7) must be one of', '"aws"')],
    },
    {
      name: 'pack.json is an array',
      setup: () => makePack(goodPack({ 'pack.json': '[]\n' })),
      findings: [at('pack-json/schema', 'pack.json', 1, 1, 'must be a JSON object')],
    },
  ],

  'pack-json/name': [
    {
      name: 'uppercase and underscore',
      setup: () => makePack(goodPack({ 'pack.json': packJson({ name: 'Demo_App' }) })),
      findings: [at('pack-json/name', 'pack.json', 2, 11, 'name "Demo_App"', 'OCI repository name')],
    },
  ],

  'pack-json/version': [
    {
      name: 'not a version at all (error)',
      setup: () => makePack(goodPack({ 'pack.json': packJson({ version: 'one.two' }) })),
      findings: [at('pack-json/version', 'pack.json', 4, 14, 'version "one.two"', 'not a semantic version')],
    },
    {
      name: 'semver with build metadata, which OCI tags cannot hold (error)',
      setup: () => makePack(goodPack({ 'pack.json': packJson({ version: '1.0.0+build.1' }) })),
      findings: [
        at('pack-json/version', 'pack.json', 4, 14, 'version "1.0.0+build.1"', '"+" build metadata'),
      ],
    },
    {
      name: 'a leading "v" (the documented warning)',
      setup: () => makePack(goodPack({ 'pack.json': packJson({ version: 'v1.0.0' }) })),
      findings: [
        {
          ...at(
            'pack-json/version',
            'pack.json',
            4,
            14,
            'version "v1.0.0"',
            'starts with "v"',
            '(use "1.0.0")',
          ),
          severity: 'warning',
        },
      ],
    },
  ],

  'pack-json/addon-type': [
    {
      name: 'a near miss, with a suggestion',
      setup: () => makePack(goodPack({ 'pack.json': packJson({ addonType: 'App-Services' }) })),
      findings: [
        at('pack-json/addon-type', 'pack.json', 6, 16, '"App-Services"', 'did you mean "app services"?'),
      ],
    },
    {
      name: 'an unknown type',
      setup: () => makePack(goodPack({ 'pack.json': packJson({ addonType: 'gizmos' }) })),
      findings: [
        at('pack-json/addon-type', 'pack.json', 6, 16, '"gizmos" is not one Palette knows', 'ingress'),
      ],
    },
  ],

  'pack-json/duplicate': [
    {
      name: 'two packs with the same name@version',
      setup: () => {
        const parent = tempDir();
        return [makePack(goodPack(), parent, 'a'), makePack(goodPack(), parent, 'b')];
      },
      findings: [at('pack-json/duplicate', 'pack.json', 4, 14, 'demo-app@1.0.0 is also defined by', '/b')],
    },
  ],

  'manifest/path': [
    {
      name: 'a kubeManifests entry climbing out with ".."',
      setup: () => makePack(goodPack({ 'pack.json': packJson({ kubeManifests: ['../demo-app.yaml'] }) })),
      findings: [at('manifest/path', 'pack.json', 11, 5, '"../demo-app.yaml"', 'climbs out of the pack')],
    },
    {
      name: 'an absolute kubeManifests entry',
      setup: () => makePack(goodPack({ 'pack.json': packJson({ kubeManifests: ['/etc/demo-app.yaml'] }) })),
      findings: [at('manifest/path', 'pack.json', 11, 5, '"/etc/demo-app.yaml"', 'absolute path')],
    },
  ],

  'manifest/missing': [
    {
      name: 'a kubeManifests entry with the wrong extension',
      setup: () =>
        makePack(goodPack({ 'pack.json': packJson({ kubeManifests: ['manifests/demo-app.yml'] }) })),
      findings: [
        at('manifest/missing', 'pack.json', 11, 5, '"manifests/demo-app.yml"', 'is not in the pack'),
      ],
    },
  ],

  'manifest/yaml-syntax': [
    {
      name: 'a nested mapping on one line',
      setup: () =>
        makePack(
          goodPack({
            'manifests/demo-app.yaml': lines(...GOOD_MANIFEST_HEAD, 'data:', '  key: value: other'),
          }),
        ),
      findings: [at('manifest/yaml-syntax', 'manifests/demo-app.yaml', 6, 8, 'Nested mappings')],
    },
    {
      name: 'a duplicate key in an untemplated manifest',
      setup: () =>
        makePack(goodPack({ 'manifests/demo-app.yaml': lines(...GOOD_MANIFEST_HEAD, 'kind: Secret') })),
      findings: [at('manifest/yaml-syntax', 'manifests/demo-app.yaml', 5, 1, 'Map keys must be unique')],
    },
    {
      name: 'a tab-indented line in a templated manifest (actions masked)',
      setup: () =>
        makePack(
          goodPack({
            'manifests/demo-app.yaml': lines(
              ...GOOD_MANIFEST_HEAD,
              'data:',
              '  a: {{ .Values.a }}',
              '\tb: c',
            ),
          }),
        ),
      findings: [
        at(
          'manifest/yaml-syntax',
          'manifests/demo-app.yaml',
          7,
          1,
          'Tabs',
          'Go template actions were masked',
        ),
      ],
    },
  ],

  'manifest/template': [
    {
      name: 'an {{ if }} without {{ end }}',
      setup: () =>
        makePack(
          goodPack({
            'manifests/demo-app.yaml': lines(
              ...GOOD_MANIFEST_HEAD,
              'data:',
              '  {{- if .Values.on }}',
              '  on: "yes"',
              '  off: "no"',
            ),
          }),
        ),
      findings: [
        at('manifest/template', 'manifests/demo-app.yaml', 6, 3, '{{ if }} is never closed with {{ end }}'),
      ],
    },
    {
      name: 'an {{ end }} without an opener',
      setup: () =>
        makePack(
          goodPack({
            'manifests/demo-app.yaml': lines(...GOOD_MANIFEST_HEAD, 'data:', '  on: "yes"', '{{ end }}'),
          }),
        ),
      findings: [at('manifest/template', 'manifests/demo-app.yaml', 7, 1, '{{ end }} has no matching')],
    },
    {
      name: 'an unclosed "{{"',
      setup: () =>
        makePack(
          goodPack({
            'manifests/demo-app.yaml': lines(
              ...GOOD_MANIFEST_HEAD,
              'data:',
              '  on: {{ .Values.on',
              '  off: x',
            ),
          }),
        ),
      findings: [at('manifest/template', 'manifests/demo-app.yaml', 6, 7, '"{{" is never closed')],
    },
  ],

  'manifest/k8s-object': [
    {
      name: 'a document without kind',
      setup: () =>
        makePack(
          goodPack({
            'manifests/demo-app.yaml': lines('apiVersion: v1', 'metadata:', '  name: demo', 'data: {}'),
          }),
        ),
      findings: [at('manifest/k8s-object', 'manifests/demo-app.yaml', 1, 1, 'the document has no kind')],
    },
    {
      name: 'a second document without metadata.name',
      setup: () =>
        makePack(
          goodPack({
            'manifests/demo-app.yaml': lines(
              ...GOOD_MANIFEST_HEAD,
              '---',
              'apiVersion: v1',
              'kind: Secret',
              'metadata:',
              '  labels:',
              '    app: demo',
            ),
          }),
        ),
      findings: [
        at(
          'manifest/k8s-object',
          'manifests/demo-app.yaml',
          9,
          3,
          'document 2 (kind Secret) has no metadata.name',
        ),
      ],
    },
    {
      name: 'a document that is a list',
      setup: () => makePack(goodPack({ 'manifests/demo-app.yaml': lines('- a', '- b') })),
      findings: [at('manifest/k8s-object', 'manifests/demo-app.yaml', 1, 1, 'is not a Kubernetes object')],
    },
  ],

  'chart/path': [
    {
      name: 'a charts entry climbing out with ".."',
      setup: async () =>
        makePack(
          await chartPack({
            'pack.json': packJson({
              name: 'demo-chart',
              kubeManifests: undefined,
              charts: ['../mychart-1.0.0.tgz'],
            }),
          }),
        ),
      findings: [at('chart/path', 'pack.json', 11, 5, '"../mychart-1.0.0.tgz"', 'climbs out of the pack')],
    },
  ],

  'chart/missing': [
    {
      name: 'a charts entry naming a file not in the pack',
      setup: async () =>
        makePack(
          await chartPack({
            'pack.json': packJson({
              name: 'demo-chart',
              kubeManifests: undefined,
              charts: ['charts/mychart-2.0.0.tgz'],
            }),
          }),
        ),
      findings: [at('chart/missing', 'pack.json', 11, 5, '"charts/mychart-2.0.0.tgz"', 'is not in the pack')],
    },
  ],

  'chart/archive': [
    {
      name: 'not gzip at all',
      setup: async () => makePack(await chartPack({ [CHART]: 'this is not an archive\n' })),
      findings: [whole('chart/archive', CHART, 'is not gzip-compressed')],
    },
    {
      name: 'gzip of garbage',
      setup: async () =>
        makePack(await chartPack({ [CHART]: gzipSync(Buffer.from('not a tar '.repeat(100))) })),
      findings: [whole('chart/archive', CHART, 'is not a readable tar archive')],
    },
    {
      name: 'a truncated gzip stream',
      setup: async () => {
        const tgz = await chartTgz();
        return makePack(await chartPack({ [CHART]: tgz.subarray(0, tgz.length - 20) }));
      },
      findings: [whole('chart/archive', CHART, 'corrupt gzip stream')],
    },
    {
      name: 'two top-level folders',
      setup: async () =>
        makePack(
          await chartPack({
            [CHART]: await tgzOf({
              'mychart/Chart.yaml': 'apiVersion: v2\nname: mychart\nversion: 1.0.0\n',
              'other/Chart.yaml': 'apiVersion: v2\nname: other\nversion: 1.0.0\n',
            }),
          }),
        ),
      findings: [whole('chart/archive', CHART, 'has 2 top-level folders', 'mychart, other')],
    },
    {
      name: 'an empty tar',
      setup: async () => makePack(await chartPack({ [CHART]: await tgzOf({}) })),
      findings: [whole('chart/archive', CHART, 'is an empty archive')],
    },
    {
      name: 'an entry escaping the archive',
      setup: async () =>
        makePack(
          await chartPack({
            [CHART]: await tgzOf({ 'mychart/../../evil.txt': 'x', 'mychart/Chart.yaml': 'x' }),
          }),
        ),
      findings: [whole('chart/archive', CHART, 'entry "mychart/../../evil.txt" escapes the archive')],
    },
  ],

  'chart/chart-yaml': [
    {
      name: 'a version that is not semver',
      setup: async () =>
        makePack(
          await chartPack({
            [CHART]: await chartTgz({
              'mychart/Chart.yaml': lines('apiVersion: v2', 'name: mychart', 'version: one'),
            }),
          }),
        ),
      findings: [whole('chart/chart-yaml', CHART, 'mychart/Chart.yaml version "one" is not semver')],
    },
    {
      name: 'no Chart.yaml',
      setup: async () =>
        makePack(await chartPack({ [CHART]: await chartTgz({ 'mychart/Chart.yaml': undefined }) })),
      findings: [whole('chart/chart-yaml', CHART, 'has no mychart/Chart.yaml')],
    },
    {
      name: 'no name and an unknown apiVersion',
      setup: async () =>
        makePack(
          await chartPack({
            [CHART]: await chartTgz({ 'mychart/Chart.yaml': lines('apiVersion: v3', 'version: 1.0.0') }),
          }),
        ),
      findings: [
        whole(
          'chart/chart-yaml',
          CHART,
          'mychart/Chart.yaml has no name',
          'apiVersion "v3" is not "v1" or "v2"',
        ),
      ],
    },
    {
      name: 'Chart.yaml that is not YAML',
      setup: async () =>
        makePack(
          await chartPack({ [CHART]: await chartTgz({ 'mychart/Chart.yaml': lines('name: a', 'name: b') }) }),
        ),
      findings: [whole('chart/chart-yaml', CHART, 'mychart/Chart.yaml is not valid YAML (line 2', 'unique')],
    },
  ],

  'chart/values-schema': [
    {
      name: 'chart values that break the chart schema',
      setup: async () =>
        makePack(
          await chartPack({
            [CHART]: await chartTgz({
              'mychart/values.yaml': 'replicaCount: many\n',
              'mychart/values.schema.json': JSON.stringify({
                type: 'object',
                properties: { replicaCount: { type: 'integer' } },
              }),
            }),
          }),
        ),
      findings: [
        whole(
          'chart/values-schema',
          CHART,
          'mychart/values.yaml at /replicaCount must be integer',
          'values.schema.json',
        ),
      ],
    },
    {
      name: 'a values.schema.json that is not JSON',
      setup: async () =>
        makePack(
          await chartPack({ [CHART]: await chartTgz({ 'mychart/values.schema.json': '{ type: object }' }) }),
        ),
      findings: [
        whole(
          'chart/values-schema',
          CHART,
          'mychart/values.schema.json is not valid JSON (line 1',
          'InvalidSymbol',
        ),
      ],
    },
    {
      name: 'a values.schema.json that does not compile (the documented warning)',
      setup: async () =>
        makePack(
          await chartPack({
            [CHART]: await chartTgz({ 'mychart/values.schema.json': '{"type": "nonsense"}' }),
          }),
        ),
      findings: [
        {
          ...whole('chart/values-schema', CHART, 'values.schema.json cannot be compiled', 'nonsense'),
          severity: 'warning',
        },
      ],
    },
  ],

  'values/missing': [
    {
      name: 'no values.yaml',
      setup: () => makePack(goodPack({ 'values.yaml': undefined })),
      findings: [whole('values/missing', 'values.yaml', 'no values.yaml')],
    },
  ],

  'values/yaml-syntax': [
    {
      name: 'a duplicate key',
      setup: () =>
        makePack(goodPack({ 'values.yaml': lines('pack:', '  namespace: demo', '  namespace: other') })),
      findings: [at('values/yaml-syntax', 'values.yaml', 3, 3, 'Map keys must be unique')],
    },
    {
      name: 'a YAML bomb',
      setup: () =>
        makePack(
          goodPack({
            'values.yaml': lines(
              'a: &a [x, x, x, x, x, x, x, x, x]',
              'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
              'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
              'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
              'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
            ),
          }),
        ),
      findings: [
        at('values/yaml-syntax', 'values.yaml', 1, 1, 'too many alias expansions', 'billion laughs'),
      ],
    },
  ],

  'values/shape': [
    {
      name: 'manifests: is a string',
      setup: () =>
        makePack(goodPack({ 'values.yaml': lines(...GOOD_VALUES.slice(0, 5), 'manifests: demo-app') })),
      findings: [at('values/shape', 'values.yaml', 6, 12, '"manifests" must be a mapping')],
    },
    {
      name: 'pack.content.images is a mapping',
      setup: () =>
        makePack(
          goodPack({
            'values.yaml': lines(
              'pack:',
              '  content:',
              '    images:',
              '      image: ghcr.io/example/demo:1.0.0',
            ),
          }),
        ),
      findings: [at('values/shape', 'values.yaml', 4, 7, '"pack.content.images" must be a list')],
    },
    {
      name: 'two YAML documents',
      setup: () => makePack(goodPack({ 'values.yaml': lines(...GOOD_VALUES, '---', 'pack: {}') })),
      findings: [at('values/shape', 'values.yaml', 10, 1, 'holds 2 YAML documents')],
    },
    {
      name: 'a list at the top',
      setup: () => makePack(goodPack({ 'values.yaml': lines('- pack') })),
      findings: [at('values/shape', 'values.yaml', 1, 1, 'must be a mapping')],
    },
  ],

  'values/unknown-manifest': [
    {
      name: 'a typo in a manifests key',
      setup: () =>
        makePack(goodPack({ 'values.yaml': lines(...GOOD_VALUES, '  demo-ap:', '    replicas: 2') })),
      findings: [
        at(
          'values/unknown-manifest',
          'values.yaml',
          9,
          3,
          'manifests.demo-ap matches no',
          'known: "demo-app"',
        ),
      ],
    },
  ],

  'values/unknown-chart': [
    {
      name: 'a charts key naming no chart of a chart pack',
      setup: async () => {
        const files = await chartPack();
        return makePack({ ...files, 'values.yaml': `${files['values.yaml']}  otherchart: {}\n` });
      },
      findings: [
        at('values/unknown-chart', 'values.yaml', 9, 3, 'charts.otherchart matches no chart', '"mychart"'),
      ],
    },
    {
      name: 'a charts section in a manifest pack',
      setup: () => makePack(goodPack({ 'values.yaml': lines(...GOOD_VALUES, 'charts:', '  mychart: {}') })),
      findings: [
        at('values/unknown-chart', 'values.yaml', 10, 3, 'charts.mychart matches no chart', 'known: none'),
      ],
    },
  ],

  'values/namespace': [
    {
      name: 'uppercase and underscore',
      setup: () =>
        makePack(
          goodPack({ 'values.yaml': lines('pack:', '  namespace: Demo_NS', ...GOOD_VALUES.slice(2)) }),
        ),
      findings: [at('values/namespace', 'values.yaml', 2, 14, 'pack.namespace "Demo_NS" is not a DNS label')],
    },
  ],

  'values/images': [
    {
      name: 'no images for an add-on',
      setup: () =>
        makePack(goodPack({ 'values.yaml': lines('pack:', '  namespace: demo', ...GOOD_VALUES.slice(5)) })),
      findings: [at('values/images', 'values.yaml', 1, 1, 'pack.content.images is empty', 'addon pack')],
    },
    {
      name: 'an images entry without "image"',
      setup: () =>
        makePack(
          goodPack({
            'values.yaml': lines(
              ...GOOD_VALUES.slice(0, 4),
              '      - name: ghcr.io/example/demo:1.0.0',
              ...GOOD_VALUES.slice(5),
            ),
          }),
        ),
      findings: [at('values/images', 'values.yaml', 5, 9, 'images[0] has no "image" key', '"name"')],
    },
  ],

  'values/enabled-presets': [
    {
      name: 'a preset presets.yaml does not define',
      setup: () =>
        makePack(
          goodPack({
            'values.yaml': lines('# spectrocloud.com/enabled-presets: Size:large', ...GOOD_VALUES),
            'presets.yaml': lines(...GOOD_PRESETS),
          }),
        ),
      findings: [
        at('values/enabled-presets', 'values.yaml', 1, 37, '"Size:large" is not defined in presets.yaml'),
      ],
    },
    {
      name: 'a preset without presets.yaml',
      setup: () =>
        makePack(
          goodPack({
            'values.yaml': lines('# spectrocloud.com/enabled-presets: Size:small', ...GOOD_VALUES),
          }),
        ),
      findings: [
        at(
          'values/enabled-presets',
          'values.yaml',
          1,
          37,
          '"Size:small" is named but the pack has no presets.yaml',
        ),
      ],
    },
    {
      name: 'a preset without its group',
      setup: () =>
        makePack(
          goodPack({
            'values.yaml': lines('# spectrocloud.com/enabled-presets: Size:small, large', ...GOOD_VALUES),
            'presets.yaml': lines(...GOOD_PRESETS),
          }),
        ),
      findings: [
        at('values/enabled-presets', 'values.yaml', 1, 49, '"large" must be written Group:preset-name'),
      ],
    },
  ],

  'presets/yaml-syntax': [
    {
      name: 'a duplicate key',
      setup: () =>
        makePack(goodPack({ 'presets.yaml': lines('presets:', '  - name: small', '    name: again') })),
      findings: [at('presets/yaml-syntax', 'presets.yaml', 3, 5, 'Map keys must be unique')],
    },
  ],

  'presets/shape': [
    {
      name: 'presets: is a mapping',
      setup: () => makePack(goodPack({ 'presets.yaml': lines('presets:', '  name: small') })),
      findings: [at('presets/shape', 'presets.yaml', 2, 3, 'must be a mapping with a "presets:" list')],
    },
    {
      name: 'a preset without displayName',
      setup: () =>
        makePack(goodPack({ 'presets.yaml': lines('presets:', '  - name: small', '    group: Size') })),
      findings: [
        at('presets/shape', 'presets.yaml', 2, 5, 'presets[0] needs a non-empty string "displayName"'),
      ],
    },
    {
      name: 'add is a mapping, not a block string',
      setup: () =>
        makePack(
          goodPack({ 'presets.yaml': lines(...GOOD_PRESETS.slice(0, 6), '    add:', '      manifests: {}') }),
        ),
      findings: [at('presets/shape', 'presets.yaml', 8, 7, 'presets[0].add must be a YAML block string')],
    },
  ],

  'presets/duplicate-name': [
    {
      name: 'two presets named small',
      setup: () =>
        makePack(
          goodPack({
            'presets.yaml': lines(
              ...GOOD_PRESETS,
              '  - name: small',
              '    displayName: Small again',
              '    group: Size',
            ),
          }),
        ),
      findings: [
        at(
          'presets/duplicate-name',
          'presets.yaml',
          11,
          11,
          'preset name "small" is already used by presets[0]',
        ),
      ],
    },
  ],

  'presets/add-yaml': [
    {
      name: 'a broken line inside the add block',
      setup: () =>
        makePack(
          goodPack({ 'presets.yaml': lines(...GOOD_PRESETS.slice(0, 9), '          replicas: 1: 2') }),
        ),
      // Line 10 of presets.yaml, at the "1" of "replicas: 1: 2" (column 21): inside the block.
      findings: [
        at(
          'presets/add-yaml',
          'presets.yaml',
          10,
          21,
          'presets[0] ("small") add block is invalid YAML',
          'Nested',
        ),
      ],
    },
    {
      name: 'a broken line after a blank line inside the add block',
      setup: () =>
        makePack(
          goodPack({
            'presets.yaml': lines(
              ...GOOD_PRESETS.slice(0, 7),
              '',
              '      manifests:',
              '      \tdemo-app: {}',
            ),
          }),
        ),
      findings: [at('presets/add-yaml', 'presets.yaml', 10, 7, 'add block is invalid YAML', 'Tabs')],
    },
    {
      name: 'an add block that is a list',
      setup: () =>
        makePack(goodPack({ 'presets.yaml': lines(...GOOD_PRESETS.slice(0, 7), '      - a', '      - b') })),
      findings: [at('presets/add-yaml', 'presets.yaml', 7, 10, 'add block must be a mapping')],
    },
  ],

  'presets/remove': [
    {
      name: 'an empty path segment',
      setup: () =>
        makePack(
          goodPack({
            'presets.yaml': lines(
              ...GOOD_PRESETS.slice(0, 5),
              '      - manifests..demo-app',
              ...GOOD_PRESETS.slice(6),
            ),
          }),
        ),
      findings: [
        at(
          'presets/remove',
          'presets.yaml',
          6,
          9,
          'remove[0] "manifests..demo-app" is not a dotted values path',
        ),
      ],
    },
  ],

  'schema/yaml-syntax': [
    {
      name: 'a duplicate key',
      setup: () => makePack(goodPack({ 'schema.yaml': lines(...GOOD_SCHEMA, ...GOOD_SCHEMA) })),
      findings: [at('schema/yaml-syntax', 'schema.yaml', 3, 1, 'Map keys must be unique')],
    },
  ],

  'schema/shape': [
    {
      name: 'an entry without schema:',
      setup: () =>
        makePack(goodPack({ 'schema.yaml': lines(...GOOD_SCHEMA, "pack.replicas: '{{ required }}'") })),
      findings: [
        at('schema/shape', 'schema.yaml', 3, 1, '"pack.replicas" must be a mapping with a "schema" string'),
      ],
    },
    {
      name: 'an unknown function',
      setup: () =>
        makePack(goodPack({ 'schema.yaml': lines('pack.namespace:', "  schema: '{{ requird }}'") })),
      findings: [at('schema/shape', 'schema.yaml', 2, 11, 'unknown function "requird"')],
    },
    {
      name: 'not a pipeline',
      setup: () => makePack(goodPack({ 'schema.yaml': lines('pack.namespace:', '  schema: required') })),
      findings: [
        at('schema/shape', 'schema.yaml', 2, 11, '"pack.namespace".schema must be a "{{ … }}" pipeline'),
      ],
    },
  ],

  'schema/format-type': [
    {
      name: 'a misspelt type',
      setup: () =>
        makePack(
          goodPack({
            'schema.yaml': lines('pack.namespace:', `  schema: '{{ required | format "\${strng}" }}'`),
          }),
        ),
      findings: [at('schema/format-type', 'schema.yaml', 2, 11, `unknown format type "\${strng}"`)],
    },
    {
      name: 'no placeholder',
      setup: () =>
        makePack(goodPack({ 'schema.yaml': lines('pack.namespace:', `  schema: '{{ format "string" }}'`) })),
      findings: [
        at('schema/format-type', 'schema.yaml', 2, 11, `format "string" has no \${TYPE} placeholder`),
      ],
    },
  ],

  'logo/missing': [
    {
      name: 'no logo.png',
      setup: () => makePack(goodPack({ 'logo.png': undefined })),
      findings: [whole('logo/missing', 'logo.png', 'no logo.png')],
    },
  ],

  'logo/png': [
    {
      name: 'a JPEG named logo.png',
      setup: () =>
        makePack(goodPack({ 'logo.png': Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46]) })),
      findings: [whole('logo/png', 'logo.png', 'does not start with the PNG signature', 'a JPEG')],
    },
    {
      name: 'a truncated PNG',
      setup: () => makePack(goodPack({ 'logo.png': TINY_PNG.subarray(0, 20) })),
      findings: [whole('logo/png', 'logo.png', 'is truncated')],
    },
    {
      name: 'a PNG claiming 0×0 pixels',
      setup: () => makePack(goodPack({ 'logo.png': pngHeader(0, 0) })),
      findings: [whole('logo/png', 'logo.png', 'claims 0×0 pixels')],
    },
  ],

  'logo/size': [
    {
      name: 'a PNG claiming 10000×10000 pixels',
      setup: () => makePack(goodPack({ 'logo.png': pngHeader(10000, 10000) })),
      findings: [whole('logo/size', 'logo.png', 'is 10000×10000 pixels', 'at most 4096×4096')],
    },
    {
      name: 'a 1.5 MiB PNG',
      setup: () => makePack(goodPack({ 'logo.png': Buffer.concat([TINY_PNG, Buffer.alloc(1.5 * MiB)]) })),
      findings: [whole('logo/size', 'logo.png', 'is 1.5 MiB', 'under 1.0 MiB')],
    },
  ],

  'readme/missing': [
    {
      name: 'no README.md',
      setup: () => makePack(goodPack({ 'README.md': undefined })),
      findings: [whole('readme/missing', 'README.md', 'no README.md')],
    },
  ],
};

// ---------------------------------------------------------------------------------------------

describe('rule fixtures', () => {
  it('cover every rule of the catalog, and only those', () => {
    expect(Object.keys(CASES).sort()).toEqual(RULES.map((r) => r.id).sort());
  });

  it.each(RULES.map((r) => [r.id, r.severity] as const))(
    '%s: the first fixture gets the rule at its catalog severity (%s)',
    (id, severity) => {
      const first = CASES[id][0];
      expect(first?.findings.some((f) => f.rule === id && f.severity === severity)).toBe(true);
      for (const c of CASES[id]) expect(c.findings.map((f) => f.rule)).toContain(id);
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

  for (const rule of RULES) {
    describe(rule.id, () => {
      for (const c of CASES[rule.id]) {
        it(c.name, async () => {
          const findings = await lintFixture(await c.setup());
          expect(findings).toEqual(sortExpected(c.findings).map(matcher));
        });
      }
    });
  }
});
