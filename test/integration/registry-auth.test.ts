/**
 * Auth rules of the registry: Basic for every role, the Docker token endpoint (GET + Basic, POST
 * password grant), scopes and prefixes, anonymous pull, and refused, expired or forged tokens.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LocalRegistry } from '../../lambdas/local/serve.ts';
import { goodPack, tempDir } from '../helpers/packs.ts';
import {
  ADMIN,
  basic,
  buildTestPack,
  oci,
  READER,
  sha256,
  startTestRegistry,
  TEAM_A,
  WRITER,
} from '../helpers/registry.ts';

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

type ErrorBody = { errors: { code: string; message: string; detail?: unknown }[] };

let reg: LocalRegistry;
let dataDir: string;
let admin: ReturnType<typeof oci>;

beforeAll(async () => {
  dataDir = tempDir('registry-auth-');
  reg = await startTestRegistry({ dataDir });
  admin = oci(reg.url, basic(ADMIN));
  for (const repo of ['demo/app', 'team-a/app', 'team-b/app', 'team-ab/app', 'team-a-x/app']) {
    await pushImage(admin, repo, 'v1', `content of ${repo}`);
  }
});

async function pushImage(client: ReturnType<typeof oci>, repo: string, ref: string, layer: string) {
  const config = await client.pushBlob(repo, '{}');
  const l = await client.pushBlob(repo, layer);
  const body = JSON.stringify({
    schemaVersion: 2,
    mediaType: MANIFEST,
    config: { mediaType: 'application/vnd.unknown.config.v1+json', ...config },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...l }],
  });
  const res = await client.putManifest(repo, ref, body);
  expect(res.status, await res.clone().text()).toBe(201);
  return { body, digest: sha256(body), layer: l };
}

/** Status of each operation a role may or may not perform on `repo`. */
async function capabilities(client: ReturnType<typeof oci>, repo: string) {
  const status = async (p: Promise<Response>) => (await p).status;
  const digest = sha256(`probe ${repo} ${Math.random()}`);
  return {
    pull: await status(client.req('GET', `/v2/${repo}/manifests/v1`)),
    head: await status(client.req('HEAD', `/v2/${repo}/manifests/v1`)),
    tags: await status(client.req('GET', `/v2/${repo}/tags/list`)),
    upload: await status(client.req('POST', `/v2/${repo}/blobs/uploads/`)),
    monolithic: await status(
      client.req('POST', `/v2/${repo}/blobs/uploads/?digest=${digest}`, { body: 'x' }),
    ),
    deleteTag: await status(client.req('DELETE', `/v2/${repo}/manifests/nonexistent-tag`)),
    deleteBlob: await status(client.req('DELETE', `/v2/${repo}/blobs/${digest}`)),
  };
}

async function token(user: { username: string; password: string } | undefined, ...scopes: string[]) {
  const q = new URLSearchParams({ service: 'packyard' });
  for (const s of scopes) q.append('scope', s);
  const res = await fetch(`${reg.url}/v2/token?${q}`, {
    headers: user ? { authorization: basic(user) } : {},
  });
  return res;
}

async function tokenFor(user: { username: string; password: string }, ...scopes: string[]): Promise<string> {
  const res = await token(user, ...scopes);
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

function claims(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString('utf8'));
}

const secret = () => Buffer.from(readFileSync(path.join(dataDir, 'token-secret'), 'utf8').trim(), 'base64');

describe('Basic auth and roles', () => {
  it('lets every role in to GET /v2/', async () => {
    for (const user of [ADMIN, WRITER, READER, TEAM_A]) {
      const res = await fetch(`${reg.url}/v2/`, { headers: { authorization: basic(user) } });
      expect(res.status, user.username).toBe(200);
    }
  });

  it('admin: pull, push and delete anywhere', async () => {
    const caps = await capabilities(admin, 'demo/app');
    expect(caps).toMatchObject({ pull: 200, head: 200, tags: 200, upload: 202, monolithic: 400 });
    expect(caps.deleteTag).toBe(404); // allowed, nothing to delete
    expect(caps.deleteBlob).toBe(404);
  });

  it('read-only: pulls, never pushes or deletes', async () => {
    const reader = oci(reg.url, basic(READER));
    const caps = await capabilities(reader, 'demo/app');
    expect(caps).toEqual({
      pull: 200,
      head: 200,
      tags: 200,
      upload: 403,
      monolithic: 403,
      deleteTag: 403,
      deleteBlob: 403,
    });
    const denied = await reader.req('PUT', '/v2/demo/app/manifests/v2', {
      body: (await (await admin.req('GET', '/v2/demo/app/manifests/v1')).text()) as string,
      headers: { 'content-type': MANIFEST },
    });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({
      errors: [
        {
          code: 'DENIED',
          message: 'palette may not push demo/app',
          detail: { action: 'push', repository: 'demo/app' },
        },
      ],
    });
    const del = await reader.req('DELETE', '/v2/demo/app/manifests/v1');
    expect(del.status).toBe(403);
    expect((await admin.req('GET', '/v2/demo/app/manifests/v1')).status).toBe(200);
    // Mounting into a repository is a push.
    const { digest } = await admin.pushBlob('demo/app', 'mountable');
    expect(
      (await reader.req('POST', `/v2/demo/other/blobs/uploads/?mount=${digest}&from=demo/app`)).status,
    ).toBe(403);
  });

  it('read-write: pushes, but cannot delete (pack versions included)', async () => {
    const writer = oci(reg.url, basic(WRITER));
    const caps = await capabilities(writer, 'demo/app');
    expect(caps).toMatchObject({ pull: 200, upload: 202, deleteTag: 403, deleteBlob: 403 });
    await pushImage(writer, 'demo/written', 'v1', 'by the writer');

    const pack = await buildTestPack(goodPack(), 'demo-app', '1.0.0');
    const repo = 'spectro-packs/archive/demo-app';
    const put = await writer.pushPack(repo, pack);
    expect(put.status, await put.clone().text()).toBe(201);
    for (const ref of ['1.0.0', pack.manifestDigest]) {
      const del = await writer.req('DELETE', `/v2/${repo}/manifests/${ref}`);
      expect(del.status).toBe(403);
      expect(((await del.json()) as ErrorBody).errors[0]?.code).toBe('DENIED');
    }
    expect((await writer.req('GET', `/v2/${repo}/manifests/1.0.0`)).status).toBe(200);
    expect((await writer.req('GET', '/api/v1/packs/demo-app/versions/1.0.0')).status).toBe(200);
  });

  it('a team-a/ credential can touch team-a/ only (never team-b/ or team-ab/)', async () => {
    const team = oci(reg.url, basic(TEAM_A));
    await pushImage(team, 'team-a/new', 'v1', 'team a content');
    expect(await capabilities(team, 'team-a/app')).toMatchObject({ pull: 200, upload: 202 });
    for (const repo of ['team-b/app', 'team-ab/app', 'team-a-x/app', 'demo/app', 'x/team-a/app']) {
      const caps = await capabilities(team, repo);
      expect(caps, repo).toEqual({
        pull: 403,
        head: 403,
        tags: 403,
        upload: 403,
        monolithic: 403,
        deleteTag: 403,
        deleteBlob: 403,
      });
    }
    // Packs under another base path are out of reach too.
    expect((await team.req('GET', '/api/v1/packs/demo-app/versions')).status).toBe(403);
  });

  it('lists only the repositories inside the caller’s prefix in the catalog', async () => {
    const list = async (user: { username: string; password: string }) =>
      (
        (await (await oci(reg.url, basic(user)).req('GET', '/v2/_catalog')).json()) as {
          repositories: string[];
        }
      ).repositories;
    const team = await list(TEAM_A);
    expect(team.length).toBeGreaterThan(0);
    expect(team.every((r) => r.startsWith('team-a/'))).toBe(true);
    expect(team).toEqual(expect.arrayContaining(['team-a/app']));
    expect(team).not.toContain('team-ab/app');
    expect(team).not.toContain('team-a-x/app');

    const all = await list(READER);
    expect(all).toEqual(expect.arrayContaining(['demo/app', 'team-a/app', 'team-ab/app', 'team-b/app']));
    expect(all.filter((r) => r.startsWith('team-a/'))).toEqual(team);

    // Paginated, the prefix still holds.
    const page = await oci(reg.url, basic(TEAM_A)).req('GET', '/v2/_catalog?n=1');
    expect(((await page.json()) as { repositories: string[] }).repositories).toEqual([team[0]]);
    const paged: string[] = [];
    for (let next: string | undefined = '/v2/_catalog?n=1'; next; ) {
      const res = await oci(reg.url, basic(TEAM_A)).req('GET', next);
      paged.push(...((await res.json()) as { repositories: string[] }).repositories);
      next = /^<([^>]+)>; rel="next"$/.exec(res.headers.get('link') ?? '')?.[1];
      expect(paged.length).toBeLessThan(50);
    }
    expect(paged).toEqual(team);
    const before = await oci(reg.url, basic(TEAM_A)).req('GET', '/v2/_catalog?last=demo/app');
    expect(((await before.json()) as { repositories: string[] }).repositories).toEqual(team);
  });

  it('gives the same 401 for a wrong password and an unknown user', async () => {
    const answers = [];
    for (const creds of [
      { username: ADMIN.username, password: 'wrong-password' },
      { username: 'nobody-here', password: 'wrong-password' },
    ]) {
      const res = await fetch(`${reg.url}/v2/demo/app/tags/list`, {
        headers: { authorization: basic(creds) },
      });
      const headers = Object.fromEntries(
        [...res.headers].filter(([k]) => !['date', 'apigw-requestid'].includes(k)),
      );
      answers.push({ status: res.status, body: await res.text(), headers });
      const t = await token(creds, 'repository:demo/app:pull');
      answers.push({ status: t.status, body: await t.text(), headers: {} });
    }
    expect(answers[0]?.status).toBe(401);
    expect(answers[0]).toEqual(answers[2]);
    expect(answers[1]).toEqual(answers[3]);
    expect(JSON.parse(answers[0]?.body as string).errors[0]).toEqual({
      code: 'UNAUTHORIZED',
      message: 'invalid username or password',
    });
  });

  it('refuses anonymous pull by default, with a challenge naming the scope', async () => {
    const res = await fetch(`${reg.url}/v2/demo/app/manifests/v1`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer realm="${reg.url}/v2/token",service="packyard",scope="repository:demo/app:pull"`,
    );
    const push = await fetch(`${reg.url}/v2/demo/app/blobs/uploads/`, { method: 'POST' });
    expect(push.status).toBe(401);
    expect(push.headers.get('www-authenticate')).toContain('scope="repository:demo/app:pull,push"');
    expect((await fetch(`${reg.url}/v2/_catalog`)).status).toBe(401);
    expect((await token(undefined, 'repository:demo/app:pull')).status).toBe(401);
  });
});

describe('token endpoint', () => {
  it('issues a scoped bearer token for GET with Basic auth', async () => {
    const res = await token(WRITER, 'repository:demo/tok:pull,push');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.token).toBe(body.access_token);
    expect(body.expires_in).toBe(300);
    expect(typeof body.issued_at).toBe('string');
    expect(claims(body.token as string)).toMatchObject({
      sub: 'ci',
      iss: 'packyard',
      aud: 'packyard',
      access: [{ type: 'repository', name: 'demo/tok', actions: ['pull', 'push'] }],
    });

    const bearer = oci(reg.url, `Bearer ${body.token}`);
    expect((await bearer.req('GET', '/v2/')).status).toBe(200);
    await pushImage(bearer, 'demo/tok', 'v1', 'pushed with a token');
    expect((await bearer.req('GET', '/v2/demo/tok/manifests/v1')).status).toBe(200);
    // Only the repository in the token.
    const other = await bearer.req('GET', '/v2/demo/app/manifests/v1');
    expect(other.status).toBe(401);
    expect(other.headers.get('www-authenticate')).toBe(
      `Bearer realm="${reg.url}/v2/token",service="packyard",scope="repository:demo/app:pull",error="insufficient_scope"`,
    );
  });

  it('refuses a pull-only token for push with 401 insufficient_scope', async () => {
    // The reader asks for push too; the endpoint silently grants only what it holds.
    const jwt = await tokenFor(READER, 'repository:demo/app:pull,push');
    expect(claims(jwt).access).toEqual([{ type: 'repository', name: 'demo/app', actions: ['pull'] }]);
    const bearer = oci(reg.url, `Bearer ${jwt}`);
    expect((await bearer.req('GET', '/v2/demo/app/manifests/v1')).status).toBe(200);
    const push = await bearer.req('POST', '/v2/demo/app/blobs/uploads/');
    expect(push.status).toBe(401);
    expect(push.headers.get('www-authenticate')).toBe(
      `Bearer realm="${reg.url}/v2/token",service="packyard",scope="repository:demo/app:pull,push",error="insufficient_scope"`,
    );
    expect(((await push.json()) as ErrorBody).errors[0]?.code).toBe('UNAUTHORIZED');
    const del = await bearer.req('DELETE', '/v2/demo/app/manifests/v1');
    expect(del.status).toBe(401);
    expect(del.headers.get('www-authenticate')).toContain('error="insufficient_scope"');

    // A writer's pull-only token is refused for push the same way.
    const pullOnly = oci(reg.url, `Bearer ${await tokenFor(WRITER, 'repository:demo/app:pull')}`);
    expect((await pullOnly.req('POST', '/v2/demo/app/blobs/uploads/')).status).toBe(401);
  });

  it('grants several scopes (repeated and space-separated) and drops what the user lacks', async () => {
    const jwt = await tokenFor(
      TEAM_A,
      'repository:team-a/app:pull',
      'repository:team-a/new:pull,push repository:team-b/app:pull,push',
      'repository:team-ab/app:pull',
      'registry:catalog:*',
      'garbage',
    );
    expect(claims(jwt).access).toEqual([
      { type: 'repository', name: 'team-a/app', actions: ['pull'] },
      { type: 'repository', name: 'team-a/new', actions: ['pull', 'push'] },
    ]);
    const bearer = oci(reg.url, `Bearer ${jwt}`);
    expect((await bearer.req('GET', '/v2/team-b/app/manifests/v1')).status).toBe(401);
    expect((await bearer.req('POST', '/v2/team-b/app/blobs/uploads/')).status).toBe(401);
    expect((await bearer.req('POST', '/v2/team-a/new/blobs/uploads/')).status).toBe(202);

    const adminJwt = await tokenFor(ADMIN, 'repository:demo/deletable:*');
    expect(claims(adminJwt).access).toEqual([
      { type: 'repository', name: 'demo/deletable', actions: ['delete'] },
    ]);
    // No scope at all: a token that can reach /v2/ and nothing else.
    const bare = await tokenFor(WRITER);
    expect(claims(bare).access).toEqual([]);
    expect((await fetch(`${reg.url}/v2/`, { headers: { authorization: `Bearer ${bare}` } })).status).toBe(
      200,
    );
    expect(
      (await fetch(`${reg.url}/v2/demo/app/tags/list`, { headers: { authorization: `Bearer ${bare}` } }))
        .status,
    ).toBe(401);
  });

  it('lists the catalog with a token asked for registry:catalog:*, inside the credential’s prefix', async () => {
    const challenge = await fetch(`${reg.url}/v2/_catalog`);
    expect(challenge.headers.get('www-authenticate')).toContain('scope="registry:catalog:*"');
    const team = oci(reg.url, `Bearer ${await tokenFor(TEAM_A, 'registry:catalog:*')}`);
    const res = await team.req('GET', '/v2/_catalog');
    expect(res.status, await res.clone().text()).toBe(200);
    const repos = ((await res.json()) as { repositories: string[] }).repositories;
    expect(repos.length).toBeGreaterThan(0);
    expect(repos.every((r) => r.startsWith('team-a/'))).toBe(true);
    // Without the catalog scope the token does not list.
    const plain = oci(reg.url, `Bearer ${await tokenFor(TEAM_A, 'repository:team-a/app:pull')}`);
    expect((await plain.req('GET', '/v2/_catalog')).status).toBe(401);
  });

  it('accepts the OAuth2 password grant on POST /v2/token', async () => {
    const post = (form: Record<string, string>) =>
      fetch(`${reg.url}/v2/token`, {
        method: 'POST',
        body: new URLSearchParams(form).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    const res = await post({
      grant_type: 'password',
      username: WRITER.username,
      password: WRITER.password,
      service: 'packyard',
      scope: 'repository:demo/oauth:pull,push',
      client_id: 'skopeo',
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as { access_token: string };
    await pushImage(oci(reg.url, `Bearer ${body.access_token}`), 'demo/oauth', 'v1', 'oauth');

    const wrong = await post({ grant_type: 'password', username: WRITER.username, password: 'nope' });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as ErrorBody).errors[0]).toEqual({
      code: 'UNAUTHORIZED',
      message: 'invalid username or password',
    });
    const unknown = await post({ grant_type: 'password', username: 'ghost', password: 'nope' });
    expect(unknown.status).toBe(401);
    const refresh = await post({ grant_type: 'refresh_token', refresh_token: 'x' });
    expect(refresh.status).toBe(400);
    expect(((await refresh.json()) as { error: string }).error).toBe('unsupported_grant_type');
    const empty = await fetch(`${reg.url}/v2/token`, { method: 'POST' });
    expect(empty.status).toBe(400);
  });

  it('refuses a bearer token as the credential for a new token', async () => {
    const jwt = await tokenFor(ADMIN, 'repository:demo/app:pull');
    const res = await fetch(`${reg.url}/v2/token?scope=repository:demo/app:pull,push`, {
      headers: { authorization: `Bearer ${jwt}` },
    });
    expect(res.status).toBe(401);
  });

  it('refuses expired tokens and tokens signed with another secret or for another audience', async () => {
    const now = Math.floor(Date.now() / 1000);
    const access = [{ type: 'repository', name: 'demo/app', actions: ['pull', 'push', 'delete'] }];
    const sign = (key: Uint8Array, opts: { exp?: number; iat?: number; aud?: string; iss?: string } = {}) =>
      new SignJWT({ access })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuer(opts.iss ?? 'packyard')
        .setAudience(opts.aud ?? 'packyard')
        .setSubject('admin')
        .setIssuedAt(opts.iat ?? now)
        .setNotBefore((opts.iat ?? now) - 5)
        .setExpirationTime(opts.exp ?? now + 300)
        .sign(key);
    const get = (jwt: string) =>
      fetch(`${reg.url}/v2/demo/app/manifests/v1`, { headers: { authorization: `Bearer ${jwt}` } });

    // The forging is right: a fresh token signed with the registry's secret works.
    expect((await get(await sign(secret()))).status).toBe(200);

    const refused = [
      await sign(secret(), { iat: now - 600, exp: now - 60 }),
      await sign(secret(), { iat: now + 600, exp: now + 900 }), // not yet valid
      await sign(new Uint8Array(32).fill(7)),
      await sign(secret(), { aud: 'someone-else' }),
      await sign(secret(), { iss: 'evil' }),
    ];
    for (const jwt of refused) {
      const res = await get(jwt);
      expect(res.status).toBe(401);
      const body = (await res.json()) as { errors: { code: string; message: string }[] };
      expect(body.errors[0]?.code).toBe('UNAUTHORIZED');
      expect(body.errors[0]?.message).toContain('invalid or expired token');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="/);
    }
    // A tampered payload with the original signature.
    const good = await sign(secret());
    const [h, , s] = good.split('.');
    const evil = Buffer.from(
      JSON.stringify({
        ...claims(good),
        access: [{ type: 'repository', name: 'team-b/app', actions: ['push'] }],
      }),
    ).toString('base64url');
    expect((await get(`${h}.${evil}.${s}`)).status).toBe(401);
  });
});

describe('anonymous pull enabled', () => {
  let open: LocalRegistry;
  beforeAll(async () => {
    open = await startTestRegistry({ config: { anonymousPull: true } });
    await pushImage(oci(open.url, basic(ADMIN)), 'public/app', 'v1', 'public');
  });

  it('lets anonymous clients pull, list and get pull tokens, but never push or delete', async () => {
    const anon = oci(open.url);
    expect((await anon.req('GET', '/v2/')).status).toBe(200);
    expect((await anon.req('GET', '/v2/public/app/manifests/v1')).status).toBe(200);
    expect((await anon.req('GET', '/v2/public/app/tags/list')).status).toBe(200);
    expect(
      ((await (await anon.req('GET', '/v2/_catalog')).json()) as { repositories: string[] }).repositories,
    ).toEqual(['public/app']);

    const push = await anon.req('POST', '/v2/public/app/blobs/uploads/');
    expect(push.status).toBe(401);
    expect(push.headers.get('www-authenticate')).toContain('scope="repository:public/app:pull,push"');
    const put = await anon.req('PUT', '/v2/public/app/manifests/v2', {
      body: await (await anon.req('GET', '/v2/public/app/manifests/v1')).text(),
      headers: { 'content-type': MANIFEST },
    });
    expect(put.status).toBe(401);
    expect((await anon.req('DELETE', '/v2/public/app/manifests/v1')).status).toBe(401);

    const t = await fetch(`${open.url}/v2/token?scope=repository:public/app:pull,push,delete`);
    expect(t.status).toBe(200);
    const jwt = ((await t.json()) as { token: string }).token;
    expect(claims(jwt).access).toEqual([{ type: 'repository', name: 'public/app', actions: ['pull'] }]);
    const bearer = oci(open.url, `Bearer ${jwt}`);
    expect((await bearer.req('GET', '/v2/public/app/manifests/v1')).status).toBe(200);
    expect((await bearer.req('POST', '/v2/public/app/blobs/uploads/')).status).toBe(401);

    // Credentials still work, and wrong ones are still refused rather than treated as anonymous.
    expect((await oci(open.url, basic(WRITER)).req('POST', '/v2/public/app/blobs/uploads/')).status).toBe(
      202,
    );
    const bad = await fetch(`${open.url}/v2/public/app/manifests/v1`, {
      headers: { authorization: basic({ username: 'ci', password: 'wrong' }) },
    });
    expect(bad.status).toBe(401);
  });
});
