import type { BuiltPack } from '../core/build-pack.ts';
import { EMPTY_CONFIG, MEDIA_TYPE_MANIFEST, packRepository } from '../core/oci.ts';
import { type RegistryClient, RegistryError } from './registry-client.ts';

export type PublishStatus = 'published' | 'skipped' | 'invalid' | 'failed';

/** Where a publish is: asking the registry, uploading the layer (`sent` of `total` bytes), tagging. */
export interface PublishProgress {
  phase: 'checking' | 'uploading' | 'tagging';
  sent: number;
  total: number;
}

export interface PublishResult {
  name: string;
  version: string;
  repository: string;
  digest: string;
  status: PublishStatus;
  /** Bytes actually uploaded (0 when the registry had everything). */
  uploaded: number;
  message?: string;
}

/**
 * Publishes one built pack to `<base>/spectro-packs/archive/<name>:<version>`, deciding by asking
 * the registry: the same digest already there is skipped, another digest is a conflict (the
 * version is immutable) unless `force`. Every step is idempotent, so re-running after a failure
 * completes the push.
 */
export async function publishPack(
  client: RegistryClient,
  pack: BuiltPack,
  opts: { force?: boolean; mountFrom?: string[]; onProgress?: (p: PublishProgress) => void } = {},
): Promise<PublishResult> {
  const repository = packRepository(pack.name, client.registry.basePath);
  const base = { name: pack.name, version: pack.version, repository, digest: pack.manifestDigest };
  const total = pack.archive.length;
  const progress = (phase: PublishProgress['phase'], sent: number) =>
    opts.onProgress?.({ phase, sent, total });
  try {
    progress('checking', 0);
    const existing = await client.headManifest(repository, pack.version, 'pull,push');
    if (existing?.digest === pack.manifestDigest)
      return { ...base, status: 'skipped', uploaded: 0, message: 'already published' };
    if (existing && !opts.force) {
      return {
        ...base,
        status: 'failed',
        uploaded: 0,
        message: `${repository}:${pack.version} already holds ${existing.digest}, but this build is ${pack.manifestDigest}; versions are immutable — bump the version (or pass --force on a registry that allows overwriting)`,
      };
    }
    progress('uploading', 0);
    const config = await client.pushBlob(repository, EMPTY_CONFIG, opts.mountFrom);
    const layer = await client.pushBlob(repository, pack.archive, opts.mountFrom, (sent) =>
      progress('uploading', sent),
    );
    progress('tagging', total);
    await client.putManifest(repository, pack.version, pack.manifest, MEDIA_TYPE_MANIFEST);
    return {
      ...base,
      status: 'published',
      uploaded: config.uploaded + layer.uploaded + pack.manifest.length,
    };
  } catch (err) {
    const invalid = err instanceof RegistryError && err.code === 'MANIFEST_INVALID';
    return { ...base, status: invalid ? 'invalid' : 'failed', uploaded: 0, message: (err as Error).message };
  }
}

/** A gate letting at most `limit` tasks run at once; the others wait their turn, in order. */
export function createLimit(limit: number): <R>(task: () => Promise<R>) => Promise<R> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    // A finishing task hands its slot straight to the next waiter, so none can jump the queue.
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

/** Runs `fn` over items with at most `limit` in flight; results keep the input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
