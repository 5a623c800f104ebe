import { type Descriptor, type ImageManifest, MEDIA_TYPE_MANIFEST, packRepository } from '../core/oci.ts';
import { checkPackName, checkVersion, PackNotFoundError } from './catalog.ts';
import { type RegistryClient, RegistryError } from './registry-client.ts';

/** The largest pack layer `pull` downloads (the registry itself takes packs up to 64 MiB). */
export const MAX_PULL_BYTES = 512 * 1024 * 1024;

export interface PulledPack {
  name: string;
  version: string;
  repository: string;
  manifestDigest: string;
  layer: Descriptor;
  /** The pack archive (`<name>-<version>.tar.gz`), digest verified. */
  archive: Uint8Array;
}

const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

/**
 * Downloads one pack version: its manifest (an OCI image manifest with one layer, as `oras push`
 * and `packyard push` write it) and the layer, checking sizes and digests.
 */
export async function fetchPack(
  client: RegistryClient,
  name: string,
  version: string,
  maxBytes = MAX_PULL_BYTES,
): Promise<PulledPack> {
  checkPackName(name);
  // A version tag, or a manifest digest (`pull NAME@sha256:…`).
  if (!/^sha256:[0-9a-f]{64}$/.test(version)) checkVersion(version);
  const repository = packRepository(name, client.registry.basePath);
  const got = await client.getManifest(repository, version);
  if (!got) throw new PackNotFoundError(`${name}:${version} is not in ${client.registry.host}/${repository}`);
  let manifest: Partial<ImageManifest>;
  try {
    manifest = JSON.parse(Buffer.from(got.bytes).toString('utf8')) as Partial<ImageManifest>;
  } catch {
    throw new RegistryError(`the manifest of ${name}:${version} is not JSON`, 0, 'MANIFEST_INVALID');
  }
  const mediaType = manifest.mediaType ?? got.mediaType;
  if (mediaType !== MEDIA_TYPE_MANIFEST && mediaType !== DOCKER_MANIFEST) {
    throw new RegistryError(
      `${name}:${version} is a ${mediaType || 'manifest of unknown type'}, not a pack (an image manifest with one layer)`,
      0,
      'MANIFEST_INVALID',
    );
  }
  const layers = Array.isArray(manifest.layers) ? manifest.layers : [];
  if (layers.length !== 1) {
    throw new RegistryError(
      `${name}:${version} has ${layers.length} layers; a pack has exactly one (its archive)`,
      0,
      'MANIFEST_INVALID',
    );
  }
  const layer = layers[0] as Descriptor;
  if (typeof layer.digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(layer.digest)) {
    throw new RegistryError(`the layer of ${name}:${version} has no sha256 digest`, 0, 'MANIFEST_INVALID');
  }
  if (!Number.isSafeInteger(layer.size) || layer.size < 0 || layer.size > maxBytes) {
    throw new RegistryError(
      `the layer of ${name}:${version} is ${layer.size} bytes; pull takes at most ${maxBytes}`,
      0,
      'SIZE_INVALID',
    );
  }
  const archive = await client.getBlob(repository, layer.digest, maxBytes);
  if (archive.length !== layer.size) {
    throw new RegistryError(
      `the layer of ${name}:${version} is ${archive.length} bytes, but its manifest says ${layer.size}`,
      0,
      'SIZE_INVALID',
    );
  }
  return { name, version, repository, manifestDigest: got.digest, layer, archive };
}
