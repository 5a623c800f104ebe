import type { Position } from './findings.ts';
import { LIMITS } from './lint/context.ts';
import type { PackTree } from './pack-tree.ts';
import { parseYaml } from './parse-yaml.ts';
import type { RuleInfo } from './rules.ts';
import { decodeText } from './text.ts';

/** One `pack.content.images[].image` entry of a pack's values.yaml, where it is written. */
export interface PackImage {
  image: string;
  file: 'values.yaml';
  position: Position;
}

/**
 * The images a pack declares for mirroring (`pack.content.images[].image`), in file order.
 * Malformed values.yaml yields nothing here: the linter reports it.
 */
export function packImages(tree: PackTree): PackImage[] {
  const text = readValues(tree);
  if (text === undefined) return [];
  const parsed = parseYaml(text, { uniqueKeys: false });
  if (!parsed.ok) return [];
  const doc = parsed.docs[0];
  if (!doc) return [];
  const images = (doc.value as { pack?: { content?: { images?: unknown } } } | null)?.pack?.content?.images;
  if (!Array.isArray(images)) return [];
  const out: PackImage[] = [];
  for (const [i, item] of images.entries()) {
    const image = (item as { image?: unknown } | null)?.image;
    if (typeof image !== 'string' || image.trim() === '') continue;
    out.push({
      image: image.trim(),
      file: 'values.yaml',
      position: doc.positionOf(['pack', 'content', 'images', i, 'image']),
    });
  }
  return out;
}

function readValues(tree: PackTree): string | undefined {
  if (!tree.entries.some((e) => e.path === 'values.yaml')) return undefined;
  try {
    const decoded = decodeText(tree.read('values.yaml', LIMITS.textFile));
    return decoded.ok ? decoded.text : undefined;
  } catch {
    return undefined;
  }
}

/** The lines of the file image findings point into (values.yaml), for inline ignores. */
export function packImagesFileLines(tree: PackTree, file: string): string[] | undefined {
  return file === 'values.yaml' ? readValues(tree)?.split('\n') : undefined;
}

/**
 * What resolving an image's manifest told us, as `crane manifest` would:
 * - found: the registry has the manifest;
 * - not-found: the registry answered that it has no such repository or tag;
 * - gated: the registry wants credentials we do not have (401/403): not checked, not a failure;
 * - unchecked: no answer we can judge by (network error, 5xx, a reference we cannot parse).
 */
export type ImageStatus = 'found' | 'not-found' | 'gated' | 'unchecked';

export interface ImageCheck {
  image: string;
  status: ImageStatus;
  /** `domain/repository:tag[@digest]` when the reference parsed. */
  canonical?: string;
  /** The manifest digest when found. */
  digest?: string;
  /** Why, in words, for anything but found. */
  detail?: string;
}

/**
 * Rules of the image check (`--check-images`). Kept apart from the static catalog: their verdicts
 * come from registries at lint time, so they have no fixture a pack alone can reproduce.
 */
export const IMAGE_RULES = [
  {
    id: 'images/not-found',
    severity: 'error',
    description:
      'With --check-images: an image in pack.content.images has no manifest in its registry, so nothing can pull it.',
  },
  {
    id: 'images/unchecked',
    severity: 'warning',
    description:
      'With --check-images: an image could not be checked (registry unreachable, server error, invalid reference).',
  },
] as const satisfies readonly RuleInfo[];

/** A parsed image reference, normalised the way Docker and containerd resolve it. */
export interface ImageReference {
  /** Registry host as written (docker.io for Docker Hub), lowercase. */
  domain: string;
  /** Repository path inside the registry (`library/nginx` for `nginx`). */
  repository: string;
  tag?: string;
  digest?: string;
  /** What the manifest is fetched by: the digest when there is one, else the tag (`latest` by default). */
  reference: string;
  /** `domain/repository:tag@digest`, the cache key. */
  canonical: string;
}

export class ImageReferenceError extends Error {}

// distribution/reference's grammar (reference/regexp.go), without its optional parts that real
// clients reject anyway.
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const PATH = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const DOMAIN =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::\d{1,5})?$/;

/**
 * Parses `[domain/]path[:tag][@digest]` as Docker does: the first component is a registry only
 * when it has a `.` or `:` or is `localhost`; otherwise the image is on Docker Hub, and a
 * one-component path lives under `library/`.
 */
export function parseImageReference(input: string): ImageReference {
  const raw = input.trim();
  if (!raw) throw new ImageReferenceError('the image reference is empty');
  if (/\s/.test(raw)) throw new ImageReferenceError(`"${raw}" contains whitespace`);
  let rest = raw;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new ImageReferenceError(`"${raw}" has an invalid digest "${digest}"`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new ImageReferenceError(`"${raw}" has an invalid tag "${tag}"`);
  }
  const slash = rest.indexOf('/');
  const first = slash < 0 ? '' : rest.slice(0, slash);
  let domain = 'docker.io';
  let path = rest;
  if (first && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    domain = first.toLowerCase();
    path = rest.slice(slash + 1);
    if (!DOMAIN.test(first))
      throw new ImageReferenceError(`"${raw}" has an invalid registry host "${first}"`);
  }
  if (domain === 'index.docker.io') domain = 'docker.io';
  if (domain === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  if (!PATH.test(path)) {
    throw new ImageReferenceError(
      `"${raw}" has an invalid repository "${path}" (lowercase letters, digits and . _ - separators)`,
    );
  }
  const reference = digest ?? tag ?? 'latest';
  const canonical = `${domain}/${path}${tag ? `:${tag}` : digest ? '' : ':latest'}${digest ? `@${digest}` : ''}`;
  return { domain, repository: path, tag, digest, reference, canonical };
}

/** The host an OCI client talks to for a reference's domain (Docker Hub's API is not docker.io). */
export function registryHost(domain: string): string {
  return domain === 'docker.io' ? 'registry-1.docker.io' : domain;
}
