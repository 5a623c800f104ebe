/**
 * `packyard init` (and Spectro's `pack build NAME DIR`) as users run it: the real CLI bundle
 * builds packs from the example chart (its .tgz and its unpacked folder), the example manifests
 * and, when the shared corpus is present, a real community chart; each result lints with no
 * errors and no warnings, builds, pushes to `packyard serve`'s stack and pulls back unchanged.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { beforeAll, describe, it } from 'vitest';
import { parse } from 'yaml';
import { readChartArchive } from '../../core/chart-archive.ts';
import { readPngHeader } from '../../core/png.ts';
import type { LocalRegistry } from '../../lambdas/local/serve.ts';
import { ROOT, runCli, tempDir } from '../helpers/packs.ts';
import { cliEnv } from '../helpers/publish.ts';
import { startTestRegistry, WRITER } from '../helpers/registry.ts';

const EXAMPLE_CHART = path.join(ROOT, 'examples/packs/podinfo-chart/charts/podinfo-lite-0.2.0.tgz');
const EXAMPLE_MANIFEST = path.join(ROOT, 'examples/packs/hello-packyard/manifests/hello-packyard.yaml');
const CORPUS = path.join(ROOT, '..', 'shared', 'corpus', 'pack-central');
const CORPUS_CHART = path.join(CORPUS, 'kubewatch-1.0.7', 'charts', 'kubewatch.tgz');

let reg: LocalRegistry;
let ref: string;

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return cliEnv(WRITER, extra);
}

/** Every file under dir, relative, with its bytes. */
function files(dir: string, rel = ''): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const d of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${d.name}` : d.name;
    if (d.isDirectory()) Object.assign(out, files(dir, p));
    else out[p] = readFileSync(path.join(dir, p));
  }
  return out;
}

/** init's pack: lint --fail-on warning is clean, build works, push publishes, pull gives the same files. */
async function roundTrip(expect: import('vitest').ExpectStatic, dir: string, name: string, version: string) {
  const lint = await runCli(['lint', dir, '--fail-on', 'warning', '--format', 'json']);
  const { summary } = JSON.parse(lint.stdout) as { summary: { errors: number; warnings: number } };
  expect([lint.code, summary.errors, summary.warnings]).toEqual([0, 0, 0]);
  const out = tempDir('init-build-');
  const build = await runCli(['build', dir, '--out', out]);
  expect(build.code).toBe(0);
  expect(existsSync(path.join(out, `${name}-${version}.tar.gz`))).toBe(true);
  const push = await runCli(['push', dir, '--registry', ref, '--format', 'json'], { env: env() });
  expect(push.code).toBe(0);
  expect((JSON.parse(push.stdout) as { status: string }[])[0]?.status).toBe('published');
  const pulled = path.join(tempDir('init-pull-'), 'back');
  const pull = await runCli(['pull', `${name}:${version}`, pulled, '--registry', ref], { env: env() });
  expect(pull.code).toBe(0);
  expect(files(pulled)).toEqual(files(dir));
}

describe('packyard init', () => {
  beforeAll(async () => {
    reg = await startTestRegistry();
    ref = reg.url.replace(/^http:\/\//, '');
  });

  it('builds a pack from a chart .tgz: the chart copied, its values and images in values.yaml', async ({
    expect,
  }) => {
    const dir = path.join(tempDir('init-'), 'podinfo');
    const r = await runCli(['init', dir, '--chart', EXAMPLE_CHART, '--addon-type', 'monitoring']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('lint: 0 errors, 0 warnings');
    expect(r.stderr).toContain('logo.png (a placeholder)');
    expect(JSON.parse(readFileSync(path.join(dir, 'pack.json'), 'utf8'))).toEqual({
      name: 'podinfo-lite',
      displayName: 'Podinfo Lite',
      version: '0.2.0',
      layer: 'addon',
      addonType: 'monitoring',
      cloudTypes: ['all'],
      charts: ['charts/podinfo-lite-0.2.0.tgz'],
    });
    expect(readFileSync(path.join(dir, 'charts/podinfo-lite-0.2.0.tgz'))).toEqual(
      readFileSync(EXAMPLE_CHART),
    );
    const values = parse(readFileSync(path.join(dir, 'values.yaml'), 'utf8'));
    const chartValues = readChartArchive(readFileSync(EXAMPLE_CHART), 1 << 24);
    if (!chartValues.ok) throw new Error(chartValues.reason);
    expect(values.charts['podinfo-lite']).toEqual(parse(chartValues.chart.valuesYaml as string));
    expect(values.pack).toEqual({
      namespace: 'podinfo-lite',
      content: { images: [{ image: 'ghcr.io/stefanprodan/podinfo:6.7.1' }] },
    });
    const png = readPngHeader(readFileSync(path.join(dir, 'logo.png')));
    expect(png).toEqual({ ok: true, width: 128, height: 128 });
    // A PNG decoders accept: the IDAT inflates to one filter byte plus 4 bytes per pixel per row.
    const logo = readFileSync(path.join(dir, 'logo.png'));
    const idat = logo.indexOf('IDAT');
    const inflated = zlib.inflateSync(logo.subarray(idat + 4, idat + 4 + logo.readUInt32BE(idat - 4)));
    expect(inflated.length).toBe(128 * (128 * 4 + 1));
    expect(readFileSync(path.join(dir, 'README.md'), 'utf8')).toMatch(/^# Podinfo Lite\n/);
    await roundTrip(expect, dir, 'podinfo-lite', '0.2.0');
  });

  it('packages a chart folder the way helm package does, honouring .helmignore', async ({ expect }) => {
    const src = tempDir('chart-src-');
    execFileSync('tar', ['xzf', EXAMPLE_CHART, '-C', src]);
    const chartDir = path.join(src, 'podinfo-lite');
    writeFileSync(path.join(chartDir, '.helmignore'), '*.bak\nscratch/\n');
    writeFileSync(path.join(chartDir, 'notes.bak'), 'left out');
    mkdirSync(path.join(chartDir, 'scratch'));
    writeFileSync(path.join(chartDir, 'scratch', 'x.yaml'), 'left: out');
    const dir = path.join(tempDir('init-'), 'from-folder');
    // Spectro's form: pack build NAME DIR.
    const r = await runCli([
      'pack',
      'build',
      'podinfo-folder',
      dir,
      '--chart',
      chartDir,
      '--version',
      '1.2.3',
    ]);
    expect(r.code).toBe(0);
    const pj = JSON.parse(readFileSync(path.join(dir, 'pack.json'), 'utf8'));
    expect([pj.name, pj.version, pj.charts]).toEqual([
      'podinfo-folder',
      '1.2.3',
      ['charts/podinfo-lite-0.2.0.tgz'],
    ]);
    const listing = execFileSync('tar', ['tzf', path.join(dir, 'charts/podinfo-lite-0.2.0.tgz')], {
      encoding: 'utf8',
    })
      .trim()
      .split('\n');
    expect(listing).toContain('podinfo-lite/Chart.yaml');
    expect(listing).toContain('podinfo-lite/.helmignore');
    expect(listing.every((f) => f.startsWith('podinfo-lite/'))).toBe(true);
    expect(listing.some((f) => f.endsWith('.bak') || f.includes('scratch'))).toBe(false);
    await roundTrip(expect, dir, 'podinfo-folder', '1.2.3');
  });

  it('builds a pack from manifests: kubeManifests and one manifests.<file> section each', async ({
    expect,
  }) => {
    const src = tempDir('manifests-');
    const second = path.join(src, 'extra-config.yaml');
    writeFileSync(second, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  a: "1"\n');
    const dir = path.join(tempDir('init-'), 'hello');
    const r = await runCli([
      'init',
      dir,
      '--name',
      'hello-init',
      '--display-name',
      'Hello Init',
      '--cloud-types',
      'aws,azure',
      '--manifests',
      EXAMPLE_MANIFEST,
      second,
      // The example manifest's image is a template action: it is named here.
      '--image',
      'ghcr.io/stefanprodan/podinfo:6.7.1',
    ]);
    expect(r.code).toBe(0);
    const pj = JSON.parse(readFileSync(path.join(dir, 'pack.json'), 'utf8'));
    expect(pj.kubeManifests).toEqual(['manifests/hello-packyard.yaml', 'manifests/extra-config.yaml']);
    expect(pj.cloudTypes).toEqual(['aws', 'azure']);
    const values = parse(readFileSync(path.join(dir, 'values.yaml'), 'utf8'));
    expect(values.manifests).toEqual({ 'hello-packyard': {}, 'extra-config': {} });
    expect(values.pack.content.images).toEqual([{ image: 'ghcr.io/stefanprodan/podinfo:6.7.1' }]);
    expect(readFileSync(path.join(dir, 'manifests/hello-packyard.yaml'))).toEqual(
      readFileSync(EXAMPLE_MANIFEST),
    );
    await roundTrip(expect, dir, 'hello-init', '1.0.0');
  });

  it('refuses what would not lint clean, and says how to fix it', async ({ expect }) => {
    const src = tempDir('manifests-');
    const templated = path.join(src, 'app.yaml');
    writeFileSync(
      templated,
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: {{ .Values.image }}\n',
    );
    const base = tempDir('init-');
    const [noImage, withImage, notEmpty, neither, badVersion] = await Promise.all([
      runCli(['init', path.join(base, 'a'), '--manifests', templated]),
      runCli(['init', path.join(base, 'b'), '--manifests', templated, '--image', 'ghcr.io/acme/app:1.0.0']),
      runCli(['init', ROOT, '--manifests', templated]),
      runCli(['init', path.join(base, 'c')]),
      runCli(['init', path.join(base, 'd'), '--chart', EXAMPLE_CHART, '--version', 'v1.0']),
    ]);
    expect(noImage.code).toBe(2);
    expect(noImage.stderr).toContain('the manifests name no image literally; pass --image REF');
    expect(existsSync(path.join(base, 'a'))).toBe(false);
    expect(withImage.code).toBe(0);
    expect(parse(readFileSync(path.join(base, 'b', 'values.yaml'), 'utf8')).pack.content.images).toEqual([
      { image: 'ghcr.io/acme/app:1.0.0' },
    ]);
    expect(notEmpty.code).toBe(2);
    expect(notEmpty.stderr).toContain('is not empty');
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('pass --chart PATH');
    expect(badVersion.code).toBe(2);
    expect(badVersion.stderr).toContain('"v1.0" is not a semantic version');
  });

  it('asks on a terminal for what the flags leave out', async ({ expect }) => {
    let hasScript = true;
    try {
      execFileSync('script', ['--version'], { stdio: 'ignore' });
    } catch {
      hasScript = false;
    }
    if (!hasScript) return; // util-linux's script gives the CLI a pty; without it there is no terminal to test
    const dir = path.join(tempDir('init-'), 'asked');
    // Answers: chart, name, version (default), display name, layer (default), add-on type, cloud types (default).
    const answers = `${EXAMPLE_CHART}\nasked-pack\n\nAsked Pack\n\nlogging\n\n`;
    const cmd = `${process.execPath} ${path.join(ROOT, 'bin/packyard.js')} init ${dir}`;
    execFileSync('script', ['-qec', cmd, '/dev/null'], {
      input: answers,
      env: { ...process.env, NO_COLOR: '1' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    const pj = JSON.parse(readFileSync(path.join(dir, 'pack.json'), 'utf8'));
    expect(pj).toMatchObject({
      name: 'asked-pack',
      version: '0.2.0',
      displayName: 'Asked Pack',
      addonType: 'logging',
    });
    // --yes: nothing is asked, even on a terminal.
    const quiet = path.join(tempDir('init-'), 'quiet');
    const out = execFileSync(
      'script',
      ['-qec', `${cmd.replace(dir, quiet)} --chart ${EXAMPLE_CHART} --yes`, '/dev/null'],
      {
        input: '',
        env: { ...process.env, NO_COLOR: '1' },
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(out).not.toContain('Pack name');
    expect(JSON.parse(readFileSync(path.join(quiet, 'pack.json'), 'utf8')).name).toBe('podinfo-lite');
  });

  it.skipIf(!existsSync(CORPUS_CHART))(
    'builds a clean pack from a community chart in the corpus',
    async ({ expect }) => {
      const dir = path.join(tempDir('init-'), 'kubewatch');
      const r = await runCli(['init', dir, '--chart', CORPUS_CHART]);
      expect(r.code).toBe(0);
      const values = parse(readFileSync(path.join(dir, 'values.yaml'), 'utf8'));
      expect(values.pack.content.images.length).toBeGreaterThan(0);
      await roundTrip(expect, dir, 'kubewatch', '1.0.7');
    },
  );
});
