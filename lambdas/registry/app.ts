import { InvalidCursorError } from './adapters/dynamo-index.ts';
import type { Action, Principal } from './auth/access.ts';
import { type Authenticator, authenticator } from './auth/authenticate.ts';
import { CATALOG_SCOPE, type TokenSigner } from './auth/tokens.ts';
import type { RegistryConfig } from './config.ts';
import { DAY_TWO_METHODS, DAY_TWO_PATTERNS, type DayTwoRoute, dayTwo, isDayTwo } from './day-two-routes.ts';
import type { ApiGatewayEvent, ApiGatewayResult, Handler } from './http/apigw.ts';
import { type Request, toRequest } from './http/request.ts';
import { json, ociErrorResponse, withoutBody } from './http/response.ts';
import { OciError } from './oci/errors.ts';
import { validateName } from './oci/names.ts';
import type { BlobStore, RegistryIndex } from './ports.ts';
import * as blobs from './usecases/blobs.ts';
import type { RegistryContext } from './usecases/context.ts';
import { listCatalog, listReferrers, listTags } from './usecases/listing.ts';
import { deleteManifest, getManifest, headManifest, putManifest } from './usecases/manifests.ts';
import type { Exchanger } from './usecases/oidc-exchange.ts';
import {
  getVersion,
  getVersionFile,
  isPackFile,
  listVersions,
  lookupVersions,
  packRepository,
  searchPacks,
} from './usecases/packs-api.ts';
import { addPublisher, listPublishers, publisherAudit, removePublisher } from './usecases/publishers-api.ts';
import { RecentBlobs } from './usecases/recent-blobs.ts';
import { issueToken } from './usecases/token.ts';

export interface RegistryDeps {
  blobs: BlobStore;
  index: RegistryIndex;
  config: RegistryConfig;
  tokens: TokenSigner;
  now?: () => Date;
  log?: (entry: Record<string, unknown>) => void;
}

type Route =
  | { kind: 'health' }
  | { kind: 'base' }
  | { kind: 'token' }
  | { kind: 'catalog' }
  | { kind: 'manifest'; name: string; ref: string }
  | { kind: 'uploads'; name: string }
  | { kind: 'upload'; name: string; id: string }
  | { kind: 'blob'; name: string; digest: string }
  | { kind: 'tags'; name: string }
  | { kind: 'referrers'; name: string; digest: string }
  | { kind: 'packs' }
  | { kind: 'packs-lookup' }
  | { kind: 'pack-versions'; pack: string }
  | { kind: 'pack-version'; pack: string; version: string }
  | { kind: 'pack-file'; pack: string; version: string; file: string }
  | { kind: 'oidc' }
  | { kind: 'oidc-token' }
  | { kind: 'publishers' }
  | { kind: 'publisher'; id: string }
  | { kind: 'publisher-audit'; id: string }
  | DayTwoRoute;

const PATTERNS: [RegExp, (m: RegExpExecArray) => Route][] = [
  [/^\/health\/?$/, () => ({ kind: 'health' })],
  [/^\/v2\/?$/, () => ({ kind: 'base' })],
  [/^\/v2\/token\/?$/, () => ({ kind: 'token' })],
  [/^\/v2\/_catalog\/?$/, () => ({ kind: 'catalog' })],
  [
    /^\/v2\/(.+)\/manifests\/([^/]+)$/,
    (m) => ({ kind: 'manifest', name: m[1] as string, ref: m[2] as string }),
  ],
  [/^\/v2\/(.+)\/blobs\/uploads\/?$/, (m) => ({ kind: 'uploads', name: m[1] as string })],
  [
    /^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/,
    (m) => ({ kind: 'upload', name: m[1] as string, id: m[2] as string }),
  ],
  [/^\/v2\/(.+)\/blobs\/([^/]+)$/, (m) => ({ kind: 'blob', name: m[1] as string, digest: m[2] as string })],
  [/^\/v2\/(.+)\/tags\/list\/?$/, (m) => ({ kind: 'tags', name: m[1] as string })],
  [
    /^\/v2\/(.+)\/referrers\/([^/]+)$/,
    (m) => ({ kind: 'referrers', name: m[1] as string, digest: m[2] as string }),
  ],
  [/^\/api\/v1\/packs\/?$/, () => ({ kind: 'packs' })],
  [/^\/api\/v1\/packs\/lookup\/?$/, () => ({ kind: 'packs-lookup' })],
  [/^\/api\/v1\/packs\/([^/]+)\/versions\/?$/, (m) => ({ kind: 'pack-versions', pack: m[1] as string })],
  [
    /^\/api\/v1\/packs\/([^/]+)\/versions\/([^/]+)$/,
    (m) => ({ kind: 'pack-version', pack: m[1] as string, version: m[2] as string }),
  ],
  [
    /^\/api\/v1\/packs\/([^/]+)\/versions\/([^/]+)\/([a-z]+)$/,
    (m) => ({ kind: 'pack-file', pack: m[1] as string, version: m[2] as string, file: m[3] as string }),
  ],
  [/^\/api\/v1\/oidc\/?$/, () => ({ kind: 'oidc' })],
  [/^\/api\/v1\/oidc\/token\/?$/, () => ({ kind: 'oidc-token' })],
  [/^\/api\/v1\/publishers\/?$/, () => ({ kind: 'publishers' })],
  [/^\/api\/v1\/publishers\/([^/]+)$/, (m) => ({ kind: 'publisher', id: m[1] as string })],
  [/^\/api\/v1\/publishers\/([^/]+)\/audit\/?$/, (m) => ({ kind: 'publisher-audit', id: m[1] as string })],
];

const METHODS: Record<Route['kind'], string[]> = {
  ...DAY_TWO_METHODS,
  health: ['GET'],
  base: ['GET'],
  token: ['GET', 'POST'],
  catalog: ['GET'],
  manifest: ['GET', 'PUT', 'DELETE'],
  uploads: ['POST'],
  upload: ['GET', 'PATCH', 'PUT', 'DELETE'],
  blob: ['GET', 'DELETE'],
  tags: ['GET'],
  referrers: ['GET'],
  packs: ['GET'],
  'packs-lookup': ['POST'],
  'pack-versions': ['GET'],
  'pack-version': ['GET'],
  'pack-file': ['GET'],
  oidc: ['GET'],
  'oidc-token': ['POST'],
  publishers: ['GET', 'POST'],
  publisher: ['DELETE'],
  'publisher-audit': ['GET'],
};

function match(path: string): Route | undefined {
  for (const [re, make] of [...DAY_TWO_PATTERNS, ...PATTERNS]) {
    const m = re.exec(path);
    if (m) return make(m);
  }
  return undefined;
}

/** Memory for just-uploaded blobs (monolithic uploads fit one request: at most maxChunkBytes each). */
const RECENT_BLOB_BUDGET = 32 * 1024 * 1024;

/** The registry: one handler for the whole HTTP API (API Gateway payload v2). */
export function createRegistry(deps: RegistryDeps): Handler {
  const ctx: RegistryContext = {
    ...deps,
    now: deps.now ?? (() => new Date()),
    recent: new RecentBlobs(RECENT_BLOB_BUDGET, deps.config.maxChunkBytes),
  };
  const auth = authenticator({
    index: deps.index,
    tokens: deps.tokens,
    anonymousPull: deps.config.anonymousPull,
  });
  const log = deps.log ?? (() => {});
  // Trusted publishing is loaded on the first exchange, not at cold start (like the linter); the
  // exchanger lives as long as the container, so the issuer's keys stay cached between requests.
  let exchanger: Promise<Exchanger> | undefined;
  const oidc = (): Promise<Exchanger> => {
    exchanger ??= import('./usecases/oidc-exchange.ts').then((m) => m.oidcExchanger(ctx, log));
    return exchanger;
  };
  return async (event: ApiGatewayEvent): Promise<ApiGatewayResult> => {
    const started = Date.now();
    let req: Request | undefined;
    let res: ApiGatewayResult;
    try {
      req = toRequest(event, deps.config.publicUrl);
      res = await route(ctx, auth, req, oidc);
    } catch (err) {
      if (err instanceof OciError) {
        res = ociErrorResponse(err);
      } else if (err instanceof InvalidCursorError) {
        res = ociErrorResponse(
          new OciError(400, 'UNSUPPORTED', 'invalid cursor; pass the `next` value of the previous page'),
        );
      } else {
        log({
          level: 'error',
          msg: 'unhandled error',
          error: err instanceof Error ? (err.stack ?? err.message) : String(err),
        });
        res = json(500, {
          errors: [
            {
              code: 'UNKNOWN',
              message: `internal error; request id ${event.requestContext?.requestId ?? '?'}`,
            },
          ],
        });
      }
    }
    if (req?.method === 'HEAD') res = withoutBody(res);
    // Never log Authorization or tokens: method, path, status and timing only.
    log({
      level: 'info',
      method: req?.method,
      path: req?.path,
      status: res.statusCode,
      ms: Date.now() - started,
    });
    return res;
  };
}

async function route(
  ctx: RegistryContext,
  auth: Authenticator,
  req: Request,
  oidc: () => Promise<Exchanger>,
): Promise<ApiGatewayResult> {
  const r = match(req.path);
  if (!r) throw new OciError(404, 'UNSUPPORTED', `no endpoint at ${req.path.slice(0, 200)}`);
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  const allowed = METHODS[r.kind];
  if (!allowed.includes(method)) {
    throw new OciError(
      405,
      'UNSUPPORTED',
      `${req.method} is not supported on ${req.path.slice(0, 200)}`,
      undefined,
      {
        allow: [...allowed, ...(allowed.includes('GET') ? ['HEAD'] : [])].join(', '),
      },
    );
  }
  if (r.kind === 'health') return json(200, { status: 'UP' });
  // Trusted publishing needs no credentials: the ID token in the body is the credential.
  if (r.kind === 'oidc') {
    return json(200, {
      issuer: ctx.config.oidcIssuer,
      audience: ctx.config.oidcAudience,
      token_endpoint: `${req.baseUrl}/api/v1/oidc/token`,
    });
  }
  if (r.kind === 'oidc-token') return (await oidc()).exchange(req.body, req.header('content-type'));

  const challenge = (scope?: string, error?: string): Record<string, string> => {
    let value = `Bearer realm="${req.baseUrl}/v2/token",service="${ctx.config.service}"`;
    if (scope) value += `,scope="${scope}"`;
    if (error) value += `,error="${error}"`;
    return { 'www-authenticate': value };
  };
  const principal = await auth.authenticate(req.header('authorization'), challenge());

  if (r.kind === 'token') return token(ctx, auth, req, principal, challenge());
  if (r.kind === 'base') {
    if (principal.kind === 'anonymous' && !ctx.config.anonymousPull) {
      throw new OciError(401, 'UNAUTHORIZED', 'authentication required', undefined, challenge());
    }
    return json(200, {});
  }
  if (r.kind === 'catalog') {
    if (principal.listPrefix === undefined) {
      throw new OciError(
        401,
        'UNAUTHORIZED',
        'authentication required to list repositories',
        undefined,
        challenge(CATALOG_SCOPE),
      );
    }
    return listCatalog(ctx, req.query, principal.listPrefix);
  }
  if (r.kind === 'publishers') {
    return method === 'POST'
      ? addPublisher(ctx, principal, challenge(), req.body)
      : listPublishers(ctx, principal, challenge());
  }
  if (r.kind === 'publisher') return removePublisher(ctx, principal, challenge(), r.id);
  if (isDayTwo(r))
    return dayTwo(ctx, principal, challenge, r, req, (action, repo) =>
      require(principal, action, repo, challenge),
    );
  if (r.kind === 'publisher-audit') return publisherAudit(ctx, principal, challenge(), r.id, req.query);
  if (r.kind === 'packs') return searchPacks(ctx, req.query, (repo) => principal.can('pull', repo));
  if (r.kind === 'packs-lookup') return lookupVersions(ctx, req.body, (repo) => principal.can('pull', repo));
  if (r.kind === 'pack-versions' || r.kind === 'pack-version' || r.kind === 'pack-file') {
    const repo = validateName(packRepository(r.pack, req.query.get('base') ?? ''));
    require(principal, 'pull', repo, challenge);
    if (r.kind === 'pack-versions') return listVersions(ctx, repo, req.query);
    const version = r.version;
    if (r.kind === 'pack-version') return getVersion(ctx, repo, version);
    if (!isPackFile(r.file))
      throw new OciError(404, 'UNSUPPORTED', `no file "${r.file}"; use values, readme, presets or schema`);
    return getVersionFile(ctx, repo, version, r.file);
  }

  const name = validateName(r.name);
  const need = (action: Action) => require(principal, action, name, challenge);
  switch (r.kind) {
    case 'manifest':
      if (method === 'GET') {
        need('pull');
        return req.method === 'HEAD' ? headManifest(ctx, name, r.ref) : getManifest(ctx, name, r.ref);
      }
      if (method === 'PUT') {
        need('push');
        return putManifest(
          ctx,
          name,
          r.ref,
          req.body,
          req.header('content-type'),
          principal.subject,
          principal.publisher,
        );
      }
      need('delete');
      return deleteManifest(ctx, name, r.ref);
    case 'blob':
      if (method === 'GET') {
        need('pull');
        return req.method === 'HEAD'
          ? blobs.headBlob(ctx, name, r.digest)
          : blobs.getBlob(ctx, name, r.digest);
      }
      need('delete');
      return blobs.deleteBlob(ctx, name, r.digest);
    case 'uploads':
      need('push');
      return blobs.startUpload(ctx, name, req.query, req.body, (from) => principal.can('pull', from));
    case 'upload':
      need('push');
      if (method === 'GET') return blobs.getUpload(ctx, name, r.id);
      if (method === 'DELETE') return blobs.cancelUpload(ctx, name, r.id);
      if (method === 'PATCH')
        return blobs.patchUpload(ctx, name, r.id, req.body, req.header('content-range'));
      return blobs.putUpload(ctx, name, r.id, req.query, req.body, req.header('content-range'));
    case 'tags':
      need('pull');
      return listTags(ctx, name, req.query);
    case 'referrers':
      need('pull');
      return listReferrers(ctx, name, r.digest, req.query);
  }
}

function require(
  principal: Principal,
  action: Action,
  repo: string,
  challenge: (scope?: string, error?: string) => Record<string, string>,
): void {
  if (principal.can(action, repo)) return;
  const scope = `repository:${repo}:${action === 'pull' ? 'pull' : action === 'push' ? 'pull,push' : 'delete'}`;
  if (principal.kind === 'anonymous') {
    throw new OciError(
      401,
      'UNAUTHORIZED',
      `authentication required to ${action} ${repo}`,
      undefined,
      challenge(scope),
    );
  }
  if (principal.kind === 'bearer') {
    throw new OciError(
      401,
      'UNAUTHORIZED',
      `token does not grant ${action} on ${repo}`,
      undefined,
      challenge(scope, 'insufficient_scope'),
    );
  }
  throw new OciError(403, 'DENIED', `${principal.subject} may not ${action} ${repo}`, {
    action,
    repository: repo,
  });
}

async function token(
  ctx: RegistryContext,
  auth: Authenticator,
  req: Request,
  principal: Principal,
  challenge: Record<string, string>,
): Promise<ApiGatewayResult> {
  let who = principal;
  let scopes = req.query.getAll('scope');
  if (req.method === 'POST') {
    // OAuth2 password grant (what some clients send instead of GET + Basic).
    const form = new URLSearchParams(Buffer.from(req.body).toString('utf8'));
    const grant = form.get('grant_type');
    if (grant !== 'password') {
      return json(400, {
        error: 'unsupported_grant_type',
        error_description: 'use grant_type=password, or GET with Basic auth',
      });
    }
    const found = await auth.checkPassword(form.get('username') ?? '', form.get('password') ?? '');
    if (!found) throw new OciError(401, 'UNAUTHORIZED', 'invalid username or password', undefined, challenge);
    who = found;
    scopes = form.getAll('scope');
  }
  if (who.kind === 'anonymous' && !ctx.config.anonymousPull) {
    throw new OciError(401, 'UNAUTHORIZED', 'log in to get a token', undefined, challenge);
  }
  if (who.kind === 'bearer')
    throw new OciError(
      401,
      'UNAUTHORIZED',
      'use a username and password to get a token',
      undefined,
      challenge,
    );
  return issueToken(ctx, who, scopes);
}
