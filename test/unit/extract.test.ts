import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExistingFileError, extractPack, UnsafeArchiveError } from '../../cli/extract.ts';
import { hostileArchive } from '../helpers/hostile.ts';
import { goodPack, tempDir } from '../helpers/packs.ts';
import { buildTestPack } from '../helpers/registry.ts';

const files = { 'pack.json': '{"name":"p","version":"1.0.0"}', 'values.yaml': 'a: 1\n' };

describe('extractPack', () => {
  it('writes the pack contents below its top folder', async () => {
    const built = await buildTestPack(goodPack(), 'demo-app', '1.0.0');
    const dest = path.join(tempDir(), 'out');
    const { topDir, files: written } = await extractPack(built.archive, dest);
    expect(topDir).toBe('demo-app-1.0.0');
    expect(written.map((f) => f.path)).toEqual([
      'README.md',
      'logo.png',
      'manifests/demo-app.yaml',
      'pack.json',
      'values.yaml',
    ]);
    expect(readFileSync(path.join(dest, 'values.yaml'), 'utf8')).toBe(goodPack()['values.yaml']);
    expect(statSync(path.join(dest, 'manifests')).mode & 0o777).toBe(0o755);
    expect(statSync(path.join(dest, 'pack.json')).mode & 0o777).toBe(0o644);
  });

  it.each([
    [
      'a path that climbs out',
      { path: 'p-1.0.0/../../evil', type: 'File' as const, data: 'x' },
      /escapes the archive/,
    ],
    ['an absolute path', { path: '/tmp/evil', type: 'File' as const, data: 'x' }, /escapes the archive/],
    [
      'a symbolic link',
      { path: 'p-1.0.0/link', type: 'SymbolicLink' as const, linkpath: '/etc/passwd' },
      /"link" is a symbolic link/,
    ],
    [
      'a second top-level folder',
      { path: 'other/x', type: 'File' as const, data: 'x' },
      /exactly one top-level folder/,
    ],
  ])('refuses an archive with %s, writing nothing', async (_what, entry, message) => {
    const dest = path.join(tempDir(), 'out');
    const archive = hostileArchive('p-1.0.0', files, [entry]);
    await expect(extractPack(archive, dest)).rejects.toThrow(UnsafeArchiveError);
    await expect(extractPack(archive, dest)).rejects.toThrow(message);
    expect(existsSync(path.join(dest, 'pack.json'))).toBe(false);
  });

  it('refuses existing files unless forced, and never writes through links', async () => {
    const root = tempDir();
    const dest = path.join(root, 'out');
    const archive = hostileArchive('p-1.0.0', { ...files, 'sub/file.txt': 'inner\n' }, []);
    mkdirSync(dest);
    writeFileSync(path.join(root, 'target.txt'), 'outside\n');
    symlinkSync(path.join(root, 'target.txt'), path.join(dest, 'values.yaml'));
    await expect(extractPack(archive, dest)).rejects.toThrow(ExistingFileError);
    await extractPack(archive, dest, { force: true });
    expect(readFileSync(path.join(root, 'target.txt'), 'utf8')).toBe('outside\n');
    expect(statSync(path.join(dest, 'values.yaml')).isFile()).toBe(true);

    const dest2 = path.join(root, 'out2');
    mkdirSync(dest2);
    mkdirSync(path.join(root, 'elsewhere'));
    symlinkSync(path.join(root, 'elsewhere'), path.join(dest2, 'sub'));
    await expect(extractPack(archive, dest2, { force: true })).rejects.toThrow(/is a symbolic link/);
    expect(existsSync(path.join(root, 'elsewhere', 'file.txt'))).toBe(false);
  });
});
