import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { WebAsset, WebAssets } from './assets.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
};

const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.map']);

/** Asset names as the build writes them: no separators, no dot-files, so no path can escape. */
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/** Reads the built UI from `dir` (index.html, assets/*), each file once per container. */
export function dirWebAssets(dir: string): WebAssets {
  const cache = new Map<string, Promise<WebAsset | undefined>>();
  const load = (file: string): Promise<WebAsset | undefined> => {
    let hit = cache.get(file);
    if (!hit) {
      hit = readFile(path.join(dir, file)).then(
        (bytes) => ({
          bytes,
          contentType: TYPES[path.extname(file)] ?? 'application/octet-stream',
          etag: `"${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}"`,
          // Once per container: the pack page's script is ~200 KB, ~75 KB gzipped.
          gzip:
            COMPRESSIBLE.has(path.extname(file)) && bytes.length > 1024
              ? gzipSync(bytes, { level: 9 })
              : undefined,
        }),
        (err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT' || err.code === 'EISDIR') return undefined;
          cache.delete(file); // a transient read error is retried on the next request
          throw err;
        },
      );
      cache.set(file, hit);
    }
    return hit;
  };
  return {
    index: () => load('index.html'),
    asset: (name) => (ASSET_NAME.test(name) ? load(path.join('assets', name)) : Promise.resolve(undefined)),
  };
}
