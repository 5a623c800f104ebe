/**
 * What the registry lints is what extractors extract: every archive core/ accepts is extracted
 * by real GNU tar and by Python's tarfile, and both trees must equal the tree core/ read.
 * Archives whose entries alias one path (`./`, `//`, `a/./b`, pax and GNU long names), collide
 * a folder with a file, or hold anything but files and folders are refused with a clear reason.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { normaliseEntryPath } from '../../core/archive-paths.ts';
import { packTreeFromArchive } from '../../core/archive-tree.ts';
import { MAX_TREE_ENTRIES } from '../../core/pack-tree.ts';
import { tempDir } from '../helpers/packs.ts';
import { packEntries, paxRecords, type RawEntry, rawTarGz } from '../helpers/raw-tar.ts';

const TOP = 'p-1.0.0';
const FILES = {
  'pack.json': '{"name":"p","version":"1.0.0"}\n',
  'values.yaml': 'pack:\n  namespace: good\n',
  'manifests/app.yaml': 'kind: ConfigMap\n',
};
const clean = () => packEntries(TOP, FILES);

/** The tree an extractor left in `dir`: "path/" for folders, "path -> target" for links, file contents. */
function extractedTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (abs: string, rel: string) => {
    for (const name of readdirSync(abs).sort()) {
      const a = path.join(abs, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(a);
      if (st.isSymbolicLink()) out[r] = `-> ${readlinkSync(a)}`;
      else if (st.isDirectory()) {
        out[`${r}/`] = '';
        walk(a, r);
      } else out[r] = readFileSync(a, 'utf8');
    }
  };
  walk(dir, '');
  return out;
}

function gnuTarExtract(archive: string): Record<string, string> {
  const dir = tempDir('gnutar-');
  spawnSync('tar', ['-xzf', archive, '-C', dir, '--no-same-owner', '--no-same-permissions'], {
    stdio: 'ignore',
  });
  return extractedTree(dir);
}

const PY = `
import sys, tarfile
t = tarfile.open(sys.argv[1])
try:
    t.extractall(sys.argv[2], filter='tar')
except TypeError:
    t.extractall(sys.argv[2])
`;

function pythonExtract(archive: string): Record<string, string> {
  const dir = tempDir('pytar-');
  spawnSync('python3', ['-c', PY, archive, dir], { stdio: 'ignore' });
  return extractedTree(dir);
}

/** What core/ read, in the extractors' shape. */
function coreTree(gz: Buffer): Record<string, string> | string {
  const read = packTreeFromArchive(gz, 1 << 26);
  if (!read.ok) return read.reason;
  if (read.tree.problems.length > 0)
    return read.tree.problems.map((p) => `${p.path} ${p.message}`).join('; ');
  const out: Record<string, string> = { [`${read.topDir}/`]: '' };
  for (const e of read.tree.entries) {
    if (e.type === 'directory') out[`${read.topDir}/${e.path}/`] = '';
    else out[`${read.topDir}/${e.path}`] = Buffer.from(read.tree.read(e.path, 1 << 26)).toString('utf8');
  }
  return out;
}

function writeArchive(entries: RawEntry[]): { gz: Buffer; file: string } {
  const gz = rawTarGz(entries);
  const file = path.join(tempDir('arch-'), 'a.tar.gz');
  writeFileSync(file, gz);
  return { gz, file };
}

const long = `${'deep/'.repeat(30)}file.txt`; // 158 bytes below the top folder: needs pax or GNU names

describe('archives core/ accepts extract to exactly the tree it read (GNU tar, Python tarfile)', () => {
  it.each<[string, RawEntry[]]>([
    ['a clean pack', clean()],
    ['"./"-prefixed entries', clean().map((e) => ({ ...e, name: `./${e.name}` }))],
    [
      'a "./" root entry first',
      [{ name: './', type: '5' }, ...clean().map((e) => ({ ...e, name: `./${e.name}` }))],
    ],
    ['files without folder entries', clean().filter((e) => e.type !== '5')],
    ['a unique "a/./b" and "a//b" path', [...clean(), { name: `${TOP}/x/./y//z.txt`, data: 'z\n' }]],
    [
      'a pax path',
      [...clean(), { name: 'ignored-short-name', pax: { path: `${TOP}/${long}` }, data: 'L\n' }],
    ],
    ['a GNU long name', [...clean(), { name: 'cut', gnuLongName: `${TOP}/${long}`, data: 'G\n' }]],
    [
      'a ustar prefix',
      [...clean(), { name: 'file.txt', prefix: `${TOP}/${'deep/'.repeat(25)}`, data: 'P\n' }],
    ],
    [
      'old-style and contiguous files',
      [
        ...clean(),
        { name: `${TOP}/old.txt`, type: '\0', data: 'o\n' },
        { name: `${TOP}/c.txt`, type: '7', data: 'c\n' },
      ],
    ],
  ])('%s', (_what, entries) => {
    const { gz, file } = writeArchive(entries);
    const ours = coreTree(gz);
    expect(typeof ours, String(ours)).toBe('object');
    expect(gnuTarExtract(file)).toEqual(ours);
    expect(pythonExtract(file)).toEqual(ours);
  });
});

describe('archives whose extraction could differ from the linted tree are refused', () => {
  const dup = /two entries for .*values\.yaml|one path/;
  it.each<[string, RawEntry[], RegExp]>([
    [
      'a second copy under "./"',
      [...clean(), { name: `${TOP}/./values.yaml`, data: 'pack:\n  namespace: evil\n' }],
      dup,
    ],
    ['a second copy under "//"', [...clean(), { name: `${TOP}//values.yaml`, data: 'evil\n' }], dup],
    [
      'a second "./pack.json"',
      [...clean(), { name: `./${TOP}/pack.json`, data: '{"name":"evil"}' }],
      /pack\.json/,
    ],
    [
      'a second copy under "a/./b"',
      [...clean(), { name: `${TOP}/manifests/./app.yaml`, data: 'evil\n' }],
      /two entries for "p-1\.0\.0\/manifests\/app\.yaml" \(the second is "p-1\.0\.0\/manifests\/\.\/app\.yaml"\)/,
    ],
    ['the same path twice', [...clean(), { name: `${TOP}/values.yaml`, data: 'evil\n' }], dup],
    [
      'a folder entry on a file',
      [...clean(), { name: `${TOP}/values.yaml/`, type: '5' }],
      /values\.yaml.*both a file and a folder/,
    ],
    [
      'a file on a folder',
      [...clean(), { name: `${TOP}/manifests`, data: 'evil\n' }],
      /manifests.*both a file and a folder/,
    ],
    [
      'a file inside a file',
      [...clean(), { name: `${TOP}/values.yaml/x`, data: 'evil\n' }],
      /values\.yaml.*both a file and a folder/,
    ],
    [
      'a pax path aliasing a file',
      [...clean(), { name: `${TOP}/other.txt`, pax: { path: `${TOP}/values.yaml` }, data: 'evil\n' }],
      dup,
    ],
    [
      'a GNU long name aliasing a file',
      [...clean(), { name: `${TOP}/other.txt`, gnuLongName: `${TOP}/values.yaml`, data: 'evil\n' }],
      dup,
    ],
    [
      'a pax path and a GNU long name on one entry',
      [...clean(), { name: 'x', gnuLongName: `${TOP}/a.txt`, pax: { path: `${TOP}/b.txt` }, data: 'x\n' }],
      /both a pax header and a GNU long name/,
    ],
    [
      'a ustar prefix beside a pax path',
      [...clean(), { name: 'b.txt', prefix: 'elsewhere', pax: { path: `${TOP}/b.txt` }, data: 'x\n' }],
      /prefix/,
    ],
    [
      'a prefix under old GNU magic',
      [...clean(), { name: 'b.txt', prefix: `${TOP}`, magic: 'gnu', data: 'x\n' }],
      /prefix/,
    ],
    [
      'an old-style file ending in "/"',
      [...clean(), { name: `${TOP}/odd/`, type: '\0', data: 'x' }],
      /ends in "\/"/,
    ],
    [
      'a regular file ending in "/"',
      [...clean(), { name: `${TOP}/odd/`, type: '0', data: 'x' }],
      /ends in "\/"/,
    ],
    [
      'a hard link',
      [...clean(), { name: `${TOP}/copy.yaml`, type: '1', linkname: `${TOP}/values.yaml` }],
      /"copy\.yaml" is a hard link/,
    ],
    [
      'a symbolic link',
      [...clean(), { name: `${TOP}/link`, type: '2', linkname: '/etc/passwd' }],
      /"link" is a symbolic link/,
    ],
    ['a FIFO', [...clean(), { name: `${TOP}/fifo`, type: '6' }], /"fifo" is a FIFO/],
    ['a path that climbs out', [...clean(), { name: `${TOP}/../../evil`, data: 'x' }], /escapes the archive/],
    [
      'a path that climbs and comes back',
      [...clean(), { name: `${TOP}/manifests/../values.yaml`, data: 'x' }],
      /escapes the archive/,
    ],
    ['an absolute path', [...clean(), { name: '/tmp/evil', data: 'x' }], /absolute/],
    ['a control character in a name', [...clean(), { name: `${TOP}/a\tb`, data: 'x' }], /control character/],
    [
      'a NUL in a pax path',
      [...clean(), { name: 'x', pax: { path: `${TOP}/values.yaml\0.txt` }, data: 'x' }],
      /control character/,
    ],
    [
      'a global pax path',
      [{ name: 'g', type: 'g', data: paxRecords({ path: `${TOP}/values.yaml` }) }, ...clean()],
      /global/,
    ],
    [
      'a file at the top level',
      [...clean(), { name: './values.yaml', data: 'x' }],
      /not inside the pack folder|top-level/,
    ],
  ])('%s', (_what, entries, reason) => {
    const { gz } = writeArchive(entries);
    const read = packTreeFromArchive(gz, 1 << 26);
    expect(read.ok, JSON.stringify(read)).toBe(false);
    if (!read.ok) expect(read.reason).toMatch(reason);
  });

  it('shows the attack: GNU tar and Python extract the second "./" copy, not the first', () => {
    const { file } = writeArchive([...clean(), { name: `${TOP}/./values.yaml`, data: 'evil\n' }]);
    expect(gnuTarExtract(file)[`${TOP}/values.yaml`]).toBe('evil\n');
    expect(pythonExtract(file)[`${TOP}/values.yaml`]).toBe('evil\n');
  });

  it(`refuses more than ${MAX_TREE_ENTRIES} entries (the CLI's limit) without reading them all`, () => {
    const many: RawEntry[] = clean();
    for (let i = 0; i < MAX_TREE_ENTRIES + 5; i++) many.push({ name: `${TOP}/f/${i}`, data: '' });
    const { gz } = writeArchive(many);
    const t0 = performance.now();
    const read = packTreeFromArchive(gz, 1 << 28);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.reason).toContain(`more than ${MAX_TREE_ENTRIES} entries`);
  });
});

describe('normaliseEntryPath', () => {
  it.each([
    ['a/b', 'a/b'],
    ['./a/b', 'a/b'],
    ['a//b/', 'a/b'],
    ['a/./b/.', 'a/b'],
    ['./', ''],
    ['.', ''],
  ])('%s → %s', (raw, want) => {
    expect(normaliseEntryPath(raw)).toEqual({ ok: true, path: want });
  });
  it.each(['/a', 'a/../b', '..', 'a\nb', 'a\\..\\b'.replace(/\\/g, '/')])('refuses %j', (raw) => {
    expect(normaliseEntryPath(raw).ok).toBe(false);
  });
});

it('python3 and GNU tar are installed (the cross-checks above need them)', () => {
  expect(execFileSync('tar', ['--version']).toString()).toContain('GNU tar');
  expect(execFileSync('python3', ['-c', 'import tarfile; print("ok")']).toString().trim()).toBe('ok');
  mkdirSync(tempDir(), { recursive: true });
});

describe('chart archives inside a pack are read as Helm reads them', () => {
  // Helm's loader (pkg/chart/loader/archive.go) cleans each path after the first component and
  // keeps the later copy of Chart.yaml: the linter must judge that copy, not the first.
  it('lints the Chart.yaml Helm would load when a second copy hides under "./"', async () => {
    const { readChartArchive } = await import('../../core/chart-archive.ts');
    const good = [
      { name: 'mychart/', type: '5' },
      { name: 'mychart/Chart.yaml', data: 'apiVersion: v2\nname: mychart\nversion: 1.0.0\n' },
    ];
    const clean = readChartArchive(rawTarGz(good), 1 << 20);
    expect(clean.ok && clean.chart.chartYaml).toContain('name: mychart');
    const evil = readChartArchive(
      rawTarGz([...good, { name: 'mychart/./Chart.yaml', data: 'name: evil\n' }]),
      1 << 20,
    );
    expect(evil.ok && evil.chart.chartYaml).toBe('name: evil\n');
  });
});
