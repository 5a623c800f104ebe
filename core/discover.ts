import { promises as fs } from 'node:fs';
import path from 'node:path';
import { compareBytes } from './pack-tree.ts';

const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', '.packyard', 'dist', 'cdk.out']);

export class PathNotFoundError extends Error {}

/**
 * Finds packs (folders holding pack.json) under each root. A pack's own subfolders are its
 * content, so discovery does not descend into a pack. Returns paths as the user wrote them.
 */
export async function discoverPacks(roots: readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const root of roots) {
    const st = await fs.stat(root).catch(() => undefined);
    if (!st?.isDirectory()) throw new PathNotFoundError(`${root}: no such folder`);
    await walk(root, found, 0);
  }
  return [...found].sort(compareBytes);
}

async function walk(dir: string, found: Set<string>, depth: number): Promise<void> {
  if (depth > 32) return;
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  if (entries.some((e) => e.name === 'pack.json' && !e.isDirectory())) {
    found.add(path.normalize(dir));
    return;
  }
  const subdirs = entries
    .filter((e) => e.isDirectory() && !SKIP_DIRS.has(e.name))
    .map((e) => e.name)
    .sort(compareBytes);
  for (const name of subdirs) await walk(path.join(dir, name), found, depth + 1);
}
