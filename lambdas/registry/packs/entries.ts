import type { PackEntry } from '../ports.ts';

/**
 * The file list kept on a version item. A DynamoDB item holds at most 400 KB, so the list is
 * bounded: a pack with more files (or very long paths) keeps the first ones in path order and
 * the API says the list is truncated.
 */
export const MAX_ENTRIES = 500;
const MAX_PATH_CHARS = 64 * 1024;

export function packEntries(entries: readonly { path: string; type: string; size: number }[]): {
  entries: PackEntry[];
  entriesTruncated?: true;
} {
  const out: PackEntry[] = [];
  let chars = 0;
  for (const e of entries) {
    if (e.type !== 'file') continue;
    chars += e.path.length;
    if (out.length >= MAX_ENTRIES || chars > MAX_PATH_CHARS) return { entries: out, entriesTruncated: true };
    out.push({ path: e.path, size: e.size });
  }
  return { entries: out };
}
