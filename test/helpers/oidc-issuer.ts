import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll } from 'vitest';

/**
 * A local OIDC issuer standing in for GitHub Actions' (token.actions.githubusercontent.com): its
 * own RSA key pair, a discovery document and a JWKS served over real HTTP on 127.0.0.1, and a
 * `mint` that signs ID tokens with any claims or header. A second key pair, never published,
 * makes forged ("bad signature") and unknown-key tokens.
 */
export interface LocalIssuer {
  /** The issuer URL (`iss`), e.g. http://127.0.0.1:41234 */
  url: string;
  /** Key id of the published signing key. */
  kid: string;
  /** Paths the registry fetched from the issuer, in order. */
  requests: string[];
  /** GitHub-shaped claims for a run of `acme/packs`'s publish workflow on main, with `overrides`. */
  claims(overrides?: Record<string, unknown>): Record<string, unknown>;
  /**
   * A signed ID token. `key: 'other'` signs with the unpublished key (its header still names
   * `kid` unless given); `omit` drops claims; `header` adds to or overrides the protected header.
   */
  mint(
    claims: Record<string, unknown>,
    opts?: { key?: 'published' | 'other'; header?: Record<string, unknown>; omit?: string[] },
  ): Promise<string>;
  /** An unsigned token (`alg: none`), built by hand as an attacker would. */
  unsigned(claims: Record<string, unknown>): string;
  /** HS256 keyed with the published public key (the classic RS256/HS256 confusion attack). */
  hmacWithPublicKey(claims: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

export const ACME = {
  repository: 'acme/packs',
  repositoryId: '2002',
  repositoryOwnerId: '1001',
  workflow: 'acme/packs/.github/workflows/publish.yml',
};

const running: LocalIssuer[] = [];
afterAll(async () => {
  await Promise.all(running.splice(0).map((i) => i.close()));
});

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

export async function startLocalIssuer(opts: { audience: string }): Promise<LocalIssuer> {
  const published = await generateKeyPair('RS256', { extractable: true });
  const other = await generateKeyPair('RS256', { extractable: true });
  const kid = `test-${randomUUID().slice(0, 8)}`;
  const jwk: JWK = { ...(await exportJWK(published.publicKey)), kid, alg: 'RS256', use: 'sig' };
  const requests: string[] = [];
  let url = '';
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/.well-known/openid-configuration')
      send(200, {
        issuer: url,
        jwks_uri: `${url}/.well-known/jwks`,
        subject_types_supported: ['public', 'pairwise'],
        response_types_supported: ['id_token'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
    else if (req.url === '/.well-known/jwks') send(200, { keys: [jwk] });
    else send(404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const issuer: LocalIssuer = {
    url,
    kid,
    requests,
    claims(overrides = {}) {
      const now = Math.floor(Date.now() / 1000);
      return {
        jti: randomUUID(),
        sub: 'repo:acme/packs:ref:refs/heads/main',
        aud: opts.audience,
        ref: 'refs/heads/main',
        sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
        repository: ACME.repository,
        repository_owner: 'acme',
        repository_owner_id: ACME.repositoryOwnerId,
        run_id: '987654321',
        run_number: '17',
        run_attempt: '1',
        repository_visibility: 'private',
        repository_id: ACME.repositoryId,
        actor_id: '3003',
        actor: 'octocat',
        workflow: 'Publish packs',
        head_ref: '',
        base_ref: '',
        event_name: 'push',
        ref_protected: 'true',
        ref_type: 'branch',
        workflow_ref: `${ACME.workflow}@refs/heads/main`,
        workflow_sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
        job_workflow_ref: `${ACME.workflow}@refs/heads/main`,
        job_workflow_sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
        runner_environment: 'github-hosted',
        iss: url,
        nbf: now - 5,
        iat: now,
        exp: now + 300,
        ...overrides,
      };
    },
    async mint(claims, o = {}) {
      const payload = { ...claims };
      for (const c of o.omit ?? []) delete payload[c];
      const key = o.key === 'other' ? other.privateKey : published.privateKey;
      return new SignJWT(payload)
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid, ...o.header } as { alg: string })
        .sign(key);
    },
    unsigned(claims) {
      return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    },
    async hmacWithPublicKey(claims) {
      const pem = await exportSPKI(published.publicKey);
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid })
        .sign(new TextEncoder().encode(pem));
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  running.push(issuer);
  return issuer;
}

/**
 * The runner's ID token endpoint as GitHub's runner offers it to @actions/core's getIDToken:
 * GET `$ACTIONS_ID_TOKEN_REQUEST_URL&audience=<aud>` with `Authorization: Bearer
 * $ACTIONS_ID_TOKEN_REQUEST_TOKEN` answers `{"value": "<jwt>"}`. Tokens are minted by `issuer`
 * with `claims` (and the requested audience).
 */
export async function startRunnerTokenEndpoint(
  issuer: LocalIssuer,
  claims: () => Record<string, unknown>,
): Promise<{ env: Record<string, string>; audiences: string[]; tokens: string[]; close(): Promise<void> }> {
  const requestToken = `runner-${randomUUID()}`;
  const audiences: string[] = [];
  const tokens: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://runner');
    if (req.headers.authorization !== `Bearer ${requestToken}` || url.pathname !== '/idtoken') {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"message":"bad request token"}');
      return;
    }
    const audience = url.searchParams.get('audience') ?? 'https://github.com/acme';
    audiences.push(audience);
    void issuer.mint({ ...claims(), aud: audience }).then((value) => {
      tokens.push(value);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ count: 1, value }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const endpoint = {
    env: {
      ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${port}/idtoken?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken,
    },
    audiences,
    tokens,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  afterAll(() => endpoint.close());
  return endpoint;
}

/** `packyard publisher add` arguments binding ACME's publish.yml to team-a/ in a data folder. */
export function acmeBindingArgs(data: string): string[] {
  return [
    'publisher',
    'add',
    ACME.repository,
    '--repository-id',
    ACME.repositoryId,
    '--owner-id',
    ACME.repositoryOwnerId,
    '--workflow',
    'publish.yml',
    '--prefix',
    'team-a/',
    '--data',
    data,
  ];
}
