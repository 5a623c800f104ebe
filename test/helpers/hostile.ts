import { gzipSync } from 'node:zlib';
import { Header } from 'tar/header';
import { writeTar } from '../../core/tar.ts';
import type { PackFiles } from './packs.ts';

/**
 * A gzipped pack archive (files under `<top>/`) with raw extra entries appended: symbolic links,
 * or paths that climb out — what a hostile or broken publisher could push to a plain registry.
 */
export function hostileArchive(
  top: string,
  files: PackFiles,
  extra: { path: string; type: 'SymbolicLink' | 'File'; linkpath?: string; data?: string }[],
): Buffer {
  const tar = writeTar([
    { path: `${top}/`, type: 'directory', mode: 0o755 },
    ...Object.entries(files).map(([p, data]) => ({
      path: `${top}/${p}`,
      type: 'file' as const,
      mode: 0o644,
      data: Buffer.from(data),
    })),
  ]);
  const parts: Buffer[] = [tar.subarray(0, tar.length - 1024)]; // without the end-of-archive blocks
  for (const e of extra) {
    const data = Buffer.from(e.data ?? '');
    const block = Buffer.alloc(512);
    new Header({
      path: e.path,
      mode: e.type === 'SymbolicLink' ? 0o777 : 0o644,
      uid: 0,
      gid: 0,
      size: data.length,
      mtime: new Date(0),
      type: e.type,
      linkpath: e.linkpath ?? '',
      uname: '',
      gname: '',
    }).encode(block, 0);
    parts.push(block);
    if (data.length > 0) parts.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts));
}
