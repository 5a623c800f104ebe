/**
 * Consumer fixtures: for every error rule, one pack the consumer accepts and one it rejects, as
 * data (test/unit/rule-consumers.test.ts lints both; docs/rules.md lists them). Each fixture is
 * an overlay on a clean base pack: a file's new content, or null to remove it. Not imported by
 * the linter, so it stays out of the bundles' hot paths.
 */
import type { ErrorRuleId } from './rules.ts';

/** A file's content: text, base64 bytes, a gzip tar of files, a FIFO, a symlink, or null (removed). */
export type FixtureFile =
  | string
  | null
  | { base64: string }
  | { tgz: Record<string, string> }
  | { fifo: true }
  | { symlink: string }
  | { repeat: string; times: number };

export interface ConsumerFixture {
  /** What the fixture shows, in a few words. */
  note: string;
  files: Record<string, FixtureFile>;
  /** A second pack linted alongside (cross-pack rules). */
  companion?: Record<string, FixtureFile>;
}

export interface ConsumerCase {
  base: 'manifests' | 'chart';
  accepts: ConsumerFixture;
  rejects: ConsumerFixture;
}

const PNG_1x1 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

const packJson = (over: Record<string, unknown> = {}) =>
  JSON.stringify(
    {
      name: 'demo-app',
      displayName: 'Demo App',
      version: '1.0.0',
      layer: 'addon',
      addonType: 'app services',
      cloudTypes: ['all'],
      kubeManifests: ['manifests/app.yaml'],
      ...over,
    },
    null,
    2,
  );

const VALUES =
  'pack:\n  namespace: demo\n  content:\n    images:\n      - image: ghcr.io/example/demo:1.0.0\n';
const MANIFEST = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\ndata:\n  greeting: hello\n';
const CHART = 'charts/mychart-1.0.0.tgz';
const CHART_YAML = 'apiVersion: v2\nname: mychart\nversion: 1.0.0\n';
const chartTgz = (files: Record<string, string> = {}) => ({
  tgz: { 'mychart/Chart.yaml': CHART_YAML, 'mychart/values.yaml': 'replicaCount: 1\n', ...files },
});

/** The clean packs fixtures start from. */
export const BASE_PACKS: Record<ConsumerCase['base'], Record<string, FixtureFile>> = {
  manifests: {
    'pack.json': packJson(),
    'values.yaml': VALUES,
    'manifests/app.yaml': MANIFEST,
    'logo.png': { base64: PNG_1x1 },
    'README.md': '# Demo\n',
  },
  chart: {
    'pack.json': packJson({ name: 'demo-chart', kubeManifests: undefined, charts: [CHART] }),
    'values.yaml': `${VALUES}charts:\n  mychart:\n    replicaCount: 2\n`,
    [CHART]: chartTgz(),
    'logo.png': { base64: PNG_1x1 },
    'README.md': '# Demo\n',
  },
};

const m = (note: string, files: Record<string, FixtureFile>, companion?: Record<string, FixtureFile>) => ({
  note,
  files,
  ...(companion ? { companion } : {}),
});
const manifest = (text: string) => ({ 'manifests/app.yaml': text });

export const CONSUMER_FIXTURES: Record<ErrorRuleId, ConsumerCase> = {
  'file/unreadable': {
    base: 'manifests',
    accepts: m('an extra regular file', { 'NOTES.txt': 'notes\n' }),
    rejects: m('a FIFO in the pack', { 'events.pipe': { fifo: true } }),
  },
  'file/too-large': {
    base: 'manifests',
    accepts: m('a 1 MiB manifest', manifest(`${MANIFEST}  blob: "${'x'.repeat(1024 * 1024)}"\n`)),
    rejects: m('a 9 MiB values.yaml', {
      'values.yaml': { repeat: `${VALUES}# ${'x'.repeat(1022)}\n`, times: 9 * 1024 },
    }),
  },
  'file/binary': {
    base: 'manifests',
    accepts: m('UTF-8 text with accents', manifest(`${MANIFEST}  name2: "café"\n`)),
    rejects: m('a NUL byte in a manifest', manifest(`${MANIFEST}\0\n`)),
  },
  'file/symlink': {
    base: 'manifests',
    accepts: m('a link to a file inside the pack', { 'docs.md': { symlink: 'README.md' } }),
    rejects: m('a dangling link', { 'docs.md': { symlink: 'nowhere.md' } }),
  },
  'pack-json/missing': {
    base: 'manifests',
    accepts: m('pack.json present', {}),
    rejects: m('no pack.json', { 'pack.json': null }),
  },
  'pack-json/syntax': {
    base: 'manifests',
    accepts: m('unknown keys (Palette ignores them)', { 'pack.json': packJson({ commit_msg: 'x' }) }),
    rejects: m('a trailing comma', { 'pack.json': packJson().replace(/\n}$/, ',\n}') }),
  },
  'pack-json/schema': {
    base: 'manifests',
    accepts: m('cloudTypes custom', { 'pack.json': packJson({ cloudTypes: ['custom'] }) }),
    rejects: m('an unknown layer', { 'pack.json': packJson({ layer: 'app' }) }),
  },
  'pack-json/name': {
    base: 'manifests',
    accepts: m('dots and dashes', { 'pack.json': packJson({ name: 'demo.app-x' }) }),
    rejects: m('upper case', { 'pack.json': packJson({ name: 'DemoApp' }) }),
  },
  'pack-json/version': {
    base: 'manifests',
    accepts: m('a prerelease', { 'pack.json': packJson({ version: '1.0.0-rc.1' }) }),
    rejects: m('not a version', { 'pack.json': packJson({ version: 'latest' }) }),
  },
  'pack-json/duplicate': {
    base: 'manifests',
    accepts: m('another version of the same pack', {}, { 'pack.json': packJson({ version: '1.0.1' }) }),
    rejects: m('the same name and version twice', {}, { 'pack.json': packJson() }),
  },
  'manifest/path': {
    base: 'manifests',
    accepts: m('a nested path', {
      'pack.json': packJson({ kubeManifests: ['manifests/app/app.yaml'] }),
      'manifests/app.yaml': null,
      'manifests/app/app.yaml': MANIFEST,
    }),
    rejects: m('a path climbing out with ".."', {
      'pack.json': packJson({ kubeManifests: ['../app.yaml'] }),
    }),
  },
  'manifest/missing': {
    base: 'manifests',
    accepts: m('the file is there', {}),
    rejects: m('a misspelled file name', { 'pack.json': packJson({ kubeManifests: ['manifests/ap.yaml'] }) }),
  },
  'manifest/yaml-syntax': {
    base: 'manifests',
    accepts: m(
      'a quoted string continued at column 1 (go-yaml accepts it)',
      manifest(`${MANIFEST}  motd: "a\nb"\n`),
    ),
    rejects: m('a mapping nested on one line', manifest(`${MANIFEST}  key: value: other\n`)),
  },
  'manifest/template': {
    base: 'manifests',
    accepts: m(
      'index for a key with "-"',
      manifest(`${MANIFEST}  level: {{ index .Values "log-level" | default "info" | quote }}\n`),
    ),
    rejects: m('"-" in a field name', manifest(`${MANIFEST}  level: {{ .Values.log-level }}\n`)),
  },
  'manifest/k8s-object': {
    base: 'manifests',
    accepts: m('a List without metadata', manifest('apiVersion: v1\nkind: List\nitems: []\n')),
    rejects: m('no metadata.name', manifest('apiVersion: v1\nkind: ConfigMap\ndata: {}\n')),
  },
  'chart/path': {
    base: 'chart',
    accepts: m('the chart in the pack', {}),
    rejects: m('an absolute path', {
      'pack.json': packJson({ name: 'demo-chart', kubeManifests: undefined, charts: [`/${CHART}`] }),
    }),
  },
  'chart/missing': {
    base: 'chart',
    accepts: m('the chart in the pack', {}),
    rejects: m('a chart folder instead of a .tgz', {
      'pack.json': packJson({ name: 'demo-chart', kubeManifests: undefined, charts: ['charts/mychart'] }),
      [CHART]: null,
      'charts/mychart/Chart.yaml': CHART_YAML,
    }),
  },
  'chart/archive': {
    base: 'chart',
    accepts: m('entries under "./" (tar -C mychart -czf … .), as Helm strips the first component', {
      [CHART]: { tgz: { './Chart.yaml': CHART_YAML, './values.yaml': 'replicaCount: 1\n' } },
    }),
    rejects: m('Chart.yaml outside any folder', { [CHART]: { tgz: { 'Chart.yaml': CHART_YAML } } }),
  },
  'chart/chart-yaml': {
    base: 'chart',
    accepts: m('a partial version with a leading v', {
      [CHART]: chartTgz({ 'mychart/Chart.yaml': 'apiVersion: v2\nname: mychart\nversion: v1.2\n' }),
    }),
    rejects: m('a version with a leading-zero prerelease', {
      [CHART]: chartTgz({ 'mychart/Chart.yaml': 'apiVersion: v2\nname: mychart\nversion: 1.2.3-01\n' }),
    }),
  },
  'chart/values-schema': {
    base: 'chart',
    accepts: m("the pack's charts.mychart values fix what the defaults lack", {
      [CHART]: chartTgz({
        'mychart/values.yaml': 'replicaCount: none\n',
        'mychart/values.schema.json': '{"properties": {"replicaCount": {"type": "integer"}}}',
      }),
    }),
    rejects: m("the pack's values break the schema", {
      [CHART]: chartTgz({
        'mychart/values.schema.json': '{"properties": {"replicaCount": {"type": "integer", "maximum": 1}}}',
      }),
    }),
  },
  'values/missing': {
    base: 'manifests',
    accepts: m('a values.yaml with only "pack: {}"', {
      'values.yaml': 'pack:\n  content:\n    images: []\n',
    }),
    rejects: m('no values.yaml', { 'values.yaml': null }),
  },
  'values/yaml-syntax': {
    base: 'manifests',
    accepts: m('a quoted string continued at column 1', {
      'values.yaml': `${VALUES}manifests:\n  app:\n    motd: "a\nb"\n`,
    }),
    rejects: m('a tab used as indentation', { 'values.yaml': `${VALUES}manifests:\n\tapp: {}\n` }),
  },
  'values/shape': {
    base: 'manifests',
    accepts: m('empty sections', { 'values.yaml': `${VALUES}manifests:\ncharts:\n` }),
    rejects: m('images as a string', {
      'values.yaml': 'pack:\n  content:\n    images: ghcr.io/example/demo:1.0.0\n',
    }),
  },
  'values/namespace': {
    base: 'manifests',
    accepts: m('a DNS label', { 'values.yaml': VALUES.replace('demo\n', 'demo-2\n') }),
    rejects: m('upper case', { 'values.yaml': VALUES.replace('namespace: demo', 'namespace: Demo') }),
  },
  'presets/yaml-syntax': {
    base: 'manifests',
    accepts: m('an empty presets.yaml', { 'presets.yaml': '' }),
    rejects: m('an unclosed flow sequence', { 'presets.yaml': 'presets: [\n' }),
  },
  'presets/shape': {
    base: 'manifests',
    accepts: m('"presets:" with nothing under it', { 'presets.yaml': 'presets:\n' }),
    rejects: m('a preset without a group', {
      'presets.yaml': 'presets:\n  - name: small\n    displayName: Small\n    add: |\n      pack: {}\n',
    }),
  },
  'presets/duplicate-name': {
    base: 'manifests',
    accepts: m('two presets', {
      'presets.yaml':
        'presets:\n  - {name: a, displayName: A, group: G}\n  - {name: b, displayName: B, group: G}\n',
    }),
    rejects: m('the same name twice', {
      'presets.yaml':
        'presets:\n  - {name: a, displayName: A, group: G}\n  - {name: a, displayName: B, group: G}\n',
    }),
  },
  'presets/add-yaml': {
    base: 'manifests',
    accepts: m('an add block that is a mapping', {
      'presets.yaml':
        'presets:\n  - name: a\n    displayName: A\n    group: G\n    add: |\n      pack:\n        namespace: x\n',
    }),
    rejects: m('an add block that is not YAML', {
      'presets.yaml': 'presets:\n  - name: a\n    displayName: A\n    group: G\n    add: |\n      pack: [\n',
    }),
  },
  'presets/remove': {
    base: 'manifests',
    accepts: m('a dotted path', {
      'presets.yaml':
        'presets:\n  - name: a\n    displayName: A\n    group: G\n    remove: [pack.namespace]\n',
    }),
    rejects: m('a path with spaces', {
      'presets.yaml':
        'presets:\n  - name: a\n    displayName: A\n    group: G\n    remove: ["pack namespace"]\n',
    }),
  },
  'schema/yaml-syntax': {
    base: 'manifests',
    accepts: m('an empty schema.yaml', { 'schema.yaml': '' }),
    rejects: m('a duplicated key', {
      'schema.yaml': 'a:\n  schema: "{{ required }}"\na:\n  schema: "{{ required }}"\n',
    }),
  },
  'schema/shape': {
    base: 'manifests',
    accepts: m('a comment-only schema.yaml', { 'schema.yaml': '# no parameters yet\n' }),
    rejects: m('an entry without schema', { 'schema.yaml': 'pack.namespace:\n  hints: namespace\n' }),
  },
  'schema/format-type': {
    base: 'manifests',
    accepts: m('a known type', { 'schema.yaml': `pack.namespace:\n  schema: '{{ format "\${string}" }}'\n` }),
    rejects: m('an unknown type', {
      'schema.yaml': `pack.namespace:\n  schema: '{{ format "\${text}" }}'\n`,
    }),
  },
  'logo/png': {
    base: 'manifests',
    accepts: m('a PNG', {}),
    rejects: m('a JPEG named logo.png', { 'logo.png': { base64: '/9j/4AAQSkZJRgABAQ==' } }),
  },
};
