import { createHash } from 'node:crypto';
import type { PackTree } from './pack-tree.ts';

/** Past this a file gets no digest (the same bound as the content digest: the linter's largest read). */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** `path → sha256:<hex>` of every regular file of a pack (directories carry no content). */
export type FileDigests = Record<string, string>;

/**
 * The digest of each file of a pack, as the registry records them per version on push; null
 * for a file that cannot be read or is over 64 MiB (it then always counts as changed).
 */
/** One file of a pack as the registry records it on push: path, bytes, sha256 (null past the hashing limit). */
export interface PackFileEntry {
  path: string;
  size: number;
  digest: string | null;
}

/** Every file of a pack, in path order, with its size and digest. */
export function packFileList(tree: PackTree): PackFileEntry[] {
  const out: PackFileEntry[] = [];
  for (const e of tree.entries) {
    if (e.type !== 'file') continue;
    let digest: string | null;
    try {
      if (e.size > MAX_FILE_BYTES) throw new Error('too large');
      digest = `sha256:${createHash('sha256').update(tree.read(e.path, MAX_FILE_BYTES)).digest('hex')}`;
    } catch {
      digest = null;
    }
    out.push({ path: e.path, size: e.size, digest });
  }
  return out;
}

/** The same as a map from path to digest (what a plan compares). */
export function fileDigests(files: readonly PackFileEntry[]): Record<string, string | null> {
  return Object.fromEntries(files.map((f) => [f.path, f.digest]));
}

export function packFileDigests(tree: PackTree): Record<string, string | null> {
  return fileDigests(packFileList(tree));
}

export interface FileChanges {
  added: string[];
  removed: string[];
  changed: string[];
}

/** Files added, removed and changed from `published` to `local`, each list sorted by path. */
export function diffFiles(
  local: Readonly<Record<string, string | null>>,
  published: Readonly<Record<string, string | null>>,
): FileChanges {
  const added: string[] = [];
  const changed: string[] = [];
  const removed: string[] = [];
  for (const [p, digest] of Object.entries(local)) {
    if (!(p in published)) added.push(p);
    else if (digest === null || published[p] === null || digest !== published[p]) changed.push(p);
  }
  for (const p of Object.keys(published)) if (!(p in local)) removed.push(p);
  const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return { added: added.sort(byPath), removed: removed.sort(byPath), changed: changed.sort(byPath) };
}
