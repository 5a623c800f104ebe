import { hasTemplateActions } from '../go-template.ts';

/**
 * Images a chart or manifest names literally, for `pack.content.images` (what air-gapped
 * clusters mirror). Only what can be known without rendering templates: image strings and
 * `{registry, repository, tag}` maps in values, and `image:` lines in templates without actions.
 */

/** A plausible image reference: no spaces or template actions, and a tag or digest. */
const IMAGE_REF = /^[a-z0-9][a-z0-9._\-/:]*[a-z0-9](?::[\w][\w.-]{0,127}|@sha256:[a-f0-9]{64})$/i;

function isImageRef(s: string): boolean {
  if (s.length > 255 || !IMAGE_REF.test(s)) return false;
  // host:port/name (no tag) has its colon before the last slash.
  const lastSlash = s.lastIndexOf('/');
  return s.includes('@') || s.lastIndexOf(':') > lastSlash;
}

function scalar(v: unknown): string | undefined {
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  if (typeof v === 'number') return String(v);
  return undefined;
}

/**
 * From a chart's values: `image: "repo:tag"` strings, and maps with `repository` (plus
 * `registry`, and `tag` or `digest`); a map without a tag takes the chart's appVersion, as
 * Helm charts conventionally do (`.Values.image.tag | default .Chart.AppVersion`).
 */
export function imagesFromValues(values: unknown, appVersion?: string): string[] {
  const found: string[] = [];
  const visit = (node: unknown, key: string, depth: number) => {
    if (depth > 64) return;
    if (Array.isArray(node)) {
      for (const item of node) visit(item, key, depth + 1);
      return;
    }
    if (typeof node === 'string') {
      if (/image$/i.test(key) && isImageRef(node.trim())) found.push(node.trim());
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const m = node as Record<string, unknown>;
    const repository = scalar(m.repository);
    if (repository && !hasTemplateActions(repository)) {
      const registry = scalar(m.registry);
      const base =
        registry && !repository.startsWith(`${registry}/`) ? `${registry}/${repository}` : repository;
      const digest = scalar(m.digest);
      const tag = scalar(m.tag) ?? appVersion;
      const ref = digest?.startsWith('sha256:') ? `${base}@${digest}` : tag ? `${base}:${tag}` : undefined;
      if (ref && isImageRef(ref)) found.push(ref);
    }
    for (const [k, v] of Object.entries(m)) visit(v, k, depth + 1);
  };
  visit(values, '', 0);
  return found;
}

/** `image: ref` lines of a template or manifest whose value has no template action. */
export function imagesFromTemplate(text: string): string[] {
  const found: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:-\s+)?image:\s*(.+?)\s*$/.exec(line);
    if (!m) continue;
    const value = (m[1] as string).replace(/\s+#.*$/, '');
    if (hasTemplateActions(value)) continue;
    const ref = value.replace(/^(["'])(.*)\1$/, '$2');
    if (isImageRef(ref)) found.push(ref);
  }
  return found;
}

/** Distinct, in the order first seen. */
export function uniqueImages(...lists: string[][]): string[] {
  return [...new Set(lists.flat())];
}
