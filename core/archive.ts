import { gzipDeterministic } from './gzip.ts';
import type { PackTree } from './pack-tree.ts';
import { type TarEntryInput, writeTar } from './tar.ts';

const DIR_MODE = 0o755;
const FILE_MODE = 0o644;
const EXEC_MODE = 0o755;
export const MAX_PACK_BYTES = 512 * 1024 * 1024;

/**
 * The pack as an uncompressed tar under one top-level folder: entries in byte order, mtime 0,
 * uid/gid 0, no user or group names, modes normalised to 755/644. The bytes depend on the
 * pack's content and names only.
 */
export function tarPack(tree: PackTree, topDir: string): Buffer {
  const entries: TarEntryInput[] = [{ path: `${topDir}/`, type: 'directory', mode: DIR_MODE }];
  let total = 0;
  for (const e of tree.entries) {
    if (e.type === 'directory') {
      entries.push({ path: `${topDir}/${e.path}/`, type: 'directory', mode: DIR_MODE });
      continue;
    }
    total += e.size;
    if (total > MAX_PACK_BYTES)
      throw new Error(`the pack is larger than ${MAX_PACK_BYTES / 1024 / 1024} MiB`);
    const data = tree.read(e.path, MAX_PACK_BYTES);
    entries.push({
      path: `${topDir}/${e.path}`,
      type: 'file',
      mode: e.executable ? EXEC_MODE : FILE_MODE,
      data,
    });
  }
  return writeTar(entries);
}

/** The reproducible `<name>-<version>.tar.gz` of a pack. */
export function archivePack(tree: PackTree, topDir: string): Promise<Uint8Array> {
  return gzipDeterministic(tarPack(tree, topDir));
}
