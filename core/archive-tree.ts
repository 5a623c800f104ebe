import zlib from 'node:zlib';
import { ArchiveLayout, normaliseEntryPath } from './archive-paths.ts';
import { FileTooLargeError, MAX_TREE_ENTRIES, type PackEntry, type PackTree } from './pack-tree.ts';
import { releaseBuffer } from './release-buffer.ts';
import { readTar, TarEntryLimitError, TarFormatError } from './tar.ts';

export type ArchiveTreeResult =
  | {
      ok: true;
      tree: PackTree;
      topDir: string;
      /** Frees the inflated archive now (the tree reads nothing afterwards); the registry calls it once a push is checked. */
      release(): void;
    }
  | { ok: false; reason: string };

/**
 * A pack tree read from a pack archive in memory (what the registry re-lints on push). The
 * archive must hold one top-level folder; entries that climb out, absolute paths, links and
 * devices are refused rather than followed.
 */
export function packTreeFromArchive(gz: Uint8Array, maxInflated: number): ArchiveTreeResult {
  let tar: Buffer;
  try {
    tar = inflate(gz, maxInflated);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return e.code === 'ERR_BUFFER_TOO_LARGE'
      ? { ok: false, reason: `the archive inflates to more than ${maxInflated} bytes` }
      : { ok: false, reason: `the layer is not a gzip archive (${e.message})` };
  }
  const files = new Map<string, { data: Buffer; executable: boolean }>();
  const dirs = new Set<string>();
  const tops = new Set<string>();
  const layout = new ArchiveLayout();
  try {
    readTar(
      tar,
      (entry) => {
        const norm = normaliseEntryPath(entry.path);
        if (!norm.ok) throw new ArchiveRefusal(norm.reason);
        const kind = entryKind(entry.typeflag);
        if (kind !== 'file' && kind !== 'directory') {
          throw new ArchiveRefusal(
            `"${relOf(norm.path) || norm.path}" is ${kind}; pack archives may only hold files and folders`,
          );
        }
        if (kind === 'file' && entry.path.endsWith('/'))
          throw new ArchiveRefusal(
            `file entry "${entry.path}" ends in "/" (some extractors make it a folder); rebuild the archive`,
          );
        if (norm.path === '') {
          if (kind === 'file') throw new ArchiveRefusal(`file entry "${entry.path}" has no name`);
          return; // "./": the archive root
        }
        const why = layout.add(norm.path, kind, entry.path);
        if (why) throw new ArchiveRefusal(why);
        const segs = norm.path.split('/');
        tops.add(segs[0] as string);
        const rel = segs.slice(1).join('/');
        if (kind === 'directory') {
          if (rel) dirs.add(rel);
          return;
        }
        if (!rel)
          throw new ArchiveRefusal(
            `file "${entry.path}" is not inside the pack folder (the archive's top-level folder)`,
          );
        files.set(rel, { data: entry.data, executable: (entry.mode & 0o111) !== 0 });
        for (let i = 1; i < segs.length - 1; i++) dirs.add(segs.slice(1, i + 1).join('/'));
      },
      { maxEntries: MAX_TREE_ENTRIES },
    );
  } catch (err) {
    releaseBuffer(tar);
    if (err instanceof ArchiveRefusal) return { ok: false, reason: err.message };
    if (err instanceof TarEntryLimitError)
      return {
        ok: false,
        reason: `${err.message}; a pack may have at most ${MAX_TREE_ENTRIES} (the CLI's limit)`,
      };
    if (err instanceof TarFormatError)
      return { ok: false, reason: `the layer is not a readable tar archive (${err.message})` };
    throw err;
  }
  if (tops.size !== 1) {
    releaseBuffer(tar);
    return { ok: false, reason: `the archive must hold exactly one top-level folder (found ${tops.size})` };
  }
  const entries: PackEntry[] = [
    ...[...dirs].map((p) => ({ path: p, type: 'directory' as const, size: 0, executable: true })),
    ...[...files].map(([p, f]) => ({
      path: p,
      type: 'file' as const,
      size: f.data.length,
      executable: f.executable,
    })),
  ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    ok: true,
    release: () => {
      files.clear();
      releaseBuffer(tar);
    },
    topDir: [...tops][0] as string,
    tree: {
      entries,
      problems: [],
      read: (rel, maxBytes) => {
        const data = files.get(rel)?.data;
        if (!data) throw Object.assign(new Error(`${rel} is not a file of the pack`), { code: 'ENOENT' });
        if (data.length > maxBytes) throw new FileTooLargeError(data.length, maxBytes);
        return data;
      },
    },
  };
}

/** Why an archive is refused as a whole (its extraction could differ from what is read here). */
class ArchiveRefusal extends Error {}

function relOf(path: string): string {
  return path.split('/').slice(1).join('/');
}

/** What an extractor makes of a type flag: GNU tar and Python extract unknown types as regular files, so they are refused. */
function entryKind(typeflag: string): 'file' | 'directory' | string {
  switch (typeflag) {
    case '0':
    case '\0':
    case '7':
      return 'file';
    case '5':
      return 'directory';
    case '1':
      return 'a hard link';
    case '2':
      return 'a symbolic link';
    case '3':
      return 'a character device';
    case '4':
      return 'a block device';
    case '6':
      return 'a FIFO';
    default:
      return `an entry of unsupported type "${typeflag.replace(/[^\x21-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}"`;
  }
}

/**
 * Gunzips into one buffer sized from the gzip trailer's length (bounded by `maxInflated` and by
 * deflate's 1032:1 ceiling, so a lying trailer costs nothing extra): one large allocation the
 * allocator maps and returns whole, instead of thousands of 16 KiB chunks concatenated (twice the
 * peak, and a fragmented heap that keeps the RSS of a large pack after the push).
 */
function inflate(gz: Uint8Array, maxInflated: number): Buffer {
  const hint =
    gz.length >= 18 ? Buffer.from(gz.buffer, gz.byteOffset, gz.byteLength).readUInt32LE(gz.length - 4) : 0;
  const chunkSize = Math.max(64 * 1024, Math.min(hint + 1, maxInflated + 1, gz.length * 1032 + 1024));
  return zlib.gunzipSync(gz, { maxOutputLength: maxInflated, chunkSize });
}
