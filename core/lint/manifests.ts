import { checkTemplateStructure, hasTemplateActions, maskTemplateActions } from '../go-template.ts';
import { parseYamlAsGo } from '../parse-yaml.ts';
import { LineIndex } from '../positions.ts';
import { isPlainObject, type LintContext, reportGoOnly, unsafePathReason } from './context.ts';
import { type ImageUse, manifestImages } from './images.ts';
import type { PackJson } from './pack-json.ts';

export interface ManifestsResult {
  /** The manifest keys values.yaml may configure. */
  keys: Set<string>;
  /** The image: references the manifests use. */
  images: ImageUse[];
}

/** Checks every kubeManifests entry. */
export function lintManifests(ctx: LintContext, pack: PackJson): ManifestsResult {
  const keys = new Set<string>();
  const images: ImageUse[] = [];
  for (const [i, p] of pack.kubeManifests.entries()) {
    const at = pack.at(['kubeManifests', i]);
    // The key counts even when the path is rejected: values.yaml should not also warn about it.
    keys.add(manifestKey(p));
    const unsafe = unsafePathReason(p);
    if (unsafe) {
      ctx.report(
        'manifest/path',
        'pack.json',
        `kubeManifests entry "${p}" ${unsafe}; name a file inside the pack`,
        at,
      );
      continue;
    }
    if (!ctx.isFile(p)) {
      const what = ctx.entry(p)?.type === 'directory' ? 'is a folder, not a file' : 'is not in the pack';
      ctx.report(
        'manifest/missing',
        'pack.json',
        `kubeManifests entry "${p}" ${what}; add the file or fix the path`,
        at,
      );
      continue;
    }
    lintManifestFile(ctx, p, images);
  }
  return { keys, images };
}

/** values.yaml keys manifests by file name without extension. */
export function manifestKey(p: string): string {
  const base = p.slice(p.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

function lintManifestFile(ctx: LintContext, file: string, images: ImageUse[]): void {
  const text = ctx.text(file);
  if (text === undefined) return;
  const templated = hasTemplateActions(text);
  if (templated) {
    const problems = checkTemplateStructure(text);
    if (problems.length > 0) {
      const lines = new LineIndex(text);
      for (const p of problems) ctx.report('manifest/template', file, p.message, lines.at(p.offset));
      return;
    }
  }
  const parsed = parseYamlAsGo(templated ? maskTemplateActions(text) : text, { uniqueKeys: !templated });
  if (!parsed.ok) {
    const note = templated ? ' (Go template actions were masked before parsing)' : '';
    const e = parsed.error;
    if (e) ctx.report('manifest/yaml-syntax', file, `invalid YAML: ${e.message}${note}`, e.position);
    return;
  }
  if (parsed.goOnly) reportGoOnly(ctx, file, parsed.goOnly.lines);
  const originalLines = templated ? text.split('\n') : undefined;
  for (const [n, doc] of parsed.docs.entries()) {
    const obj = doc.value;
    if (obj === null || obj === undefined) continue;
    images.push(...manifestImages(file, doc, obj, originalLines));
    const which = parsed.docs.length > 1 ? `document ${n + 1}` : 'the document';
    if (!isPlainObject(obj)) {
      ctx.report(
        'manifest/k8s-object',
        file,
        `${which} is not a Kubernetes object (a mapping with apiVersion, kind and metadata)`,
        doc.positionOf([]),
      );
      continue;
    }
    const missing: string[] = [];
    if (typeof obj.apiVersion !== 'string' || obj.apiVersion === '') missing.push('apiVersion');
    if (typeof obj.kind !== 'string' || obj.kind === '') missing.push('kind');
    const isList = typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(obj.items);
    const meta = obj.metadata;
    const named =
      isPlainObject(meta) &&
      ((typeof meta.name === 'string' && meta.name !== '') ||
        (typeof meta.generateName === 'string' && meta.generateName !== ''));
    if (!isList && !named) missing.push('metadata.name');
    if (missing.length > 0) {
      const where = missing[0] === 'metadata.name' && isPlainObject(meta) ? ['metadata'] : [];
      ctx.report(
        'manifest/k8s-object',
        file,
        `${which}${typeof obj.kind === 'string' ? ` (kind ${obj.kind})` : ''} has no ${missing.join(', ')}; every Kubernetes object needs apiVersion, kind and metadata.name`,
        doc.positionOf(where),
      );
    }
  }
}
