// The benchmark's OCI artifact, pushed with plain distribution-API calls (both registries accept them).
import { createHash, randomBytes } from 'node:crypto';
import { APP, MANIFEST_TYPE, TAGS } from './common.mjs';

export const sha256 = (bytes) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

export function artifact() {
  const config = Buffer.from('{}');
  const layer = randomBytes(4096);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST_TYPE,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256(config), size: config.length },
      layers: [
        {
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          digest: sha256(layer),
          size: layer.length,
          annotations: { 'org.opencontainers.image.title': 'bench.tar.gz' },
        },
      ],
    }),
  );
  return { blobs: [config, layer], manifest, digest: sha256(manifest) };
}

export async function expectStatus(res, want, what) {
  const body = await res.text();
  if (res.status !== want) throw new Error(`${what}: ${res.status} (wanted ${want}) ${body.slice(0, 500)}`);
  return res;
}

/** POST an upload session, then PUT the bytes with ?digest= (both registries support this). */
export async function pushBlob(base, repo, bytes, headers) {
  const post = await expectStatus(
    await fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers }),
    202,
    `start upload to ${repo}`,
  );
  const location = new URL(post.headers.get('location'), base);
  if (location.hostname !== '127.0.0.1') throw new Error(`unexpected upload location ${location}`);
  location.searchParams.set('digest', sha256(bytes));
  await expectStatus(
    await fetch(location, {
      method: 'PUT',
      headers: { ...headers, 'content-type': 'application/octet-stream' },
      body: bytes,
    }),
    201,
    `upload to ${repo}`,
  );
}

export async function pushManifest(base, repo, ref, art, headers) {
  await expectStatus(
    await fetch(`${base}/v2/${repo}/manifests/${ref}`, {
      method: 'PUT',
      headers: { ...headers, 'content-type': MANIFEST_TYPE },
      body: art.manifest,
    }),
    201,
    `push ${repo}:${ref}`,
  );
}

/** The artifact under every tag of APP; checks it reads back byte-identical. */
export async function pushArtifact(base, art, headers) {
  for (const blob of art.blobs) await pushBlob(base, APP, blob, headers);
  for (const tag of TAGS) await pushManifest(base, APP, tag, art, headers);
  const res = await fetch(`${base}/v2/${APP}/manifests/${TAGS[0]}`, {
    headers: { ...headers, accept: MANIFEST_TYPE },
  });
  const back = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200 || !back.equals(art.manifest))
    throw new Error(`${base}: manifest did not read back (${res.status})`);
}
