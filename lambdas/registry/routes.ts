import { type Principal, pullFilter } from './auth/access.ts';
import type { Authenticator } from './auth/authenticate.ts';
import type { Permission } from './auth/authorize.ts';
import * as blobs from './handlers/blobs.ts';
import type { RegistryContext } from './handlers/context.ts';
import {
  createCredentialApi,
  listCredentialsApi,
  removeCredentialApi,
  rotateCredentialApi,
  updateCredentialApi,
} from './handlers/credentials-api.ts';
import { listCatalog, listReferrers, listTags } from './handlers/listing.ts';
import { deleteManifest, getManifest, headManifest, putManifest } from './handlers/manifests.ts';
import type { Exchanger } from './handlers/oidc-exchange.ts';
import {
  getVersion,
  getVersionFile,
  listVersions,
  lookupVersions,
  searchPacks,
} from './handlers/packs-api.ts';
import { addPublisher, listPublishers, publisherAudit, removePublisher } from './handlers/publishers-api.ts';
import { createSession } from './handlers/session.ts';
import { tokenEndpoint } from './handlers/token.ts';
import { getVersionFiles } from './handlers/version-files.ts';
import { whoami } from './handlers/whoami.ts';
import { unyankVersion, yankVersion } from './handlers/yank.ts';
import type { ApiGatewayResult } from './http/apigw.ts';
import type { Request } from './http/request.ts';
import { json } from './http/response.ts';
import type { Method, RouteRow } from './http/router.ts';
import { serveCatalogAsset, serveCatalogPage } from './web-assets/serve-web.ts';

/** What the edge hands every route handler. */
export interface EdgeContext extends RegistryContext {
  auth: Authenticator;
  /** Trusted publishing, loaded on first use. */
  oidc(): Promise<Exchanger>;
}

/** A request that passed the route's permission. */
export interface RouteCall {
  req: Request;
  /** The path pattern's named groups. */
  params: Record<string, string>;
  /** Who is asking (anonymous on `public` routes, which read no credentials). */
  subject: Principal;
  /** The repository the permission was checked on ('' when the route names none). */
  repository: string;
}

export interface Route extends RouteRow {
  permission: Permission;
  handler: (ctx: EdgeContext, call: RouteCall) => Promise<ApiGatewayResult>;
}

const row = (method: Method, path: RegExp, permission: Permission, handler: Route['handler']): Route => ({
  method,
  path,
  permission,
  handler,
});

const pull = { action: 'pull', repository: 'name' } as const;
const push = { action: 'push', repository: 'name' } as const;
const remove = { action: 'delete', repository: 'name' } as const;
const pullPack = { action: 'pull', repository: 'pack' } as const;
/** Yanking retires a version: the same right as deleting it. */
const retirePack = { action: 'delete', repository: 'pack' } as const;

// Path patterns. Order matters where two could match (uploads before blobs): the first wins.
const HEALTH = /^\/health\/?$/;
const BASE = /^\/v2\/?$/;
const TOKEN = /^\/v2\/token\/?$/;
const CATALOG = /^\/v2\/_catalog\/?$/;
const MANIFEST = /^\/v2\/(?<name>.+)\/manifests\/(?<ref>[^/]+)$/;
const UPLOADS = /^\/v2\/(?<name>.+)\/blobs\/uploads\/?$/;
const UPLOAD = /^\/v2\/(?<name>.+)\/blobs\/uploads\/(?<id>[^/]+)$/;
const BLOB = /^\/v2\/(?<name>.+)\/blobs\/(?<digest>[^/]+)$/;
const TAGS = /^\/v2\/(?<name>.+)\/tags\/list\/?$/;
const REFERRERS = /^\/v2\/(?<name>.+)\/referrers\/(?<digest>[^/]+)$/;
const PACKS = /^\/api\/v1\/packs\/?$/;
const PACKS_LOOKUP = /^\/api\/v1\/packs\/lookup\/?$/;
const PACK_VERSIONS = /^\/api\/v1\/packs\/(?<pack>[^/]+)\/versions\/?$/;
const PACK_VERSION = /^\/api\/v1\/packs\/(?<pack>[^/]+)\/versions\/(?<version>[^/]+)$/;
const PACK_YANK = /^\/api\/v1\/packs\/(?<pack>[^/]+)\/versions\/(?<version>[^/]+)\/yank$/;
const PACK_FILE = /^\/api\/v1\/packs\/(?<pack>[^/]+)\/versions\/(?<version>[^/]+)\/(?<file>[a-z]+)$/;
const WHOAMI = /^\/api\/v1\/whoami\/?$/;
const OIDC = /^\/api\/v1\/oidc\/?$/;
const OIDC_TOKEN = /^\/api\/v1\/oidc\/token\/?$/;
const CREDENTIALS = /^\/api\/v1\/credentials\/?$/;
const CREDENTIAL = /^\/api\/v1\/credentials\/(?<username>[^/]+)$/;
const CREDENTIAL_ROTATE = /^\/api\/v1\/credentials\/(?<username>[^/]+)\/rotate$/;
const PUBLISHERS = /^\/api\/v1\/publishers\/?$/;
const PUBLISHER = /^\/api\/v1\/publishers\/(?<id>[^/]+)$/;
const PUBLISHER_AUDIT = /^\/api\/v1\/publishers\/(?<id>[^/]+)\/audit\/?$/;
const SESSION = /^\/api\/v1\/session\/?$/;
// The web catalog: its shell at / and every deep link under /packs, its hashed files under /assets.
const CATALOG_PAGE = /^\/(?:packs(?:\/.*)?)?$/;
const CATALOG_ASSET = /^\/assets\/(?<file>[^/]+)$/;

/** What the catalog's static answers depend on besides the path. */
const webRequest = (req: Request) => ({
  ifNoneMatch: req.header('if-none-match'),
  acceptEncoding: req.header('accept-encoding'),
});

/**
 * Every endpoint of the registry: method, path, what the caller must be allowed, and the handler.
 * docs/registry.md describes them for users; docs/architecture.md explains the table.
 */
export const ROUTES: readonly Route[] = [
  row('GET', HEALTH, 'public', async () => json(200, { status: 'UP' })),
  row('GET', BASE, 'login', async () => json(200, {})),
  row('GET', TOKEN, 'caller', (ctx, { req, subject }) => tokenEndpoint(ctx, ctx.auth, req, subject)),
  row('POST', TOKEN, 'caller', (ctx, { req, subject }) => tokenEndpoint(ctx, ctx.auth, req, subject)),
  row('GET', CATALOG, 'catalog', (ctx, { req, subject }) =>
    listCatalog(ctx, req.query, subject.listPrefix as string),
  ),

  // OCI distribution.
  row('GET', MANIFEST, pull, (ctx, { repository, params }) =>
    getManifest(ctx, repository, params.ref as string),
  ),
  row('HEAD', MANIFEST, pull, (ctx, { repository, params }) =>
    headManifest(ctx, repository, params.ref as string),
  ),
  row('PUT', MANIFEST, push, (ctx, { req, repository, params, subject }) =>
    putManifest(ctx, {
      repository,
      reference: params.ref as string,
      body: req.body,
      contentType: req.header('content-type'),
      pushedBy: subject.subject,
      publisher: subject.publisher,
    }),
  ),
  row('DELETE', MANIFEST, remove, (ctx, { repository, params }) =>
    deleteManifest(ctx, repository, params.ref as string),
  ),
  row('POST', UPLOADS, push, (ctx, { req, repository, subject }) =>
    blobs.startUpload(ctx, repository, req.query, req.body, (from) => subject.can('pull', from)),
  ),
  row('GET', UPLOAD, push, (ctx, { repository, params }) =>
    blobs.getUpload(ctx, repository, params.id as string),
  ),
  row('PATCH', UPLOAD, push, (ctx, { req, repository, params }) =>
    blobs.patchUpload(ctx, repository, params.id as string, req.body, req.header('content-range')),
  ),
  row('PUT', UPLOAD, push, (ctx, { req, repository, params }) =>
    blobs.putUpload(ctx, repository, params.id as string, req.query, req.body, req.header('content-range')),
  ),
  row('DELETE', UPLOAD, push, (ctx, { repository, params }) =>
    blobs.cancelUpload(ctx, repository, params.id as string),
  ),
  row('GET', BLOB, pull, (ctx, { repository, params }) =>
    blobs.getBlob(ctx, repository, params.digest as string),
  ),
  row('HEAD', BLOB, pull, (ctx, { repository, params }) =>
    blobs.headBlob(ctx, repository, params.digest as string),
  ),
  row('DELETE', BLOB, remove, (ctx, { repository, params }) =>
    blobs.deleteBlob(ctx, repository, params.digest as string),
  ),
  row('GET', TAGS, pull, (ctx, { req, repository }) => listTags(ctx, repository, req.query)),
  row('GET', REFERRERS, pull, (ctx, { req, repository, params }) =>
    listReferrers(ctx, repository, params.digest as string, req.query),
  ),

  // The JSON API for packs: search and lookup show only what the caller may pull, and without
  // anonymous pull an anonymous caller is asked to log in (openapi.yaml's 401), not shown nothing.
  row('GET', PACKS, 'login', (ctx, { req, subject }) => searchPacks(ctx, req.query, pullFilter(subject))),
  row('POST', PACKS_LOOKUP, 'login', (ctx, { req, subject }) =>
    lookupVersions(ctx, req.body, (repo) => subject.can('pull', repo)),
  ),
  row('GET', PACK_VERSIONS, pullPack, (ctx, { req, repository }) => listVersions(ctx, repository, req.query)),
  row('GET', PACK_VERSION, pullPack, (ctx, { repository, params }) =>
    getVersion(ctx, repository, params.version as string),
  ),
  // Before PACK_FILE, whose pattern also matches `…/yank`.
  row('PUT', PACK_YANK, retirePack, (ctx, { req, repository, params, subject }) =>
    yankVersion(ctx, repository, params.version as string, subject.subject, req.body),
  ),
  row('DELETE', PACK_YANK, retirePack, (ctx, { repository, params }) =>
    unyankVersion(ctx, repository, params.version as string),
  ),
  row('GET', PACK_FILE, pullPack, (ctx, { req, repository, params }) =>
    params.file === 'files'
      ? getVersionFiles(ctx, repository, params.version as string)
      : getVersionFile(
          ctx,
          repository,
          params.version as string,
          params.file as string,
          req.header('if-none-match'),
        ),
  ),

  // Trusted publishing: the ID token in the exchange's body is the credential.
  row('GET', WHOAMI, 'caller', async (_ctx, { subject }) => whoami(subject)),
  row('GET', OIDC, 'public', async (ctx, { req }) =>
    json(200, {
      issuer: ctx.config.oidcIssuer,
      audience: ctx.config.oidcAudience,
      token_endpoint: `${req.baseUrl}/api/v1/oidc/token`,
    }),
  ),
  row('POST', OIDC_TOKEN, 'public', async (ctx, { req }) =>
    (await ctx.oidc()).exchange(req.body, req.header('content-type')),
  ),
  // The web catalog: the page and its files are the same for everyone (what it shows comes from
  // the API, under the visitor's rights); sign-in exchanges a credential for a pull-only token.
  row('POST', SESSION, 'public', (ctx, { req }) => createSession(ctx, ctx.auth, req.body)),
  row('GET', CATALOG_PAGE, 'public', (ctx, { req }) =>
    serveCatalogPage(ctx.web, new URL(req.baseUrl).pathname.replace(/\/+$/, ''), webRequest(req)),
  ),
  row('GET', CATALOG_ASSET, 'public', (ctx, { req, params }) =>
    serveCatalogAsset(ctx.web, params.file as string, webRequest(req)),
  ),
  // Credentials admin API (a prefix-limited admin manages only its prefix).
  row('GET', CREDENTIALS, 'admin', (ctx, { subject }) => listCredentialsApi(ctx, subject)),
  row('POST', CREDENTIALS, 'admin', (ctx, { req, subject }) => createCredentialApi(ctx, subject, req.body)),
  row('PATCH', CREDENTIAL, 'admin', (ctx, { req, params, subject }) =>
    updateCredentialApi(ctx, subject, decodeURIComponent(params.username as string), req.body),
  ),
  row('DELETE', CREDENTIAL, 'admin', (ctx, { params, subject }) =>
    removeCredentialApi(ctx, subject, decodeURIComponent(params.username as string)),
  ),
  row('POST', CREDENTIAL_ROTATE, 'admin', (ctx, { params, subject }) =>
    rotateCredentialApi(ctx, subject, decodeURIComponent(params.username as string)),
  ),
  row('GET', PUBLISHERS, 'admin', (ctx, { subject }) => listPublishers(ctx, subject)),
  row('POST', PUBLISHERS, 'admin', (ctx, { req, subject }) => addPublisher(ctx, subject, req.body)),
  row('DELETE', PUBLISHER, 'admin', (ctx, { params, subject }) =>
    removePublisher(ctx, subject, params.id as string),
  ),
  row('GET', PUBLISHER_AUDIT, 'admin', (ctx, { req, params, subject }) =>
    publisherAudit(ctx, subject, params.id as string, req.query),
  ),
];
