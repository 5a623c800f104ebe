import { parseYaml, type YamlDocument } from '../parse-yaml.ts';
import { isDnsLabel, isPlainObject, type LintContext } from './context.ts';
import type { PackJson } from './pack-json.ts';

const FILE = 'values.yaml';
const ENABLED_PRESETS = /^#\s*spectrocloud\.com\/enabled-presets:(.*)$/;

export interface ValuesResult {
  doc?: YamlDocument;
  /** `Group:name` references from the enabled-presets comment, with their line. */
  enabledPresets: { ref: string; line: number; column: number }[];
}

export function lintValues(
  ctx: LintContext,
  pack: PackJson | undefined,
  manifestKeys: Set<string>,
  charts: { names: Set<string>; complete: boolean },
): ValuesResult {
  const result: ValuesResult = { enabledPresets: [] };
  if (!ctx.entry(FILE)) {
    ctx.report('values/missing', FILE, 'the pack has no values.yaml; add one (it may hold just "pack: {}")');
    return result;
  }
  const text = ctx.text(FILE);
  if (text === undefined) return result;
  result.enabledPresets = readEnabledPresets(text);
  const parsed = parseYaml(text);
  if (!parsed.ok) {
    const e = parsed.error;
    if (e) ctx.report('values/yaml-syntax', FILE, `invalid YAML: ${e.message}`, e.position);
    return result;
  }
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
  lintImages(ctx, doc, p, pack);
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
  lintSectionKeys(ctx, doc, values, 'charts', charts.names, charts.complete, 'values/unknown-chart', 'chart');
  return result;
}

function lintImages(
  ctx: LintContext,
  doc: YamlDocument,
  p: Record<string, unknown>,
  pack: PackJson | undefined,
): void {
  const content = p.content;
  const images = isPlainObject(content) ? content.images : undefined;
  if (content !== undefined && content !== null && !isPlainObject(content)) {
    ctx.report('values/shape', FILE, '"pack.content" must be a mapping', doc.positionOf(['pack', 'content']));
    return;
  }
  if (images !== undefined && images !== null) {
    if (!Array.isArray(images)) {
      ctx.report(
        'values/shape',
        FILE,
        '"pack.content.images" must be a list of {image: …}',
        doc.positionOf(['pack', 'content', 'images']),
      );
      return;
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
      } else if (typeof item.image !== 'string' || item.image === '') {
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
    if (images.length > 0) return;
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
    if (known.has(key)) continue;
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
