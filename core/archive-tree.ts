import zlib from 'node:zlib';
import { FileTooLargeError, type PackEntry, type PackTree, type TreeProblem } from './pack-tree.ts';
import { readTar, TarFormatError } from './tar.ts';

export type ArchiveTreeResult = { ok: true; tree: PackTree; topDir: string } | { ok: false; reason: string };

/**
 * A pack tree read from a pack archive in memory (what the registry re-lints on push). The
 * archive must hold one top-level folder; entries that climb out, absolute paths, links and
 * devices are refused rather than followed.
 */
export function packTreeFromArchive(gz: Uint8Array, maxInflated: number): ArchiveTreeResult {
  let tar: Buffer;
  try {
    tar = zlib.gunzipSync(gz, { maxOutputLength: maxInflated });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return e.code === 'ERR_BUFFER_TOO_LARGE'
      ? { ok: false, reason: `the archive inflates to more than ${maxInflated} bytes` }
      : { ok: false, reason: `the layer is not a gzip archive (${e.message})` };
  }
  const files = new Map<string, { data: Buffer; executable: boolean }>();
  const dirs = new Set<string>();
  const problems: TreeProblem[] = [];
  const tops = new Set<string>();
  try {
    readTar(tar, (entry) => {
      const name = entry.path.replace(/^\.\//, '').replace(/\/+$/, '');
      const segs = name.split('/');
      if (entry.path.startsWith('/') || segs.includes('..') || segs.some((s) => s === '')) {
        throw new TarFormatError(`entry "${entry.path}" escapes the archive`);
      }
      tops.add(segs[0] as string);
      const rel = segs.slice(1).join('/');
      if (entry.type === 'Directory') {
        if (rel) dirs.add(rel);
      } else if (entry.type === 'File' || entry.type === 'OldFile' || entry.type === 'ContiguousFile') {
        if (!rel) throw new TarFormatError(`file "${entry.path}" is not inside the pack folder`);
        files.set(rel, { data: entry.data, executable: (entry.mode & 0o111) !== 0 });
        for (let i = 1; i < segs.length - 1; i++) dirs.add(segs.slice(1, i + 1).join('/'));
      } else if (entry.type === 'SymbolicLink' || entry.type === 'Link') {
        problems.push({
          path: rel || name,
          rule: 'file/symlink',
          message: `is a ${entry.type === 'Link' ? 'hard' : 'symbolic'} link; archives may only hold files and folders`,
        });
      } else {
        problems.push({
          path: rel || name,
          rule: 'file/unreadable',
          message: `is a ${entry.type} entry; archives may only hold files and folders`,
        });
      }
    });
  } catch (err) {
    return { ok: false, reason: `the layer is not a readable tar archive (${(err as Error).message})` };
  }
  if (tops.size !== 1) {
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
    topDir: [...tops][0] as string,
    tree: {
      entries,
      problems,
      read: (rel, maxBytes) => {
        const data = files.get(rel)?.data;
        if (!data) throw Object.assign(new Error(`${rel} is not a file of the pack`), { code: 'ENOENT' });
        if (data.length > maxBytes) throw new FileTooLargeError(data.length, maxBytes);
        return data;
      },
    },
  };
}
