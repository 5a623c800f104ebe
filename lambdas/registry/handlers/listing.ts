import type { ApiGatewayResult } from '../http/apigw.ts';
import { json, respond } from '../http/response.ts';
import { badRequest } from '../oci/errors.ts';
import { isName, isTag, validateDigest } from '../oci/names.ts';
import type { CatalogIndex, ReferrerIndex, TagIndex } from '../ports.ts';
import type { RegistryContext } from './context.ts';

const MAX_PAGE = 1000;
const DEFAULT_PAGE = 100;

function pageSize(query: URLSearchParams): number {
  const n = query.get('n');
  if (n === null || n === '') return DEFAULT_PAGE;
  if (!/^\d+$/.test(n)) throw badRequest('UNSUPPORTED', `n must be a whole number (got "${n.slice(0, 20)}")`);
  return Math.min(Number(n), MAX_PAGE);
}

/** `last` must be a tag (tags/list) or repository name (_catalog): the index cannot start from anything longer. */
function lastOf(query: URLSearchParams, valid: (s: string) => boolean, what: string): string | undefined {
  const last = query.get('last');
  if (last === null || last === '') return undefined;
  if (!valid(last)) throw badRequest('UNSUPPORTED', `last must be a ${what} (got "${last.slice(0, 140)}")`);
  return last;
}

function link(path: string, n: number, last: string): string {
  return `<${path}?n=${n}&last=${encodeURIComponent(last)}>; rel="next"`;
}

export async function listTags(
  ctx: RegistryContext<TagIndex>,
  repo: string,
  query: URLSearchParams,
): Promise<ApiGatewayResult> {
  const n = pageSize(query);
  const last = lastOf(query, isTag, 'tag');
  // Yanked pack versions are left out (Palette syncs from tags/list; a pull by tag still works),
  // reading on until the page is full so `n` and the Link header stay exact.
  const tags: string[] = [];
  let more = n > 0;
  let after = last;
  while (more && tags.length < n) {
    const page = await ctx.index.listTags(repo, n - tags.length, after);
    for (const t of page.tags) if (!t.yanked) tags.push(t.tag);
    more = page.more;
    after = page.tags.at(-1)?.tag ?? after;
  }
  const page = { more };
  const headers: Record<string, string> = {};
  if (page.more && tags.length > 0)
    headers.link = link(`/v2/${repo}/tags/list`, n, tags[tags.length - 1] as string);
  return json(200, { name: repo, tags }, headers);
}

/** The catalog shows only repositories inside the caller's prefix. */
export async function listCatalog(
  ctx: RegistryContext<CatalogIndex>,
  query: URLSearchParams,
  prefix: string | undefined,
): Promise<ApiGatewayResult> {
  const n = pageSize(query);
  let last = lastOf(query, isName, 'repository name');
  if (prefix === undefined || n === 0) return json(200, { repositories: [] });
  if (prefix && (!last || last < prefix)) last = prefixStart(prefix);
  const out: string[] = [];
  let more = true;
  while (out.length < n && more) {
    const page = await ctx.index.listRepositories(n - out.length, last);
    for (const r of page.repositories) {
      if (prefix && !r.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`)) {
        more = false;
        break;
      }
      out.push(r);
    }
    more = more && page.more;
    last = page.repositories.at(-1);
  }
  const headers: Record<string, string> = {};
  if (more && out.length > 0) headers.link = link('/v2/_catalog', n, out[out.length - 1] as string);
  return json(200, { repositories: out }, headers);
}

/**
 * An exclusive start key just below every repository under `prefix`: "team-a/" → "team-a.\uffff"
 * ("/" minus one is "."), which sorts after "team-a-x" and "team-a.y" but before "team-a/…".
 */
function prefixStart(prefix: string): string {
  const p = prefix.endsWith('/') ? prefix : `${prefix}/`;
  return `${p.slice(0, -1)}${String.fromCharCode(p.charCodeAt(p.length - 1) - 1)}\uffff`;
}

export async function listReferrers(
  ctx: RegistryContext<ReferrerIndex>,
  repo: string,
  digest: string,
  query: URLSearchParams,
): Promise<ApiGatewayResult> {
  validateDigest(digest);
  const artifactType = query.get('artifactType') ?? undefined;
  const all = await ctx.index.listReferrers(repo, digest);
  const chosen = artifactType ? all.filter((r) => r.artifactType === artifactType) : all;
  const body = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: chosen.map((r) => ({
      mediaType: r.mediaType,
      digest: r.digest,
      size: r.size,
      ...(r.artifactType ? { artifactType: r.artifactType } : {}),
      ...(r.annotations ? { annotations: r.annotations } : {}),
    })),
  };
  const headers: Record<string, string> = { 'content-type': 'application/vnd.oci.image.index.v1+json' };
  if (artifactType) headers['oci-filters-applied'] = 'artifactType';
  return respond(200, headers, `${JSON.stringify(body)}\n`);
}
