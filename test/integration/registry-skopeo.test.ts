/**
 * Interop with a real OCI client: skopeo copies a `packyard build` OCI layout into the registry
 * (Docker token auth over plain HTTP) and back, byte for byte; list-tags and inspect work; a
 * read-only credential pulls but cannot push. Skipped where skopeo is not installed (CI has it).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeBuildOutput } from '../../cli/write-layout.ts';
import type { BuiltPack } from '../../core/build-pack.ts';
import { EMPTY_CONFIG, sha256Digest } from '../../core/oci.ts';
import type { LocalRegistry } from '../../lambdas/local/serve.ts';
import { goodPack, tempDir } from '../helpers/packs.ts';
import { ADMIN, basic, buildTestPack, oci, READER, startTestRegistry } from '../helpers/registry.ts';
import { hasSkopeo, runSkopeo } from '../helpers/skopeo.ts';

const NAME = 'skopeo-demo';
const VERSION = '1.2.3';
const REPO = `spectro-packs/archive/${NAME}`;

let reg: LocalRegistry;
let home: string;
let layout: string;
let pack: BuiltPack;

const skopeo = (...args: string[]) => runSkopeo(home, args);

const creds = (u: { username: string; password: string }) => `${u.username}:${u.password}`;
const ref = (repo = REPO, tag = VERSION) => `docker://127.0.0.1:${reg.port}/${repo}:${tag}`;

/** Every blob of an OCI layout, by digest. */
function layoutBlobs(dir: string): Map<string, Buffer> {
  const blobs = new Map<string, Buffer>();
  const root = path.join(dir, 'blobs', 'sha256');
  for (const hex of readdirSync(root)) blobs.set(`sha256:${hex}`, readFileSync(path.join(root, hex)));
  return blobs;
}

describe.runIf(hasSkopeo || process.env.CI)('skopeo interop', () => {
  beforeAll(async () => {
    reg = await startTestRegistry();
    home = tempDir('skopeo-home-');
    layout = tempDir('skopeo-layout-');
    pack = await buildTestPack(
      goodPack({
        'pack.json': JSON.stringify({
          name: NAME,
          displayName: 'Skopeo Demo',
          version: VERSION,
          layer: 'addon',
          addonType: 'app services',
          cloudTypes: ['all'],
          kubeManifests: ['manifests/demo-app.yaml'],
        }),
      }),
      NAME,
      VERSION,
    );
    await writeBuildOutput(layout, [pack]);
  });

  it('copies a packyard build layout into the registry, where it is a pack', async () => {
    const push = await skopeo(
      'copy',
      '--preserve-digests',
      '--dest-tls-verify=false',
      '--dest-creds',
      creds(ADMIN),
      `oci:${layout}:${NAME}:${VERSION}`,
      ref(),
    );
    expect(push.code, push.stderr).toBe(0);

    const admin = oci(reg.url, basic(ADMIN));
    const got = await admin.req('GET', `/v2/${REPO}/manifests/${VERSION}`);
    expect(got.headers.get('docker-content-digest')).toBe(pack.manifestDigest);
    expect(Buffer.from(await got.arrayBuffer()).equals(Buffer.from(pack.manifest))).toBe(true);
    const v = (await (await admin.req('GET', `/api/v1/packs/${NAME}/versions/${VERSION}`)).json()) as {
      digest: string;
      pushedBy: string;
    };
    expect(v).toMatchObject({ digest: pack.manifestDigest, pushedBy: ADMIN.username });

    // Pushing again is an idempotent no-op for the immutable version.
    const again = await skopeo(
      'copy',
      '--preserve-digests',
      '--dest-tls-verify=false',
      '--dest-creds',
      creds(ADMIN),
      `oci:${layout}:${NAME}:${VERSION}`,
      ref(),
    );
    expect(again.code, again.stderr).toBe(0);
  });

  it('copies it back to an OCI layout and a dir:, byte for byte', async () => {
    const out = tempDir('skopeo-back-');
    const pull = await skopeo(
      'copy',
      '--preserve-digests',
      '--src-tls-verify=false',
      '--src-creds',
      creds(ADMIN),
      ref(),
      `oci:${out}:${NAME}:${VERSION}`,
    );
    expect(pull.code, pull.stderr).toBe(0);
    const original = layoutBlobs(layout);
    const copied = layoutBlobs(out);
    expect([...copied.keys()].sort()).toEqual([...original.keys()].sort());
    for (const [digest, bytes] of copied) {
      expect(sha256Digest(bytes)).toBe(digest);
      expect(bytes.equals(original.get(digest) as Buffer), digest).toBe(true);
    }
    expect(copied.get(pack.layerDigest)?.equals(Buffer.from(pack.archive))).toBe(true);
    expect(copied.get(sha256Digest(EMPTY_CONFIG))?.toString()).toBe('{}');
    const index = JSON.parse(readFileSync(path.join(out, 'index.json'), 'utf8')) as {
      manifests: { digest: string; annotations?: Record<string, string> }[];
    };
    expect(index.manifests).toEqual([
      expect.objectContaining({
        digest: pack.manifestDigest,
        annotations: { 'org.opencontainers.image.ref.name': `${NAME}:${VERSION}` },
      }),
    ]);

    const dir = tempDir('skopeo-dir-');
    const toDir = await skopeo(
      'copy',
      '--src-tls-verify=false',
      '--src-creds',
      creds(READER),
      ref(),
      `dir:${dir}`,
    );
    expect(toDir.code, toDir.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'manifest.json')).equals(Buffer.from(pack.manifest))).toBe(true);
    const hex = pack.layerDigest.slice('sha256:'.length);
    expect(readFileSync(path.join(dir, hex)).equals(Buffer.from(pack.archive))).toBe(true);
  });

  it('lists tags and inspects the raw manifest', async () => {
    const admin = oci(reg.url, basic(ADMIN));
    expect((await admin.pushPack(REPO, pack, 'latest')).status).toBe(201);
    const tags = await skopeo(
      'list-tags',
      '--tls-verify=false',
      '--creds',
      creds(READER),
      `docker://127.0.0.1:${reg.port}/${REPO}`,
    );
    expect(tags.code, tags.stderr).toBe(0);
    expect(JSON.parse(tags.stdout)).toEqual({
      Repository: `127.0.0.1:${reg.port}/${REPO}`,
      Tags: [VERSION, 'latest'],
    });

    const raw = await skopeo('inspect', '--raw', '--tls-verify=false', '--creds', creds(READER), ref());
    expect(raw.code, raw.stderr).toBe(0);
    expect(raw.stdout).toBe(Buffer.from(pack.manifest).toString('utf8'));

    const byDigest = await skopeo(
      'inspect',
      '--raw',
      '--tls-verify=false',
      '--creds',
      creds(READER),
      `docker://127.0.0.1:${reg.port}/${REPO}@${pack.manifestDigest}`,
    );
    expect(byDigest.code, byDigest.stderr).toBe(0);
    expect(byDigest.stdout).toBe(raw.stdout);

    const config = await skopeo(
      'inspect',
      '--config',
      '--raw',
      '--tls-verify=false',
      '--creds',
      creds(READER),
      ref(),
    );
    expect(config.code, config.stderr).toBe(0);
    expect(config.stdout).toBe('{}');

    const wrong = await skopeo('inspect', '--raw', '--tls-verify=false', '--creds', 'palette:wrong', ref());
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/unauthorized|authentication required|invalid username or password/i);
  });

  it('lets a read-only credential pull but not push', async () => {
    const out = tempDir('skopeo-reader-');
    const pull = await skopeo(
      'copy',
      '--src-tls-verify=false',
      '--src-creds',
      creds(READER),
      ref(),
      `oci:${out}:${NAME}:${VERSION}`,
    );
    expect(pull.code, pull.stderr).toBe(0);

    const push = await skopeo(
      'copy',
      '--dest-tls-verify=false',
      '--dest-creds',
      creds(READER),
      `oci:${layout}:${NAME}:${VERSION}`,
      ref(`spectro-packs/archive/${NAME}`, '9.9.9'),
    );
    expect(push.code).not.toBe(0);
    expect(push.stderr).toMatch(/denied|unauthorized|insufficient_scope/i);
    const admin = oci(reg.url, basic(ADMIN));
    expect((await admin.req('GET', `/v2/${REPO}/manifests/9.9.9`)).status).toBe(404);
  });
});
