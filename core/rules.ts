import type { Severity } from './findings.ts';

export interface RuleInfo {
  id: string;
  severity: Severity;
  description: string;
}

/** Every rule Packyard checks. Ids are stable: they appear in output, docs and suppressions. */
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
  { id: 'pack-json/missing', severity: 'error', description: 'The pack has no pack.json.' },
  { id: 'pack-json/syntax', severity: 'error', description: 'pack.json is not valid JSON.' },
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
  { id: 'pack-json/addon-type', severity: 'warning', description: 'addonType is not one Palette knows.' },
  { id: 'pack-json/duplicate', severity: 'error', description: 'Two packs being linted share name@version.' },
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
      'A manifest\'s Go template actions do not balance ({{ if }} without {{ end }}, unclosed "{{").',
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
    description: 'A chart .tgz is not a readable gzip tar with one chart folder.',
  },
  {
    id: 'chart/chart-yaml',
    severity: 'error',
    description: 'A chart has no Chart.yaml, or it lacks name, a semver version, or apiVersion v1/v2.',
  },
  {
    id: 'chart/values-schema',
    severity: 'error',
    description: "A chart's values.yaml does not validate against its values.schema.json.",
  },
  { id: 'values/missing', severity: 'error', description: 'The pack has no values.yaml.' },
  { id: 'values/yaml-syntax', severity: 'error', description: 'values.yaml is not parseable YAML.' },
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
  { id: 'values/namespace', severity: 'error', description: 'pack.namespace is not a DNS label.' },
  {
    id: 'values/images',
    severity: 'warning',
    description: 'pack.content.images is missing for a layer that deploys workloads.',
  },
  {
    id: 'values/enabled-presets',
    severity: 'warning',
    description: 'The enabled-presets comment names a preset presets.yaml does not define.',
  },
  { id: 'presets/yaml-syntax', severity: 'error', description: 'presets.yaml is not parseable YAML.' },
  {
    id: 'presets/shape',
    severity: 'error',
    description: 'presets.yaml is not a presets: list of {name, displayName, group, remove, add}.',
  },
  { id: 'presets/duplicate-name', severity: 'error', description: 'Two presets share a name.' },
  { id: 'presets/add-yaml', severity: 'error', description: "A preset's add block is not parseable YAML." },
  {
    id: 'presets/remove',
    severity: 'error',
    description: "A preset's remove entry is not a dotted values path.",
  },
  { id: 'schema/yaml-syntax', severity: 'error', description: 'schema.yaml is not parseable YAML.' },
  {
    id: 'schema/shape',
    severity: 'error',
    description: 'schema.yaml is not a map of values paths to {schema: "{{ … }}"}.',
  },
  {
    id: 'schema/format-type',
    severity: 'error',
    description:
      'A format placeholder names an unknown type (string, number, boolean, password, list, ipv4, version, input).',
  },
  { id: 'logo/missing', severity: 'warning', description: 'The pack has no logo.png.' },
  { id: 'logo/png', severity: 'error', description: 'logo.png is not a PNG image.' },
  { id: 'logo/size', severity: 'warning', description: 'logo.png is unusually large in bytes or pixels.' },
  { id: 'readme/missing', severity: 'warning', description: 'The pack has no README.md.' },
] as const satisfies readonly RuleInfo[];

export type RuleId = (typeof RULES)[number]['id'];

export const RULE_BY_ID: ReadonlyMap<string, RuleInfo> = new Map(RULES.map((r) => [r.id, r]));
