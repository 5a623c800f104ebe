import type { Severity } from './findings.ts';

export interface RuleInfo {
  id: string;
  severity: Severity;
  description: string;
  /**
   * For error rules: the consumer behaviour the rule mirrors (who fails, and how). An error means
   * Palette, Helm, Kubernetes, Go's template engine or the registry would refuse the pack; where
   * Packyard's parser is only stricter than theirs, the finding is a warning instead.
   */
  consumer?: string;
}

/** Every rule Packyard checks. Ids are stable: they appear in output, docs, config and suppressions. */
export const RULES = [
  {
    id: 'file/unreadable',
    severity: 'error',
    description: 'A file or folder of the pack cannot be read, or is not a regular file.',
    consumer:
      'The pack archive is a tar of regular files: a FIFO, socket or unreadable file cannot be packaged.',
  },
  {
    id: 'file/too-large',
    severity: 'error',
    description: 'A pack file is larger than Packyard reads for its kind.',
    consumer:
      'Kubernetes stores an object in etcd up to 1.5 MiB and Helm a release up to 1 MiB; text files past 8 MiB (charts past 64 MiB) cannot deploy and are refused before parsing.',
  },
  {
    id: 'file/binary',
    severity: 'error',
    description: 'A JSON or YAML file holds binary data or invalid UTF-8.',
    consumer:
      'Go\'s YAML parser rejects invalid UTF-8 and control characters ("invalid leading UTF-8 octet", "control characters are not allowed").',
  },
  {
    id: 'file/symlink',
    severity: 'error',
    description: 'A symbolic link dangles, leaves the pack, or points at a folder.',
    consumer:
      'The packaged archive holds file contents, not links: a link that dangles or leaves the pack has none.',
  },
  {
    id: 'file/unreferenced',
    severity: 'warning',
    description:
      'A file under manifests/ or charts/ is named by no kubeManifests or charts entry (Palette never deploys it).',
  },
  {
    id: 'pack-json/missing',
    severity: 'error',
    description: 'The pack has no pack.json.',
    consumer: 'Palette identifies a pack by pack.json; its import fails without one.',
  },
  {
    id: 'pack-json/syntax',
    severity: 'error',
    description: 'pack.json is not valid JSON.',
    consumer: "Palette reads pack.json with Go's encoding/json, which allows no comments or trailing commas.",
  },
  {
    id: 'pack-json/schema',
    severity: 'error',
    description: 'pack.json does not match the pack.json schema (required fields, enums, constraints).',
    consumer:
      'Palette requires name, displayName, version and layer, and only knows its own layers and cloud types.',
  },
  {
    id: 'pack-json/name',
    severity: 'error',
    description: 'The pack name cannot be used as an OCI repository name.',
    consumer:
      'The name becomes the OCI repository spectro-packs/archive/<name>; registries refuse other names.',
  },
  {
    id: 'pack-json/version',
    severity: 'error',
    description:
      'The version is not semver (error), or is semver Palette accepts but tools mis-sort, e.g. a leading "v" (warning).',
    consumer:
      'The version becomes the OCI tag and Palette orders versions by it: text that is no version cannot be either.',
  },
  {
    id: 'pack-json/addon-type',
    severity: 'warning',
    description: 'addonType is not one Palette knows.',
  },
  {
    id: 'pack-json/unknown-key',
    severity: 'warning',
    description:
      'pack.json has a key that is a near-miss of a known one (e.g. "kubemanifests", "chart"); Palette ignores it silently.',
  },
  {
    id: 'pack-json/no-content',
    severity: 'warning',
    description: 'An addon pack lists neither kubeManifests nor charts, so it deploys nothing.',
  },
  {
    id: 'pack-json/duplicate',
    severity: 'error',
    description: 'Two packs being linted share name@version.',
    consumer:
      'A registry holds one artifact per name and version tag: the second push is refused (tags are immutable).',
  },
  {
    id: 'manifest/path',
    severity: 'error',
    description: 'A kubeManifests entry is absolute, climbs out with "..", or is not a plain relative path.',
    consumer: 'Palette resolves kubeManifests inside the pack archive; a path outside it names nothing.',
  },
  {
    id: 'manifest/missing',
    severity: 'error',
    description: 'A kubeManifests entry names a file that is not in the pack.',
    consumer: 'Palette fails to deploy a pack whose kubeManifests entry is not in the archive.',
  },
  {
    id: 'manifest/yaml-syntax',
    severity: 'error',
    description: 'A manifest is not parseable YAML (Go template actions are masked first).',
    consumer:
      "Kubernetes (kubectl, client-go) decodes manifests with Go's YAML parser; what it rejects never applies.",
  },
  {
    id: 'manifest/template',
    severity: 'error',
    description:
      'A manifest\'s Go template does not parse: unbalanced {{ if }}/{{ end }}, unclosed "{{", or an action Go\'s lexer rejects (e.g. "-" in a field name).',
    consumer:
      "Palette renders manifests with Go's text/template: a template that does not parse never renders.",
  },
  {
    id: 'manifest/k8s-object',
    severity: 'error',
    description: 'A manifest document lacks apiVersion, kind or metadata.name.',
    consumer: 'The Kubernetes API server refuses an object without apiVersion, kind and metadata.name.',
  },
  {
    id: 'chart/path',
    severity: 'error',
    description: 'A charts entry is absolute, climbs out with "..", or is not a plain relative path.',
    consumer: 'Palette resolves charts entries inside the pack archive; a path outside it names nothing.',
  },
  {
    id: 'chart/missing',
    severity: 'error',
    description: 'A charts entry names a file that is not in the pack.',
    consumer: 'Palette fails to install a pack whose charts entry is not in the archive.',
  },
  {
    id: 'chart/archive',
    severity: 'error',
    description: "A chart .tgz is not something Helm's chart loader can read.",
    consumer:
      'Helm\'s loader (pkg/chart/loader/archive.go) needs a gzip tar; it strips each entry\'s first path component and refuses absolute paths, "..", entries outside a folder and empty archives.',
  },
  {
    id: 'chart/archive-layout',
    severity: 'warning',
    description:
      "A chart .tgz has several top-level folders; Helm's loader strips the first component of every entry and merges them.",
  },
  {
    id: 'chart/chart-yaml',
    severity: 'error',
    description:
      'A chart has no Chart.yaml, or it lacks a name or a version Helm parses, or has an unknown type.',
    consumer:
      "Helm's loader and Metadata.Validate require Chart.yaml with a name and a version Masterminds/semver NewVersion parses (partial versions, prereleases and a leading v are fine), and type application or library.",
  },
  {
    id: 'chart/api-version',
    severity: 'warning',
    description:
      'Chart.yaml has no apiVersion (Helm loads it as v1) or one other than v1/v2 (Helm loads it; helm lint refuses it).',
  },
  {
    id: 'chart/values-schema',
    severity: 'error',
    description:
      "The chart's values, as Palette passes them (chart defaults with the pack's charts.<name> values), fail its values.schema.json.",
    consumer:
      'Helm validates the values against values.schema.json on install and refuses to install when they fail.',
  },
  {
    id: 'chart/values-awaiting-input',
    severity: 'warning',
    description:
      "A chart's values fail its values.schema.json only where an empty string waits for the user's input.",
  },
  {
    id: 'yaml/go-only',
    severity: 'warning',
    description:
      "YAML that Go's parser (Kubernetes, Helm, Palette) accepts but strict YAML 1.2 rejects, e.g. an unindented continuation line of a quoted string.",
  },
  {
    id: 'values/missing',
    severity: 'error',
    description: 'The pack has no values.yaml.',
    consumer: "Palette reads a pack's parameters from values.yaml when it is added to a profile.",
  },
  {
    id: 'values/yaml-syntax',
    severity: 'error',
    description: 'values.yaml is not parseable YAML.',
    consumer:
      "Palette parses values.yaml with Go's YAML parser; what it rejects cannot be added to a profile.",
  },
  {
    id: 'values/shape',
    severity: 'error',
    description: 'values.yaml sections (pack, charts, manifests, pack.content.images) have the wrong type.',
    consumer: 'Palette decodes pack, charts and manifests as mappings and pack.content.images as a list.',
  },
  {
    id: 'values/unknown-manifest',
    severity: 'warning',
    description: 'A manifests.<name> key matches no kubeManifests file.',
  },
  {
    id: 'values/unknown-chart',
    severity: 'warning',
    description: 'A charts.<name> key matches no chart of the pack.',
  },
  {
    id: 'values/misplaced-keys',
    severity: 'warning',
    description:
      "values.yaml keys that belong to a chart's values sit at the wrong indentation, so they never reach the chart (one finding per section, with the fix).",
  },
  {
    id: 'values/namespace',
    severity: 'error',
    description: 'pack.namespace is not a DNS label.',
    consumer: 'Kubernetes refuses a namespace whose name is not a DNS label (RFC 1123).',
  },
  {
    id: 'values/images',
    severity: 'warning',
    description: 'pack.content.images is missing for a layer that deploys workloads.',
  },
  {
    id: 'values/image-not-listed',
    severity: 'warning',
    description:
      'An image a manifest uses (image: fields) or chart values name is missing from pack.content.images (air-gapped mirroring would miss it).',
  },
  {
    id: 'values/enabled-presets',
    severity: 'warning',
    description: 'The enabled-presets comment names a preset presets.yaml does not define.',
  },
  {
    id: 'presets/yaml-syntax',
    severity: 'error',
    description: 'presets.yaml is not parseable YAML.',
    consumer: "Palette parses presets.yaml with Go's YAML parser to offer presets.",
  },
  {
    id: 'presets/shape',
    severity: 'error',
    description:
      'presets.yaml is not a presets: list of {name, displayName, group, remove, add} (an empty file is fine).',
    consumer: 'Palette decodes presets: as a list of presets, each with a name, displayName and group.',
  },
  {
    id: 'presets/duplicate-name',
    severity: 'error',
    description: 'Two presets share a name.',
    consumer: 'Palette keys presets by name: a second preset of the same name cannot be selected.',
  },
  {
    id: 'presets/add-yaml',
    severity: 'error',
    description: "A preset's add block is not parseable YAML.",
    consumer:
      "Palette merges a preset's add block into the values as YAML; a block Go cannot parse cannot apply.",
  },
  {
    id: 'presets/remove',
    severity: 'error',
    description: "A preset's remove entry is not a dotted values path.",
    consumer: 'Palette removes preset values by dotted path; anything else removes nothing.',
  },
  {
    id: 'schema/yaml-syntax',
    severity: 'error',
    description: 'schema.yaml is not parseable YAML.',
    consumer: "Palette parses schema.yaml with Go's YAML parser to build the parameter form.",
  },
  {
    id: 'schema/shape',
    severity: 'error',
    description: 'schema.yaml is not a map of values paths to {schema: "{{ … }}"} (an empty file is fine).',
    consumer: "Palette reads each schema.yaml entry's schema pipeline to build the parameter form.",
  },
  {
    id: 'schema/format-type',
    severity: 'error',
    description:
      'A format placeholder names an unknown type (string, number, boolean, password, list, ipv4, version, input).',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Palette's placeholder syntax, not a template
    consumer: 'Palette only knows these ${TYPE} placeholders; another cannot render a form field.',
  },
  { id: 'logo/missing', severity: 'warning', description: 'The pack has no logo.png.' },
  {
    id: 'logo/png',
    severity: 'error',
    description: 'logo.png is not a PNG image.',
    consumer: "Palette's catalog shows logo.png as a PNG image; other data is a broken image.",
  },
  { id: 'logo/size', severity: 'warning', description: 'logo.png is unusually large in bytes or pixels.' },
  { id: 'readme/missing', severity: 'warning', description: 'The pack has no README.md.' },
] as const satisfies readonly RuleInfo[];

export type RuleId = (typeof RULES)[number]['id'];
/** Rules whose findings are errors by default: each names its consumer and has consumer fixtures. */
export type ErrorRuleId = Extract<(typeof RULES)[number], { severity: 'error' }>['id'];

export const RULE_BY_ID: ReadonlyMap<string, RuleInfo> = new Map(RULES.map((r) => [r.id, r]));
