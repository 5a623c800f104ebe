/**
 * `packyard lint --check-images` against real registries on this machine: Debian's
 * `docker-registry` (anonymous, like a public mirror) and `packyard serve`'s stack (credentials
 * required, so anonymous look-ups are gated). A closed port stands for an unreachable registry.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageChecker } from '../../client/image-check.ts';
import { parseRegistryRef } from '../../client/reference.ts';
import { RegistryClient } from '../../client/registry-client.ts';
import { result, runAction } from '../helpers/action.ts';
import { type Distribution, hasDistribution, startDistribution } from '../helpers/distribution.ts';
import { goodPack, makePack, runCli, tempDir } from '../helpers/packs.ts';
import { ADMIN, startTestRegistry, WRITER } from '../helpers/registry.ts';

let distribution: Distribution | undefined;
let hub: string;
let private_: string;
let closed: string;
let imageDigest: string;

/** Pushes a small OCI image (config + one layer) as repo:tag and returns its manifest digest. */
async function pushImage(client: RegistryClient, repo: string, tag: string): Promise<string> {
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
  );
  const layer = Buffer.from(`layer of ${repo}`);
  const c = await client.pushBlob(repo, config);
  const l = await client.pushBlob(repo, layer);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: c.digest,
        size: config.length,
      },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: l.digest, size: layer.length }],
    }),
  );
  return client.putManifest(repo, tag, manifest, 'application/vnd.oci.image.manifest.v1+json');
}

async function closedPort(): Promise<string> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return `127.0.0.1:${port}`;
}

function packWithImages(root: string, sub: string, name: string, images: string[]): string {
  const values = [
    'pack:',
    '  namespace: demo',
    '  content:',
    '    images:',
    ...images.map((i) => `      - image: ${i}`),
    'manifests:',
    '  demo-app:',
    '    replicas: 1',
    '',
  ].join('\n');
  const files = goodPack({ 'values.yaml': values });
  const pj = JSON.parse(files['pack.json'] as string);
  files['pack.json'] = JSON.stringify({ ...pj, name }, null, 2);
  return makePack(files, root, sub);
}

function configWith(auths: Record<string, { username: string; password: string }>): string {
  const dir = tempDir('packyard-config-');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'credentials.json'), JSON.stringify({ auths }), { mode: 0o600 });
  return dir;
}

describe.runIf(hasDistribution)('image checks against local registries', () => {
  beforeAll(async () => {
    distribution = await startDistribution();
    hub = distribution.ref;
    const anon = new RegistryClient({ registry: parseRegistryRef(hub) });
    imageDigest = await pushImage(anon, 'team/app', '1.2.3');
    await pushImage(anon, 'library/busybox', 'latest');
    const reg = await startTestRegistry();
    private_ = new URL(reg.url).host;
    await pushImage(
      new RegistryClient({ registry: parseRegistryRef(private_), credentials: ADMIN }),
      'tools/private-app',
      '2.0.0',
    );
    closed = await closedPort();
  });

  afterAll(() => distribution?.stop());

  it('reports missing images as errors on their values.yaml line, gated ones as notes, and exits 1', async () => {
    const root = tempDir();
    packWithImages(root, 'one', 'one', [
      `${hub}/team/app:1.2.3`, // line 5: found
      `${hub}/team/app:9.9.9`, // line 6: tag missing
      `${hub}/nobody/here:1.0`, // line 7: repository missing
      `${private_}/tools/private-app:2.0.0`, // line 8: credentials needed
      `${closed}/x/y:1`, // line 9: nothing listens
      `${hub}/team/app@${imageDigest}`, // line 10: found by digest
    ]);
    const res = await runCli(['lint', '.', '--check-images', '--format', 'json'], {
      cwd: root,
      env: { PACKYARD_CONFIG_DIR: configWith({}) },
    });
    expect(res.code, res.stderr).toBe(1);
    const out = JSON.parse(res.stdout);
    const image = out.findings.filter((f: { rule: string }) => f.rule.startsWith('images/'));
    expect(
      image.map((f: { rule: string; line: number; severity: string }) => [f.rule, f.line, f.severity]),
    ).toEqual([
      ['images/not-found', 6, 'error'],
      ['images/not-found', 7, 'error'],
      ['images/unchecked', 9, 'warning'],
    ]);
    expect(image[0].file).toBe('one/values.yaml');
    expect(image[0].message).toContain(`${hub}/team/app:9.9.9`);
    expect(image[2].message).toMatch(/cannot reach/);
    expect(out.images.map((i: { line: number; status: string }) => [i.line, i.status])).toEqual([
      [5, 'found'],
      [6, 'not-found'],
      [7, 'not-found'],
      [8, 'gated'],
      [9, 'unchecked'],
      [10, 'found'],
    ]);
    expect(out.images[0].digest).toBe(imageDigest);
    expect(out.summary.errors).toBe(2);

    const text = await runCli(['lint', '.', '--check-images'], {
      cwd: root,
      env: { PACKYARD_CONFIG_DIR: configWith({}) },
    });
    expect(text.stdout).toContain(
      'images: 6 listed (6 distinct): 2 found, 2 not found, 1 gated (credentials needed, not checked), 1 could not be checked',
    );
    expect(text.stdout).toMatch(new RegExp(`gated  one/values.yaml:8  ${private_}/tools/private-app:2.0.0`));
  });

  it('uses the credentials saved by packyard login for that host', async () => {
    const root = tempDir();
    packWithImages(root, 'p', 'p', [
      `${private_}/tools/private-app:2.0.0`,
      `${private_}/tools/private-app:3.0.0`,
    ]);
    const res = await runCli(['lint', root, '--check-images', '--format', 'json'], {
      env: {
        PACKYARD_CONFIG_DIR: configWith({
          [private_]: { username: ADMIN.username, password: ADMIN.password },
        }),
      },
    });
    const out = JSON.parse(res.stdout);
    expect(out.images.map((i: { status: string }) => i.status)).toEqual(['found', 'not-found']);
  });

  it('follows .packyard.yaml for image rules: severities and inline ignores', async () => {
    const root = tempDir();
    packWithImages(root, 'lenient', 'lenient', [`${hub}/team/app:0.0.1`]);
    packWithImages(root, 'ignored', 'ignored', [`${hub}/team/app:0.0.2 # packyard-ignore images/not-found`]);
    writeFileSync(
      path.join(root, '.packyard.yaml'),
      'overrides:\n  - packs: lenient\n    rules:\n      images/not-found: warning\n',
    );
    const res = await runCli(['lint', '.', '--check-images', '--format', 'json'], {
      cwd: root,
      env: { PACKYARD_CONFIG_DIR: configWith({}) },
    });
    expect(res.code, res.stdout + res.stderr).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(
      out.findings.map((f: { pack: string; rule: string; severity: string }) => [f.pack, f.rule, f.severity]),
    ).toEqual([['lenient', 'images/not-found', 'warning']]);
    const rules = await runCli(['rules', path.join(root, 'lenient')], { cwd: root });
    expect(rules.stdout).toMatch(/images\/not-found\s+warning \(default error\)/);
  });

  it('passes clean packs, and does not look anything up without --check-images', async () => {
    const root = tempDir();
    packWithImages(root, 'ok', 'ok', [`${hub}/team/app:1.2.3`, `${hub}/library/busybox`]);
    packWithImages(root, 'bad', 'bad', [`${hub}/team/app:0.0.1`]);
    const checked = await runCli(['lint', path.join(root, 'ok'), '--check-images'], {
      env: { PACKYARD_CONFIG_DIR: configWith({}) },
    });
    expect(checked.code, checked.stdout).toBe(0);
    const unchecked = await runCli(['lint', root, '--format', 'json'], {
      env: { PACKYARD_CONFIG_DIR: configWith({}) },
    });
    expect(unchecked.code).toBe(0);
    expect(JSON.parse(unchecked.stdout).images).toBeUndefined();
  });

  it('looks each distinct image up once per run, with at most `concurrency` requests in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const manifestRequests: string[] = [];
    const counting: typeof fetch = async (input, init) => {
      const url = String(input);
      if (url.includes('/manifests/')) manifestRequests.push(url);
      inFlight++;
      most = Math.max(most, inFlight);
      try {
        return await fetch(input, init);
      } finally {
        inFlight--;
      }
    };
    const checker = new ImageChecker({ concurrency: 3, fetch: counting });
    const images = Array.from({ length: 12 }, (_, i) => `${hub}/team/app:missing-${i}`);
    const results = await checker.checkAll([...images, ...images, `${hub}/team/app:1.2.3`]);
    expect(results.filter((r) => r.status === 'not-found')).toHaveLength(24);
    expect(results.at(-1)?.status).toBe('found');
    expect(manifestRequests).toHaveLength(13);
    expect(most).toBeLessThanOrEqual(3);
    expect(most).toBeGreaterThan(1);
  });

  it('the bundled Action with check-images: a missing image is annotated on its line and the pack is not published', async () => {
    const ws = tempDir('workspace-');
    packWithImages(path.join(ws, 'packs'), 'good', 'good-app', [`${hub}/team/app:1.2.3`]);
    packWithImages(path.join(ws, 'packs'), 'stale', 'stale-app', [
      `${hub}/team/app:1.2.3`,
      `${hub}/team/app:0.0.0-gone`,
    ]);
    const run = await runAction(ws, {
      path: 'packs',
      registry: private_,
      username: WRITER.username,
      password: WRITER.password,
      'check-images': 'true',
    });
    expect(run.code).not.toBe(0);
    expect(run.stdout).toContain(
      '::error title=images/not-found,file=packs/stale/values.yaml,line=6,endLine=6,col=16::image "',
    );
    expect(run.stdout).toContain('images: 3 listed (2 distinct): 2 found, 1 not found');
    const rows = result(run);
    expect(rows.map((r) => [r.name, r.status])).toEqual([
      ['good-app', 'published'],
      ['stale-app', 'invalid'],
    ]);
    expect(run.summary).toContain('images/not-found');
  });

  it('the Action refuses a check-images value that is not a boolean', async () => {
    const ws = tempDir('workspace-');
    packWithImages(path.join(ws, 'packs'), 'good', 'good-app', [`${hub}/team/app:1.2.3`]);
    const run = await runAction(ws, { path: 'packs', 'dry-run': 'true', 'check-images': 'yes please' });
    expect(run.code).not.toBe(0);
    expect(run.stdout).toMatch(/check-images must be/);
  });
});
