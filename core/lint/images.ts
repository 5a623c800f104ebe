import type { Position } from '../findings.ts';
import type { YamlDocument, YamlPath } from '../parse-yaml.ts';
import type { ChartValuesScan, ImageSetting } from './chart-values-scan.ts';
import type { ChartInfo } from './charts.ts';
import { isPlainObject, type LintContext } from './context.ts';

/** An image reference a manifest uses, with where to point when it is not listed. */
export interface ImageUse {
  image: string;
  file: string;
  /** Computed only when a finding needs it. */
  position: () => Position;
}

const MAX_IMAGES_REPORTED = 10;

/**
 * The image: strings of a Kubernetes object (containers, initContainers, CronJob templates …).
 * `original` is the unmasked text of a templated manifest: an image written with a template
 * action is only known at render time, so it is skipped.
 */
export function manifestImages(
  file: string,
  doc: YamlDocument,
  value: unknown,
  original?: readonly string[],
): ImageUse[] {
  const out: ImageUse[] = [];
  walk(value, [], (path, v) => {
    if (path[path.length - 1] !== 'image' || typeof v !== 'string' || !isConcrete(v)) return;
    if (original) {
      const pos = doc.positionOf(path);
      if ((original[pos.line - 1] ?? '').slice(pos.column - 1).includes('{{')) return;
    }
    out.push({ image: v, file, position: () => doc.positionOf(path) });
  });
  return out;
}

/**
 * Image references a chart deploys: its defaults' image settings (a line scan), with the pack's
 * charts.<name> values laid over them as Palette passes them to Helm.
 */
export function chartImages(scan: ChartValuesScan, own: unknown): { image: string; path: string }[] {
  const settings = new Map<string, ImageSetting>([...scan.images].map(([k, v]) => [k, { ...v }]));
  walk(own, [], (path, v) => {
    if (path[path.length - 1] !== 'image') return;
    const key = path.join('.');
    if (typeof v === 'string') settings.set(key, { image: v });
    else if (isPlainObject(v)) {
      const s: ImageSetting = { ...settings.get(key) };
      for (const f of ['registry', 'repository', 'tag'] as const)
        if (typeof v[f] === 'string' || typeof v[f] === 'number') s[f] = String(v[f]);
      settings.set(key, s);
    }
  });
  const out: { image: string; path: string }[] = [];
  for (const [path, s] of settings) {
    if (s.image !== undefined) {
      if (isConcrete(s.image) && s.image.includes('/')) out.push({ image: s.image, path });
    } else if (s.repository && isConcrete(s.repository)) {
      const registry = s.registry && isConcrete(s.registry) ? `${s.registry}/` : '';
      const tag = s.tag && isConcrete(s.tag) ? `:${s.tag}` : '';
      out.push({ image: `${registry}${s.repository}${tag}`, path });
    }
  }
  return out;
}

function walk(v: unknown, path: YamlPath, visit: (path: YamlPath, v: unknown) => void): void {
  visit(path, v);
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) walk(x, [...path, i], visit);
  } else if (isPlainObject(v)) for (const [k, x] of Object.entries(v)) walk(x, [...path, k], visit);
}

/** Template placeholders and empty strings are filled in at deploy time: nothing to compare. */
function isConcrete(s: string): boolean {
  return s.trim() !== '' && !s.includes('{{') && !s.includes('${');
}

interface Ref {
  repo: string;
  tag?: string;
}

/** Repository path without registry host, docker.io's "library/", or digest; the tag if any. */
export function parseImageRef(image: string): Ref {
  let s = image.trim().split('@')[0] as string;
  const slash = s.indexOf('/');
  const first = slash === -1 ? '' : s.slice(0, slash);
  if (first && (first.includes('.') || first.includes(':') || first === 'localhost')) s = s.slice(slash + 1);
  const colon = s.lastIndexOf(':');
  const tag = colon > s.lastIndexOf('/') && colon !== -1 ? s.slice(colon + 1) : undefined;
  let repo = tag === undefined ? s : s.slice(0, colon);
  if (repo.startsWith('library/')) repo = repo.slice('library/'.length);
  return { repo, tag: tag || undefined };
}

function isListed(image: string, listed: readonly Ref[]): boolean {
  const r = parseImageRef(image);
  return listed.some((l) => l.repo === r.repo && (!l.tag || !r.tag || l.tag === r.tag));
}

/**
 * Warns about images the pack deploys that pack.content.images does not list (mirroring misses
 * them). With nothing listed, values/images already asks for the list: only its examples are returned.
 */
export function lintUnlistedImages(
  ctx: LintContext,
  doc: YamlDocument,
  listedImages: readonly string[],
  fromManifests: readonly ImageUse[],
  charts: readonly ChartInfo[],
  values: Record<string, unknown>,
): void {
  if (listedImages.length === 0) return;
  const listed = listedImages.map(parseImageRef);
  const seen = new Set<string>();
  let reported = 0;
  const hint = 'add it to pack.content.images so air-gapped and private-registry clusters mirror it';
  for (const use of fromManifests) {
    if (seen.has(use.image) || isListed(use.image, listed)) continue;
    seen.add(use.image);
    if (reported++ >= MAX_IMAGES_REPORTED) break;
    ctx.report(
      'values/image-not-listed',
      use.file,
      `image "${use.image}" is not in pack.content.images; ${hint}`,
      use.position(),
    );
  }
  const chartsSection = isPlainObject(values.charts) ? values.charts : {};
  for (const chart of charts) {
    for (const { image, path } of chartImages(chart.scan, chartsSection[chart.name])) {
      if (seen.has(image) || isListed(image, listed)) continue;
      seen.add(image);
      if (reported++ >= MAX_IMAGES_REPORTED) return;
      ctx.report(
        'values/image-not-listed',
        'values.yaml',
        `chart "${chart.name}" deploys image "${image}" (its values at ${path}), which is not in pack.content.images; ${hint}`,
        doc.keyPositionOf(['pack', 'content', 'images']),
      );
    }
  }
}
