import { packRepository } from '../../core/oci.ts';
import { InvalidCursorError } from './adapters/dynamo/items.ts';
import { anonymousPrincipal } from './auth/access.ts';
import { authenticator } from './auth/authenticate.ts';
import { AuthRequiredError, authorize } from './auth/authorize.ts';
import type { TokenSigner } from './auth/tokens.ts';
import type { RegistryConfig } from './config.ts';
import type { Exchanger } from './handlers/oidc-exchange.ts';
import { RecentBlobs } from './handlers/recent-blobs.ts';
import type { ApiGatewayEvent, ApiGatewayResult, Handler } from './http/apigw.ts';
import { type Request, toRequest } from './http/request.ts';
import { json, ociErrorResponse, withoutBody } from './http/response.ts';
import { findRoute } from './http/router.ts';
import { OciError } from './oci/errors.ts';
import { validateName } from './oci/names.ts';
import type { BlobStore, RegistryIndex } from './ports.ts';
import { type EdgeContext, ROUTES } from './routes.ts';

export interface RegistryDeps {
  blobs: BlobStore;
  index: RegistryIndex;
  config: RegistryConfig;
  tokens: TokenSigner;
  now?: () => Date;
  log?: (entry: Record<string, unknown>) => void;
}

/** Memory for just-uploaded blobs (monolithic uploads fit one request: at most maxChunkBytes each). */
const RECENT_BLOB_BUDGET = 32 * 1024 * 1024;

/**
 * The registry: one handler for the whole HTTP API (API Gateway payload v2). The edge finds the
 * route (routes.ts), authenticates the caller, checks the route's permission, and runs its
 * handler; errors become OCI error responses, and a 401 gets its Bearer challenge here.
 */
export function createRegistry(deps: RegistryDeps): Handler {
  const auth = authenticator({
    index: deps.index,
    tokens: deps.tokens,
    anonymousPull: deps.config.anonymousPull,
  });
  const log = deps.log ?? (() => {});
  // Trusted publishing is loaded on the first exchange, not at cold start (like the linter); the
  // exchanger lives as long as the container, so the issuer's keys stay cached between requests.
  let exchanger: Promise<Exchanger> | undefined;
  const ctx: EdgeContext = {
    ...deps,
    now: deps.now ?? (() => new Date()),
    recent: new RecentBlobs(RECENT_BLOB_BUDGET, deps.config.maxChunkBytes),
    auth,
    oidc: () => {
      exchanger ??= import('./handlers/oidc-exchange.ts').then((m) => m.oidcExchanger(ctx, log));
      return exchanger;
    },
  };
  return async (event: ApiGatewayEvent): Promise<ApiGatewayResult> => {
    const started = Date.now();
    let req: Request | undefined;
    let res: ApiGatewayResult;
    try {
      req = toRequest(event, deps.config.publicUrl);
      res = await handle(ctx, req);
    } catch (err) {
      if (err instanceof AuthRequiredError) {
        res = ociErrorResponse(err);
        res.headers = { ...res.headers, 'www-authenticate': challenge(ctx, req, err) };
      } else if (err instanceof OciError) {
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

/** Route, authenticate, authorize: the only place that decides who may do what. */
async function handle(ctx: EdgeContext, req: Request): Promise<ApiGatewayResult> {
  const { route, params } = findRoute(ROUTES, req.method, req.path);
  const { permission } = route;
  const subject =
    permission === 'public'
      ? anonymousPrincipal(ctx.config.anonymousPull)
      : await ctx.auth.authenticate(req.header('authorization'));
  let repository = '';
  if (typeof permission === 'object') {
    repository = validateName(
      permission.repository === 'name'
        ? (params.name as string)
        : packRepository(params.pack as string, req.query.get('base') ?? ''),
    );
  }
  authorize(permission, subject, repository);
  return route.handler(ctx, { req, params, subject, repository });
}

/** The Bearer challenge (`WWW-Authenticate`) that tells a client where to get a token. */
function challenge(ctx: EdgeContext, req: Request | undefined, err: AuthRequiredError): string {
  let value = `Bearer realm="${req?.baseUrl ?? ''}/v2/token",service="${ctx.config.service}"`;
  if (err.scope) value += `,scope="${err.scope}"`;
  if (err.reason) value += `,error="${err.reason}"`;
  return value;
}
