/**
 * OCI distribution spec v1.1 behaviours of the registry, through the real stack (handler behind
 * the API Gateway adapter, s3rver, dynalite): base and routing, blobs and uploads (monolithic,
 * chunked, mount). Manifests: registry-oci-manifests.test.ts; content discovery and bad input:
 * registry-oci-discovery.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LocalRegistry } from '../../lambdas/local/serve.ts';
import { adminRegistry, expectError, MAX_CHUNK } from '../helpers/oci-suite.ts';
import { ADMIN, basic, oci, rawRequest, sha256, TEAM_A } from '../helpers/registry.ts';

let reg: LocalRegistry;
let c: ReturnType<typeof oci>;

beforeAll(async () => {
  ({ reg, c } = await adminRegistry());
});

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
