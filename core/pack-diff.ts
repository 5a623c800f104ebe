import { createHash } from 'node:crypto';
import { createTwoFilesPatch } from 'diff';
import type { PackTree } from './pack-tree.ts';

/** Past this a file gets no digest (the same bound as the content digest: the linter's largest read). */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** `path → sha256:<hex>` of every regular file of a pack (directories carry no content). */
export type FileDigests = Record<string, string>;

/**
 * The digest of each file of a pack, as the registry records them per version on push; null
 * for a file that cannot be read or is over 64 MiB (it then always counts as changed).
 */
export function packFileDigests(tree: PackTree): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const e of tree.entries) {
    if (e.type !== 'file') continue;
    try {
      if (e.size > MAX_FILE_BYTES) throw new Error('too large');
      out[e.path] = `sha256:${createHash('sha256').update(tree.read(e.path, MAX_FILE_BYTES)).digest('hex')}`;
    } catch {
      out[e.path] = null;
    }
  }
  return out;
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

export interface BoundedDiff {
  /** Unified diff text (no `Index:`/`===` preamble); '' when the texts are equal. */
  text: string;
  /** True when lines or bytes past the bounds were cut (the text then ends with a note). */
  truncated: boolean;
  /** Lines added and removed in the whole diff, cut or not. */
  additions: number;
  deletions: number;
}

export const VALUES_DIFF_LIMITS = { lines: 60, bytes: 6 * 1024 };

/**
 * A unified diff of `before` → `after` (3 lines of context), cut at `limits` lines or bytes
 * so a pull-request comment stays readable (and under GitHub's 65 536-character limit).
 */
export function boundedUnifiedDiff(
  file: string,
  before: string,
  after: string,
  limits: { lines: number; bytes: number } = VALUES_DIFF_LIMITS,
): BoundedDiff {
  if (before === after) return { text: '', truncated: false, additions: 0, deletions: 0 };
  const patch = createTwoFilesPatch(`a/${file}`, `b/${file}`, before, after, undefined, undefined, {
    context: 3,
  });
  // jsdiff starts with "===…" under an optional "Index:" line; keep from the "---" header on.
  const all = patch.split('\n');
  const start = all.findIndex((l) => l.startsWith('--- '));
  const lines = (start >= 0 ? all.slice(start) : all).filter((l, i, a) => !(i === a.length - 1 && l === ''));
  let additions = 0;
  let deletions = 0;
  for (const l of lines.slice(2)) {
    if (l.startsWith('+')) additions++;
    else if (l.startsWith('-')) deletions++;
  }
  const kept: string[] = [];
  let bytes = 0;
  for (const l of lines) {
    const size = Buffer.byteLength(l) + 1;
    if (kept.length >= limits.lines || bytes + size > limits.bytes) {
      const rest = lines.length - kept.length;
      kept.push(`… ${rest} more diff line${rest === 1 ? '' : 's'} not shown`);
      return { text: kept.join('\n'), truncated: true, additions, deletions };
    }
    kept.push(l);
    bytes += size;
  }
  return { text: kept.join('\n'), truncated: false, additions, deletions };
}
