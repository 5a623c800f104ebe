import { describe, expect, it } from 'vitest';
import { publishPack } from '../../client/publish.ts';
import { parseRegistryRef } from '../../client/reference.ts';
import { RegistryClient } from '../../client/registry-client.ts';
import { buildPack } from '../../core/build-pack.ts';
import { readPackTree } from '../../core/pack-tree.ts';
import { goodPack, makePack } from '../helpers/packs.ts';
import { ADMIN, startTestRegistry } from '../helpers/registry.ts';

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
});
