import { createTwoFilesPatch } from 'diff';

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
