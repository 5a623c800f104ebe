import { OciError } from '../oci/errors.ts';
import type { BlobIndex } from '../ports.ts';

/**
 * How request paths stay safe against garbage collection (docs/storage.md, "Garbage collection"):
 * before relying on a blob (or a pack's extracted files) they look at its GC mark. A `condemned`
 * mark is cleared (the content is still whole), a `deleting` one means the bytes may be going:
 * the blob counts as unknown, and a write of the same content is refused with a retryable 503
 * until the collector has finished (seconds). The collector only moves `condemned` → `deleting`
 * after a fence longer than any request, from a mark that started after the fence, so a request
 * that saw no mark has finished writing whatever references the content before the mark reads it.
 */

export type BlobUse = 'live' | 'absent' | 'deleting';

export async function useBlob(
  ctx: { index: Pick<BlobIndex, 'getBlob' | 'reviveBlob'> },
  digest: string,
): Promise<BlobUse> {
  const rec = await ctx.index.getBlob(digest);
  if (!rec) return 'absent';
  if (rec.gcState === undefined) return 'live';
  if (rec.gcState === 'condemned' && (await ctx.index.reviveBlob(digest))) return 'live';
  return 'deleting';
}

export function beingCollected(what: string): OciError {
  return new OciError(
    503,
    'TOOMANYREQUESTS',
    `${what} is being removed by garbage collection right now; retry in a minute`,
    undefined,
    { 'retry-after': '30' },
  );
}

/** Before writing `packs/<hex>/…`: clears a condemned mark, refuses while the files are being deleted. */
export async function claimPackFiles(
  ctx: { index: Pick<BlobIndex, 'getPackFilesState' | 'revivePackFiles'> },
  hex: string,
): Promise<void> {
  const state = await ctx.index.getPackFilesState(hex);
  if (state === undefined) return;
  if (state === 'condemned' && (await ctx.index.revivePackFiles(hex))) return;
  throw beingCollected(`the pack files of sha256:${hex}`);
}
