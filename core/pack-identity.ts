import { createHash } from 'node:crypto';
import { type PackTree, readPackTree } from './pack-tree.ts';

/** Past this (the linter's largest read) a pack gets no digest: hashing must not cost more than linting. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;
const MAX_PACK_JSON_BYTES = 1024 * 1024;

/**
 * The digest of a pack's content, independent of how it was packaged: every entry in byte
 * order as `D\0path\0` or `F\0<x|->\0path\0<sha256 of the bytes>\0`, plus any tree problem
 * (a folder with a bad symlink never matches a clean archive). A folder and the archive
 * `packyard build` makes of it have the same digest, and so does the same content packaged by
 * another tool; the registry records it on push so a re-run can tell "unchanged" without
 * re-linting or re-compressing (docs/registry.md, "Content digest").
 */
export function packContentDigest(tree: PackTree): string | undefined {
  if (tree.entries.some((e) => e.size > MAX_FILE_BYTES)) return undefined;
  const h = createHash('sha256');
  for (const e of tree.entries) {
    if (e.type === 'directory') {
      h.update(`D\0${e.path}\0`);
      continue;
    }
    let bytes: Uint8Array;
    try {
      bytes = tree.read(e.path, MAX_FILE_BYTES);
    } catch {
      return undefined; // unreadable (or grew while read): the linter reports it
    }
    const file = createHash('sha256').update(bytes).digest('hex');
    h.update(`F\0${e.executable ? 'x' : '-'}\0${e.path}\0${file}\0`);
  }
  for (const p of tree.problems) h.update(`P\0${p.rule}\0${p.path}\0`);
  return `sha256:${h.digest('hex')}`;
}

/** A pack folder as read before linting: enough to ask a registry whether it is already there. */
export interface ReadPack {
  dir: string;
  tree: PackTree;
  /** From pack.json when it parses and names both; linting reports anything less. */
  name?: string;
  version?: string;
  /**
   * packContentDigest, computed on first call (hashing every file is only worth it when a
   * registry holds this version). Undefined when a file is unreadable or over 64 MiB.
   */
  contentDigest(): string | undefined;
}

export function readPack(dir: string): ReadPack {
  const tree = readPackTree(dir);
  let digest: { value: string | undefined } | undefined;
  return {
    dir,
    tree,
    ...packJsonId(tree),
    contentDigest: () => {
      digest ??= { value: packContentDigest(tree) };
      return digest.value;
    },
  };
}

function packJsonId(tree: PackTree): { name?: string; version?: string } {
  if (!tree.entries.some((e) => e.path === 'pack.json' && e.type === 'file')) return {};
  try {
    const pj = JSON.parse(Buffer.from(tree.read('pack.json', MAX_PACK_JSON_BYTES)).toString('utf8'));
    const { name, version } = (pj ?? {}) as { name?: unknown; version?: unknown };
    return typeof name === 'string' && typeof version === 'string' ? { name, version } : {};
  } catch {
    return {}; // unreadable or malformed: the linter says exactly what is wrong
  }
}

/** `name@version` of packs named by exactly one folder of the run (duplicates are lint errors). */
export function uniquePackIds(packs: readonly ReadPack[]): Set<string> {
  const count = new Map<string, number>();
  for (const p of packs) if (p.name && p.version) count.set(packId(p), (count.get(packId(p)) ?? 0) + 1);
  return new Set([...count].filter(([, n]) => n === 1).map(([id]) => id));
}

export function packId(p: { name?: string; version?: string }): string {
  return `${p.name}@${p.version}`;
}
