import fs from 'node:fs';
import path from 'node:path';
import ignore from 'ignore';

/** A regular file or directory of a pack, with a POSIX path relative to the pack root. */
export interface PackEntry {
  path: string;
  type: 'file' | 'directory';
  size: number;
  executable: boolean;
}

/** Something in the tree that is not packaged: a bad symlink, a FIFO, an unreadable folder. */
export interface TreeProblem {
  path: string;
  rule: 'file/symlink' | 'file/unreadable';
  message: string;
}

/** The files of one pack, from a folder or (in the registry) from an archive. */
export interface PackTree {
  /** Sorted by path (byte order); ignores applied; in-pack symlinks resolved to their targets. */
  readonly entries: readonly PackEntry[];
  readonly problems: readonly TreeProblem[];
  /** Reads a file listed in `entries`; throws FileTooLargeError past maxBytes. Synchronous: packs are small local or in-memory trees. */
  read(relPath: string, maxBytes: number): Uint8Array;
}

export class FileTooLargeError extends Error {
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(`file is ${size} bytes, over the ${limit}-byte limit`);
  }
}

/** Never packaged: VCS metadata, OS and editor droppings. `.packignore` adds to these. */
export const DEFAULT_IGNORES = [
  '.git/',
  '.svn/',
  '.hg/',
  '.bzr/',
  'CVS/',
  '.DS_Store',
  '._*',
  'Thumbs.db',
  'desktop.ini',
  '.idea/',
  '.vscode/',
  '*.swp',
  '*.swo',
  '*~',
  '.#*',
  '.packignore',
];

export const MAX_TREE_ENTRIES = 20_000;

// Lower case: the `ignore` library matches case-insensitively by default.
const DEFAULT_IGNORED_DIRS = new Set(['.git', '.svn', '.hg', '.bzr', 'cvs', '.idea', '.vscode']);
const DEFAULT_IGNORED_FILES = new Set(['.ds_store', 'thumbs.db', 'desktop.ini', '.packignore']);

/**
 * DEFAULT_IGNORES for one entry whose parent folders are not ignored: every default pattern
 * matches a base name, so this is the same answer as the `ignore` library at a fraction of its
 * cost per file (a test compares the two). Used when a pack has no `.packignore`.
 */
export function ignoredByDefault(name: string, isDir: boolean): boolean {
  const n = name.toLowerCase();
  if (isDir && DEFAULT_IGNORED_DIRS.has(n)) return true;
  if (DEFAULT_IGNORED_FILES.has(n)) return true;
  return (
    n.startsWith('._') || n.startsWith('.#') || n.endsWith('.swp') || n.endsWith('.swo') || n.endsWith('~')
  );
}

/** Whether a path (relative, `/`-separated) is left out of the pack; folders are tested as they are entered. */
type IgnoreTest = (rel: string, name: string, isDir: boolean) => boolean;

export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * Reads a pack folder's tree. Never follows a symlink out of the pack. File system calls are
 * synchronous on purpose: a pack is thousands of small files, and the promise API costs ~15×
 * more per file than the work itself.
 */
export function readPackTree(dir: string): PackTree {
  const root = fs.realpathSync(dir);
  const problems: TreeProblem[] = [];
  let ignored: IgnoreTest = (_rel, name, isDir) => ignoredByDefault(name, isDir);
  try {
    const ig = ignore()
      .add(DEFAULT_IGNORES)
      .add(fs.readFileSync(path.join(root, '.packignore'), 'utf8'));
    ignored = (rel, _name, isDir) => ig.ignores(isDir ? `${rel}/` : rel);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      problems.push({
        path: '.packignore',
        rule: 'file/unreadable',
        message: `cannot read .packignore: ${errText(err)}`,
      });
    }
  }
  const entries: PackEntry[] = [];
  walk(root, '', root, ignored, entries, problems);
  entries.sort((a, b) => compareBytes(a.path, b.path));
  const byPath = new Map(entries.map((e) => [e.path, e]));
  return {
    entries,
    problems,
    read: (rel, maxBytes) => {
      const type = byPath.get(rel)?.type;
      if (type === 'directory')
        throw Object.assign(new Error(`${rel} is a folder, not a file`), { code: 'EISDIR' });
      if (type !== 'file')
        throw Object.assign(new Error(`${rel} is not a file of the pack`), { code: 'ENOENT' });
      return readBounded(path.join(root, ...rel.split('/')), maxBytes);
    },
  };
}

function walk(
  root: string,
  rel: string,
  abs: string,
  ignored: IgnoreTest,
  entries: PackEntry[],
  problems: TreeProblem[],
): void {
  let names: string[];
  try {
    names = fs.readdirSync(abs);
  } catch (err) {
    problems.push({
      path: rel || '.',
      rule: 'file/unreadable',
      message: `cannot list folder: ${errText(err)}`,
    });
    return;
  }
  names.sort(compareBytes);
  for (const name of names) {
    if (entries.length >= MAX_TREE_ENTRIES) {
      problems.push({
        path: rel || '.',
        rule: 'file/unreadable',
        message: `the pack has more than ${MAX_TREE_ENTRIES} files; list build outputs in .packignore`,
      });
      return;
    }
    const childRel = rel ? `${rel}/${name}` : name;
    const childAbs = path.join(abs, name);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(childAbs);
    } catch (err) {
      problems.push({ path: childRel, rule: 'file/unreadable', message: `cannot stat: ${errText(err)}` });
      continue;
    }
    const isDir = st.isDirectory();
    if (ignored(childRel, name, isDir)) continue;
    if (st.isSymbolicLink()) {
      const resolved = resolveLink(root, childAbs, childRel, problems);
      if (!resolved) continue;
      if (resolved.isDirectory()) {
        problems.push({
          path: childRel,
          rule: 'file/symlink',
          message:
            'is a symbolic link to a folder; packs may only link files. Replace the link with the folder itself',
        });
        continue;
      }
      st = resolved;
    }
    if (isDir) {
      entries.push({ path: childRel, type: 'directory', size: 0, executable: true });
      walk(root, childRel, childAbs, ignored, entries, problems);
    } else if (st.isFile()) {
      entries.push({ path: childRel, type: 'file', size: st.size, executable: (st.mode & 0o111) !== 0 });
    } else {
      problems.push({
        path: childRel,
        rule: 'file/unreadable',
        message: 'is not a regular file (a FIFO, socket or device); remove it from the pack',
      });
    }
  }
}

function resolveLink(root: string, abs: string, rel: string, problems: TreeProblem[]): fs.Stats | undefined {
  let target: string;
  try {
    target = fs.realpathSync(abs);
  } catch {
    let to = '?';
    try {
      to = fs.readlinkSync(abs);
    } catch {}
    problems.push({
      path: rel,
      rule: 'file/symlink',
      message: `is a dangling symbolic link (to "${to}"); fix or remove it`,
    });
    return undefined;
  }
  if (target !== root && !target.startsWith(root + path.sep)) {
    problems.push({
      path: rel,
      rule: 'file/symlink',
      message: 'is a symbolic link that leaves the pack folder; copy the file into the pack instead',
    });
    return undefined;
  }
  return fs.statSync(abs);
}

/** Reads a whole file, refusing before reading when it is over the limit (or not a regular file). */
export function readBounded(file: string, maxBytes: number): Uint8Array {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
    if (st.size > maxBytes) throw new FileTooLargeError(st.size, maxBytes);
    const buf = Buffer.allocUnsafe(st.size);
    let off = 0;
    while (off < st.size) {
      const n = fs.readSync(fd, buf, off, st.size - off, off);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off);
  } finally {
    fs.closeSync(fd);
  }
}

export function errText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return 'permission denied';
  if (e?.code === 'EISDIR') return 'is a folder, not a file';
  if (e?.code === 'ENOENT') return 'does not exist';
  return e?.message ?? String(err);
}
