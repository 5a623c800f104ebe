import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures');
export const CLI = path.join(ROOT, 'bin', 'packyard.js');

/** A 1×1 PNG: the smallest valid logo. */
export const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

export type PackFiles = Record<string, string | Buffer>;

/** goodPack()'s pack.json. */
export const GOOD_PACK_JSON: Record<string, unknown> = {
  name: 'demo-app',
  displayName: 'Demo App',
  version: '1.0.0',
  layer: 'addon',
  addonType: 'app services',
  cloudTypes: ['all'],
  kubeManifests: ['manifests/demo-app.yaml'],
};

/** goodPack()'s values.yaml, line by line. */
export const GOOD_VALUES = [
  'pack:',
  '  namespace: demo',
  '  content:',
  '    images:',
  '      - image: ghcr.io/example/demo:1.0.0',
  'manifests:',
  '  demo-app:',
  '    replicas: 1',
];

/** A clean manifest-based pack: lints with zero findings. Override or delete (undefined) files. */
export function goodPack(overrides: Record<string, string | Buffer | undefined> = {}): PackFiles {
  const base: Record<string, string | Buffer | undefined> = {
    'pack.json': JSON.stringify(GOOD_PACK_JSON, null, 2),
    'values.yaml': `${GOOD_VALUES.join('\n')}\n`,
    'manifests/demo-app.yaml': [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: demo',
      '  namespace: {{ .Values.namespace }}',
      'spec:',
      '  replicas: {{ .Values.replicas }}',
      '',
    ].join('\n'),
    'logo.png': TINY_PNG,
    'README.md': '# Demo App\n',
    ...overrides,
  };
  return Object.fromEntries(
    Object.entries(base).filter((e): e is [string, string | Buffer] => e[1] !== undefined),
  );
}

const tempDirs: string[] = [];
afterAll(() => {
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fresh temp folder, removed after the test file. */
export function tempDir(prefix = 'packyard-test-'): string {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  tempDirs.push(d);
  return d;
}

export function writeFiles(dir: string, files: PackFiles): string {
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(dir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return dir;
}

/** Writes a pack into a new temp folder (or `dir/sub`) and returns its path. */
export function makePack(files: PackFiles, dir = tempDir(), sub = ''): string {
  return writeFiles(path.join(dir, sub), files);
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `packyard` bin as a subprocess (optionally feeding standard input). */
export function runCli(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      {
        cwd: opts.cwd ?? ROOT,
        env: { ...process.env, NO_COLOR: '1', ...opts.env },
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err
          ? typeof (err as { code?: unknown }).code === 'number'
            ? (err as { code: number }).code
            : -1
          : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    child.stdin?.end(opts.input ?? '');
  });
}

/** An uncompressed tar of the given entries (a name ending in "/" is a folder), in the given order. */
export async function tarOf(entries: Record<string, string | Buffer>): Promise<Buffer> {
  const { writeTar } = await import('../../core/tar.ts');
  return writeTar(
    Object.entries(entries).map(([name, content]) =>
      name.endsWith('/')
        ? { path: name, type: 'directory' as const, mode: 0o755 }
        : { path: name, type: 'file' as const, mode: 0o644, data: Buffer.from(content) },
    ),
  );
}

/** A gzipped tar, like the chart archives "helm package" writes. */
export async function tgzOf(entries: Record<string, string | Buffer>): Promise<Buffer> {
  const { gzipSync } = await import('node:zlib');
  return gzipSync(await tarOf(entries));
}

/** A minimal valid Helm chart archive named `mychart` (override or delete files under mychart/). */
export function chartTgz(overrides: Record<string, string | Buffer | undefined> = {}): Promise<Buffer> {
  const files: Record<string, string | Buffer | undefined> = {
    'mychart/Chart.yaml': 'apiVersion: v2\nname: mychart\nversion: 1.0.0\n',
    'mychart/values.yaml': 'replicaCount: 1\n',
    ...overrides,
  };
  return tgzOf(
    Object.fromEntries(
      Object.entries(files).filter((e): e is [string, string | Buffer] => e[1] !== undefined),
    ),
  );
}
