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
  /**
   * The consumer behaviour the rule mirrors (who fails, and how). An error means Palette, Helm,
   * Kubernetes, Go's template engine or the registry would refuse the pack; where Packyard's parser
   * is only stricter than theirs, the finding is a warning instead. Kept here, not in rules.ts,
   * so the text stays out of the Lambda bundle.
   */
  consumer: string;
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
    consumer:
      'The pack archive is a tar of regular files: a FIFO, socket or unreadable file cannot be packaged.',
    base: 'manifests',
    accepts: m('an extra regular file', { 'NOTES.txt': 'notes\n' }),
    rejects: m('a FIFO in the pack', { 'events.pipe': { fifo: true } }),
  },
  'file/too-large': {
    consumer:
      'Kubernetes stores an object in etcd up to 1.5 MiB and Helm a release up to 1 MiB; text files past 8 MiB (charts past 64 MiB) cannot deploy and are refused before parsing.',
    base: 'manifests',
    accepts: m('a 1 MiB manifest', manifest(`${MANIFEST}  blob: "${'x'.repeat(1024 * 1024)}"\n`)),
    rejects: m('a 9 MiB values.yaml', {
      'values.yaml': { repeat: `${VALUES}# ${'x'.repeat(1022)}\n`, times: 9 * 1024 },
    }),
  },
  'file/binary': {
    consumer:
      'Go\'s YAML parser rejects invalid UTF-8 and control characters ("invalid leading UTF-8 octet", "control characters are not allowed").',
    base: 'manifests',
    accepts: m('UTF-8 text with accents', manifest(`${MANIFEST}  name2: "café"\n`)),
    rejects: m('a NUL byte in a manifest', manifest(`${MANIFEST}\0\n`)),
  },
  'file/symlink': {
    consumer:
      'The packaged archive holds file contents, not links: a link that dangles or leaves the pack has none.',
    base: 'manifests',
    accepts: m('a link to a file inside the pack', { 'docs.md': { symlink: 'README.md' } }),
    rejects: m('a dangling link', { 'docs.md': { symlink: 'nowhere.md' } }),
  },
  'pack-json/missing': {
    consumer: 'Palette identifies a pack by pack.json; its import fails without one.',
    base: 'manifests',
    accepts: m('pack.json present', {}),
    rejects: m('no pack.json', { 'pack.json': null }),
  },
  'pack-json/syntax': {
    consumer: "Palette reads pack.json with Go's encoding/json, which allows no comments or trailing commas.",
    base: 'manifests',
    accepts: m('unknown keys (Palette ignores them)', { 'pack.json': packJson({ commit_msg: 'x' }) }),
    rejects: m('a trailing comma', { 'pack.json': packJson().replace(/\n}$/, ',\n}') }),
  },
  'pack-json/schema': {
    consumer:
      'Palette requires name, displayName, version and layer, and only knows its own layers and cloud types.',
    base: 'manifests',
    accepts: m('cloudTypes custom', { 'pack.json': packJson({ cloudTypes: ['custom'] }) }),
    rejects: m('an unknown layer', { 'pack.json': packJson({ layer: 'app' }) }),
  },
  'pack-json/name': {
    consumer:
      'The name becomes the OCI repository spectro-packs/archive/<name>; registries refuse other names.',
    base: 'manifests',
    accepts: m('dots and dashes', { 'pack.json': packJson({ name: 'demo.app-x' }) }),
    rejects: m('upper case', { 'pack.json': packJson({ name: 'DemoApp' }) }),
  },
  'pack-json/version': {
    consumer:
      'The version becomes the OCI tag and Palette orders versions by it: text that is no version cannot be either.',
    base: 'manifests',
    accepts: m('a prerelease', { 'pack.json': packJson({ version: '1.0.0-rc.1' }) }),
    rejects: m('not a version', { 'pack.json': packJson({ version: 'latest' }) }),
  },
  'pack-json/duplicate': {
    consumer:
      'A registry holds one artifact per name and version tag: the second push is refused (tags are immutable).',
    base: 'manifests',
    accepts: m('another version of the same pack', {}, { 'pack.json': packJson({ version: '1.0.1' }) }),
    rejects: m('the same name and version twice', {}, { 'pack.json': packJson() }),
  },
  'manifest/path': {
    consumer: 'Palette resolves kubeManifests inside the pack archive; a path outside it names nothing.',
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
    consumer: 'Palette fails to deploy a pack whose kubeManifests entry is not in the archive.',
    base: 'manifests',
    accepts: m('the file is there', {}),
    rejects: m('a misspelled file name', { 'pack.json': packJson({ kubeManifests: ['manifests/ap.yaml'] }) }),
  },
  'manifest/yaml-syntax': {
    consumer:
      "Kubernetes (kubectl, client-go) decodes manifests with Go's YAML parser; what it rejects never applies.",
    base: 'manifests',
    accepts: m(
      'a quoted string continued at column 1 (go-yaml accepts it)',
      manifest(`${MANIFEST}  motd: "a\nb"\n`),
    ),
    rejects: m('a mapping nested on one line', manifest(`${MANIFEST}  key: value: other\n`)),
  },
  'manifest/template': {
    consumer:
      "Palette renders manifests with Go's text/template: a template that does not parse never renders.",
    base: 'manifests',
    accepts: m(
      'index for a key with "-"',
      manifest(`${MANIFEST}  level: {{ index .Values "log-level" | default "info" | quote }}\n`),
    ),
    rejects: m('"-" in a field name', manifest(`${MANIFEST}  level: {{ .Values.log-level }}\n`)),
  },
  'manifest/k8s-object': {
    consumer: 'The Kubernetes API server refuses an object without apiVersion, kind and metadata.name.',
    base: 'manifests',
    accepts: m('a List without metadata', manifest('apiVersion: v1\nkind: List\nitems: []\n')),
    rejects: m('no metadata.name', manifest('apiVersion: v1\nkind: ConfigMap\ndata: {}\n')),
  },
  'chart/path': {
    consumer: 'Palette resolves charts entries inside the pack archive; a path outside it names nothing.',
    base: 'chart',
    accepts: m('the chart in the pack', {}),
    rejects: m('an absolute path', {
      'pack.json': packJson({ name: 'demo-chart', kubeManifests: undefined, charts: [`/${CHART}`] }),
    }),
  },
  'chart/missing': {
    consumer: 'Palette fails to install a pack whose charts entry is not in the archive.',
    base: 'chart',
    accepts: m('the chart in the pack', {}),
    rejects: m('a chart folder instead of a .tgz', {
      'pack.json': packJson({ name: 'demo-chart', kubeManifests: undefined, charts: ['charts/mychart'] }),
      [CHART]: null,
      'charts/mychart/Chart.yaml': CHART_YAML,
    }),
  },
  'chart/archive': {
    consumer:
      'Helm\'s loader (pkg/chart/loader/archive.go) needs a gzip tar; it strips each entry\'s first path component and refuses absolute paths, "..", entries outside a folder and empty archives.',
    base: 'chart',
    accepts: m('entries under "./" (tar -C mychart -czf … .), as Helm strips the first component', {
      [CHART]: { tgz: { './Chart.yaml': CHART_YAML, './values.yaml': 'replicaCount: 1\n' } },
    }),
    rejects: m('Chart.yaml outside any folder', { [CHART]: { tgz: { 'Chart.yaml': CHART_YAML } } }),
  },
  'chart/chart-yaml': {
    consumer:
      "Helm's loader and Metadata.Validate require Chart.yaml with a name and a version Masterminds/semver NewVersion parses (partial versions, prereleases and a leading v are fine), and type application or library.",
    base: 'chart',
    accepts: m('a partial version with a leading v', {
      [CHART]: chartTgz({ 'mychart/Chart.yaml': 'apiVersion: v2\nname: mychart\nversion: v1.2\n' }),
    }),
    rejects: m('a version with a leading-zero prerelease', {
      [CHART]: chartTgz({ 'mychart/Chart.yaml': 'apiVersion: v2\nname: mychart\nversion: 1.2.3-01\n' }),
    }),
  },
  'chart/values-schema': {
    consumer:
      'Helm validates the values against values.schema.json on install and refuses to install when they fail.',
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
    consumer: "Palette reads a pack's parameters from values.yaml when it is added to a profile.",
    base: 'manifests',
    accepts: m('a values.yaml with only "pack: {}"', {
      'values.yaml': 'pack:\n  content:\n    images: []\n',
    }),
    rejects: m('no values.yaml', { 'values.yaml': null }),
  },
  'values/yaml-syntax': {
    consumer:
      "Palette parses values.yaml with Go's YAML parser; what it rejects cannot be added to a profile.",
    base: 'manifests',
    accepts: m('a quoted string continued at column 1', {
      'values.yaml': `${VALUES}manifests:\n  app:\n    motd: "a\nb"\n`,
    }),
    rejects: m('a tab used as indentation', { 'values.yaml': `${VALUES}manifests:\n\tapp: {}\n` }),
  },
  'values/shape': {
    consumer: 'Palette decodes pack, charts and manifests as mappings and pack.content.images as a list.',
    base: 'manifests',
    accepts: m('empty sections', { 'values.yaml': `${VALUES}manifests:\ncharts:\n` }),
    rejects: m('images as a string', {
      'values.yaml': 'pack:\n  content:\n    images: ghcr.io/example/demo:1.0.0\n',
    }),
  },
  'values/namespace': {
    consumer: 'Kubernetes refuses a namespace whose name is not a DNS label (RFC 1123).',
    base: 'manifests',
    accepts: m('a DNS label', { 'values.yaml': VALUES.replace('demo\n', 'demo-2\n') }),
    rejects: m('upper case', { 'values.yaml': VALUES.replace('namespace: demo', 'namespace: Demo') }),
  },
  'presets/yaml-syntax': {
    consumer: "Palette parses presets.yaml with Go's YAML parser to offer presets.",
    base: 'manifests',
    accepts: m('an empty presets.yaml', { 'presets.yaml': '' }),
    rejects: m('an unclosed flow sequence', { 'presets.yaml': 'presets: [\n' }),
  },
  'presets/shape': {
    consumer: 'Palette decodes presets: as a list of presets, each with a name, displayName and group.',
    base: 'manifests',
    accepts: m('"presets:" with nothing under it', { 'presets.yaml': 'presets:\n' }),
    rejects: m('a preset without a group', {
      'presets.yaml': 'presets:\n  - name: small\n    displayName: Small\n    add: |\n      pack: {}\n',
    }),
  },
  'presets/duplicate-name': {
    consumer: 'Palette keys presets by name: a second preset of the same name cannot be selected.',
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
    consumer:
      "Palette merges a preset's add block into the values as YAML; a block Go cannot parse cannot apply.",
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
    consumer: 'Palette removes preset values by dotted path; anything else removes nothing.',
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
    consumer: "Palette parses schema.yaml with Go's YAML parser to build the parameter form.",
    base: 'manifests',
    accepts: m('an empty schema.yaml', { 'schema.yaml': '' }),
    rejects: m('a duplicated key', {
      'schema.yaml': 'a:\n  schema: "{{ required }}"\na:\n  schema: "{{ required }}"\n',
    }),
  },
  'schema/shape': {
    consumer: "Palette reads each schema.yaml entry's schema pipeline to build the parameter form.",
    base: 'manifests',
    accepts: m('a comment-only schema.yaml', { 'schema.yaml': '# no parameters yet\n' }),
    rejects: m('an entry without schema', { 'schema.yaml': 'pack.namespace:\n  hints: namespace\n' }),
  },
  'schema/format-type': {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Palette's placeholder syntax, not a template
    consumer: 'Palette only knows these ${TYPE} placeholders; another cannot render a form field.',
    base: 'manifests',
    accepts: m('a known type', { 'schema.yaml': `pack.namespace:\n  schema: '{{ format "\${string}" }}'\n` }),
    rejects: m('an unknown type', {
      'schema.yaml': `pack.namespace:\n  schema: '{{ format "\${text}" }}'\n`,
    }),
  },
  'logo/png': {
    consumer: "Palette's catalog shows logo.png as a PNG image; other data is a broken image.",
    base: 'manifests',
    accepts: m('a PNG', {}),
    rejects: m('a JPEG named logo.png', { 'logo.png': { base64: '/9j/4AAQSkZJRgABAQ==' } }),
  },
};
