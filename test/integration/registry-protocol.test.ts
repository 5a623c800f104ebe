/**
 * Protocol edges over real sockets (handler + API Gateway adapter + s3rver + dynalite):
 * concurrent completion of one upload, bodies over the Lambda limit, blob redirects a Go client
 * can follow, and manifest references that are neither tags nor digests.
 */
import http from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LocalRegistry } from '../../lambdas/local/serve.ts';
import { ADMIN, basic, oci, sha256, startTestRegistry } from '../helpers/registry.ts';

let reg: LocalRegistry;
let c: ReturnType<typeof oci>;

beforeAll(async () => {
  reg = await startTestRegistry();
  c = oci(reg.url, basic(ADMIN));
});

describe('concurrent completion of one upload', () => {
  it('answers every PUT ?digest= of the same chunked upload correctly (no 500), storing the blob once', async () => {
    const repo = 'proto/concurrent';
    const bytes = Buffer.from('chunk one;chunk two;'.repeat(1000));
    const digest = sha256(bytes);
    const start = await c.req('POST', `/v2/${repo}/blobs/uploads/`);
    expect(start.status).toBe(202);
    const location = start.headers.get('location') as string;
    const patch = await fetch(new URL(location, reg.url), {
      method: 'PATCH',
      body: bytes,
      headers: {
        authorization: basic(ADMIN),
        'content-type': 'application/octet-stream',
        'content-range': `0-${bytes.length - 1}`,
      },
    });
    expect(patch.status, await patch.text()).toBe(202);
    const sep = location.includes('?') ? '&' : '?';
    const puts = await Promise.all(
      Array.from({ length: 6 }, () =>
        fetch(new URL(`${location}${sep}digest=${digest}`, reg.url), {
          method: 'PUT',
          headers: { authorization: basic(ADMIN), 'content-length': '0' },
        }).then(async (r) => ({
          status: r.status,
          body: await r.text(),
          digest: r.headers.get('docker-content-digest'),
        })),
      ),
    );
    for (const p of puts) {
      expect(p.status, p.body).toBe(201);
      expect(p.digest).toBe(digest);
    }
    const head = await c.req('HEAD', `/v2/${repo}/blobs/${digest}`);
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(bytes.length));
    expect((await fetch(`${reg.url}/health`)).status).toBe(200);
  });
});

/** A request as Go's net/http sends it after a same-host redirect: Authorization kept. */
function getFollowingLikeGo(url: string, auth: string, hops = 5): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: `${u.pathname}${u.search}`,
        headers: auth ? { authorization: auth } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          const loc = res.headers.location;
          if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && loc && hops > 0) {
            const next = new URL(loc, url);
            // Go forwards Authorization when the redirect stays on the same host name (any port).
            const keep = next.hostname === u.hostname ? auth : '';
            getFollowingLikeGo(next.toString(), keep, hops - 1).then(resolve, reject);
          } else resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('blob downloads', () => {
  it('work for a client that forwards Authorization on same-host redirects (Go), bytes intact', async () => {
    const repo = 'proto/blob';
    const bytes = Buffer.from('blob bytes for a Go client\n'.repeat(100));
    const { digest } = await c.pushBlob(repo, bytes);
    const res = await getFollowingLikeGo(`${reg.url}/v2/${repo}/blobs/${digest}`, basic(ADMIN));
    expect(res.status, res.body.toString()).toBe(200);
    expect(sha256(res.body)).toBe(digest);
  });

  it('work the same when the registry is reached as localhost (--public-url)', async () => {
    const local = await startTestRegistry({ config: { publicUrl: 'http://localhost' } });
    const lc = oci(local.url, basic(ADMIN));
    const { digest } = await lc.pushBlob('proto/blob-local', 'reached as localhost\n');
    const url = `http://localhost:${new URL(local.url).port}/v2/proto/blob-local/blobs/${digest}`;
    const res = await getFollowingLikeGo(url, basic(ADMIN));
    expect(res.status, res.body.toString()).toBe(200);
    expect(sha256(res.body)).toBe(digest);
  });

  it('still redirect (307) rather than pass bytes through the handler', async () => {
    const repo = 'proto/blob-redirect';
    const { digest } = await c.pushBlob(repo, 'redirected\n');
    const res = await c.req('GET', `/v2/${repo}/blobs/${digest}`);
    expect(res.status).toBe(307);
    const loc = new URL(res.headers.get('location') as string);
    // Storage answers on its own host name, so no client forwards the registry's credentials to it.
    expect(loc.hostname).not.toBe(new URL(reg.url).hostname);
  });
});

describe('manifest references', () => {
  it.each(['-bad-tag', `${'t'.repeat(129)}`, 'sha256:short', 'a:b'])(
    'a reference that is neither a tag nor a digest (%s) is MANIFEST_UNKNOWN 404 on GET/HEAD',
    async (ref) => {
      const res = await c.req('GET', `/v2/proto/refs/manifests/${encodeURIComponent(ref)}`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { errors: { code: string }[] }).errors[0]?.code).toBe('MANIFEST_UNKNOWN');
      expect((await c.req('HEAD', `/v2/proto/refs/manifests/${encodeURIComponent(ref)}`)).status).toBe(404);
    },
  );

  it('a PUT to such a reference is still refused as MANIFEST_INVALID 400', async () => {
    const res = await c.putManifest('proto/refs', '-bad-tag', '{}');
    expect(res.status).toBe(400);
  });
});

describe('bodies over the Lambda limit', () => {
  // What docs/registry.md says: up to 4 MiB the registry answers; past it, SIZE_INVALID from the
  // registry while the event still fits Lambda's 6 MB; past that, the gateway's own 413, not OCI JSON.
  it.each<[string, number, string]>([
    ['4 MiB + 1 KiB (the registry answers)', 4 * 1024 * 1024 + 1024, 'SIZE_INVALID'],
    ['5 MiB (base64 over Lambda 6 MB)', 5 * 1024 * 1024, 'gateway'],
    ['11 MB (over API Gateway 10 MB)', 11 * 1000 * 1000, 'gateway'],
  ])('a monolithic upload of %s', async (_what, size, expected) => {
    const body = Buffer.alloc(size, 1);
    const res = await c.req('POST', `/v2/proto/big/blobs/uploads/?digest=${sha256(body)}`, {
      body,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(res.status).toBe(413);
    const json = (await res.json()) as { errors?: { code: string }[]; message?: string };
    if (expected === 'gateway') expect(json).toEqual({ message: 'Request Entity Too Large' });
    else expect(json.errors?.[0]?.code).toBe(expected);
  });
});
