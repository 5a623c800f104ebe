import { describe, expect, it } from 'vitest';
import { publishPack } from '../../client/publish.ts';
import { parseRegistryRef } from '../../client/reference.ts';
import { RegistryClient } from '../../client/registry-client.ts';
import { buildPack } from '../../core/build-pack.ts';
import { readPackTree } from '../../core/pack-tree.ts';
import { goodPack, makePack } from '../helpers/packs.ts';
import { namedPack } from '../helpers/publish.ts';
import { ADMIN, READER, startTestRegistry } from '../helpers/registry.ts';

describe('registry client against packyard serve', () => {
  it('publishes a pack, skips it when unchanged, and refuses a conflicting build', async () => {
    const reg = await startTestRegistry();
    const client = new RegistryClient({
      registry: parseRegistryRef(reg.url.replace('http://', '')),
      credentials: ADMIN,
    });
    const pack = await buildPack(readPackTree(makePack(goodPack())), 'demo-app', '1.0.0');
    const first = await publishPack(client, pack);
    expect(first).toMatchObject({
      status: 'published',
      repository: 'spectro-packs/archive/demo-app',
      digest: pack.manifestDigest,
    });
    expect(first.uploaded).toBeGreaterThan(pack.archive.length);
    const again = await publishPack(client, pack);
    expect(again).toMatchObject({ status: 'skipped', uploaded: 0 });
    const changed = await buildPack(
      readPackTree(makePack(goodPack({ 'README.md': '# changed\n' }))),
      'demo-app',
      '1.0.0',
    );
    const conflict = await publishPack(client, changed);
    expect(conflict.status).toBe('failed');
    expect(conflict.message).toContain(pack.manifestDigest);
    expect(conflict.message).toContain(changed.manifestDigest);
    const pulled = await client.getBlob('spectro-packs/archive/demo-app', pack.layerDigest, 1 << 20);
    expect(Buffer.from(pulled).equals(Buffer.from(pack.archive))).toBe(true);
    expect(await client.listTags('spectro-packs/archive/demo-app')).toEqual(['1.0.0']);
  });

  it('publishes each pack with one bearer token, and read-only credentials still see what is there', async () => {
    const reg = await startTestRegistry();
    const registry = parseRegistryRef(reg.url.replace('http://', ''));
    const requests: string[] = [];
    const counting: typeof fetch = (input, init) => {
      const url = new URL(String(input));
      requests.push(`${init?.method ?? 'GET'} ${url.pathname}`);
      return fetch(input, init);
    };
    const client = new RegistryClient({ registry, credentials: ADMIN, fetch: counting });
    const packs = await Promise.all(
      ['one', 'two', 'three'].map((name) =>
        buildPack(readPackTree(makePack(namedPack(name))), name, '1.0.0'),
      ),
    );
    for (const pack of packs) expect((await publishPack(client, pack)).status).toBe('published');
    // The first request meets the Bearer challenge; after that, one token per repository, and per
    // pack: HEAD manifest, POST the {} config (too small to ask about), HEAD + POST the layer, PUT.
    expect(requests.filter((r) => r === 'GET /v2/token')).toHaveLength(3);
    expect(
      requests.filter((r) => r.startsWith('HEAD ') || r.startsWith('POST ') || r.startsWith('PUT ')),
    ).toHaveLength(3 * 5 + 1);

    const reader = new RegistryClient({ registry, credentials: READER });
    const seen = await reader.headManifest('spectro-packs/archive/one', '1.0.0', 'pull,push');
    expect(seen?.digest).toBe(packs[0]?.manifestDigest);
    const refused = await publishPack(
      reader,
      await buildPack(readPackTree(makePack(namedPack('four'))), 'four', '1.0.0'),
    );
    expect(refused.status).toBe('failed');
    expect(refused.message).toMatch(/401|403|denied|insufficient/i);
  });
});
