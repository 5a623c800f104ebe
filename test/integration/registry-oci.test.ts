/**
 * OCI distribution spec v1.1 behaviours of the registry, through the real stack (handler behind
 * the API Gateway adapter, s3rver, dynalite): pull, push (monolithic, chunked, mount), content
 * discovery (tags, catalog, referrers), content management, errors and bad input.
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LocalRegistry } from '../../lambdas/local/serve.ts';
import {
  ADMIN,
  basic,
  oci,
  READER,
  rawRequest,
  sha256,
  startTestRegistry,
  TEAM_A,
} from '../helpers/registry.ts';

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const INDEX = 'application/vnd.oci.image.index.v1+json';
const EMPTY = 'application/vnd.oci.empty.v1+json';
const MAX_CHUNK = 4 * 1024 * 1024;

let reg: LocalRegistry;
let c: ReturnType<typeof oci>;

beforeAll(async () => {
  reg = await startTestRegistry();
  c = oci(reg.url, basic(ADMIN));
});

/** Asserts the spec's JSON error format and returns the first error. */
async function expectError(
  res: Response,
  status: number,
  code: string,
): Promise<{ code: string; message: string; detail?: unknown }> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = JSON.parse(text) as { errors: { code: string; message: string; detail?: unknown }[] };
  expect(Array.isArray(body.errors)).toBe(true);
  expect(body.errors[0]?.code).toBe(code);
  expect(typeof body.errors[0]?.message).toBe('string');
  return body.errors[0] as { code: string; message: string; detail?: unknown };
}

/** Pushes `{}` as config and `layer` as the only layer, then the manifest under `ref`. */
async function pushImage(repo: string, ref: string, layer: string | Uint8Array, extra: object = {}) {
  const config = await c.pushBlob(repo, '{}');
  const l = await c.pushBlob(repo, layer);
  const manifest = {
    schemaVersion: 2,
    mediaType: MANIFEST,
    config: { mediaType: 'application/vnd.unknown.config.v1+json', ...config },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...l }],
    ...extra,
  };
  const body = JSON.stringify(manifest);
  const res = await c.putManifest(repo, ref, body);
  expect(res.status, await res.clone().text()).toBe(201);
  return { manifest, body, digest: sha256(body), layer: l, config };
}

describe('base and routing', () => {
  it('answers GET /v2/ with 200 to credentials and a Bearer challenge without', async () => {
    const ok = await c.req('GET', '/v2/');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('docker-distribution-api-version')).toBe('registry/2.0');

    const anon = await fetch(`${reg.url}/v2/`);
    await expectError(anon, 401, 'UNAUTHORIZED');
    expect(anon.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
    expect(anon.headers.get('www-authenticate')).toBe(
      `Bearer realm="${reg.url}/v2/token",service="packyard"`,
    );
  });

  it('answers /health without credentials', async () => {
    const res = await fetch(`${reg.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'UP' });
  });

  it('answers unknown routes with a 404 JSON error', async () => {
    for (const path of ['/nope', '/v2/demo/app/nothing/here', '/v3/', '/v2/demo/app/blobs']) {
      const res = await c.req('GET', path);
      const err = await expectError(res, 404, 'UNSUPPORTED');
      expect(err.message).toContain('no endpoint');
    }
  });

  it('answers a wrong method with 405 and Allow', async () => {
    const cases: [string, string, string][] = [
      ['DELETE', '/v2/', 'GET, HEAD'],
      ['POST', '/v2/demo/app/manifests/v1', 'GET, PUT, DELETE, HEAD'],
      ['PUT', `/v2/demo/app/blobs/${sha256('x')}`, 'GET, DELETE, HEAD'],
      ['GET', '/v2/demo/app/blobs/uploads/', 'POST'],
      ['PATCH', '/v2/demo/app/tags/list', 'GET, HEAD'],
    ];
    for (const [method, path, allow] of cases) {
      const res = await c.req(method, path);
      await expectError(res, 405, 'UNSUPPORTED');
      expect(res.headers.get('allow')).toBe(allow);
    }
  });

  it('refuses traversal and invalid names with NAME_INVALID or 404, never a crash', async () => {
    const targets = [
      '/v2/../../etc/passwd/manifests/latest',
      '/v2/demo/../../../x/tags/list',
      '/v2/%2e%2e/%2e%2e/etc/manifests/latest',
      '/v2/demo/%2e%2e/app/tags/list',
      '/v2/demo%2F..%2F..%2Fapp/tags/list',
      '/v2/Demo/App/tags/list',
      '/v2/demo//app/tags/list',
      '/v2/demo/app%00/tags/list',
      '/v2/-demo/app/tags/list',
      '/v2/demo/app./tags/list',
      `/v2/${'a'.repeat(300)}/tags/list`,
      '/v2/demo/app/blobs/uploads/..%2F..%2Fetc',
      '/v2/demo/app/manifests/..',
      '/v2/demo/app/blobs/sha256:..%2F..%2Fetc',
      '/v2/demo/app/referrers/..',
      '/api/v1/packs/..%2F..%2Fx/versions',
      '/api/v1/packs/demo/versions?base=../../etc',
    ];
    for (const target of targets) {
      const res = await rawRequest(reg.url, 'GET', target, { authorization: basic(ADMIN) });
      expect([400, 404], `${target}: ${res.status} ${res.body}`).toContain(res.status);
      if (res.body) {
        const body = JSON.parse(res.body) as { errors?: { code: string }[]; message?: string };
        // The gateway's own 400 (unreadable path) is {"message"}; the registry's are OCI errors.
        if (body.errors) {
          expect([
            'NAME_INVALID',
            'UNSUPPORTED',
            'MANIFEST_INVALID',
            'MANIFEST_UNKNOWN',
            'DIGEST_INVALID',
            'BLOB_UPLOAD_UNKNOWN',
          ]).toContain(body.errors[0]?.code);
        }
      }
    }
    const upper = await c.req('GET', '/v2/Demo/app/tags/list');
    const err = await expectError(upper, 400, 'NAME_INVALID');
    expect(err.message).toContain('Demo/app');
  });
});

describe('blobs', () => {
  it('pushes monolithically and answers HEAD and GET (307 to a presigned URL)', async () => {
    const bytes = randomBytes(3000);
    const digest = sha256(bytes);
    const post = await c.req('POST', `/v2/demo/blobs/blobs/uploads/?digest=${digest}`, {
      body: bytes,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(post.status, await post.clone().text()).toBe(201);
    expect(post.headers.get('location')).toBe(`/v2/demo/blobs/blobs/${digest}`);
    expect(post.headers.get('docker-content-digest')).toBe(digest);

    const head = await c.req('HEAD', `/v2/demo/blobs/blobs/${digest}`);
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('3000');
    expect(head.headers.get('docker-content-digest')).toBe(digest);
    expect((await head.arrayBuffer()).byteLength).toBe(0);

    const get = await c.req('GET', `/v2/demo/blobs/blobs/${digest}`);
    expect(get.status).toBe(307);
    expect(get.headers.get('docker-content-digest')).toBe(digest);
    const location = get.headers.get('location') as string;
    expect(location).toMatch(/^http:\/\/.*X-Amz-Signature=/);
    expect(location.startsWith(reg.url)).toBe(false); // served by storage, not the function
    const direct = await fetch(location);
    expect(direct.status).toBe(200);
    expect(Buffer.from(await direct.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('answers unknown blobs with 404 BLOB_UNKNOWN (HEAD without a body)', async () => {
    const digest = sha256('never pushed');
    const err = await expectError(await c.req('GET', `/v2/demo/blobs/blobs/${digest}`), 404, 'BLOB_UNKNOWN');
    expect(err.detail).toEqual({ digest });
    const head = await c.req('HEAD', `/v2/demo/blobs/blobs/${digest}`);
    expect(head.status).toBe(404);
    expect(await head.text()).toBe('');
    await expectError(await c.req('GET', '/v2/demo/blobs/blobs/sha256:xyz'), 400, 'DIGEST_INVALID');
    await expectError(await c.req('GET', '/v2/demo/blobs/blobs/md5:abc'), 400, 'DIGEST_INVALID');
  });

  it('keeps blobs per repository: a blob pushed to one is unknown in another', async () => {
    const { digest } = await c.pushBlob('demo/scoped-a', 'scoped content');
    expect((await c.req('HEAD', `/v2/demo/scoped-a/blobs/${digest}`)).status).toBe(200);
    expect((await c.req('HEAD', `/v2/demo/scoped-b/blobs/${digest}`)).status).toBe(404);
  });

  it('refuses a monolithic digest mismatch with DIGEST_INVALID and stores nothing', async () => {
    const claimed = sha256('what I said');
    const res = await c.req('POST', `/v2/demo/blobs/blobs/uploads/?digest=${claimed}`, {
      body: 'what I sent',
      headers: { 'content-type': 'application/octet-stream' },
    });
    const err = await expectError(res, 400, 'DIGEST_INVALID');
    expect(err.detail).toEqual({ expected: claimed, actual: sha256('what I sent') });
    expect((await c.req('HEAD', `/v2/demo/blobs/blobs/${claimed}`)).status).toBe(404);
    expect((await c.req('HEAD', `/v2/demo/blobs/blobs/${sha256('what I sent')}`)).status).toBe(404);
    const bad = await c.req('POST', '/v2/demo/blobs/blobs/uploads/?digest=sha256:1234', { body: 'x' });
    await expectError(bad, 400, 'DIGEST_INVALID');
  });

  it('pushes in chunks: POST, PATCH, GET status, PATCH, PUT with a final chunk', async () => {
    const parts = [randomBytes(1024 * 1024 + 7), randomBytes(1024 * 1024), randomBytes(513)];
    const whole = Buffer.concat(parts);
    const digest = sha256(whole);
    const repo = 'demo/chunked';

    const post = await c.req('POST', `/v2/${repo}/blobs/uploads/`, { headers: { 'content-length': '0' } });
    expect(post.status).toBe(202);
    const uuid = post.headers.get('docker-upload-uuid') as string;
    expect(uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(post.headers.get('location')).toBe(`/v2/${repo}/blobs/uploads/${uuid}`);
    expect(post.headers.get('range')).toBe('0-0');
    expect(Number(post.headers.get('oci-chunk-min-length'))).toBeGreaterThan(0);

    let location = post.headers.get('location') as string;
    let offset = 0;
    for (const part of parts.slice(0, 2)) {
      const patch = await c.req('PATCH', location, {
        body: part,
        headers: {
          'content-type': 'application/octet-stream',
          'content-range': `${offset}-${offset + part.length - 1}`,
        },
      });
      expect(patch.status, await patch.clone().text()).toBe(202);
      offset += part.length;
      expect(patch.headers.get('range')).toBe(`0-${offset - 1}`);
      expect(patch.headers.get('docker-upload-uuid')).toBe(uuid);
      location = patch.headers.get('location') as string;
      expect(location).toBe(`/v2/${repo}/blobs/uploads/${uuid}`);

      const status = await c.req('GET', location);
      expect(status.status).toBe(204);
      expect(status.headers.get('range')).toBe(`0-${offset - 1}`);
      expect(status.headers.get('location')).toBe(location);
    }

    const last = parts[2] as Buffer;
    const put = await c.req('PUT', `${location}?digest=${digest}`, {
      body: last,
      headers: {
        'content-type': 'application/octet-stream',
        'content-range': `${offset}-${offset + last.length - 1}`,
      },
    });
    expect(put.status, await put.clone().text()).toBe(201);
    expect(put.headers.get('location')).toBe(`/v2/${repo}/blobs/${digest}`);
    expect(put.headers.get('docker-content-digest')).toBe(digest);

    const head = await c.req('HEAD', `/v2/${repo}/blobs/${digest}`);
    expect(head.headers.get('content-length')).toBe(String(whole.length));
    const get = await c.req('GET', `/v2/${repo}/blobs/${digest}`);
    const bytes = Buffer.from(await (await fetch(get.headers.get('location') as string)).arrayBuffer());
    expect(bytes.equals(whole)).toBe(true);

    await expectError(await c.req('GET', location), 404, 'BLOB_UPLOAD_UNKNOWN');
  });

  it('accepts PATCH without Content-Range (streamed) and a PUT without a body', async () => {
    const repo = 'demo/streamed';
    const post = await c.req('POST', `/v2/${repo}/blobs/uploads/`);
    const location = post.headers.get('location') as string;
    const body = randomBytes(2048);
    const patch = await c.req('PATCH', location, { body });
    expect(patch.status).toBe(202);
    expect(patch.headers.get('range')).toBe('0-2047');
    const put = await c.req('PUT', `${location}?digest=${sha256(body)}`);
    expect(put.status, await put.clone().text()).toBe(201);
    expect((await c.req('HEAD', `/v2/${repo}/blobs/${sha256(body)}`)).status).toBe(200);
  });

  it('accepts POST then PUT with the whole blob (and an empty blob)', async () => {
    for (const content of ['post then put', '']) {
      const post = await c.req('POST', '/v2/demo/postput/blobs/uploads/');
      const put = await c.req('PUT', `${post.headers.get('location')}?digest=${sha256(content)}`, {
        body: content,
        headers: { 'content-type': 'application/octet-stream' },
      });
      expect(put.status, await put.clone().text()).toBe(201);
      const head = await c.req('HEAD', `/v2/demo/postput/blobs/${sha256(content)}`);
      expect(head.status).toBe(200);
      expect(head.headers.get('content-length')).toBe(String(content.length));
    }
  });

  it('answers an out-of-order chunk with 416 and the valid Range', async () => {
    const post = await c.req('POST', '/v2/demo/ooo/blobs/uploads/');
    const location = post.headers.get('location') as string;
    const first = await c.req('PATCH', location, {
      body: 'abcdef',
      headers: { 'content-range': '0-5', 'content-type': 'application/octet-stream' },
    });
    expect(first.status).toBe(202);
    for (const range of ['10-15', '0-5', '3-8', '6-100', 'bytes=a-b']) {
      const res = await c.req('PATCH', location, {
        body: 'ghijkl',
        headers: { 'content-range': range, 'content-type': 'application/octet-stream' },
      });
      await expectError(res, 416, 'BLOB_UPLOAD_INVALID');
      expect(res.headers.get('range')).toBe('0-5');
      expect(res.headers.get('location')).toBe(location);
    }
    const status = await c.req('GET', location);
    expect(status.status).toBe(204);
    expect(status.headers.get('range')).toBe('0-5');
    const next = await c.req('PATCH', location, {
      body: 'ghijkl',
      headers: { 'content-range': '6-11', 'content-type': 'application/octet-stream' },
    });
    expect(next.status).toBe(202);
    const put = await c.req('PUT', `${location}?digest=${sha256('abcdefghijkl')}`);
    expect(put.status).toBe(201);
  });

  it('keeps the winner intact when chunks race for the same offset', async () => {
    for (let round = 0; round < 5; round++) {
      const post = await c.req('POST', '/v2/demo/race/blobs/uploads/');
      const location = post.headers.get('location') as string;
      const bodies = Array.from({ length: 6 }, (_, i) => `chunk-${round}-${i}-${'x'.repeat(100)}`);
      const results = await Promise.all(
        bodies.map((body) =>
          c.req('PATCH', location, {
            body,
            headers: { 'content-range': `0-${body.length - 1}`, 'content-type': 'application/octet-stream' },
          }),
        ),
      );
      const winners = results.map((r, i) => (r.status === 202 ? i : -1)).filter((i) => i >= 0);
      expect(winners).toHaveLength(1);
      for (const r of results) if (r.status !== 202) await expectError(r, 416, 'BLOB_UPLOAD_INVALID');
      const winner = bodies[winners[0] as number] as string;
      const put = await c.req('PUT', `${location}?digest=${sha256(winner)}`);
      expect(put.status, await put.clone().text()).toBe(201);
    }
  });

  it('refuses a chunk over the advertised limit with 413 SIZE_INVALID naming the limit', async () => {
    const post = await c.req('POST', '/v2/demo/big/blobs/uploads/');
    expect(post.headers.get('oci-chunk-max-length')).toBe(String(MAX_CHUNK));
    const location = post.headers.get('location') as string;
    const big = Buffer.alloc(MAX_CHUNK + 1, 1);
    const patch = await c.req('PATCH', location, {
      body: big,
      headers: { 'content-range': `0-${big.length - 1}`, 'content-type': 'application/octet-stream' },
    });
    const err = await expectError(patch, 413, 'SIZE_INVALID');
    expect(err.message).toContain(String(MAX_CHUNK));
    expect((await c.req('GET', location)).headers.get('range')).toBe('0-0');

    const mono = await c.req('POST', `/v2/demo/big/blobs/uploads/?digest=${sha256(big)}`, {
      body: big,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect((await expectError(mono, 413, 'SIZE_INVALID')).message).toContain(String(MAX_CHUNK));
    expect((await c.req('HEAD', `/v2/demo/big/blobs/${sha256(big)}`)).status).toBe(404);

    // A chunk of exactly the limit is accepted.
    const exact = Buffer.alloc(MAX_CHUNK, 2);
    const ok = await c.req('PATCH', location, {
      body: exact,
      headers: { 'content-range': `0-${exact.length - 1}`, 'content-type': 'application/octet-stream' },
    });
    expect(ok.status, await ok.clone().text()).toBe(202);
    await c.req('DELETE', location);
  });

  it('refuses a chunked digest mismatch with DIGEST_INVALID, stores nothing and ends the session', async () => {
    const post = await c.req('POST', '/v2/demo/mismatch/blobs/uploads/');
    const location = post.headers.get('location') as string;
    await c.req('PATCH', location, { body: 'part one ', headers: { 'content-range': '0-8' } });
    const claimed = sha256('something else');
    const put = await c.req('PUT', `${location}?digest=${claimed}`, {
      body: 'part two',
      headers: { 'content-range': '9-16' },
    });
    const err = await expectError(put, 400, 'DIGEST_INVALID');
    expect(err.detail).toEqual({ expected: claimed, actual: sha256('part one part two') });
    expect((await c.req('HEAD', `/v2/demo/mismatch/blobs/${claimed}`)).status).toBe(404);
    expect((await c.req('HEAD', `/v2/demo/mismatch/blobs/${sha256('part one part two')}`)).status).toBe(404);
    await expectError(await c.req('GET', location), 404, 'BLOB_UPLOAD_UNKNOWN');
  });

  it('requires ?digest= to complete an upload', async () => {
    const post = await c.req('POST', '/v2/demo/nodigest/blobs/uploads/');
    const location = post.headers.get('location') as string;
    await expectError(await c.req('PUT', location, { body: 'x' }), 400, 'DIGEST_INVALID');
    await expectError(await c.req('PUT', `${location}?digest=nope`, { body: 'x' }), 400, 'DIGEST_INVALID');
  });

  it('cancels an upload with DELETE (204), after which it is unknown', async () => {
    const post = await c.req('POST', '/v2/demo/cancel/blobs/uploads/');
    const location = post.headers.get('location') as string;
    await c.req('PATCH', location, { body: 'some bytes', headers: { 'content-range': '0-9' } });
    const del = await c.req('DELETE', location);
    expect(del.status).toBe(204);
    await expectError(await c.req('GET', location), 404, 'BLOB_UPLOAD_UNKNOWN');
    await expectError(await c.req('PATCH', location, { body: 'more' }), 404, 'BLOB_UPLOAD_UNKNOWN');
    await expectError(
      await c.req('PUT', `${location}?digest=${sha256('some bytes')}`),
      404,
      'BLOB_UPLOAD_UNKNOWN',
    );
    await expectError(await c.req('DELETE', location), 404, 'BLOB_UPLOAD_UNKNOWN');
  });

  it('answers unknown upload sessions, and sessions of another repository, with BLOB_UPLOAD_UNKNOWN', async () => {
    await expectError(
      await c.req('GET', '/v2/demo/x/blobs/uploads/00000000-0000-0000-0000-000000000000'),
      404,
      'BLOB_UPLOAD_UNKNOWN',
    );
    await expectError(await c.req('GET', '/v2/demo/x/blobs/uploads/not-a-uuid'), 404, 'BLOB_UPLOAD_UNKNOWN');
    const post = await c.req('POST', '/v2/demo/owner/blobs/uploads/');
    const uuid = post.headers.get('docker-upload-uuid') as string;
    await expectError(await c.req('GET', `/v2/demo/other/blobs/uploads/${uuid}`), 404, 'BLOB_UPLOAD_UNKNOWN');
    await expectError(
      await c.req('PATCH', `/v2/demo/other/blobs/uploads/${uuid}`, { body: 'x' }),
      404,
      'BLOB_UPLOAD_UNKNOWN',
    );
  });

  it('mounts across repositories: 201 when the caller can pull `from`, 202 otherwise', async () => {
    const { digest } = await c.pushBlob('demo/mount-src', 'mount me');
    const mounted = await c.req(
      'POST',
      `/v2/demo/mount-dst/blobs/uploads/?mount=${digest}&from=demo/mount-src`,
    );
    expect(mounted.status).toBe(201);
    expect(mounted.headers.get('location')).toBe(`/v2/demo/mount-dst/blobs/${digest}`);
    expect(mounted.headers.get('docker-content-digest')).toBe(digest);
    expect((await c.req('HEAD', `/v2/demo/mount-dst/blobs/${digest}`)).status).toBe(200);

    // Not mountable: an unknown blob, a repository without it, a source the caller cannot read.
    const teamA = oci(reg.url, basic(TEAM_A));
    const fallbacks: [ReturnType<typeof oci>, string][] = [
      [c, `/v2/demo/mount-dst2/blobs/uploads/?mount=${sha256('unknown')}&from=demo/mount-src`],
      [c, `/v2/demo/mount-dst2/blobs/uploads/?mount=${digest}&from=demo/elsewhere`],
      [teamA, `/v2/team-a/mount-dst/blobs/uploads/?mount=${digest}&from=demo/mount-src`],
    ];
    for (const [client, path] of fallbacks) {
      const res = await client.req('POST', path);
      expect(res.status, await res.clone().text()).toBe(202);
      expect(res.headers.get('location')).toMatch(/\/blobs\/uploads\/[0-9a-f-]{36}$/);
    }
    expect((await teamA.req('HEAD', `/v2/team-a/mount-dst/blobs/${digest}`)).status).toBe(404);
    await expectError(
      await c.req('POST', '/v2/demo/mount-dst2/blobs/uploads/?mount=sha256:bad&from=demo/mount-src'),
      400,
      'DIGEST_INVALID',
    );
  });

  it('deletes a blob (202), after which it is unknown', async () => {
    const { digest } = await c.pushBlob('demo/delblob', 'delete me');
    const del = await c.req('DELETE', `/v2/demo/delblob/blobs/${digest}`);
    expect(del.status).toBe(202);
    expect((await c.req('HEAD', `/v2/demo/delblob/blobs/${digest}`)).status).toBe(404);
    await expectError(await c.req('DELETE', `/v2/demo/delblob/blobs/${digest}`), 404, 'BLOB_UNKNOWN');
  });
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
    const other = await pushImage(repo, 'v1', 'other layer');
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
    const { body } = await pushImage(repo, 'v1', 'by digest');
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
    // Neither a tag nor a digest: no such manifest (the conformance suite's 404; registry-protocol.test.ts).
    await expectError(await c.req('GET', '/v2/demo/huge/manifests/-bad-tag'), 404, 'MANIFEST_UNKNOWN');
    await expectError(
      await c.req('GET', `/v2/demo/huge/manifests/${'t'.repeat(129)}`),
      404,
      'MANIFEST_UNKNOWN',
    );
  });

  it('deletes by tag (the manifest stays) and by digest (every tag goes)', async () => {
    const repo = 'demo/delete';
    const img = await pushImage(repo, 'one', 'delete layer');
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
    const small = await pushImage(repo, 'v1', 'small');
    // Over the 4 KiB the tag keeps a copy of: served from the manifest item.
    const big = await pushImage(repo, 'big', 'big', { annotations: { note: 'x'.repeat(5000) } });
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

describe('content discovery', () => {
  /** Follows `Link: <…>; rel="next"` from `first` until there is none; returns every page's body. */
  async function allPages<T>(first: string): Promise<{ pages: T[]; links: string[] }> {
    const pages: T[] = [];
    const links: string[] = [];
    let path: string | undefined = first;
    while (path) {
      const res = await c.req('GET', path);
      expect(res.status, await res.clone().text()).toBe(200);
      pages.push((await res.json()) as T);
      const link = res.headers.get('link');
      if (!link) break;
      links.push(link);
      const m = /^<([^>]+)>; rel="next"$/.exec(link);
      expect(m, link).not.toBeNull();
      path = m?.[1];
      expect(pages.length).toBeLessThan(100);
    }
    return { pages, links };
  }

  it('lists tags in lexical order with n/last pagination and Link headers', async () => {
    const repo = 'demo/tags';
    const img = await pushImage(repo, 'seed', 'tags layer');
    const tags = [
      'seed',
      'v1.0.0',
      'v1.10.0',
      'v1.9.0',
      'latest',
      'A',
      'Z',
      '_x',
      '0',
      '9.9',
      'b-c',
      'b_c',
      'b.c',
    ];
    for (const t of tags.slice(1)) expect((await c.putManifest(repo, t, img.body)).status).toBe(201);
    const sorted = [...tags].sort(); // "ASCIIbetical" (Go's sort.Strings)

    const all = await c.req('GET', `/v2/${repo}/tags/list`);
    expect(all.headers.get('link')).toBeNull();
    expect(await all.json()).toEqual({ name: repo, tags: sorted });

    const { pages, links } = await allPages<{ name: string; tags: string[] }>(`/v2/${repo}/tags/list?n=4`);
    expect(pages.flatMap((p) => p.tags)).toEqual(sorted);
    expect(pages.slice(0, -1).every((p) => p.tags.length === 4)).toBe(true);
    expect(links[0]).toBe(
      `</v2/${repo}/tags/list?n=4&last=${encodeURIComponent(sorted[3] as string)}>; rel="next"`,
    );

    const after = await c.req('GET', `/v2/${repo}/tags/list?last=${encodeURIComponent('latest')}`);
    expect(((await after.json()) as { tags: string[] }).tags).toEqual(sorted.filter((t) => t > 'latest'));
    const page = await c.req('GET', `/v2/${repo}/tags/list?n=2&last=b-c`);
    expect(((await page.json()) as { tags: string[] }).tags).toEqual(['b.c', 'b_c']);

    const zero = await c.req('GET', `/v2/${repo}/tags/list?n=0`);
    expect(await zero.json()).toEqual({ name: repo, tags: [] });
    expect(zero.headers.get('link')).toBeNull();
    const exact = await c.req('GET', `/v2/${repo}/tags/list?n=${tags.length}`);
    expect(((await exact.json()) as { tags: string[] }).tags).toEqual(sorted);
    expect(exact.headers.get('link')).toBeNull();

    await expectError(await c.req('GET', `/v2/${repo}/tags/list?n=abc`), 400, 'UNSUPPORTED');
    await expectError(await c.req('GET', `/v2/${repo}/tags/list?n=-1`), 400, 'UNSUPPORTED');
  });

  it('lists the catalog with n/last pagination and Link headers until exhaustion', async () => {
    for (const r of ['zz/cat-1', 'zz/cat-2', 'zz/cat-3', 'zz/cat-4', 'zz/cat-5']) await pushImage(r, 'v1', r);
    const full = (await (await c.req('GET', '/v2/_catalog?n=1000')).json()) as { repositories: string[] };
    expect(full.repositories).toEqual([...full.repositories].sort());
    expect(full.repositories).toEqual(expect.arrayContaining(['zz/cat-1', 'zz/cat-5', 'demo/tags']));
    expect(new Set(full.repositories).size).toBe(full.repositories.length);

    const { pages, links } = await allPages<{ repositories: string[] }>('/v2/_catalog?n=3');
    expect(pages.flatMap((p) => p.repositories)).toEqual(full.repositories);
    expect(links.length).toBeGreaterThanOrEqual(Math.ceil(full.repositories.length / 3) - 1);
    expect(links[0]).toMatch(/^<\/v2\/_catalog\?n=3&last=[^>]+>; rel="next"$/);

    const after = await c.req('GET', '/v2/_catalog?n=2&last=zz/cat-2');
    expect(await after.json()).toEqual({ repositories: ['zz/cat-3', 'zz/cat-4'] });
    expect(after.headers.get('link')).toBe(
      `</v2/_catalog?n=2&last=${encodeURIComponent('zz/cat-4')}>; rel="next"`,
    );
    const last = await c.req('GET', '/v2/_catalog?n=5&last=zz/cat-4');
    expect(await last.json()).toEqual({ repositories: ['zz/cat-5'] });
    expect(last.headers.get('link')).toBeNull();
    const zero = await c.req('GET', '/v2/_catalog?n=0');
    expect(await zero.json()).toEqual({ repositories: [] });
    expect(zero.headers.get('link')).toBeNull();
  });

  it('serves the referrers API: OCI-Subject on push, an index of referrers, artifactType filtering', async () => {
    const repo = 'demo/referrers';
    const subject = await pushImage(repo, 'v1', 'the subject');
    const subjectDesc = {
      mediaType: MANIFEST,
      digest: subject.digest,
      size: Buffer.byteLength(subject.body),
    };
    const empty = await c.pushBlob(repo, '{}');
    const sbomLayer = await c.pushBlob(repo, '{"sbom":true}');

    const sbom = JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST,
      artifactType: 'application/vnd.example.sbom.v1',
      config: { mediaType: EMPTY, ...empty },
      layers: [{ mediaType: 'application/spdx+json', ...sbomLayer }],
      subject: subjectDesc,
      annotations: {
        'org.opencontainers.image.created': '2025-01-01T00:00:00Z',
        'org.example.format': 'spdx',
      },
    });
    const put1 = await c.putManifest(repo, sha256(sbom), sbom);
    expect(put1.status, await put1.clone().text()).toBe(201);
    expect(put1.headers.get('oci-subject')).toBe(subject.digest);

    // No artifactType: the descriptor takes the config's media type.
    const sigConfig = await c.pushBlob(repo, '{"sig":1}');
    const sig = JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST,
      config: { mediaType: 'application/vnd.example.signature.config.v1+json', ...sigConfig },
      layers: [],
      subject: subjectDesc,
    });
    const put2 = await c.putManifest(repo, sha256(sig), sig);
    expect(put2.status, await put2.clone().text()).toBe(201);
    expect(put2.headers.get('oci-subject')).toBe(subject.digest);

    const res = await c.req('GET', `/v2/${repo}/referrers/${subject.digest}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(INDEX);
    expect(res.headers.get('oci-filters-applied')).toBeNull();
    const index = (await res.json()) as { schemaVersion: number; mediaType: string; manifests: unknown[] };
    expect(index.schemaVersion).toBe(2);
    expect(index.mediaType).toBe(INDEX);
    expect(index.manifests).toHaveLength(2);
    expect(index.manifests).toEqual(
      expect.arrayContaining([
        {
          mediaType: MANIFEST,
          digest: sha256(sbom),
          size: Buffer.byteLength(sbom),
          artifactType: 'application/vnd.example.sbom.v1',
          annotations: {
            'org.opencontainers.image.created': '2025-01-01T00:00:00Z',
            'org.example.format': 'spdx',
          },
        },
        {
          mediaType: MANIFEST,
          digest: sha256(sig),
          size: Buffer.byteLength(sig),
          artifactType: 'application/vnd.example.signature.config.v1+json',
        },
      ]),
    );

    const filtered = await c.req(
      'GET',
      `/v2/${repo}/referrers/${subject.digest}?artifactType=${encodeURIComponent('application/vnd.example.sbom.v1')}`,
    );
    expect(filtered.status).toBe(200);
    expect(filtered.headers.get('oci-filters-applied')).toBe('artifactType');
    expect(
      ((await filtered.json()) as { manifests: { digest: string }[] }).manifests.map((m) => m.digest),
    ).toEqual([sha256(sbom)]);
    const none = await c.req(
      'GET',
      `/v2/${repo}/referrers/${subject.digest}?artifactType=application/x-none`,
    );
    expect(none.headers.get('oci-filters-applied')).toBe('artifactType');
    expect(((await none.json()) as { manifests: unknown[] }).manifests).toEqual([]);

    // Unknown subject: 200 with an empty index, never 404. A bad digest: 400.
    const unknown = await c.req('GET', `/v2/${repo}/referrers/${sha256('nothing refers to me')}`);
    expect(unknown.status).toBe(200);
    expect(await unknown.json()).toEqual({ schemaVersion: 2, mediaType: INDEX, manifests: [] });
    await expectError(await c.req('GET', `/v2/${repo}/referrers/latest`), 400, 'DIGEST_INVALID');

    // An index referrer without artifactType is listed without one.
    const idx = JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: [], subject: subjectDesc });
    const put3 = await c.putManifest(repo, sha256(idx), idx, INDEX);
    expect(put3.status, await put3.clone().text()).toBe(201);
    expect(put3.headers.get('oci-subject')).toBe(subject.digest);
    const withIndex = (await (await c.req('GET', `/v2/${repo}/referrers/${subject.digest}`)).json()) as {
      manifests: Record<string, unknown>[];
    };
    expect(withIndex.manifests).toContainEqual({
      mediaType: INDEX,
      digest: sha256(idx),
      size: Buffer.byteLength(idx),
    });
    expect((await c.req('DELETE', `/v2/${repo}/manifests/${sha256(idx)}`)).status).toBe(202);

    // Deleting a referrer removes it from the list.
    expect((await c.req('DELETE', `/v2/${repo}/manifests/${sha256(sig)}`)).status).toBe(202);
    const after = (await (await c.req('GET', `/v2/${repo}/referrers/${subject.digest}`)).json()) as {
      manifests: { digest: string }[];
    };
    expect(after.manifests.map((m) => m.digest)).toEqual([sha256(sbom)]);
  });

  it('accepts a referrer before its subject exists', async () => {
    const repo = 'demo/referrers-first';
    const empty = await c.pushBlob(repo, '{}');
    const missingSubject = sha256('pushed later');
    const art = JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST,
      artifactType: 'application/vnd.example.sig',
      config: { mediaType: EMPTY, ...empty },
      layers: [],
      subject: { mediaType: MANIFEST, digest: missingSubject, size: 100 },
    });
    const put = await c.putManifest(repo, sha256(art), art);
    expect(put.status, await put.clone().text()).toBe(201);
    expect(put.headers.get('oci-subject')).toBe(missingSubject);
    const list = (await (await c.req('GET', `/v2/${repo}/referrers/${missingSubject}`)).json()) as {
      manifests: { digest: string; artifactType: string }[];
    };
    expect(list.manifests).toEqual([
      expect.objectContaining({ digest: sha256(art), artifactType: 'application/vnd.example.sig' }),
    ]);
  });
});

describe('oversized and malformed parameters', () => {
  it('answers 4xx, never 500, to parameters the index cannot take', async () => {
    const long = 'a'.repeat(3000);
    const { digest } = await c.pushBlob('demo/params', 'params');
    const cases: [string, string, number][] = [
      ['GET', `/v2/demo/params/tags/list?last=${long}`, 400],
      ['GET', '/v2/demo/params/tags/list?last=has%20space', 400],
      ['GET', `/v2/_catalog?last=${long}`, 400],
      ['GET', '/v2/_catalog?last=..%2Fetc', 400],
      ['GET', '/v2/_catalog?n=1e3', 400],
      // An unusable `from` is simply not mountable: a regular upload session starts.
      ['POST', `/v2/demo/params/blobs/uploads/?mount=${digest}&from=${long}`, 202],
      ['POST', `/v2/demo/params/blobs/uploads/?mount=${digest}&from=..%2F..%2Fdemo%2Fparams`, 202],
      ['GET', `/v2/demo/params/blobs/uploads/${long}`, 404],
      ['GET', `/v2/demo/params/referrers/sha256:${'a'.repeat(2000)}`, 400],
    ];
    for (const [method, path, status] of cases) {
      const res = await c.req(method, path);
      expect(res.status, `${method} ${path.slice(0, 80)}: ${await res.clone().text()}`).toBe(status);
    }
  });
});

describe('garbage Authorization headers', () => {
  it('answers 401 (never 500) to every malformed or forged credential', async () => {
    const values = [
      'Basic',
      'Basic ',
      'Basic !!!!',
      'Basic Og==', // ":"
      `Basic ${Buffer.from('no-colon').toString('base64')}`,
      `Basic ${Buffer.from(':password-only').toString('base64')}`,
      `Basic ${Buffer.from('admin:').toString('base64')}`,
      `Basic ${Buffer.from('admin:wrong').toString('base64')}`,
      `Basic ${Buffer.from(`${'u'.repeat(3000)}:p`).toString('base64')}`,
      `Basic ${Buffer.from([0xff, 0xfe, 0x3a, 0x00]).toString('base64')}`,
      'Bearer',
      'Bearer ',
      'Bearer x',
      'Bearer a.b.c',
      'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.',
      'Bearer eyJhbGciOiJIUzI1NiJ9.e30.AAAA',
      `Bearer ${'x'.repeat(5000)}`,
      'Digest username="admin"',
      'Negotiate abc',
      'basicbasic',
      '   ',
      'Basic YWRtaW46YWRtaW4tcGFzc3dvcmQtMTIz extra',
    ];
    for (const value of values) {
      for (const path of [
        '/v2/',
        '/v2/demo/app/tags/list',
        '/v2/_catalog',
        '/v2/token?scope=repository:demo/app:pull',
      ]) {
        const res = await fetch(`${reg.url}${path}`, { headers: { authorization: value } });
        const text = await res.text();
        expect(res.status, `${JSON.stringify(value.slice(0, 40))} ${path}: ${text}`).toBe(401);
        expect(JSON.parse(text).errors[0].code).toBe('UNAUTHORIZED');
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="/);
      }
    }
  });

  it('still serves a reader for pulls after all that', async () => {
    const r = oci(reg.url, basic(READER));
    expect((await r.req('GET', '/v2/')).status).toBe(200);
  });
});
