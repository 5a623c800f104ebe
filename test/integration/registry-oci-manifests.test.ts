/**
 * OCI distribution spec v1.1: manifests (push, pull, delete, by digest and by tag), through the
 * real stack (handler behind the API Gateway adapter, s3rver, dynalite).
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LocalRegistry } from '../../lambdas/local/serve.ts';
import { adminRegistry, expectError, INDEX, MANIFEST, pushImage } from '../helpers/oci-suite.ts';
import { type oci, sha256 } from '../helpers/registry.ts';

let reg: LocalRegistry;
let c: ReturnType<typeof oci>;

beforeAll(async () => {
  ({ reg, c } = await adminRegistry());
});

describe('manifests', () => {
  it('puts by tag and gets/heads by tag and digest, byte for byte', async () => {
    const repo = 'demo/manifests';
    const config = await c.pushBlob(repo, '{}');
    const layer = await c.pushBlob(repo, 'layer bytes');
    // Unusual but valid formatting: the registry must store the bytes exactly as sent.
    const body = `{\n  "schemaVersion": 2,  "mediaType": "${MANIFEST}",\n  "config": {"mediaType": "application/vnd.unknown.config.v1+json", "digest": "${config.digest}", "size": ${config.size}},\n  "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": "${layer.digest}", "size": ${layer.size}}]\n}\n`;
    const digest = sha256(body);
    const put = await c.putManifest(repo, 'v1', body);
    expect(put.status, await put.clone().text()).toBe(201);
    expect(put.headers.get('location')).toBe(`/v2/${repo}/manifests/${digest}`);
    expect(put.headers.get('docker-content-digest')).toBe(digest);
    expect(put.headers.get('oci-subject')).toBeNull();

    for (const ref of ['v1', digest]) {
      const get = await c.req('GET', `/v2/${repo}/manifests/${ref}`, { headers: { accept: MANIFEST } });
      expect(get.status).toBe(200);
      expect(get.headers.get('content-type')).toBe(MANIFEST);
      expect(get.headers.get('docker-content-digest')).toBe(digest);
      expect(await get.text()).toBe(body);

      const head = await c.req('HEAD', `/v2/${repo}/manifests/${ref}`);
      expect(head.status).toBe(200);
      expect(head.headers.get('content-type')).toBe(MANIFEST);
      expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(body)));
      expect(head.headers.get('docker-content-digest')).toBe(digest);
      expect(await head.text()).toBe('');
    }

    // PUT by digest: accepted when it matches the content.
    const byDigest = await c.putManifest(repo, digest, body);
    expect(byDigest.status).toBe(201);
    // A tag may move (outside pack repositories).
    const other = await pushImage(c, repo, 'v1', 'other layer');
    expect(await (await c.req('GET', `/v2/${repo}/manifests/v1`)).text()).toBe(other.body);
  });

  it('accepts Docker v2 manifests and image indexes of known manifests', async () => {
    const repo = 'demo/kinds';
    const config = await c.pushBlob(repo, '{"architecture":"amd64","os":"linux"}');
    const layer = await c.pushBlob(repo, 'docker layer');
    const docker = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', ...layer }],
    });
    const put = await c.putManifest(
      repo,
      'docker',
      docker,
      'application/vnd.docker.distribution.manifest.v2+json',
    );
    expect(put.status, await put.clone().text()).toBe(201);

    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: INDEX,
      manifests: [
        {
          mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
          digest: sha256(docker),
          size: Buffer.byteLength(docker),
          platform: { architecture: 'amd64', os: 'linux' },
        },
      ],
    });
    const putIndex = await c.putManifest(repo, 'multi', index, INDEX);
    expect(putIndex.status, await putIndex.clone().text()).toBe(201);
    const got = await c.req('GET', `/v2/${repo}/manifests/multi`);
    expect(got.headers.get('content-type')).toBe(INDEX);
    expect(await got.text()).toBe(index);

    const dangling = JSON.stringify({
      schemaVersion: 2,
      mediaType: INDEX,
      manifests: [{ mediaType: MANIFEST, digest: sha256('no such manifest'), size: 10 }],
    });
    const err = await expectError(
      await c.putManifest(repo, 'dangling', dangling, INDEX),
      400,
      'MANIFEST_BLOB_UNKNOWN',
    );
    expect(err.detail).toEqual({ missing: [sha256('no such manifest')] });
  });

  it('refuses a PUT by digest that does not match the content with DIGEST_INVALID', async () => {
    const repo = 'demo/bydigest';
    const { body } = await pushImage(c, repo, 'v1', 'by digest');
    const wrong = sha256('not the manifest');
    const err = await expectError(await c.putManifest(repo, wrong, body), 400, 'DIGEST_INVALID');
    expect(err.detail).toEqual({ expected: wrong, actual: sha256(body) });
    await expectError(await c.req('GET', `/v2/${repo}/manifests/${wrong}`), 404, 'MANIFEST_UNKNOWN');
  });

  it('refuses a manifest that references missing blobs with MANIFEST_BLOB_UNKNOWN', async () => {
    const repo = 'demo/missing';
    const config = await c.pushBlob(repo, '{}');
    const missing = sha256('never uploaded');
    const res = await c.putManifest(repo, 'v1', {
      schemaVersion: 2,
      mediaType: MANIFEST,
      config: { mediaType: 'application/vnd.unknown.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: missing, size: 14 }],
    });
    const err = await expectError(res, 400, 'MANIFEST_BLOB_UNKNOWN');
    expect(err.detail).toEqual({ missing: [missing] });
    expect(err.message).toContain(missing);
    await expectError(await c.req('GET', `/v2/${repo}/manifests/v1`), 404, 'MANIFEST_UNKNOWN');
  });

  it('refuses malformed manifests, wrong media types and Content-Type mismatches with MANIFEST_INVALID', async () => {
    const repo = 'demo/invalid';
    const config = await c.pushBlob(repo, '{}');
    const layer = await c.pushBlob(repo, 'invalid layer');
    const good = {
      schemaVersion: 2,
      mediaType: MANIFEST,
      config: { mediaType: 'application/vnd.unknown.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
    };
    const cases: [string, string, string | undefined][] = [
      ['not json', '{"schemaVersion": 2,', MANIFEST],
      ['empty body', '', MANIFEST],
      ['an array', '[]', MANIFEST],
      ['null', 'null', MANIFEST],
      ['a number', '42', MANIFEST],
      ['schema 1', JSON.stringify({ ...good, schemaVersion: 1 }), MANIFEST],
      ['no schemaVersion', JSON.stringify({ ...good, schemaVersion: undefined }), MANIFEST],
      [
        'unknown media type',
        JSON.stringify({ ...good, mediaType: 'application/vnd.docker.distribution.manifest.v1+prettyjws' }),
        'application/vnd.docker.distribution.manifest.v1+prettyjws',
      ],
      ['no media type, text/plain', JSON.stringify({ ...good, mediaType: undefined }), 'text/plain'],
      ['no media type at all', JSON.stringify({ ...good, mediaType: undefined }), undefined],
      ['Content-Type mismatch', JSON.stringify(good), INDEX],
      [
        'Content-Type of a Docker manifest',
        JSON.stringify(good),
        'application/vnd.docker.distribution.manifest.v2+json',
      ],
      ['config missing', JSON.stringify({ ...good, config: undefined }), MANIFEST],
      ['config not a descriptor', JSON.stringify({ ...good, config: 'sha256:abc' }), MANIFEST],
      ['layers not an array', JSON.stringify({ ...good, layers: { 0: good.layers[0] } }), MANIFEST],
      [
        'layer without size',
        JSON.stringify({ ...good, layers: [{ ...layer, size: undefined, mediaType: 'x' }] }),
        MANIFEST,
      ],
      ['negative size', JSON.stringify({ ...good, layers: [{ ...good.layers[0], size: -1 }] }), MANIFEST],
      ['fractional size', JSON.stringify({ ...good, layers: [{ ...good.layers[0], size: 1.5 }] }), MANIFEST],
      [
        'wrong size',
        JSON.stringify({ ...good, layers: [{ ...good.layers[0], size: layer.size + 1 }] }),
        MANIFEST,
      ],
      ['null layer', JSON.stringify({ ...good, layers: [null] }), MANIFEST],
      ['bad subject', JSON.stringify({ ...good, subject: { digest: 'x' } }), MANIFEST],
      [
        'index manifests not array',
        JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: 'x' }),
        INDEX,
      ],
    ];
    for (const [what, body, type] of cases) {
      const res = await c.req('PUT', `/v2/${repo}/manifests/v1`, {
        body,
        headers: type ? { 'content-type': type } : {},
      });
      const text = await res.text();
      expect(res.status, `${what}: ${text}`).toBe(400);
      expect(['MANIFEST_INVALID', 'DIGEST_INVALID'], `${what}: ${text}`).toContain(
        (JSON.parse(text) as { errors: { code: string }[] }).errors[0]?.code,
      );
    }
    await expectError(await c.req('GET', `/v2/${repo}/manifests/v1`), 404, 'MANIFEST_UNKNOWN');
    // Parameters on Content-Type are ignored.
    const withParams = await c.req('PUT', `/v2/${repo}/manifests/v1`, {
      body: JSON.stringify(good),
      headers: { 'content-type': `${MANIFEST}; charset=utf-8` },
    });
    expect(withParams.status, await withParams.clone().text()).toBe(201);
  });

  it('survives random bytes and random JSON as manifests (400, never 500)', async () => {
    const repo = 'demo/fuzz';
    const bodies: (string | Uint8Array)[] = [
      randomBytes(200),
      '\u0000\u0001\u0002',
      '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{},"layers":[]}',
      `{"schemaVersion":2,"mediaType":"${MANIFEST}","config":{"mediaType":"a","digest":"sha256:${'0'.repeat(64)}","size":"2"},"layers":[]}`,
      `{"schemaVersion":2,"mediaType":"${INDEX}","manifests":[{"mediaType":1,"digest":2,"size":3}]}`,
      `{"schemaVersion":2,"mediaType":"${MANIFEST}","config":{"mediaType":"a","digest":"sha256:${'0'.repeat(64)}","size":2},"layers":[],"annotations":{"a":{"b":1}}}`,
      `{"schemaVersion":2,"mediaType":"${MANIFEST}","config":{"mediaType":"a","digest":"sha256:${'0'.repeat(64)}","size":1e400},"layers":[]}`,
      `${'['.repeat(50_000)}${']'.repeat(50_000)}`,
      JSON.stringify({ schemaVersion: 2, mediaType: MANIFEST, __proto__: { polluted: true } }),
      '{"schemaVersion":2,"mediaType":{"toString":1}}',
    ];
    for (const body of bodies) {
      const res = await c.req('PUT', `/v2/${repo}/manifests/fuzz`, {
        body,
        headers: { 'content-type': MANIFEST },
      });
      const text = await res.text();
      expect(res.status, text).toBeGreaterThanOrEqual(400);
      expect(res.status, text).toBeLessThan(500);
    }
  });

  it('refuses a manifest over the size limit with 413 and an unknown manifest with 404', async () => {
    const big = JSON.stringify({ schemaVersion: 2, mediaType: MANIFEST, pad: 'x'.repeat(4 * 1024 * 1024) });
    await expectError(await c.putManifest('demo/huge', 'v1', big), 413, 'SIZE_INVALID');
    await expectError(await c.req('GET', '/v2/demo/huge/manifests/v1'), 404, 'MANIFEST_UNKNOWN');
    const head = await c.req('HEAD', `/v2/demo/huge/manifests/${sha256('x')}`);
    expect(head.status).toBe(404);
    expect(await head.text()).toBe('');
    await expectError(await c.req('GET', '/v2/demo/huge/manifests/-bad-tag'), 400, 'MANIFEST_INVALID');
    await expectError(
      await c.req('GET', `/v2/demo/huge/manifests/${'t'.repeat(129)}`),
      400,
      'MANIFEST_INVALID',
    );
  });

  it('deletes by tag (the manifest stays) and by digest (every tag goes)', async () => {
    const repo = 'demo/delete';
    const img = await pushImage(c, repo, 'one', 'delete layer');
    expect((await c.putManifest(repo, 'two', img.body)).status).toBe(201);
    expect((await c.putManifest(repo, 'three', img.body)).status).toBe(201);

    expect((await c.req('DELETE', `/v2/${repo}/manifests/one`)).status).toBe(202);
    await expectError(await c.req('GET', `/v2/${repo}/manifests/one`), 404, 'MANIFEST_UNKNOWN');
    expect((await c.req('GET', `/v2/${repo}/manifests/${img.digest}`)).status).toBe(200);
    expect((await c.req('GET', `/v2/${repo}/manifests/two`)).status).toBe(200);
    await expectError(await c.req('DELETE', `/v2/${repo}/manifests/one`), 404, 'MANIFEST_UNKNOWN');

    expect((await c.req('DELETE', `/v2/${repo}/manifests/${img.digest}`)).status).toBe(202);
    for (const ref of ['two', 'three', img.digest]) {
      await expectError(await c.req('GET', `/v2/${repo}/manifests/${ref}`), 404, 'MANIFEST_UNKNOWN');
    }
    expect(await (await c.req('GET', `/v2/${repo}/tags/list`)).json()).toEqual({ name: repo, tags: [] });
    await expectError(await c.req('DELETE', `/v2/${repo}/manifests/${img.digest}`), 404, 'MANIFEST_UNKNOWN');
    // Blobs are separate: still there until deleted.
    expect((await c.req('HEAD', `/v2/${repo}/blobs/${img.layer.digest}`)).status).toBe(200);
  });
});

describe('manifests by tag', () => {
  it('answers GET and HEAD by tag with one index read, and follows the tag when it moves', async () => {
    const repo = 'by-tag/app';
    const small = await pushImage(c, repo, 'v1', 'small');
    // Over the 4 KiB the tag keeps a copy of: served from the manifest item.
    const big = await pushImage(c, repo, 'big', 'big', { annotations: { note: 'x'.repeat(5000) } });
    const gets: string[] = [];
    const client = reg.storage.dynamodb.client;
    const count =
      (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => {
        if (context.commandName === 'GetItemCommand' || context.commandName === 'QueryCommand')
          gets.push(context.commandName);
        return next(args);
      };
    client.middlewareStack.add(count as never, { step: 'initialize', name: 'countReads' });
    try {
      await c.req('GET', '/v2/'); // credential now cached
      gets.length = 0;
      const got = await c.req('GET', `/v2/${repo}/manifests/v1`);
      expect(await got.text()).toBe(small.body);
      expect(got.headers.get('docker-content-digest')).toBe(small.digest);
      expect(gets).toEqual(['GetItemCommand']);
      gets.length = 0;
      const head = await c.req('HEAD', `/v2/${repo}/manifests/big`);
      expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(big.body)));
      expect(gets).toEqual(['GetItemCommand']);
      gets.length = 0;
      expect(await (await c.req('GET', `/v2/${repo}/manifests/big`)).text()).toBe(big.body);
      expect(gets).toEqual(['GetItemCommand', 'GetItemCommand']);
    } finally {
      client.middlewareStack.remove('countReads');
    }
    // Moved to the big manifest, then back: never the stale copy.
    expect((await c.putManifest(repo, 'v1', big.body)).status).toBe(201);
    expect(await (await c.req('GET', `/v2/${repo}/manifests/v1`)).text()).toBe(big.body);
    expect((await c.putManifest(repo, 'v1', small.body)).status).toBe(201);
    expect(await (await c.req('GET', `/v2/${repo}/manifests/v1`)).text()).toBe(small.body);
    // Deleting the manifest removes its tags first: the copy goes with them.
    expect((await c.req('DELETE', `/v2/${repo}/manifests/${small.digest}`)).status).toBe(202);
    await expectError(await c.req('GET', `/v2/${repo}/manifests/v1`), 404, 'MANIFEST_UNKNOWN');
    expect((await c.req('HEAD', `/v2/${repo}/manifests/v1`)).status).toBe(404);
  });
});
