import type { BuiltPack } from '../core/build-pack.ts';
import { sha256Digest } from '../core/oci.ts';

/**
 * `push --message`: the manifest annotation `org.opencontainers.image.description`, as
 * `oras push --annotation` would add it. The manifest keeps oras v1.0.0's shape, any OCI registry
 * keeps the message with the version, and a Packyard registry records and shows it.
 * Without a message the manifest is the reproducible build's, byte for byte.
 */
export const ANNOTATION_DESCRIPTION = 'org.opencontainers.image.description';

export function withMessage(pack: BuiltPack, message: string | undefined): BuiltPack {
  if (!message) return pack;
  const doc = JSON.parse(Buffer.from(pack.manifest).toString('utf8')) as {
    annotations?: Record<string, string>;
  };
  doc.annotations = { ...doc.annotations, [ANNOTATION_DESCRIPTION]: message };
  const manifest = new TextEncoder().encode(JSON.stringify(doc));
  return { ...pack, manifest, manifestDigest: sha256Digest(manifest) };
}
