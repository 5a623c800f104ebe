import { parseJson } from '../parse-json.ts';
import { describeSchemaError, validatePackJson } from '../validate-pack-json.ts';
import { checkPackVersion, OCI_NAME_COMPONENT } from '../version.ts';
import { isPlainObject, type LintContext } from './context.ts';

export interface PackJson {
  name?: string;
  displayName?: string;
  version?: string;
  layer?: string;
  addonType?: string;
  cloudTypes?: string[];
  charts: string[];
  kubeManifests: string[];
  raw: Record<string, unknown>;
  /** Position of a value in pack.json, for findings about entries named there. */
  at(path: (string | number)[]): { line: number; column: number };
}

/** Add-on types Palette's UI knows; others still work but do not group. */
export const KNOWN_ADDON_TYPES = [
  'load balancer',
  'ingress',
  'logging',
  'monitoring',
  'security',
  'authentication',
  'servicemesh',
  'system app',
  'app services',
  'registry',
  'ai',
  'serverless',
  'integration',
  'backup',
  'csi',
  'cni',
  'kubernetes',
];

export function lintPackJson(ctx: LintContext): PackJson | undefined {
  const file = 'pack.json';
  if (!ctx.entry(file)) {
    ctx.report(
      'pack-json/missing',
      file,
      'the pack has no pack.json; every pack needs one with name, displayName, version and layer',
    );
    return undefined;
  }
  const text = ctx.text(file);
  if (text === undefined) return undefined;
  const parsed = parseJson(text);
  if (!parsed.ok) {
    const e = parsed.error;
    if (e) ctx.report('pack-json/syntax', file, `invalid JSON — ${e.message}`, e.position);
    return undefined;
  }
  const { doc } = parsed;
  if (!isPlainObject(doc.value)) {
    ctx.report('pack-json/schema', file, 'pack.json must be a JSON object', doc.positionOf([]));
    return undefined;
  }
  const raw = doc.value;
  for (const err of validatePackJson(raw)) {
    const { path, message } = describeSchemaError(err, raw);
    ctx.report('pack-json/schema', file, message, doc.positionOf(path));
  }
  const str = (k: string) => (typeof raw[k] === 'string' ? (raw[k] as string) : undefined);
  const strings = (k: string) =>
    Array.isArray(raw[k]) ? (raw[k] as unknown[]).filter((x): x is string => typeof x === 'string') : [];
  const pack: PackJson = {
    name: str('name'),
    displayName: str('displayName'),
    version: str('version'),
    layer: str('layer'),
    addonType: str('addonType'),
    cloudTypes: strings('cloudTypes'),
    charts: strings('charts'),
    kubeManifests: strings('kubeManifests'),
    raw,
    at: (path) => doc.positionOf(path),
  };

  if (pack.name !== undefined && pack.name !== '' && !OCI_NAME_COMPONENT.test(pack.name)) {
    ctx.report(
      'pack-json/name',
      file,
      `name "${pack.name}" cannot be an OCI repository name; use lowercase letters, digits and single "-", "." or "_" separators`,
      doc.positionOf(['name']),
    );
  }
  if (pack.version !== undefined && pack.version !== '') {
    const verdict = checkPackVersion(pack.version);
    if (!verdict.ok)
      ctx.report('pack-json/version', file, verdict.message, doc.positionOf(['version']), verdict.severity);
  }
  if (pack.addonType !== undefined && !KNOWN_ADDON_TYPES.includes(pack.addonType)) {
    const normalized = pack.addonType.toLowerCase().replace(/[-_]+/g, ' ').trim();
    const suggestion = KNOWN_ADDON_TYPES.find((t) => t === normalized);
    ctx.report(
      'pack-json/addon-type',
      file,
      suggestion
        ? `addonType "${pack.addonType}" is not one Palette knows; did you mean "${suggestion}"?`
        : `addonType "${pack.addonType}" is not one Palette knows (${KNOWN_ADDON_TYPES.join(', ')}); the pack will not be grouped in the catalog`,
      doc.positionOf(['addonType']),
    );
  }
  lintUnknownKeys(ctx, raw, doc);
  const has = (k: string) => Array.isArray(raw[k]) && (raw[k] as unknown[]).length > 0;
  if (pack.layer === 'addon' && !has('kubeManifests') && !has('charts') && !has('ansibleRoles')) {
    ctx.report(
      'pack-json/no-content',
      file,
      'this addon pack lists neither kubeManifests nor charts, so Palette deploys nothing with it; name its manifests or chart archives',
      doc.positionOf(['layer']),
    );
  }
  return pack;
}

/** The keys of schemas/pack.schema.json (a test keeps them equal; the schema itself stays out of the bundles). */
export const KNOWN_KEYS = [
  'name',
  'displayName',
  'version',
  'layer',
  'cloudTypes',
  'group',
  'eol',
  'addonType',
  'addonSubType',
  'charts',
  'kubeManifests',
  'ansibleRoles',
  'annotations',
  'constraints',
];

/** Unknown keys are tolerated (Palette ignores them), but a near-miss of a known key is a typo. */
function lintUnknownKeys(
  ctx: LintContext,
  raw: Record<string, unknown>,
  doc: { keyPositionOf(path: (string | number)[]): { line: number; column: number } },
): void {
  for (const key of Object.keys(raw)) {
    if (KNOWN_KEYS.includes(key)) continue;
    const near = closestKey(key, KNOWN_KEYS);
    if (!near) continue;
    ctx.report(
      'pack-json/unknown-key',
      'pack.json',
      `key "${key}" is not a pack.json key; did you mean "${near}"? Palette ignores unknown keys, so its value has no effect`,
      doc.keyPositionOf([key]),
    );
  }
}

/** The known key within a small edit distance (or differing only in case), if any. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const d = k.toLowerCase() === key.toLowerCase() ? 0 : levenshtein(key.toLowerCase(), k.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  const allowed = key.length <= 4 ? 1 : 2;
  return bestD <= allowed ? best : undefined;
}

export function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(
        (prev[j] as number) + 1,
        (cur[j - 1] as number) + 1,
        (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[b.length] as number;
}
