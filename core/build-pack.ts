import { archivePack } from './archive.ts';
import { packManifest, sha256Digest } from './oci.ts';
import type { PackTree } from './pack-tree.ts';

/** Everything needed to write or push one packaged pack. */
export interface BuiltPack {
  name: string;
  version: string;
  /** `<name>-<version>.tar.gz`, also the archive's top-level folder name plus the suffix. */
  archiveName: string;
  archive: Uint8Array;
  layerDigest: string;
  manifest: Uint8Array;
  manifestDigest: string;
}

export async function buildPack(
  tree: PackTree,
  name: string,
  version: string,
  created?: string,
): Promise<BuiltPack> {
  const base = `${name}-${version}`;
  const archiveName = `${base}.tar.gz`;
  const archive = await archivePack(tree, base);
  const layerDigest = sha256Digest(archive);
  const manifest = packManifest({ digest: layerDigest, size: archive.length, title: archiveName }, created);
  return {
    name,
    version,
    archiveName,
    archive,
    layerDigest,
    manifest,
    manifestDigest: sha256Digest(manifest),
  };
}
