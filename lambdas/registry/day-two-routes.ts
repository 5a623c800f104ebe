import type { Action, Principal } from './auth/access.ts';
import type { ApiGatewayResult } from './http/apigw.ts';
import type { Request } from './http/request.ts';
import { validateName } from './oci/names.ts';
import type { RegistryContext } from './usecases/context.ts';
import {
  createCredentialApi,
  listCredentialsApi,
  removeCredentialApi,
  rotateCredentialApi,
  updateCredentialApi,
} from './usecases/credentials-api.ts';
import { packRepository } from './usecases/packs-api.ts';
import { unyankVersion, yankVersion } from './usecases/yank.ts';

/**
 * Day-2 operations' routes (credentials admin API, yank), kept apart from app.ts's table so
 * they port as one piece: app.ts matches these before its own patterns.
 */
export type DayTwoRoute =
  | { kind: 'credentials' }
  | { kind: 'credential'; username: string }
  | { kind: 'credential-rotate'; username: string }
  | { kind: 'pack-yank'; pack: string; version: string };

export const DAY_TWO_PATTERNS: [RegExp, (m: RegExpExecArray) => DayTwoRoute][] = [
  [/^\/api\/v1\/credentials\/?$/, () => ({ kind: 'credentials' })],
  [
    /^\/api\/v1\/credentials\/([^/]+)$/,
    (m) => ({ kind: 'credential', username: decodeURIComponent(m[1] as string) }),
  ],
  [
    /^\/api\/v1\/credentials\/([^/]+)\/rotate$/,
    (m) => ({ kind: 'credential-rotate', username: decodeURIComponent(m[1] as string) }),
  ],
  [
    /^\/api\/v1\/packs\/([^/]+)\/versions\/([^/]+)\/yank$/,
    (m) => ({ kind: 'pack-yank', pack: m[1] as string, version: m[2] as string }),
  ],
];

export const DAY_TWO_METHODS: Record<DayTwoRoute['kind'], string[]> = {
  credentials: ['GET', 'POST'],
  credential: ['PATCH', 'DELETE'],
  'credential-rotate': ['POST'],
  'pack-yank': ['PUT', 'DELETE'],
};

const KINDS = new Set(Object.keys(DAY_TWO_METHODS));
export const isDayTwo = (r: { kind: string }): r is DayTwoRoute => KINDS.has(r.kind);

export async function dayTwo(
  ctx: RegistryContext,
  principal: Principal,
  challenge: (scope?: string, error?: string) => Record<string, string>,
  r: DayTwoRoute,
  req: Request,
  /** app.ts's access check (401/403 with the right challenge). */
  need: (action: Action, repo: string) => void,
): Promise<ApiGatewayResult> {
  switch (r.kind) {
    case 'credentials':
      return req.method === 'POST'
        ? createCredentialApi(ctx, principal, challenge(), req.body)
        : listCredentialsApi(ctx, principal, challenge());
    case 'credential':
      return req.method === 'PATCH'
        ? updateCredentialApi(ctx, principal, challenge(), r.username, req.body)
        : removeCredentialApi(ctx, principal, challenge(), r.username);
    case 'credential-rotate':
      return rotateCredentialApi(ctx, principal, challenge(), r.username);
    case 'pack-yank': {
      // Yanking retires a version: the same right as deleting it (admin).
      const repo = validateName(packRepository(r.pack, req.query.get('base') ?? ''));
      need('delete', repo);
      return req.method === 'PUT'
        ? yankVersion(ctx, repo, r.version, principal.subject, req.body)
        : unyankVersion(ctx, repo, r.version);
    }
  }
}
