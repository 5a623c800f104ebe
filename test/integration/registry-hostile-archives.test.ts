/**
 * Hostile pack archives pushed over real sockets to the registry (handler + API Gateway adapter +
 * s3rver + dynalite): archives whose extraction would differ from what the registry lints are
 * refused with MANIFEST_INVALID under every lint policy, nothing is indexed, and the server
 * stays up and keeps accepting clean packs.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_CONFIG, packManifest, sha256Digest } from '../../core/oci.ts';
import { MAX_TREE_ENTRIES } from '../../core/pack-tree.ts';
import type { LocalRegistry } from '../../lambdas/local/serve.ts';
import { goodPack, tempDir } from '../helpers/packs.ts';
import { packEntries, type RawEntry, rawTarGz } from '../helpers/raw-tar.ts';
import { basic, oci, startTestRegistry, WRITER } from '../helpers/registry.ts';
import { serve } from '../helpers/serve.ts';

const ARCHIVE = 'spectro-packs/archive';

let enforce: LocalRegistry;
let warn: LocalRegistry;

beforeAll(async () => {
  [enforce, warn] = await Promise.all([
    startTestRegistry(),
    startTestRegistry({ config: { lintPolicy: 'warn' } }),
  ]);
});

function files(name: string, version = '1.0.0') {
  const pj = JSON.parse(goodPack()['pack.json'] as string) as Record<string, unknown>;
  return goodPack({ 'pack.json': JSON.stringify({ ...pj, name, version }, null, 2) });
}

async function pushRaw(reg: { url: string }, name: string, archive: Buffer, tag = '1.0.0') {
  const c = oci(reg.url, basic(WRITER));
  const repo = `${ARCHIVE}/${name}`;
  await c.pushBlob(repo, EMPTY_CONFIG);
  await c.pushBlob(repo, archive);
  const manifest = packManifest({
    digest: sha256Digest(archive),
    size: archive.length,
    title: `${name}-${tag}.tar.gz`,
  });
  return c.putManifest(repo, tag, Buffer.from(manifest).toString('utf8'));
}

async function expectRefusedAndNothingStored(
  reg: LocalRegistry,
  name: string,
  res: Response,
  reason: RegExp,
) {
  const text = await res.text();
  expect(res.status, text).toBe(400);
  const err = (JSON.parse(text) as { errors: { code: string; message: string }[] }).errors[0];
  expect(err?.code).toBe('MANIFEST_INVALID');
  expect(err?.message).toMatch(reason);
  const c = oci(reg.url, basic(WRITER));
  expect((await c.req('GET', `/v2/${ARCHIVE}/${name}/manifests/1.0.0`)).status).toBe(404);
  expect((await c.req('GET', `/api/v1/packs/${name}/versions`)).status).toBe(404);
  const health = await fetch(`${reg.url}/health`);
  expect(await health.json()).toEqual({ status: 'UP' });
}

describe('hostile archives at the registry', () => {
  const cases: [string, (name: string) => RawEntry[], RegExp][] = [
    [
      'a second values.yaml under "./"',
      (n) => [
        ...packEntries(`${n}-1.0.0`, files(n)),
        { name: `${n}-1.0.0/./values.yaml`, data: 'pack:\n  namespace: evil\n' },
      ],
      /two entries for ".*values\.yaml"/,
    ],
    [
      'a second pack.json under "./<top>/" naming another pack',
      (n) => [
        ...packEntries(`${n}-1.0.0`, files(n)),
        { name: `./${n}-1.0.0/pack.json`, data: files('someone-else')['pack.json'] as string },
      ],
      /two entries for ".*pack\.json"/,
    ],
    [
      'a manifest under "a//b"',
      (n) => [
        ...packEntries(`${n}-1.0.0`, files(n)),
        { name: `${n}-1.0.0/manifests//demo-app.yaml`, data: 'kind: Evil\n' },
      ],
      /two entries for ".*manifests\/demo-app\.yaml"/,
    ],
    [
      'a folder entry on a file',
      (n) => [...packEntries(`${n}-1.0.0`, files(n)), { name: `${n}-1.0.0/README.md/`, type: '5' }],
      /both a file and a folder/,
    ],
    [
      'a hard link',
      (n) => [
        ...packEntries(`${n}-1.0.0`, files(n)),
        { name: `${n}-1.0.0/x.yaml`, type: '1', linkname: `${n}-1.0.0/values.yaml` },
      ],
      /is a hard link/,
    ],
  ];

  it.each(cases)(
    'refuses %s under lintPolicy "enforce" and "warn", storing nothing',
    async (_what, entries, reason) => {
      for (const [i, reg] of [enforce, warn].entries()) {
        const name = `hostile-${cases.findIndex((c) => c[0] === _what)}-${i}`;
        await expectRefusedAndNothingStored(
          reg,
          name,
          await pushRaw(reg, name, rawTarGz(entries(name))),
          reason,
        );
      }
    },
  );

  it('refuses a symbolic link even under lintPolicy "warn"', async () => {
    const name = 'hostile-symlink';
    const archive = rawTarGz([
      ...packEntries(`${name}-1.0.0`, files(name)),
      { name: `${name}-1.0.0/passwd`, type: '2', linkname: '/etc/passwd' },
    ]);
    await expectRefusedAndNothingStored(
      warn,
      name,
      await pushRaw(warn, name, archive),
      /"passwd" is a symbolic link/,
    );
  });

  it(`refuses an archive of more than ${MAX_TREE_ENTRIES} entries quickly, and stays responsive`, async () => {
    const name = 'hostile-many';
    const many = packEntries(`${name}-1.0.0`, files(name));
    for (let i = 0; i < MAX_TREE_ENTRIES + 1000; i++) many.push({ name: `${name}-1.0.0/f/${i}`, data: '' });
    const archive = rawTarGz(many);
    const t0 = performance.now();
    const res = await pushRaw(enforce, name, archive);
    await expectRefusedAndNothingStored(
      enforce,
      name,
      res,
      new RegExp(`more than ${MAX_TREE_ENTRIES} entries`),
    );
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it('still accepts the same pack pushed cleanly afterwards', async () => {
    const name = 'hostile-0-0';
    const archive = rawTarGz(packEntries(`${name}-1.0.0`, files(name)));
    const res = await pushRaw(enforce, name, archive);
    expect(res.status, await res.text()).toBe(201);
  });
});

describe('memory of a large pack', () => {
  it('`packyard serve` gives back the memory of a 200 MiB inflated pack once the push is answered', async () => {
    const user = { username: 'mem', password: 'mem-password-123' };
    const s = await serve(['--data', tempDir('serve-mem-')], {
      PACKYARD_USERNAME: user.username,
      PACKYARD_PASSWORD: user.password,
    });
    try {
      const rssMiB = () =>
        Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${s.proc.pid}/status`, 'utf8'))?.[1]) / 1024;
      const name = 'big';
      const archive = rawTarGz([
        ...packEntries(`${name}-1.0.0`, files(name)),
        { name: `${name}-1.0.0/filler.bin`, data: Buffer.alloc(200 * 1024 * 1024, 7) },
      ]);
      const c = oci(s.url, basic(user));
      const repo = `${ARCHIVE}/${name}`;
      await c.pushBlob(repo, EMPTY_CONFIG);
      await c.pushBlob(repo, archive);
      const before = rssMiB();
      const manifest = packManifest({
        digest: sha256Digest(archive),
        size: archive.length,
        title: `${name}-1.0.0.tar.gz`,
      });
      const res = await c.putManifest(repo, '1.0.0', Buffer.from(manifest).toString('utf8'));
      expect(res.status, await res.text()).toBe(201);
      // Before the fix the process kept ~400 MiB more (16 KiB inflate chunks, then the whole tar until a full GC).
      expect(rssMiB() - before).toBeLessThan(80);
    } finally {
      await s.stop();
    }
  }, 60_000);
});
