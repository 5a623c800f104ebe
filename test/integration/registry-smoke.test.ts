import { describe, expect, it } from 'vitest';
import { ADMIN, basic, oci, startTestRegistry } from '../helpers/registry.ts';

describe('registry smoke', () => {
  it('pushes and pulls an artifact', async () => {
    const reg = await startTestRegistry();
    const anon = await fetch(`${reg.url}/v2/`);
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toContain('Bearer realm=');
    const c = oci(reg.url, basic(ADMIN));
    expect((await c.req('GET', '/v2/')).status).toBe(200);
    const config = await c.pushBlob('demo/app', '{}');
    const layer = await c.pushBlob('demo/app', 'hello world');
    const manifest = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.unknown.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
    };
    const put = await c.putManifest('demo/app', 'v1', manifest);
    expect(put.status, await put.clone().text()).toBe(201);
    const got = await c.req('GET', '/v2/demo/app/manifests/v1');
    expect(got.status).toBe(200);
    expect(JSON.parse(await got.text())).toEqual(manifest);
    const blob = await c.req('GET', `/v2/demo/app/blobs/${layer.digest}`);
    expect(blob.status).toBe(307);
    const direct = await fetch(blob.headers.get('location') as string);
    expect(await direct.text()).toBe('hello world');
    const tags = await c.req('GET', '/v2/demo/app/tags/list');
    expect(await tags.json()).toEqual({ name: 'demo/app', tags: ['v1'] });
  });
});
