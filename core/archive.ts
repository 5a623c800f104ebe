import tarStream, { type Header } from 'tar-stream';
import { gzipDeterministic } from './gzip.ts';
import type { PackTree } from './pack-tree.ts';

/** Fixed metadata for every archive entry: the bytes depend on content and names only. */
const EPOCH = new Date(0);
const DIR_MODE = 0o755;
const FILE_MODE = 0o644;
const EXEC_MODE = 0o755;
export const MAX_PACK_BYTES = 512 * 1024 * 1024;

/**
 * Writes the pack as an uncompressed tar under one top-level folder: entries in byte order,
 * mtime 0, uid/gid 0, no user or group names, modes normalised to 755/644.
 */
export async function tarPack(tree: PackTree, topDir: string): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  const collected = new Promise<Buffer>((resolve, reject) => {
    pack.on('data', (c: unknown) => chunks.push(c as Buffer));
    pack.on('end', () => resolve(Buffer.concat(chunks)));
    pack.on('error', reject);
  });
  const header = (name: string, type: 'directory' | 'file', mode: number, size = 0) => ({
    name,
    type,
    mode,
    size,
    mtime: EPOCH,
    uid: 0,
    gid: 0,
    uname: '',
    gname: '',
    linkname: '',
    devmajor: 0,
    devminor: 0,
  });
  // Read everything first, then queue all entries at once: waiting on each entry's callback
  // would need an event-loop turn per file, which a busy linter starves.
  const files = new Map<string, Buffer>();
  let total = 0;
  for (const e of tree.entries) {
    if (e.type !== 'file') continue;
    total += e.size;
    if (total > MAX_PACK_BYTES)
      throw new Error(`the pack is larger than ${MAX_PACK_BYTES / 1024 / 1024} MiB`);
    files.set(e.path, Buffer.from(await tree.read(e.path, MAX_PACK_BYTES)));
  }
  pack.entry(header(`${topDir}/`, 'directory', DIR_MODE));
  for (const e of tree.entries) {
    const data = files.get(e.path);
    if (data)
      pack.entry(
        header(`${topDir}/${e.path}`, 'file', e.executable ? EXEC_MODE : FILE_MODE, data.length),
        data,
      );
    else pack.entry(header(`${topDir}/${e.path}/`, 'directory', DIR_MODE));
  }
  pack.finalize();
  return collected;
}

/** The reproducible `<name>-<version>.tar.gz` of a pack. */
export async function archivePack(tree: PackTree, topDir: string): Promise<Uint8Array> {
  return gzipDeterministic(await tarPack(tree, topDir));
}
