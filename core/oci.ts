import { createHash } from 'node:crypto';

export const MEDIA_TYPE_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const MEDIA_TYPE_INDEX = 'application/vnd.oci.image.index.v1+json';
export const MEDIA_TYPE_DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const MEDIA_TYPE_DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
/** Every manifest media type a registry stores and a client accepts: image manifests and indexes, OCI and Docker. */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [
  MEDIA_TYPE_MANIFEST,
  MEDIA_TYPE_INDEX,
  MEDIA_TYPE_DOCKER_MANIFEST,
  MEDIA_TYPE_DOCKER_MANIFEST_LIST,
];
/** The manifest media types that list other manifests. */
export const INDEX_MEDIA_TYPES: readonly string[] = [MEDIA_TYPE_INDEX, MEDIA_TYPE_DOCKER_MANIFEST_LIST];
/** What `oras push` uses when no artifact type or config is given; Palette expects it. */
export const MEDIA_TYPE_CONFIG = 'application/vnd.unknown.config.v1+json';
export const MEDIA_TYPE_LAYER = 'application/vnd.oci.image.layer.v1.tar';
export const ANNOTATION_TITLE = 'org.opencontainers.image.title';
export const ANNOTATION_CREATED = 'org.opencontainers.image.created';
export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';

export const EMPTY_CONFIG = new TextEncoder().encode('{}');

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

/** The OCI digest of some bytes: `sha256:<hex>`. */
export function sha256Digest(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** The repository a pack lives in, under an optional base content path. */
export function packRepository(name: string, basePath = ''): string {
  const base = basePath.replace(/^\/+|\/+$/g, '');
  return `${base ? `${base}/` : ''}spectro-packs/archive/${name}`;
}

/**
 * The manifest `oras push <ref> <name>-<version>.tar.gz` writes (oras v1.0.0): same fields in
 * the same order, compact JSON. `created` is only set when asked, so builds stay reproducible.
 */
export function packManifest(
  layer: { digest: string; size: number; title: string },
  created?: string,
): Uint8Array {
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPE_MANIFEST,
    config: { mediaType: MEDIA_TYPE_CONFIG, digest: sha256Digest(EMPTY_CONFIG), size: EMPTY_CONFIG.length },
    layers: [
      {
        mediaType: MEDIA_TYPE_LAYER,
        digest: layer.digest,
        size: layer.size,
        annotations: { [ANNOTATION_TITLE]: layer.title },
      },
    ],
  };
  if (created) manifest.annotations = { [ANNOTATION_CREATED]: created };
  return new TextEncoder().encode(JSON.stringify(manifest));
}

/** `org.opencontainers.image.created` from an explicit value or SOURCE_DATE_EPOCH (seconds). */
export function resolveCreated(
  explicit: string | undefined,
  sourceDateEpoch: string | undefined,
): string | undefined {
  if (explicit) {
    const d = new Date(explicit);
    if (Number.isNaN(d.getTime()))
      throw new Error(`--created "${explicit}" is not a date (use RFC 3339, e.g. 2024-01-02T03:04:05Z)`);
    return d.toISOString().replace(/\.000Z$/, 'Z');
  }
  if (sourceDateEpoch) {
    if (!/^\d+$/.test(sourceDateEpoch))
      throw new Error(`SOURCE_DATE_EPOCH "${sourceDateEpoch}" must be whole seconds since 1970`);
    return new Date(Number(sourceDateEpoch) * 1000).toISOString().replace(/\.000Z$/, 'Z');
  }
  return undefined;
}

export interface OciIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
}

/** Adds (or replaces) the manifest tagged `ref` in an OCI layout's index.json. */
export function upsertIndex(index: OciIndex | undefined, manifest: Descriptor, ref: string): OciIndex {
  const others = (index?.manifests ?? []).filter((m) => m.annotations?.[ANNOTATION_REF_NAME] !== ref);
  const entry: Descriptor = {
    ...manifest,
    annotations: { ...manifest.annotations, [ANNOTATION_REF_NAME]: ref },
  };
  const manifests = [...others, entry].sort((a, b) => {
    const ra = a.annotations?.[ANNOTATION_REF_NAME] ?? '';
    const rb = b.annotations?.[ANNOTATION_REF_NAME] ?? '';
    return ra < rb ? -1 : ra > rb ? 1 : 0;
  });
  return { schemaVersion: 2, mediaType: MEDIA_TYPE_INDEX, manifests };
}
