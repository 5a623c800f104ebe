import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { BuiltPack } from '../core/build-pack.ts';
import { EMPTY_CONFIG, MEDIA_TYPE_MANIFEST, type OciIndex, sha256Digest, upsertIndex } from '../core/oci.ts';

/** Writes archives and an OCI image layout (oci-layout, index.json, blobs/sha256) into `out`. */
export async function writeBuildOutput(out: string, packs: readonly BuiltPack[]): Promise<void> {
  await fs.mkdir(path.join(out, 'blobs', 'sha256'), { recursive: true });
  await writeIfChanged(
    path.join(out, 'oci-layout'),
    new TextEncoder().encode('{"imageLayoutVersion":"1.0.0"}'),
  );
  await writeBlob(out, EMPTY_CONFIG);
  const indexPath = path.join(out, 'index.json');
  let index: OciIndex | undefined;
  try {
    index = JSON.parse(await fs.readFile(indexPath, 'utf8')) as OciIndex;
    if (!Array.isArray(index.manifests)) throw new Error('no manifests array');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(
        `${indexPath} exists but is not an OCI index (${(err as Error).message}); choose an empty --out folder`,
      );
    }
  }
  await Promise.all(
    packs.flatMap((p) => [
      writeIfChanged(path.join(out, p.archiveName), p.archive),
      writeBlob(out, p.archive),
      writeBlob(out, p.manifest),
    ]),
  );
  for (const p of packs) {
    index = upsertIndex(
      index,
      { mediaType: MEDIA_TYPE_MANIFEST, digest: p.manifestDigest, size: p.manifest.length },
      `${p.name}:${p.version}`,
    );
  }
  if (index) await atomicWrite(indexPath, new TextEncoder().encode(`${JSON.stringify(index)}\n`));
}

async function writeBlob(out: string, bytes: Uint8Array): Promise<void> {
  const hex = sha256Digest(bytes).slice('sha256:'.length);
  await writeIfChanged(path.join(out, 'blobs', 'sha256', hex), bytes);
}

async function writeIfChanged(file: string, bytes: Uint8Array): Promise<void> {
  const st = await fs.stat(file).catch(() => undefined);
  if (st?.size === bytes.length && Buffer.from(await fs.readFile(file)).equals(bytes)) return;
  await atomicWrite(file, bytes);
}

/** Write-then-rename, so an interrupted build never leaves a truncated blob under its digest. */
async function atomicWrite(file: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await fs.writeFile(tmp, bytes);
  await fs.rename(tmp, file);
}
