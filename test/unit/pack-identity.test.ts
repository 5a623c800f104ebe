import { chmodSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ignore from 'ignore';
import { describe, expect, it } from 'vitest';
import { packTreeFromArchive } from '../../core/archive-tree.ts';
import { buildPack } from '../../core/build-pack.ts';
import { packContentDigest } from '../../core/pack-identity.ts';
import { DEFAULT_IGNORES, ignoredByDefault, readPackTree } from '../../core/pack-tree.ts';
import { goodPack, makePack, ROOT } from '../helpers/packs.ts';

const CORPUS = path.join(ROOT, '..', 'shared', 'corpus', 'pack-central');

async function archiveDigest(dir: string): Promise<string | undefined> {
  const built = await buildPack(readPackTree(dir), 'p', '1.0.0');
  const read = packTreeFromArchive(built.archive, 1 << 30);
  if (!read.ok) throw new Error(read.reason);
  return packContentDigest(read.tree);
}

describe('packContentDigest', () => {
  it('is the same for a folder and the archive packyard builds from it', async () => {
    const dir = makePack({ ...goodPack(), 'charts/empty/.keep': '', 'bin/run.sh': '#!/bin/sh\n' });
    chmodSync(path.join(dir, 'bin/run.sh'), 0o755);
    expect(await archiveDigest(dir)).toBe(packContentDigest(readPackTree(dir)));
  });

  it('matches folder and archive for real corpus packs', async () => {
    const packs = readdirSync(CORPUS).slice(0, 6);
    for (const p of packs) {
      const dir = path.join(CORPUS, p);
      expect(await archiveDigest(dir), p).toBe(packContentDigest(readPackTree(dir)));
    }
  });

  it('changes with a byte, a name, the executable bit, or a tree problem', () => {
    const digest = (dir: string) => packContentDigest(readPackTree(dir));
    const base = digest(makePack(goodPack()));
    expect(digest(makePack(goodPack()))).toBe(base); // same content elsewhere, other mtimes
    expect(digest(makePack(goodPack({ 'README.md': '# Hello universe.\n' })))).not.toBe(base);
    const renamed = goodPack();
    renamed['README.markdown'] = renamed['README.md'] as string;
    delete renamed['README.md'];
    expect(digest(makePack(renamed))).not.toBe(base);
    const exec = makePack(goodPack());
    chmodSync(path.join(exec, 'README.md'), 0o755);
    expect(digest(exec)).not.toBe(base);
    const broken = makePack(goodPack());
    symlinkSync('/etc/passwd', path.join(broken, 'outside'));
    expect(digest(broken)).not.toBe(base);
    const extra = makePack(goodPack());
    writeFileSync(path.join(extra, 'notes.txt'), '');
    expect(digest(extra)).not.toBe(base);
  });
});

describe('ignoredByDefault', () => {
  it('answers exactly as the ignore library does with DEFAULT_IGNORES', () => {
    const ig = ignore().add(DEFAULT_IGNORES);
    const names = [
      '.git',
      '.gitignore',
      '.github',
      '.svn',
      '.hg',
      '.bzr',
      'CVS',
      'cvs',
      '.idea',
      '.vscode',
      '.DS_Store',
      '._foo',
      '_foo',
      'Thumbs.db',
      'desktop.ini',
      'values.yaml',
      'a.swp',
      'a.swo',
      'swp',
      'notes~',
      '~notes',
      '.#lock',
      '#x',
      '.packignore',
      'pack.json',
      'README.md',
      '.env',
    ];
    for (const name of names) {
      for (const isDir of [false, true]) {
        for (const parent of ['', 'charts/', 'a/b/']) {
          const rel = `${parent}${name}`;
          expect(ignoredByDefault(name, isDir), `${rel}${isDir ? '/' : ''}`).toBe(
            ig.ignores(isDir ? `${rel}/` : rel),
          );
        }
      }
    }
  });
});
