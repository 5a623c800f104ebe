import { type Finding, finding, type Position, type Severity } from '../findings.ts';
import { errText, FileTooLargeError, type PackEntry, type PackTree } from '../pack-tree.ts';
import { RULE_BY_ID, type RuleId } from '../rules.ts';
import { decodeText } from '../text.ts';

/** Size limits per kind of file: generous for real packs, small enough to never exhaust memory. */
export const LIMITS = {
  textFile: 8 * 1024 * 1024,
  chartArchive: 64 * 1024 * 1024,
  chartInflated: 256 * 1024 * 1024,
  logo: 8 * 1024 * 1024,
} as const;

/** What one pack's rules share: the tree, the findings so far, and reading helpers. */
export class LintContext {
  readonly findings: Finding[] = [];
  private readonly entries: Map<string, PackEntry>;

  constructor(readonly tree: PackTree) {
    this.entries = new Map(tree.entries.map((e) => [e.path, e]));
  }

  report(rule: RuleId, file: string, message: string, pos?: Position, severity?: Severity): void {
    this.findings.push(
      finding(rule, severity ?? RULE_BY_ID.get(rule)?.severity ?? 'error', file, message, pos),
    );
  }

  entry(path: string): PackEntry | undefined {
    return this.entries.get(path);
  }

  isFile(path: string): boolean {
    return this.entries.get(path)?.type === 'file';
  }

  /** Reads a file's bytes, reporting (and returning undefined) when that is impossible. */
  bytes(path: string, maxBytes: number): Uint8Array | undefined {
    try {
      return this.tree.read(path, maxBytes);
    } catch (err) {
      if (err instanceof FileTooLargeError) {
        this.report(
          'file/too-large',
          path,
          `is ${formatBytes(err.size)}, over the ${formatBytes(err.limit)} Packyard reads for this kind of file; shrink it or move it out of the pack`,
        );
      } else {
        this.report('file/unreadable', path, `cannot be read: ${errText(err)}`);
      }
      return undefined;
    }
  }

  /** Reads a UTF-8 text file, reporting binary content. */
  text(path: string): string | undefined {
    const bytes = this.bytes(path, LIMITS.textFile);
    if (!bytes) return undefined;
    const decoded = decodeText(bytes);
    if (!decoded.ok) {
      this.report('file/binary', path, `${decoded.reason}; it must be UTF-8 text`, decoded.position);
      return undefined;
    }
    return decoded.text;
  }
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

/** `1 pack`, `2 packs`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function isDnsLabel(s: string): boolean {
  return s.length <= 63 && DNS_LABEL.test(s);
}

/**
 * A path named in pack.json must stay inside the pack: relative, forward slashes, no "." or ".."
 * segments. Returns the reason it does not, or undefined when it is fine.
 */
export function unsafePathReason(p: string): string | undefined {
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p)) return 'is an absolute path';
  if (p.includes('\\')) return 'uses backslashes; use "/"';
  if (p.includes('\0')) return 'contains a NUL character';
  const segs = p.split('/');
  if (segs.includes('..')) return 'climbs out of the pack with ".."';
  if (segs.some((s) => s === '' || s === '.')) return 'has empty or "." segments';
  return undefined;
}
