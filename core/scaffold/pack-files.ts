import { stringify } from 'yaml';

/** What `packyard init` asks for: pack.json's identity fields. */
export interface PackIdentity {
  name: string;
  version: string;
  displayName: string;
  layer: 'kernel' | 'os' | 'k8s' | 'cni' | 'csi' | 'addon';
  /** Only written for the addon layer. */
  addonType?: string;
  cloudTypes: string[];
}

/** A chart as the pack carries it: `charts/<name>-<version>.tgz`, its values under `charts.<name>`. */
export interface ScaffoldChart {
  name: string;
  version: string;
  /** The chart's own values.yaml text (comments kept), or undefined when it has none. */
  valuesText?: string;
}

export interface ScaffoldInput {
  pack: PackIdentity;
  namespace: string;
  images: string[];
  chart?: ScaffoldChart;
  /** Manifest file names (placed under manifests/). */
  manifests?: string[];
}

export const LAYERS = ['kernel', 'os', 'k8s', 'cni', 'csi', 'addon'] as const;

export function chartFileName(chart: { name: string; version: string }): string {
  return `${chart.name}-${chart.version}.tgz`;
}

/** A manifest's key in `values.yaml`: its file name without the extension (Palette's rule). */
export function manifestKey(file: string): string {
  return file.replace(/\.(ya?ml|json)$/i, '');
}

/** A DNS label from a pack name: lowercase, [a-z0-9-], at most 63 characters. */
export function namespaceFor(name: string): string {
  const label = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return label || 'default';
}

export function renderPackJson(input: ScaffoldInput): string {
  const { pack } = input;
  const doc: Record<string, unknown> = {
    name: pack.name,
    displayName: pack.displayName,
    version: pack.version,
    layer: pack.layer,
  };
  if (pack.layer === 'addon' && pack.addonType) doc.addonType = pack.addonType;
  doc.cloudTypes = pack.cloudTypes;
  if (input.chart) doc.charts = [`charts/${chartFileName(input.chart)}`];
  if (input.manifests?.length) doc.kubeManifests = input.manifests.map((f) => `manifests/${f}`);
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** Indents a YAML document's text under a key, keeping its comments; block scalars stay valid. */
function nest(text: string, indent: string): string {
  const body = text
    .replace(/^\uFEFF/, '')
    .replace(/^---[^\n]*\n/, '')
    .replace(/\n\.\.\.\s*$/, '\n')
    .replace(/\s+$/, '');
  if (body.trim() === '' || body.split('\n').every((l) => /^\s*(#.*)?$/.test(l))) return ' {}\n';
  return `\n${body
    .split('\n')
    .map((l) => (l === '' ? '' : indent + l))
    .join('\n')}\n`;
}

export function renderValuesYaml(input: ScaffoldInput): string {
  const pack = {
    pack: {
      namespace: input.namespace,
      content: { images: input.images.map((image) => ({ image })) },
    },
  };
  let out =
    '# Pack values: "pack" configures how Palette deploys the pack; the sections below hold the\n' +
    '# values each chart or manifest receives, and users can edit them in a cluster profile.\n';
  out += stringify(pack, { lineWidth: 0 });
  if (input.chart) {
    out += `\ncharts:\n  # The values of the ${input.chart.name} chart (from its values.yaml).\n  ${yamlKey(input.chart.name)}:${nest(input.chart.valuesText ?? '', '    ')}`;
  }
  if (input.manifests?.length) {
    out +=
      '\nmanifests:\n  # Values the manifests read in {{ .Values.… }} template actions, one section per file.\n';
    for (const f of input.manifests) out += `  ${yamlKey(manifestKey(f))}: {}\n`;
  }
  return out;
}

function yamlKey(key: string): string {
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(key) ? key : JSON.stringify(key);
}

export function renderReadme(input: ScaffoldInput): string {
  const { pack } = input;
  const source = input.chart
    ? `the Helm chart \`${input.chart.name}\` ${input.chart.version}`
    : `the Kubernetes manifests ${input.manifests?.map((f) => `\`${f}\``).join(', ')}`;
  return `# ${pack.displayName}

${pack.displayName} ${pack.version} for Spectro Cloud Palette, packaged from ${source}.

<!-- Describe what the pack deploys and why a cluster would want it. -->

## Parameters

The pack's values are in \`values.yaml\`: \`pack.namespace\` (\`${input.namespace}\`) is where it is installed${input.chart ? `, and \`charts.${input.chart.name}\` holds the chart's values` : ', and `manifests.<file>` holds the values each manifest reads'}.

## Images

${input.images.map((i) => `- \`${i}\``).join('\n')}

## Usage

Add the pack to a cluster profile (layer \`${pack.layer}\`), review its values, and deploy.
`;
}
