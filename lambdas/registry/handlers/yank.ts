import type { ApiGatewayResult } from '../http/apigw.ts';
import { json } from '../http/response.ts';
import { badRequest, notFound } from '../oci/errors.ts';
import { refreshPackSummary } from '../packs/admission.ts';
import type { PackVersionRecord } from '../ports.ts';
import type { RegistryContext } from './context.ts';
import { versionJson } from './packs-api.ts';

/**
 * Yanking a pack version: hidden from `tags/list` (what Palette syncs from, so new syncs no longer
 * offer it), from the pack API's version listings and from "latest", but still pullable by exact
 * tag or digest (clusters that use it keep working). Reversible. Write order: the version record
 * first, then the tag flag, then the summary; unyank in reverse. A crash in between leaves the
 * version listed or hidden a little early; re-running the same request completes it.
 */

const MAX_REASON = 500;

export async function yankVersion(
  ctx: RegistryContext,
  repo: string,
  version: string,
  by: string,
  raw: Uint8Array,
): Promise<ApiGatewayResult> {
  let reason: string | undefined;
  if (raw.length > 0) {
    let b: unknown;
    try {
      b = JSON.parse(Buffer.from(raw).toString('utf8'));
    } catch {
      throw badRequest('UNSUPPORTED', 'send {"reason": "…"} as JSON, or no body');
    }
    const r = (b as { reason?: unknown })?.reason;
    if (r !== undefined && (typeof r !== 'string' || r.length > MAX_REASON))
      throw badRequest('UNSUPPORTED', `reason must be a string of at most ${MAX_REASON} characters`);
    reason = r as string | undefined;
  }
  const v = await requireVersion(ctx, repo, version);
  const yank = v.yanked ?? { at: ctx.now().toISOString(), by, ...(reason ? { reason } : {}) };
  await ctx.index.setPackVersionYank(repo, v.version, yank);
  await ctx.index.setTagYanked(repo, v.version, true);
  await refreshPackSummary(ctx, repo);
  return json(200, { ...versionJson({ ...v, yanked: yank }), yanked: yank });
}

export async function unyankVersion(
  ctx: RegistryContext,
  repo: string,
  version: string,
): Promise<ApiGatewayResult> {
  const v = await requireVersion(ctx, repo, version);
  await ctx.index.setTagYanked(repo, v.version, false);
  await ctx.index.setPackVersionYank(repo, v.version, undefined);
  await refreshPackSummary(ctx, repo);
  return json(200, { ...versionJson({ ...v, yanked: undefined }), yanked: null });
}

async function requireVersion(
  ctx: RegistryContext,
  repo: string,
  version: string,
): Promise<PackVersionRecord> {
  const v = await ctx.index.getPackVersion(repo, version);
  if (!v) throw notFound('MANIFEST_UNKNOWN', `${repo} has no version ${version.slice(0, 128)}`);
  return v;
}
