import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { goodPack, makePack, ROOT, runCli, tempDir } from '../helpers/packs.ts';

const version = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;

function packWithFindings(): string {
  const root = tempDir();
  makePack(goodPack(), root, 'packs/good');
  makePack(
    goodPack({
      'pack.json': String(goodPack()['pack.json']).replace('"demo-app"', '"bad-app"'),
      'values.yaml':
        'pack:\n  namespace: Not_A_Label\n  content:\n    images:\n      - image: x/y:1\nmanifests:\n  demo-app: {}\n  ghost: {}\n',
    }),
    root,
    'packs/bad',
  );
  return root;
}

describe('packyard CLI', () => {
  it('prints its version and help for every command', async () => {
    expect((await runCli(['--version'])).stdout.trim()).toBe(version);
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    for (const cmd of ['lint', 'build', 'rules']) {
      expect(top.stdout).toContain(cmd);
      const help = await runCli([cmd, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: packyard ${cmd}`);
    }
  });

  it('exits 2 on usage errors', async () => {
    expect((await runCli([])).code).toBe(2);
    expect((await runCli(['lint', '--format', 'xml'])).code).toBe(2);
    expect((await runCli(['frobnicate'])).code).toBe(2);
    expect((await runCli(['build', '.'])).code).toBe(2); // --out is required
    const missing = await runCli(['lint', '/no/such/folder']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('/no/such/folder: no such folder');
  });

  it('exits 1 when no pack is found', async () => {
    const res = await runCli(['lint', tempDir()]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('no packs found');
  });

  it('lints a clean pack with exit 0 and a summary', async () => {
    const dir = makePack(goodPack());
    const res = await runCli(['lint', dir]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('(demo-app@1.0.0)');
    expect(res.stdout).toContain('1 pack checked: 0 errors, 0 warnings');
  });

  it('reports findings as text with file:line:column, severity and rule id', async () => {
    const root = packWithFindings();
    const res = await runCli(['lint', 'packs'], { cwd: root });
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(
      /packs\/bad\/values\.yaml:2:14 {2}error {4}pack\.namespace "Not_A_Label" is not a DNS label.* {2}values\/namespace/,
    );
    expect(res.stdout).toMatch(
      /packs\/bad\/values\.yaml:8:3 {2}warning {2}manifests\.ghost matches no kubeManifests file/,
    );
    expect(res.stdout).toContain('2 packs checked: 1 error, 1 warning');
  });

  it('prints findings and a per-pack summary as JSON', async () => {
    const root = packWithFindings();
    const res = await runCli(['lint', 'packs', '--format', 'json'], { cwd: root });
    expect(res.code).toBe(1);
    const out = JSON.parse(res.stdout);
    expect(out.findings).toEqual([
      expect.objectContaining({
        pack: 'packs/bad',
        file: 'packs/bad/values.yaml',
        line: 2,
        column: 14,
        rule: 'values/namespace',
        severity: 'error',
      }),
      expect.objectContaining({
        pack: 'packs/bad',
        file: 'packs/bad/values.yaml',
        line: 8,
        column: 3,
        rule: 'values/unknown-manifest',
        severity: 'warning',
      }),
    ]);
    expect(out.packs).toEqual([
      { pack: 'packs/bad', name: 'bad-app', version: '1.0.0', errors: 1, warnings: 1 },
      { pack: 'packs/good', name: 'demo-app', version: '1.0.0', errors: 0, warnings: 0 },
    ]);
    expect(out.summary).toEqual({ packs: 2, errors: 1, warnings: 1 });
  });

  it('prints GitHub workflow commands with escaped values', async () => {
    const root = packWithFindings();
    const res = await runCli(['lint', 'packs', '--format', 'github'], { cwd: root });
    const lines = res.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^::error file=packs\/bad\/values\.yaml,line=2,col=14,title=packyard values\/namespace::pack\.namespace/,
    );
    expect(lines[1]).toMatch(
      /^::warning file=packs\/bad\/values\.yaml,line=8,col=3,title=packyard values\/unknown-manifest::/,
    );
  });

  it('fails on warnings with --fail-on warning', async () => {
    const dir = makePack(goodPack({ 'README.md': undefined }));
    expect((await runCli(['lint', dir])).code).toBe(0);
    const strict = await runCli(['lint', dir, '--fail-on', 'warning']);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('readme/missing');
  });

  it('lists the rules', async () => {
    const res = await runCli(['rules', '--format', 'json']);
    const rules = JSON.parse(res.stdout) as { id: string; severity: string }[];
    expect(rules.map((r) => r.id)).toContain('pack-json/schema');
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
  });
});
