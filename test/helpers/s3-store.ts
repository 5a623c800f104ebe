import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * What s3rver really holds on disk for a bucket: `<dataDir>/s3/<bucket>/<key>._S3rver_object`
 * (the tests check the store itself, not the API in front of it). Key → size.
 */
export function s3Objects(dataDir: string, bucket = 'packyard-blobs'): Map<string, number> {
  const root = path.join(dataDir, 's3', bucket);
  const out = new Map<string, number>();
  const walk = (dir: string) => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of entries) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('._S3rver_object'))
        out.set(
          path.relative(root, full).slice(0, -'._S3rver_object'.length).split(path.sep).join('/'),
          statSync(full).size,
        );
    }
  };
  walk(root);
  return out;
}

export const totalBytes = (objects: Map<string, number>, prefix = '') =>
  [...objects].filter(([k]) => k.startsWith(prefix)).reduce((n, [, s]) => n + s, 0);
