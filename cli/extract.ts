import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { packTreeFromArchive } from '../core/archive-tree.ts';

export interface ExtractedFile {
  /** Relative to the destination, with "/" separators. */
  path: string;
  size: number;
  mode: number;
}

export class UnsafeArchiveError extends Error {}

export class ExistingFileError extends Error {}

/** The most a pack archive may inflate to when pulled. */
export const MAX_INFLATED = 512 * 1024 * 1024;

/**
 * Extracts a pack archive's contents (below its single top-level folder) into `dest`, safely:
 * the archive is read with the registry's own reader (no "..", absolute paths, links or devices),
 * every folder on the way is checked with lstat (a symbolic link already in `dest` is never
 * followed), and files are created exclusively with O_NOFOLLOW, mode 0644 or 0755. Existing files
 * are refused before anything is written, unless `force` (they are then replaced, never written
 * through).
 */
export async function extractPack(
  archive: Uint8Array,
  dest: string,
  opts: { force?: boolean; maxInflated?: number } = {},
): Promise<{ topDir: string; files: ExtractedFile[] }> {
  const maxInflated = opts.maxInflated ?? MAX_INFLATED;
  const read = packTreeFromArchive(archive, maxInflated);
  if (!read.ok) throw new UnsafeArchiveError(`refusing to extract: ${read.reason}`);
  const problem = read.tree.problems[0];
  if (problem) throw new UnsafeArchiveError(`refusing to extract: "${problem.path}" ${problem.message}`);

  const dirs = read.tree.entries.filter((e) => e.type === 'directory').map((e) => e.path);
  const fileEntries = read.tree.entries.filter((e) => e.type === 'file');
  const files = fileEntries.map((e) => e.path);

  await fs.mkdir(dest, { recursive: true, mode: 0o755 });
  const root = await fs.realpath(dest);
  if (!(await fs.stat(root)).isDirectory()) throw new Error(`${dest} is not a folder`);

  // Refuse before writing anything: existing files (without --force), and anything in the way.
  const existing: string[] = [];
  for (const rel of files) {
    const st = await lstatOrUndefined(path.join(root, ...rel.split('/')));
    if (st?.isDirectory())
      throw new ExistingFileError(`${path.join(dest, rel)} is a folder; the pack has a file there`);
    if (st) existing.push(rel);
  }
  if (existing.length > 0 && !opts.force) {
    const shown = existing.slice(0, 5).map((f) => path.join(dest, f));
    throw new ExistingFileError(
      `${shown.join(', ')}${existing.length > 5 ? ` and ${existing.length - 5} more` : ''} already exist${existing.length === 1 ? 's' : ''}; pull into an empty folder or pass --force to replace them`,
    );
  }

  for (const rel of dirs) await ensureDir(root, rel);
  const written: ExtractedFile[] = [];
  for (const { path: rel, executable } of fileEntries) {
    const segs = rel.split('/');
    if (segs.length > 1) await ensureDir(root, segs.slice(0, -1).join('/'));
    const target = path.join(root, ...segs);
    const st = await lstatOrUndefined(target);
    if (st) await fs.unlink(target); // --force: replace the entry itself (a link is removed, not followed)
    const data = read.tree.read(rel, maxInflated);
    const mode = executable ? 0o755 : 0o644;
    const handle = await fs.open(
      target,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      mode,
    );
    try {
      await handle.chmod(mode); // exactly 0644/0755, whatever the umask
      await handle.writeFile(data);
    } finally {
      await handle.close();
    }
    written.push({ path: rel, size: data.length, mode });
  }
  return { topDir: read.topDir, files: written };
}

/** Creates `rel` under `root` one component at a time, refusing symbolic links and non-folders. */
async function ensureDir(root: string, rel: string): Promise<void> {
  let cur = root;
  for (const seg of rel.split('/')) {
    cur = path.join(cur, seg);
    const st = await lstatOrUndefined(cur);
    if (!st) {
      try {
        await fs.mkdir(cur, { mode: 0o755 });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const again = await fs.lstat(cur);
        if (!again.isDirectory() || again.isSymbolicLink())
          throw new UnsafeArchiveError(`refusing to extract: ${cur} appeared as a non-folder`);
      }
      continue;
    }
    if (st.isSymbolicLink())
      throw new UnsafeArchiveError(`refusing to extract through ${cur}: it is a symbolic link`);
    if (!st.isDirectory())
      throw new ExistingFileError(`${cur} exists and is not a folder; the pack has a folder there`);
  }
  const real = await fs.realpath(cur);
  if (real !== root && !real.startsWith(`${root}${path.sep}`)) {
    throw new UnsafeArchiveError(`refusing to extract: ${cur} resolves outside ${root}`);
  }
}

async function lstatOrUndefined(p: string) {
  try {
    return await fs.lstat(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
