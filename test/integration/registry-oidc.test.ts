/**
 * Trusted publishing over real sockets: a local OIDC issuer (its own keys, discovery and JWKS
 * over HTTP) mints GitHub-shaped ID tokens; the registry (packyard serve's stack, s3rver +
 * dynalite) exchanges them for push tokens. Every refusal is checked for its reason code, the
 * claims it names, and that it never echoes the token.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { publishPack } from '../../client/publish.ts';
import { parseRegistryRef } from '../../client/reference.ts';
import { RegistryClient } from '../../client/registry-client.ts';
import type { LocalRegistry } from '../../lambdas/local/serve.ts';
import { newBinding } from '../../lambdas/registry/auth/publishers.ts';
import type { PublisherBinding } from '../../lambdas/registry/ports.ts';
import { ACME, type LocalIssuer, startLocalIssuer } from '../helpers/oidc-issuer.ts';
import { goodPack, ROOT } from '../helpers/packs.ts';
import { ADMIN, basic, buildTestPack, oci, startTestRegistry, TEAM_A } from '../helpers/registry.ts';

const AUDIENCE = 'https://registry.test.example';

/** Checks a response body against a schema of docs/openapi.yaml (the documented contract). */
const openapi = parse(readFileSync(path.join(ROOT, 'docs', 'openapi.yaml'), 'utf8')) as Record<
  string,
  unknown
>;
const ajv = new Ajv2020({ strict: false });
// ajv-formats is CommonJS: typed as a namespace, called as a function (as core/lint/charts.ts does).
(addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020)(ajv);
ajv.addSchema({ ...openapi, $id: 'openapi' });
function expectDocumented(ref: string, body: unknown): void {
  const validate = ajv.getSchema(`openapi${ref}`);
  if (!validate) throw new Error(`no schema ${ref}`);
  expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
}
const REPO = 'team-a/spectro-packs/archive/demo-app';

interface Refusal {
  status: number;
  text: string;
  reason: string;
  claims: { claim: string; expected: string; actual: string | null }[];
  bindings?: {
    id: string;
    prefix: string;
    mismatches: { claim: string; expected: string; actual: string | null }[];
  }[];
}

let issuer: LocalIssuer;
let reg: LocalRegistry;
let main: PublisherBinding;

function binding(over: Partial<Parameters<typeof newBinding>[0]> = {}): PublisherBinding {
  const made = newBinding({ ...ACME, prefix: 'team-a/', ...over }, 'test', new Date());
  if (!('binding' in made)) throw new Error(made.problems.join('; '));
  return made.binding;
}

/** demo-app at `version` (pack.json agrees, as the registry checks). */
function demo(version: string) {
  const files = goodPack();
  const json = JSON.parse(String(files['pack.json'])) as Record<string, unknown>;
  return buildTestPack({ ...files, 'pack.json': JSON.stringify({ ...json, version }) }, 'demo-app', version);
}

async function exchange(token: string): Promise<Response> {
  return fetch(`${reg.url}/api/v1/oidc/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });
}

async function minted(claims = issuer.claims()): Promise<string> {
  const res = await exchange(await issuer.mint(claims));
  const body = (await res.json()) as { token: string };
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body.token;
}

/** Exchanges `token`, expects a refusal, and checks the token is not in the answer. */
async function refused(token: string): Promise<Refusal> {
  const res = await exchange(token);
  const text = await res.text();
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(text).not.toContain(token);
  // Nor any of its parts (a signature alone is as good as the token to nobody, but header and
  // payload are echoed by careless code).
  for (const part of token.split('.').filter((p) => p.length > 20)) expect(text).not.toContain(part);
  expectDocumented(
    '#/components/responses/ExchangeRefused/content/application~1json/schema',
    JSON.parse(text),
  );
  const detail = (JSON.parse(text) as { errors: { detail: Omit<Refusal, 'status' | 'text'> }[] }).errors[0]
    ?.detail as Omit<Refusal, 'status' | 'text'>;
  return { status: res.status, text, ...detail };
}

beforeAll(async () => {
  issuer = await startLocalIssuer({ audience: AUDIENCE });
  reg = await startTestRegistry({ config: { oidcIssuer: issuer.url, oidcAudience: AUDIENCE } });
  main = binding();
  await reg.storage.index.putPublisher(main);
  // A second binding of the same repository, for tagged releases from another workflow.
  await reg.storage.index.putPublisher(
    binding({
      workflow: 'release.yml',
      environment: 'production',
      ref: 'refs/tags/v*',
      prefix: 'team-a/releases/',
    }),
  );
});

afterEach(() => {
  vi.useRealTimers();
});

describe('discovery', () => {
  it('GET /api/v1/oidc names the issuer, the audience to request and the exchange endpoint', async () => {
    const res = await fetch(`${reg.url}/api/v1/oidc`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      issuer: issuer.url,
      audience: AUDIENCE,
      token_endpoint: `${reg.url}/api/v1/oidc/token`,
    });
  });
});

describe('a valid exchange', () => {
  it('mints a ≤ 15 minute token for the bound prefix, which pushes a pack with provenance', async () => {
    const claims = issuer.claims();
    const res = await exchange(await issuer.mint(claims));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as Record<string, unknown> & { token: string; expires_in: number };
    expect(body).toMatchObject({
      username: 'oidc',
      prefixes: ['team-a/'],
      actions: ['pull', 'push'],
      bindings: [main.id],
    });
    expectDocumented(
      '#/paths/~1api~1v1~1oidc~1token/post/responses/200/content/application~1json/schema',
      body,
    );
    expect(body.expires_in).toBeGreaterThan(60);
    expect(body.expires_in).toBeLessThanOrEqual(900);

    // As a Basic password (docker login -u oidc, skopeo --creds oidc:…).
    const pack = await demo('1.0.0');
    const res2 = await oci(reg.url, basic({ username: 'oidc', password: body.token })).pushPack(REPO, pack);
    expect(res2.status, await res2.clone().text()).toBe(201);

    const version = (await (
      await fetch(`${reg.url}/api/v1/packs/demo-app/versions/1.0.0?base=team-a`, {
        headers: { authorization: basic(ADMIN) },
      })
    ).json()) as { pushedBy: string; provenance: Record<string, string> };
    expectDocumented('#/components/schemas/PackVersion', version);
    expect(version.pushedBy).toBe('github:acme/packs');
    expect(version.provenance).toEqual({
      publisher: 'github-oidc',
      issuer: issuer.url,
      binding: main.id,
      repository: 'acme/packs',
      repositoryId: ACME.repositoryId,
      repositoryOwner: 'acme',
      repositoryOwnerId: ACME.repositoryOwnerId,
      repositoryVisibility: 'private',
      jobWorkflowRef: claims.job_workflow_ref,
      workflowRef: claims.workflow_ref,
      runId: '987654321',
      runAttempt: '1',
      sha: claims.sha,
      ref: 'refs/heads/main',
      actor: 'octocat',
      eventName: 'push',
    });

    // One audit record for the exchange, one for the push, newest first.
    const audit = await reg.storage.index.listPublisherAudit(main.id, 10);
    const events = audit.items.map((r) => `${r.event} ${r.ociRepository ?? ''}`.trim());
    expect(events.slice(0, 2)).toEqual([`push ${REPO}`, 'exchange']);
    expect(audit.items[0]).toMatchObject({ digest: pack.manifestDigest, reference: '1.0.0' });
    expect(audit.items[1]?.jti).toBe(claims.jti);
  });

  it('works as a bearer token and through the Docker token protocol (Packyard client)', async () => {
    const token = await minted();
    const pack = await demo('1.0.1');
    const res = await oci(reg.url, `Bearer ${token}`).pushPack(REPO, pack);
    expect(res.status, await res.clone().text()).toBe(201);

    const client = new RegistryClient({
      registry: parseRegistryRef(`${new URL(reg.url).host}/team-a`),
      credentials: { username: 'oidc', password: await minted() },
    });
    const viaClient = await demo('1.0.2');
    const result = await publishPack(client, viaClient);
    expect(result.status).toBe('published');
    expect(client.authScheme).toBe('bearer');
    const v = await reg.storage.index.getPackVersion(REPO, '1.0.2');
    expect(v?.provenance?.binding).toBe(main.id);
    expect(v?.pushedBy).toBe('github:acme/packs');
  });

  it('matches any of several bindings of a repository (release workflow, environment, tag)', async () => {
    const claims = issuer.claims({
      ref: 'refs/tags/v1.2.0',
      environment: 'production',
      job_workflow_ref: 'acme/packs/.github/workflows/release.yml@refs/tags/v1.2.0',
    });
    const res = await exchange(await issuer.mint(claims));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ prefixes: ['team-a/releases/'] });
  });

  it('fetches discovery and the JWKS once, not per exchange', async () => {
    await minted();
    await minted();
    expect(issuer.requests.filter((r) => r === '/.well-known/openid-configuration')).toHaveLength(1);
    expect(issuer.requests.filter((r) => r === '/.well-known/jwks')).toHaveLength(1);
  });
});

describe('what a minted token may not do', () => {
  it('is refused outside its prefix, and for deletes inside it', async () => {
    const token = await minted();
    const pack = await demo('1.0.0');
    const asBasic = await oci(reg.url, basic({ username: 'oidc', password: token }))
      .pushPack('team-b/spectro-packs/archive/demo-app', pack)
      .catch((e: Error) => e);
    expect(String(asBasic)).toMatch(/push blob: 403 .*DENIED.*may not push team-b/);
    const asBearer = await oci(reg.url, `Bearer ${token}`).req('POST', '/v2/team-ab/x/blobs/uploads/');
    expect(asBearer.status).toBe(401);
    expect(asBearer.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    const del = await oci(reg.url, basic({ username: 'oidc', password: token })).req(
      'DELETE',
      `/v2/${REPO}/manifests/1.0.0`,
    );
    expect(del.status).toBe(403);
    // Tokens from the token endpoint carry only what the minted token holds.
    const docker = await fetch(
      `${reg.url}/v2/token?service=packyard&scope=repository:team-b/x:pull,push&scope=repository:${REPO}:pull,push,delete`,
      { headers: { authorization: basic({ username: 'oidc', password: token }) } },
    );
    const { token: dockerToken } = (await docker.json()) as { token: string };
    const access = JSON.parse(
      Buffer.from(dockerToken.split('.')[1] as string, 'base64url').toString(),
    ).access;
    expect(access).toEqual([{ type: 'repository', name: REPO, actions: ['pull', 'push'] }]);
  });

  it('is refused after it expires, as are tokens derived from it', async () => {
    const token = await minted();
    const docker = await fetch(`${reg.url}/v2/token?service=packyard&scope=repository:${REPO}:pull,push`, {
      headers: { authorization: basic({ username: 'oidc', password: token }) },
    });
    const { token: dockerToken, expires_in } = (await docker.json()) as { token: string; expires_in: number };
    expect(expires_in).toBeLessThanOrEqual(900);
    const before = await oci(reg.url, `Bearer ${token}`).req('GET', `/v2/${REPO}/tags/list`);
    expect(before.status).toBe(200);

    // Only Date is faked: sockets and timers keep working, the registry (in this process) sees 16 min later.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 16 * 60_000 });
    for (const auth of [
      `Bearer ${token}`,
      basic({ username: 'oidc', password: token }),
      `Bearer ${dockerToken}`,
    ]) {
      const res = await oci(reg.url, auth).req('GET', `/v2/${REPO}/tags/list`);
      expect(res.status, auth.slice(0, 6)).toBe(401);
    }
  });
});

describe('refused ID tokens, each with its reason code', () => {
  it('replayed: the same ID token twice (jti recorded with a TTL)', async () => {
    const token = await issuer.mint(issuer.claims());
    expect((await exchange(token)).status).toBe(200);
    const r = await refused(token);
    expect(r).toMatchObject({ status: 401, reason: 'replayed' });
    expect(r.claims[0]?.claim).toBe('jti');
  });

  it('wrong repository: no binding for it', async () => {
    const r = await refused(await issuer.mint(issuer.claims({ repository: 'acme/other' })));
    expect(r).toMatchObject({ status: 403, reason: 'no_bindings' });
    expect(r.claims).toEqual([expect.objectContaining({ claim: 'repository', actual: 'acme/other' })]);
  });

  it.each([
    ['repository id (re-created under the same name)', { repository_id: '9999' }, 'repository_id', '9999'],
    [
      'owner id (owner deleted and re-created)',
      { repository_owner_id: '8888' },
      'repository_owner_id',
      '8888',
    ],
    [
      'workflow',
      { job_workflow_ref: 'acme/packs/.github/workflows/other.yml@refs/heads/main' },
      'job_workflow_ref',
      'acme/packs/.github/workflows/other.yml@refs/heads/main',
    ],
    [
      'workflow (reusable workflow of another repository)',
      { job_workflow_ref: 'evil/tools/.github/workflows/publish.yml@refs/heads/main' },
      'job_workflow_ref',
      'evil/tools/.github/workflows/publish.yml@refs/heads/main',
    ],
    ['event pull_request_target', { event_name: 'pull_request_target' }, 'event_name', 'pull_request_target'],
  ])('binding_mismatch: %s', async (_what, overrides, claim, actual) => {
    const r = await refused(await issuer.mint(issuer.claims(overrides)));
    expect(r).toMatchObject({ status: 403, reason: 'binding_mismatch' });
    const mine = r.bindings?.find((b) => b.id === main.id);
    expect(mine?.mismatches).toEqual([expect.objectContaining({ claim, actual })]);
    expect(r.claims).toEqual(expect.arrayContaining([expect.objectContaining({ claim, actual })]));
  });

  it('binding_mismatch: environment and ref of the release binding, listed per binding', async () => {
    const r = await refused(
      await issuer.mint(
        issuer.claims({
          ref: 'refs/heads/feature',
          environment: 'staging',
          job_workflow_ref: 'acme/packs/.github/workflows/release.yml@refs/heads/feature',
        }),
      ),
    );
    expect(r.reason).toBe('binding_mismatch');
    const release = r.bindings?.find((b) => b.prefix === 'team-a/releases/');
    expect(release?.mismatches).toEqual([
      { claim: 'environment', expected: 'production', actual: 'staging' },
      { claim: 'ref', expected: 'refs/tags/v*', actual: 'refs/heads/feature' },
    ]);
    expect(r.bindings?.find((b) => b.id === main.id)?.mismatches.map((m) => m.claim)).toEqual([
      'job_workflow_ref',
    ]);
  });

  it('expired, with the leeway (30 s)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const r = await refused(
      await issuer.mint(issuer.claims({ iat: now - 400, nbf: now - 400, exp: now - 31 })),
    );
    expect(r).toMatchObject({ status: 401, reason: 'expired' });
    expect(r.claims[0]?.claim).toBe('exp');
    // Inside the leeway it still passes.
    expect((await exchange(await issuer.mint(issuer.claims({ exp: now - 10 })))).status).toBe(200);
  });

  it('not yet valid (nbf, or iat in the future)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const nbf = await refused(await issuer.mint(issuer.claims({ nbf: now + 120, exp: now + 600 })));
    expect(nbf).toMatchObject({
      reason: 'not_yet_valid',
      claims: [expect.objectContaining({ claim: 'nbf' })],
    });
    const iat = await refused(await issuer.mint(issuer.claims({ iat: now + 120, exp: now + 600 })));
    expect(iat).toMatchObject({
      reason: 'not_yet_valid',
      claims: [expect.objectContaining({ claim: 'iat' })],
    });
  });

  it('wrong audience (another party, or several)', async () => {
    const other = await refused(await issuer.mint(issuer.claims({ aud: 'sts.amazonaws.com' })));
    expect(other).toMatchObject({
      status: 401,
      reason: 'wrong_audience',
      claims: [{ claim: 'aud', expected: AUDIENCE, actual: '"sts.amazonaws.com"' }],
    });
    const several = await refused(await issuer.mint(issuer.claims({ aud: [AUDIENCE, 'sts.amazonaws.com'] })));
    expect(several.reason).toBe('wrong_audience');
  });

  it('wrong issuer', async () => {
    const r = await refused(
      await issuer.mint(issuer.claims({ iss: 'https://token.actions.githubusercontent.com' })),
    );
    expect(r).toMatchObject({
      status: 401,
      reason: 'wrong_issuer',
      claims: [{ claim: 'iss', expected: issuer.url, actual: 'https://token.actions.githubusercontent.com' }],
    });
  });

  it('bad signature: signed with another key under the published kid', async () => {
    const r = await refused(await issuer.mint(issuer.claims(), { key: 'other' }));
    expect(r).toMatchObject({ status: 401, reason: 'invalid_signature' });
    // A token whose payload was edited after signing.
    const good = await issuer.mint(issuer.claims());
    const [h, , s] = good.split('.');
    const edited = `${h}.${Buffer.from(JSON.stringify(issuer.claims({ repository_id: '1' }))).toString('base64url')}.${s}`;
    expect((await refused(edited)).reason).toBe('invalid_signature');
  });

  it('unknown kid, without hammering the issuer (JWKS refetch cooldown)', async () => {
    const before = issuer.requests.length;
    for (let i = 0; i < 3; i++) {
      const r = await refused(
        await issuer.mint(issuer.claims(), { key: 'other', header: { kid: `rotated-${i}` } }),
      );
      expect(r).toMatchObject({ status: 401, reason: 'unknown_key' });
    }
    expect(issuer.requests.length - before).toBeLessThanOrEqual(1);
  });

  it('alg none and HS256 keyed with the public key', async () => {
    const none = await refused(issuer.unsigned(issuer.claims()));
    expect(none).toMatchObject({
      status: 401,
      reason: 'unsupported_algorithm',
      claims: [{ claim: 'alg', expected: 'RS256', actual: 'none' }],
    });
    const hs = await refused(await issuer.hmacWithPublicKey(issuer.claims()));
    expect(hs).toMatchObject({
      reason: 'unsupported_algorithm',
      claims: [expect.objectContaining({ actual: 'HS256' })],
    });
  });

  it('malformed: not a JWT, no body, or without jti', async () => {
    expect((await refused('not-a-jwt')).reason).toBe('malformed_token');
    const empty = await fetch(`${reg.url}/api/v1/oidc/token`, { method: 'POST' });
    expect(empty.status).toBe(400);
    const r = await refused(await issuer.mint(issuer.claims(), { omit: ['jti'] }));
    expect(r).toMatchObject({
      status: 400,
      reason: 'malformed_token',
      claims: [expect.objectContaining({ claim: 'jti' })],
    });
  });
});

describe('admin API: /api/v1/publishers', () => {
  const api = (method: string, path: string, auth: string, body?: unknown) =>
    fetch(`${reg.url}/api/v1/publishers${path}`, {
      method,
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('adds (idempotently), lists, audits and removes bindings; only admins may', async () => {
    const input = {
      repository: 'acme/charts',
      repositoryId: 4242,
      repositoryOwnerId: '1001',
      workflow: '.github/workflows/charts.yml',
      prefix: 'charts',
    };
    const added = await api('POST', '', basic(ADMIN), input);
    expect(added.status).toBe(201);
    const b = (await added.json()) as { id: string; workflow: string; prefix: string; createdBy: string };
    expect(b).toMatchObject({
      workflow: 'acme/charts/.github/workflows/charts.yml',
      prefix: 'charts/',
      createdBy: 'admin',
    });
    expect(((await (await api('POST', '', basic(ADMIN), input)).json()) as { id: string }).id).toBe(b.id);
    const list = (await (await api('GET', '', basic(ADMIN))).json()) as { publishers: { id: string }[] };
    expect(list.publishers.filter((p) => p.id === b.id)).toHaveLength(1);

    expect((await api('GET', '', basic(TEAM_A))).status).toBe(403);
    expect((await api('POST', '', basic(TEAM_A), input)).status).toBe(403);
    expect((await fetch(`${reg.url}/api/v1/publishers`)).status).toBe(401);
    const invalid = await api('POST', '', basic(ADMIN), { ...input, repositoryId: 'acme' });
    expect(invalid.status).toBe(400);
    expect(await invalid.text()).toContain('numeric id');

    const audit = await api('GET', `/${main.id}/audit?limit=2`, basic(ADMIN));
    expect(audit.status).toBe(200);
    const records = (await audit.json()) as { records: { event: string }[]; next: string | null };
    expect(records.records).toHaveLength(2);

    expect((await api('DELETE', `/${b.id}`, basic(ADMIN))).status).toBe(204);
    expect((await api('DELETE', `/${b.id}`, basic(ADMIN))).status).toBe(404);
  });
});
