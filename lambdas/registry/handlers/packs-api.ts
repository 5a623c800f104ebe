import { packRepository } from '../../../core/oci.ts';
import type { ApiGatewayResult } from '../http/apigw.ts';
import { json, respond } from '../http/response.ts';
import { badRequest, notFound, OciError } from '../oci/errors.ts';
import { isTag, validateName } from '../oci/names.ts';
import { queryWords } from '../packs/search-text.ts';
import { isServedFile, SERVED_FILES } from '../packs/served-files.ts';
import {
  BlobTooLargeError,
  type PackIndex,
  type PackSummaryRecord,
  type PackVersionRecord,
} from '../ports.ts';
import type { RegistryContext } from './context.ts';

const MAX_LIMIT = 100;
/** Versions one lookup may ask for (one or a few BatchGetItem calls of up to 100 keys). */
export const MAX_LOOKUP = 100;
/** Files up to this size are answered inline (base64: ~5.6 MB, inside Lambda's 6 MB response). */
const MAX_INLINE_FILE_BYTES = 4 * 1024 * 1024;

function limitOf(query: URLSearchParams): number {
  const v = query.get('limit');
  if (v === null || v === '') return 50;
  if (!/^\d+$/.test(v) || Number(v) < 1)
    throw badRequest('UNSUPPORTED', `limit must be a positive whole number (got "${v.slice(0, 20)}")`);
  return Math.min(Number(v), MAX_LIMIT);
}

function summaryJson(s: PackSummaryRecord) {
  return {
    name: s.name,
    basePath: s.basePath,
    repository: s.repository,
    displayName: s.displayName,
    latestVersion: s.latestVersion,
    layer: s.layer,
    addonType: s.addonType ?? null,
    cloudTypes: s.cloudTypes,
    updatedAt: s.updatedAt,
  };
}

export function versionJson(v: PackVersionRecord) {
  return {
    name: v.name,
    version: v.version,
    basePath: v.basePath,
    repository: v.repository,
    displayName: v.displayName,
    layer: v.layer,
    addonType: v.addonType ?? null,
    cloudTypes: v.cloudTypes,
    digest: v.manifestDigest,
    layerDigest: v.layerDigest,
    size: v.size,
    pushedAt: v.pushedAt,
    pushedBy: v.pushedBy,
    lint: v.lint,
    contentDigest: v.contentDigest ?? null,
    files: Object.keys(v.files),
    provenance: v.provenance ?? null,
    message: v.message ?? null,
    replacedDigest: v.replacedDigest ?? null,
    yanked: v.yanked ?? null,
  };
}

/**
 * GET /api/v1/packs?q=&prefix=&base=&layer=&addonType=&cloudType=&limit=&cursor= — `visible`
 * is undefined for a caller who may pull every repository (auth/access.ts pullFilter).
 */
export async function searchPacks(
  ctx: RegistryContext<PackIndex>,
  query: URLSearchParams,
  visible: ((repo: string) => boolean) | undefined,
): Promise<ApiGatewayResult> {
  const page = await ctx.index.listPacks({
    prefix: query.get('prefix') ?? undefined,
    basePath: query.get('base') ?? undefined,
    layer: query.get('layer') ?? undefined,
    addonType: query.get('addonType') ?? undefined,
    cloudType: query.get('cloudType') ?? undefined,
    words: queryWords(query.get('q')),
    limit: limitOf(query),
    cursor: query.get('cursor') ?? undefined,
    // Filtered while paging, not after: a page's `next` then only ever names a visible pack.
    visible,
  });
  return json(200, {
    packs: page.items.map(summaryJson),
    next: page.next ?? null,
  });
}

/** GET /api/v1/packs/<name>/versions?base= — newest first. */
export async function listVersions(
  ctx: RegistryContext<PackIndex>,
  repo: string,
  query: URLSearchParams,
): Promise<ApiGatewayResult> {
  const page = await ctx.index.listPackVersions(repo, limitOf(query), query.get('cursor') ?? undefined);
  if (page.items.length === 0 && !query.get('cursor'))
    throw notFound('NAME_UNKNOWN', `no pack is published at ${repo}`);
  // Yanked versions are listed only when asked for (?yanked=true); a page may then hold fewer.
  const withYanked = query.get('yanked') === 'true';
  const items = withYanked ? page.items : page.items.filter((v) => !v.yanked);
  return json(200, { versions: items.map(versionJson), next: page.next ?? null });
}

/**
 * POST /api/v1/packs/lookup `{base?, packs: [{name, version}]}` → `{versions: [version | null]}`
 * in request order: what a publisher asks before deciding what to lint and push, in one request
 * instead of one per pack. Versions the caller may not pull answer null, like unpublished ones.
 */
export async function lookupVersions(
  ctx: RegistryContext<PackIndex>,
  body: Uint8Array,
  visible: (repo: string) => boolean,
): Promise<ApiGatewayResult> {
  const wanted = parseLookup(body);
  const keys = wanted.map(({ name, version }) => ({
    repository: packRepository(name, wanted.base),
    version,
  }));
  const readable = keys.map((k) => visible(k.repository));
  const found = await ctx.index.getPackVersions(keys.filter((_, i) => readable[i]));
  let next = 0;
  const versions = keys.map((_, i) => (readable[i] ? (found[next++] ?? null) : null));
  return json(200, { versions: versions.map((v) => (v ? versionJson(v) : null)) });
}

function parseLookup(body: Uint8Array): { name: string; version: string }[] & { base: string } {
  const usage = 'send {"base": "<base path>", "packs": [{"name": "…", "version": "…"}, …]}';
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    throw badRequest('UNSUPPORTED', `the lookup body is not JSON; ${usage}`);
  }
  const { base = '', packs } = (parsed ?? {}) as { base?: unknown; packs?: unknown };
  if (typeof base !== 'string' || !Array.isArray(packs))
    throw badRequest('UNSUPPORTED', `the lookup body needs a "packs" array; ${usage}`);
  if (packs.length > MAX_LOOKUP)
    throw badRequest('UNSUPPORTED', `a lookup asks for at most ${MAX_LOOKUP} versions (got ${packs.length})`);
  const out = packs.map((p, i) => {
    const { name, version } = (p ?? {}) as { name?: unknown; version?: unknown };
    if (typeof name !== 'string' || typeof version !== 'string' || !isTag(version))
      throw badRequest('UNSUPPORTED', `packs[${i}] needs a pack "name" and a "version" (an OCI tag)`);
    validateName(packRepository(name, base));
    return { name, version };
  });
  return Object.assign(out, { base });
}

async function requireVersion(
  ctx: RegistryContext<PackIndex>,
  repo: string,
  version: string,
): Promise<PackVersionRecord> {
  // Versions are tags: anything else is not published (and is never looked up).
  const v = isTag(version) ? await ctx.index.getPackVersion(repo, version) : undefined;
  if (!v) throw notFound('MANIFEST_UNKNOWN', `version ${version.slice(0, 130)} of ${repo} is not published`);
  return v;
}

export async function getVersion(
  ctx: RegistryContext<PackIndex>,
  repo: string,
  version: string,
): Promise<ApiGatewayResult> {
  return json(200, versionJson(await requireVersion(ctx, repo, version)));
}

/**
 * A version's files never change (versions are immutable), so browsers may keep them; `private`
 * because what a reader may see depends on their credentials.
 */
const IMMUTABLE_FILE_HEADERS = {
  'cache-control': 'private, max-age=86400',
  'x-content-type-options': 'nosniff',
};

/** GET /api/v1/packs/<name>/versions/<version>/(values|readme|presets|schema|logo|pack) */
export async function getVersionFile(
  ctx: RegistryContext<PackIndex>,
  repo: string,
  version: string,
  file: string,
  ifNoneMatch?: string,
): Promise<ApiGatewayResult> {
  if (!isServedFile(file))
    throw new OciError(
      404,
      'UNSUPPORTED',
      `no file "${file}"; use values, readme, presets, schema, logo, pack or files`,
    );
  const v = await requireVersion(ctx, repo, version);
  const key = v.files[file];
  if (!key) throw notFound('BLOB_UNKNOWN', `${repo}:${version} has no ${SERVED_FILES[file].path} file`);
  // The manifest digest names the version's content exactly: a strong validator for every file.
  const etag = `"${v.manifestDigest.slice('sha256:'.length)}-${file}"`;
  const headers = { ...IMMUTABLE_FILE_HEADERS, etag };
  if (ifNoneMatch?.split(',').some((t) => t.trim() === etag)) return respond(304, headers);
  let bytes: Uint8Array;
  try {
    bytes = await ctx.blobs.get(key, MAX_INLINE_FILE_BYTES);
  } catch (err) {
    if (!(err instanceof BlobTooLargeError)) throw err;
    // Too big for a Lambda response: storage serves it, as it serves blobs.
    return respond(307, { location: await ctx.blobs.presignGet(key, ctx.config.presignTtlSeconds) });
  }
  return respond(200, { ...headers, 'content-type': SERVED_FILES[file].type }, bytes);
}
