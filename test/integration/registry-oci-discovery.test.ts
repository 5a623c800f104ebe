/**
 * OCI distribution spec v1.1: content discovery (tags, catalog, referrers), oversized and
 * malformed parameters, and garbage Authorization headers, through the real stack.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { LocalRegistry } from '../../lambdas/local/serve.ts';
import { adminRegistry, EMPTY, expectError, INDEX, MANIFEST, pushImage } from '../helpers/oci-suite.ts';
import { basic, oci, READER, sha256 } from '../helpers/registry.ts';

let reg: LocalRegistry;
let c: ReturnType<typeof oci>;

beforeAll(async () => {
  ({ reg, c } = await adminRegistry());
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
    const img = await pushImage(c, repo, 'seed', 'tags layer');
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
    for (const r of ['zz/cat-1', 'zz/cat-2', 'zz/cat-3', 'zz/cat-4', 'zz/cat-5'])
      await pushImage(c, r, 'v1', r);
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
    const subject = await pushImage(c, repo, 'v1', 'the subject');
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
