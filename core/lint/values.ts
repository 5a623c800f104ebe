import { parseYamlAsGo, type YamlDocument } from '../parse-yaml.ts';
import type { ChartInfo } from './charts.ts';
import { isDnsLabel, isPlainObject, type LintContext, reportGoOnly } from './context.ts';
import { type ImageUse, lintUnlistedImages } from './images.ts';
import type { PackJson } from './pack-json.ts';

const FILE = 'values.yaml';
const ENABLED_PRESETS = /^#\s*spectrocloud\.com\/enabled-presets:(.*)$/;

export interface ValuesResult {
  doc?: YamlDocument;
  /** `Group:name` references from the enabled-presets comment, with their line. */
  enabledPresets: { ref: string; line: number; column: number }[];
}

export interface ValuesRead extends ValuesResult {
  /** The parsed mapping, when values.yaml is one. */
  values?: Record<string, unknown>;
}

/** Reads and parses values.yaml (charts need its charts: section before the rest is checked). */
export function readValues(ctx: LintContext): ValuesRead {
  const result: ValuesRead = { enabledPresets: [] };
  if (!ctx.entry(FILE)) {
    ctx.report('values/missing', FILE, 'the pack has no values.yaml; add one (it may hold just "pack: {}")');
    return result;
  }
  const text = ctx.text(FILE);
  if (text === undefined) return result;
  result.enabledPresets = readEnabledPresets(text);
  const parsed = parseYamlAsGo(text);
  if (!parsed.ok) {
    const e = parsed.error;
    if (e) ctx.report('values/yaml-syntax', FILE, `invalid YAML: ${e.message}`, e.position);
    return result;
  }
  if (parsed.goOnly) reportGoOnly(ctx, FILE, parsed.goOnly.lines);
  if (parsed.docs.length > 1) {
    ctx.report(
      'values/shape',
      FILE,
      `holds ${parsed.docs.length} YAML documents; values.yaml must be one document`,
      parsed.docs[1]?.positionOf([]),
    );
  }
  const doc = parsed.docs[0];
  if (!doc) return result;
  result.doc = doc;
  const values = doc.value ?? {};
  if (!isPlainObject(values)) {
    ctx.report(
      'values/shape',
      FILE,
      'must be a mapping (e.g. "pack:", "charts:", "manifests:" sections)',
      doc.positionOf([]),
    );
    return result;
  }
  result.values = values;
  return result;
}

export function lintValues(
  ctx: LintContext,
  read: ValuesRead,
  pack: PackJson | undefined,
  manifestKeys: Set<string>,
  charts: { names: Set<string>; complete: boolean; charts: ChartInfo[] },
  manifestImages: ImageUse[],
): void {
  const { doc, values } = read;
  if (!doc || !values) return;
  const packSection = values.pack;
  if (packSection !== undefined && packSection !== null && !isPlainObject(packSection)) {
    ctx.report('values/shape', FILE, '"pack" must be a mapping', doc.positionOf(['pack']));
  }
  const p = isPlainObject(packSection) ? packSection : {};
  if (p.namespace !== undefined && p.namespace !== null && p.namespace !== '') {
    if (typeof p.namespace !== 'string' || !isDnsLabel(p.namespace)) {
      ctx.report(
        'values/namespace',
        FILE,
        `pack.namespace ${JSON.stringify(p.namespace)} is not a DNS label; use at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit`,
        doc.positionOf(['pack', 'namespace']),
      );
    }
  }
  const listed = lintImages(ctx, doc, p, pack);
  if (listed) lintUnlistedImages(ctx, doc, listed, manifestImages, charts.charts, values);
  lintSectionKeys(
    ctx,
    doc,
    values,
    'manifests',
    manifestKeys,
    // Without a readable pack.json the manifest list is unknown: do not call every key unknown.
    pack !== undefined,
    'values/unknown-manifest',
    'kubeManifests file',
  );
  const misplaced = lintMisplacedKeys(ctx, doc, values, charts.charts);
  lintSectionKeys(
    ctx,
    doc,
    values,
    'charts',
    charts.names,
    charts.complete,
    'values/unknown-chart',
    'chart',
    misplaced,
  );
}

/** Checks pack.content.images; returns the listed image references (undefined when its shape is wrong). */
function lintImages(
  ctx: LintContext,
  doc: YamlDocument,
  p: Record<string, unknown>,
  pack: PackJson | undefined,
): string[] | undefined {
  const content = p.content;
  const images = isPlainObject(content) ? content.images : undefined;
  if (content !== undefined && content !== null && !isPlainObject(content)) {
    ctx.report('values/shape', FILE, '"pack.content" must be a mapping', doc.positionOf(['pack', 'content']));
    return undefined;
  }
  const listed: string[] = [];
  if (images !== undefined && images !== null) {
    if (!Array.isArray(images)) {
      ctx.report(
        'values/shape',
        FILE,
        '"pack.content.images" must be a list of {image: …}',
        doc.positionOf(['pack', 'content', 'images']),
      );
      return undefined;
    }
    for (const [i, item] of images.entries()) {
      const at = doc.positionOf(['pack', 'content', 'images', i]);
      if (!isPlainObject(item)) {
        ctx.report(
          'values/shape',
          FILE,
          `pack.content.images[${i}] must be a mapping such as "- image: registry/repo:tag"`,
          at,
        );
      } else if (typeof item.image === 'string' && item.image !== '') {
        listed.push(item.image);
      } else {
        // The pack still deploys; the image is just not mirrored for air-gapped installs.
        const keys = Object.keys(item);
        ctx.report(
          'values/images',
          FILE,
          `pack.content.images[${i}] has no "image" key${keys.length ? ` (it has ${keys.map((k) => `"${k}"`).join(', ')} — a typo?)` : ''}; this image will not be mirrored`,
          at,
        );
      }
    }
    if (images.length > 0) return listed;
  }
  const layer = pack?.layer;
  if (layer && layer !== 'os' && layer !== 'k8s') {
    ctx.report(
      'values/images',
      FILE,
      `pack.content.images is empty; list the images this ${layer} pack deploys so air-gapped and private-registry clusters can mirror them`,
      doc.keyPositionOf(['pack']),
    );
  }
  return listed;
}

function lintSectionKeys(
  ctx: LintContext,
  doc: YamlDocument,
  values: Record<string, unknown>,
  section: 'manifests' | 'charts',
  known: Set<string>,
  complete: boolean,
  rule: 'values/unknown-manifest' | 'values/unknown-chart',
  what: string,
  alreadyReported: ReadonlySet<string> = new Set(),
): void {
  const node = values[section];
  if (node === undefined || node === null) return;
  if (!isPlainObject(node)) {
    ctx.report(
      'values/shape',
      FILE,
      `"${section}" must be a mapping keyed by ${what} name`,
      doc.positionOf([section]),
    );
    return;
  }
  if (!complete) return;
  for (const key of Object.keys(node)) {
    if (known.has(key) || alreadyReported.has(key)) continue;
    const list = [...known].map((k) => `"${k}"`).join(', ') || 'none';
    ctx.report(
      rule,
      FILE,
      `${section}.${key} matches no ${what} of this pack (known: ${list}); its values are never used`,
      doc.keyPositionOf([section, key]),
    );
  }
}

function readEnabledPresets(text: string): ValuesResult['enabledPresets'] {
  const out: ValuesResult['enabledPresets'] = [];
  const lines = text.split('\n');
  for (const [i, line] of lines.slice(0, 5).entries()) {
    const m = ENABLED_PRESETS.exec(line.trimEnd());
    if (!m) continue;
    const body = m[1] ?? '';
    let col = line.indexOf(':', line.indexOf('enabled-presets')) + 2;
    for (const part of body.split(',')) {
      const ref = part.trim();
      if (ref) out.push({ ref, line: i + 1, column: col + part.indexOf(ref) });
      col += part.length + 1;
    }
  }
  return out;
}

/** Cross-check of the enabled-presets comment against presets.yaml, once both are read. */
export function lintEnabledPresets(
  ctx: LintContext,
  refs: ValuesResult['enabledPresets'],
  presets: Set<string> | undefined,
): void {
  for (const r of refs) {
    if (!r.ref.includes(':')) {
      ctx.report(
        'values/enabled-presets',
        FILE,
        `enabled preset "${r.ref}" must be written Group:preset-name`,
        r,
      );
      continue;
    }
    if (presets === undefined) {
      ctx.report(
        'values/enabled-presets',
        FILE,
        `enabled preset "${r.ref}" is named but the pack has no presets.yaml`,
        r,
      );
    } else if (!presets.has(r.ref)) {
      ctx.report(
        'values/enabled-presets',
        FILE,
        `enabled preset "${r.ref}" is not defined in presets.yaml (group and name must match)`,
        r,
      );
    }
  }
}

/**
 * Keys under charts: (or at the top level) that are not chart names but keys of a chart's own
 * values: indented one level too shallow, they never reach the chart. One finding per section.
 * Returns the charts: keys reported, so they do not also count as unknown charts.
 */
function lintMisplacedKeys(
  ctx: LintContext,
  doc: YamlDocument,
  values: Record<string, unknown>,
  charts: readonly ChartInfo[],
): Set<string> {
  const reported = new Set<string>();
  if (charts.length === 0) return reported;
  const names = new Set(charts.map((c) => c.name));
  const owner = (key: string) => charts.find((c) => c.scan.topKeys.has(key));
  const sections: { path: string[]; keys: string[] }[] = [];
  const chartsNode = values.charts;
  if (isPlainObject(chartsNode)) {
    sections.push({
      path: ['charts'],
      keys: Object.keys(chartsNode).filter((k) => !names.has(k) && owner(k)),
    });
  }
  const top = Object.keys(values).filter((k) => !['pack', 'charts', 'manifests'].includes(k) && owner(k));
  sections.push({ path: [], keys: top });
  for (const { path, keys } of sections) {
    if (keys.length === 0) continue;
    const chart = owner(keys[0] as string) as ChartInfo;
    const where = path.length ? 'under "charts:"' : 'at the top level';
    const shown = keys.slice(0, 5).join(', ') + (keys.length > 5 ? `, … (${keys.length} in all)` : '');
    ctx.report(
      'values/misplaced-keys',
      FILE,
      `${keys.length === 1 ? 'key' : `${keys.length} keys`} ${shown} ${where} ${keys.length === 1 ? 'is a value' : 'are values'} of chart "${chart.name}" but never reach it; move ${keys.length === 1 ? 'it' : 'them'} under charts.${chart.name} (indented below "${chart.name}:")`,
      doc.keyPositionOf([...path, keys[0] as string]),
    );
    if (path.length) for (const k of keys) reported.add(k);
  }
  return reported;
}
