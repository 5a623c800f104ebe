import type { ApiGatewayResult } from '../http/apigw.ts';
import { respond } from '../http/response.ts';
import { notFound } from '../oci/errors.ts';
import type { WebAsset, WebAssets } from './assets.ts';

/**
 * Headers on every catalog response. The page runs only its own script (no inline code, no
 * eval), styles only from itself, talks only to this origin, and may not be framed. Images may
 * come from https: (README badges) and blob: (logos fetched with the session's token); pack
 * authors' Markdown is sanitised on top of this (web/src/markdown.ts), the CSP is the backstop.
 */
export const CATALOG_SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob: https: data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

/** Hashed names never change content: a year, immutable. */
const ASSET_CACHE = 'public, max-age=31536000, immutable';
/** The shell names the current hashed assets: kept briefly, then revalidated (ETag). */
const INDEX_CACHE = 'public, max-age=60, must-revalidate';

function answer(
  asset: WebAsset,
  cache: string,
  req: { ifNoneMatch?: string; acceptEncoding?: string },
): ApiGatewayResult {
  const headers: Record<string, string> = {
    ...CATALOG_SECURITY_HEADERS,
    'cache-control': cache,
    etag: asset.etag,
    vary: 'accept-encoding',
  };
  if (req.ifNoneMatch?.split(',').some((t) => t.trim() === asset.etag)) return respond(304, headers);
  headers['content-type'] = asset.contentType;
  if (asset.gzip && /\bgzip\b/.test(req.acceptEncoding ?? ''))
    return respond(200, { ...headers, 'content-encoding': 'gzip' }, asset.gzip);
  return respond(200, headers, asset.bytes);
}

/** GET / and the catalog's deep links (/packs/…): the page shell; the script routes on the path. */
export async function serveCatalogPage(
  web: WebAssets | undefined,
  basePath: string,
  req: { ifNoneMatch?: string; acceptEncoding?: string },
): Promise<ApiGatewayResult> {
  const index = await web?.index();
  if (!index)
    throw notFound(
      'UNSUPPORTED',
      'the catalog UI is not installed here: build it with "npm run build" (packyard serve) or deploy the PackRegistry construct, which ships it',
    );
  // Asset URLs are absolute from the registry's base path (an API Gateway stage, if any). It comes
  // from request headers when no public URL is set, so only plain path segments are written.
  const base = /^(?:\/[A-Za-z0-9._~-]+)*$/.test(basePath) ? basePath : '';
  const html = Buffer.from(Buffer.from(index.bytes).toString('utf8').replaceAll('__PACKYARD_BASE__', base));
  const etag = `"${index.etag.slice(1, -1)}-${hashBase(base)}"`;
  return answer({ bytes: html, contentType: index.contentType, etag }, INDEX_CACHE, req);
}

export async function serveCatalogAsset(
  web: WebAssets | undefined,
  name: string,
  req: { ifNoneMatch?: string; acceptEncoding?: string },
): Promise<ApiGatewayResult> {
  const asset = await web?.asset(name);
  if (!asset) throw notFound('UNSUPPORTED', `no catalog asset ${name.slice(0, 100)}`);
  return answer(asset, ASSET_CACHE, req);
}

/** A short tag of the base path, so one shell's ETag never answers for another base. */
function hashBase(base: string): string {
  let h = 0;
  for (const c of base) h = (h * 31 + (c.codePointAt(0) ?? 0)) >>> 0;
  return h.toString(36);
}
