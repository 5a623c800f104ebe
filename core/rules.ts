import type { Severity } from './findings.ts';

export interface RuleInfo {
  id: string;
  severity: Severity;
  description: string;
}

/** Every rule Packyard checks. Ids are stable: they appear in output, docs, config and suppressions. */
export const RULES = [
  {
    id: 'file/unreadable',
    severity: 'error',
    description: 'A file or folder of the pack cannot be read, or is not a regular file.',
  },
  {
    id: 'file/too-large',
    severity: 'error',
    description: 'A pack file is larger than Packyard reads for its kind.',
  },
  {
    id: 'file/binary',
    severity: 'error',
    description: 'A JSON or YAML file holds binary data or invalid UTF-8.',
  },
  {
    id: 'file/symlink',
    severity: 'error',
    description: 'A symbolic link dangles, leaves the pack, or points at a folder.',
  },
  {
    id: 'file/unreferenced',
    severity: 'warning',
    description: 'A file under manifests/ or charts/ that no kubeManifests or charts entry names.',
  },
  {
    id: 'pack-json/missing',
    severity: 'error',
    description: 'The pack has no pack.json.',
  },
  {
    id: 'pack-json/syntax',
    severity: 'error',
    description: 'pack.json is not valid JSON.',
  },
  {
    id: 'pack-json/schema',
    severity: 'error',
    description: 'pack.json does not match the pack.json schema (required fields, enums, constraints).',
  },
  {
    id: 'pack-json/name',
    severity: 'error',
    description: 'The pack name cannot be used as an OCI repository name.',
  },
  {
    id: 'pack-json/version',
    severity: 'error',
    description:
      'The version is not semver (error), or is semver Palette accepts but tools mis-sort, e.g. a leading "v" (warning).',
  },
  {
    id: 'pack-json/addon-type',
    severity: 'warning',
    description: 'addonType is not one Palette knows.',
  },
  {
    id: 'pack-json/unknown-key',
    severity: 'warning',
    description: 'A pack.json key is a near-miss of a known one (e.g. "kubemanifests"); Palette ignores it.',
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
  },
  {
    id: 'manifest/path',
    severity: 'error',
    description: 'A kubeManifests entry is absolute, climbs out with "..", or is not a plain relative path.',
  },
  {
    id: 'manifest/missing',
    severity: 'error',
    description: 'A kubeManifests entry names a file that is not in the pack.',
  },
  {
    id: 'manifest/yaml-syntax',
    severity: 'error',
    description: 'A manifest is not parseable YAML (Go template actions are masked first).',
  },
  {
    id: 'manifest/template',
    severity: 'error',
    description:
      'A manifest\'s Go template does not parse: unbalanced {{ if }}/{{ end }}, unclosed "{{", or an action Go\'s lexer rejects (e.g. "-" in a field name).',
  },
  {
    id: 'manifest/k8s-object',
    severity: 'error',
    description: 'A manifest document lacks apiVersion, kind or metadata.name.',
  },
  {
    id: 'chart/path',
    severity: 'error',
    description: 'A charts entry is absolute, climbs out with "..", or is not a plain relative path.',
  },
  {
    id: 'chart/missing',
    severity: 'error',
    description: 'A charts entry names a file that is not in the pack.',
  },
  {
    id: 'chart/archive',
    severity: 'error',
    description: "A chart .tgz is not something Helm's chart loader can read.",
  },
  {
    id: 'chart/archive-layout',
    severity: 'warning',
    description: 'A chart .tgz has several top-level folders, which Helm merges into one chart.',
  },
  {
    id: 'chart/chart-yaml',
    severity: 'error',
    description:
      'A chart has no Chart.yaml, or it lacks a name or a version Helm parses, or has an unknown type.',
  },
  {
    id: 'chart/api-version',
    severity: 'warning',
    description:
      'Chart.yaml has no apiVersion (Helm assumes v1) or one other than v1/v2 (helm lint refuses it).',
  },
  {
    id: 'chart/values-schema',
    severity: 'error',
    description:
      "The chart's values as Palette passes them (defaults plus charts.<name>) fail its values.schema.json.",
  },
  {
    id: 'chart/values-awaiting-input',
    severity: 'warning',
    description: 'Chart values fail values.schema.json only where an empty string awaits user input.',
  },
  {
    id: 'yaml/go-only',
    severity: 'warning',
    description:
      "YAML Go's parser accepts but strict YAML 1.2 rejects (e.g. an unindented quoted-string continuation).",
  },
  {
    id: 'values/missing',
    severity: 'error',
    description: 'The pack has no values.yaml.',
  },
  {
    id: 'values/yaml-syntax',
    severity: 'error',
    description: 'values.yaml is not parseable YAML.',
  },
  {
    id: 'values/shape',
    severity: 'error',
    description: 'values.yaml sections (pack, charts, manifests, pack.content.images) have the wrong type.',
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
      'Chart values keys at the wrong indentation never reach the chart (one finding per section, with the fix).',
  },
  {
    id: 'values/namespace',
    severity: 'error',
    description: 'pack.namespace is not a DNS label.',
  },
  {
    id: 'values/images',
    severity: 'warning',
    description: 'pack.content.images is missing for a layer that deploys workloads.',
  },
  {
    id: 'values/image-not-listed',
    severity: 'warning',
    description: 'An image that manifests or chart values use is missing from pack.content.images.',
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
  },
  {
    id: 'presets/shape',
    severity: 'error',
    description:
      'presets.yaml is not a presets: list of {name, displayName, group, remove, add} (an empty file is fine).',
  },
  {
    id: 'presets/duplicate-name',
    severity: 'error',
    description: 'Two presets share a name.',
  },
  {
    id: 'presets/add-yaml',
    severity: 'error',
    description: "A preset's add block is not parseable YAML.",
  },
  {
    id: 'presets/remove',
    severity: 'error',
    description: "A preset's remove entry is not a dotted values path.",
  },
  {
    id: 'schema/yaml-syntax',
    severity: 'error',
    description: 'schema.yaml is not parseable YAML.',
  },
  {
    id: 'schema/shape',
    severity: 'error',
    description: 'schema.yaml is not a map of values paths to {schema: "{{ … }}"} (an empty file is fine).',
  },
  {
    id: 'schema/format-type',
    severity: 'error',
    description:
      'A format placeholder names an unknown type (string, number, boolean, password, list, ipv4, version, input).',
  },
  { id: 'logo/missing', severity: 'warning', description: 'The pack has no logo.png.' },
  {
    id: 'logo/png',
    severity: 'error',
    description: 'logo.png is not a PNG image.',
  },
  { id: 'logo/size', severity: 'warning', description: 'logo.png is unusually large in bytes or pixels.' },
  { id: 'readme/missing', severity: 'warning', description: 'The pack has no README.md.' },
] as const satisfies readonly RuleInfo[];

export type RuleId = (typeof RULES)[number]['id'];
/** Rules whose findings are errors by default: each names its consumer and has fixtures (rule-fixtures.ts). */
export type ErrorRuleId = Extract<(typeof RULES)[number], { severity: 'error' }>['id'];

export const RULE_BY_ID: ReadonlyMap<string, RuleInfo> = new Map(RULES.map((r) => [r.id, r]));
