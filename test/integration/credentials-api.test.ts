import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRegistry } from '../../lambdas/local/serve.ts';
import { expectDocumented } from '../helpers/openapi.ts';
import { ADMIN, basic, READER, startTestRegistry, TEAM_A, WRITER } from '../helpers/registry.ts';

const TEAM_ADMIN = {
  username: 'team-a-admin',
  password: 'team-a-admin-pass',
  scope: 'admin' as const,
  prefix: 'team-a/',
};

let reg: LocalRegistry;
beforeAll(async () => {
  reg = await startTestRegistry({ users: [ADMIN, WRITER, READER, TEAM_A, TEAM_ADMIN] });
});
afterAll(async () => reg.close());

async function call(method: string, path: string, auth?: string, body?: unknown) {
  const res = await fetch(`${reg.url}${path}`, {
    method,
    headers: {
      ...(auth ? { authorization: auth } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const v2 = (user: { username: string; password: string }) =>
  fetch(`${reg.url}/v2/`, { headers: { authorization: basic(user) } }).then((r) => r.status);

describe('credentials admin API (/api/v1/credentials)', () => {
  it('auth matrix: anonymous 401, read and write 403, bearer 403, admins 200', async () => {
    expect((await call('GET', '/api/v1/credentials')).status).toBe(401);
    expect((await call('GET', '/api/v1/credentials', basic(READER))).status).toBe(403);
    expect((await call('GET', '/api/v1/credentials', basic(WRITER))).status).toBe(403);
    expect((await call('POST', '/api/v1/credentials', basic(WRITER), { username: 'x1' })).status).toBe(403);
    expect((await call('DELETE', '/api/v1/credentials/palette', basic(TEAM_A))).status).toBe(403);
    const token = (await (
      await fetch(`${reg.url}/v2/token`, { headers: { authorization: basic(ADMIN) } })
    ).json()) as {
      token: string;
    };
    expect((await call('GET', '/api/v1/credentials', `Bearer ${token.token}`)).status).toBe(403);
    const all = await call('GET', '/api/v1/credentials', basic(ADMIN));
    expect(all.status).toBe(200);
    expect(all.body.credentials.map((c: { username: string }) => c.username).sort()).toEqual(
      ['admin', 'ci', 'palette', 'team-a', 'team-a-admin'].sort(),
    );
    expect(JSON.stringify(all.body)).not.toMatch(/scrypt|passwordHash/);
    for (const c of all.body.credentials) expectDocumented('#/components/schemas/Credential', c);
  });

  it('prefix-limited admins see and manage only their prefix', async () => {
    const seen = await call('GET', '/api/v1/credentials', basic(TEAM_ADMIN));
    expect(seen.body.credentials.map((c: { username: string }) => c.username).sort()).toEqual([
      'team-a',
      'team-a-admin',
    ]);
    expect((await call('DELETE', '/api/v1/credentials/palette', basic(TEAM_ADMIN))).status).toBe(404);
    expect((await call('POST', '/api/v1/credentials/admin/rotate', basic(TEAM_ADMIN))).status).toBe(404);
    expect(
      (await call('POST', '/api/v1/credentials', basic(TEAM_ADMIN), { username: 'b1', prefix: 'team-b/' }))
        .status,
    ).toBe(403);
    expect(
      (await call('POST', '/api/v1/credentials', basic(TEAM_ADMIN), { username: 'all1', prefix: '' })).status,
    ).toBe(403);
    const made = await call('POST', '/api/v1/credentials', basic(TEAM_ADMIN), {
      username: 'a-bot',
      scope: 'write',
      prefix: 'team-a/bots',
    });
    expect(made.status).toBe(201);
    expect(made.body.prefix).toBe('team-a/bots/');
    expect(made.body.createdBy).toBe('team-a-admin');
    expect(await v2({ username: 'a-bot', password: made.body.password })).toBe(200);
  });

  it('creates with a generated password shown once, refuses an existing name unless replace', async () => {
    const made = await call('POST', '/api/v1/credentials', basic(ADMIN), { username: 'ops', scope: 'admin' });
    expect(made.status).toBe(201);
    expect(made.body.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expectDocumented('#/components/schemas/CredentialWithPassword', made.body);
    expect(await v2({ username: 'ops', password: made.body.password })).toBe(200);
    const again = await call('POST', '/api/v1/credentials', basic(ADMIN), { username: 'ops', scope: 'read' });
    expect(again.status).toBe(409);
    expectDocumented('#/components/schemas/Error', again.body);
    expect(again.body.errors[0].message).toMatch(/replace/);
    const listed = await call('GET', '/api/v1/credentials', basic(ADMIN));
    expect(listed.body.credentials.find((c: { username: string }) => c.username === 'ops').scope).toBe(
      'admin',
    );
    expect(JSON.stringify(listed.body)).not.toContain(made.body.password);
    const replaced = await call('POST', '/api/v1/credentials', basic(ADMIN), {
      username: 'ops',
      scope: 'read',
      replace: true,
    });
    expect(replaced.status).toBe(201);
    expect(await v2({ username: 'ops', password: replaced.body.password })).toBe(200);
    expect((await call('POST', '/api/v1/credentials', basic(ADMIN), { username: 'oidc' })).status).toBe(400);
    expect((await call('POST', '/api/v1/credentials', basic(ADMIN), { username: 'bad name' })).status).toBe(
      400,
    );
    expect(
      (await call('POST', '/api/v1/credentials', basic(ADMIN), { username: 'x2', scope: 'owner' })).status,
    ).toBe(400);
  });

  it('rotates: the new password works, the old one does not', async () => {
    const made = await call('POST', '/api/v1/credentials', basic(ADMIN), { username: 'rot', scope: 'read' });
    const rotated = await call('POST', '/api/v1/credentials/rot/rotate', basic(ADMIN));
    expect(rotated.status).toBe(200);
    expect(rotated.body.password).not.toBe(made.body.password);
    expect(await v2({ username: 'rot', password: rotated.body.password })).toBe(200);
    // The old password was never verified in this process, so no cache entry keeps it alive.
    expect(await v2({ username: 'rot', password: made.body.password })).toBe(401);
  });

  it('expiry: refused once expired, shown as expired; past dates are rejected', async () => {
    expect(
      (await call('POST', '/api/v1/credentials', basic(ADMIN), { username: 'tmp', expiresAt: '2001-01-01' }))
        .status,
    ).toBe(400);
    const soon = new Date(Date.now() + 1500).toISOString();
    const made = await call('POST', '/api/v1/credentials', basic(ADMIN), {
      username: 'tmp',
      expiresAt: soon,
    });
    expect(made.status).toBe(201);
    await new Promise((r) => setTimeout(r, 1700));
    expect(await v2({ username: 'tmp', password: made.body.password })).toBe(401);
    const listed = await call('GET', '/api/v1/credentials', basic(ADMIN));
    expect(listed.body.credentials.find((c: { username: string }) => c.username === 'tmp').expired).toBe(
      true,
    );
    const later = new Date(Date.now() + 86_400_000).toISOString();
    const patched = await call('PATCH', '/api/v1/credentials/tmp', basic(ADMIN), { expiresAt: later });
    expect(patched.status).toBe(200);
    expect(await v2({ username: 'tmp', password: made.body.password })).toBe(200);
    expect((await call('PATCH', '/api/v1/credentials/tmp', basic(ADMIN), { scope: 'admin' })).status).toBe(
      400,
    );
  });

  it('records last use (at most once an hour)', async () => {
    const made = await call('POST', '/api/v1/credentials', basic(ADMIN), { username: 'used' });
    let listed = await call('GET', '/api/v1/credentials', basic(ADMIN));
    expect(
      listed.body.credentials.find((c: { username: string }) => c.username === 'used').lastUsedAt,
    ).toBeNull();
    expect(await v2({ username: 'used', password: made.body.password })).toBe(200);
    listed = await call('GET', '/api/v1/credentials', basic(ADMIN));
    const first = listed.body.credentials.find((c: { username: string }) => c.username === 'used').lastUsedAt;
    expect(Date.parse(first)).toBeGreaterThan(Date.now() - 60_000);
    const rec = await reg.storage.index.getCredential('used');
    expect(rec?.lastUsedAt).toBe(first);
  });

  it('never removes or demotes the last admin for all repositories', async () => {
    const solo = await startTestRegistry({ users: [ADMIN, READER] });
    const c = (m: string, p: string, b?: unknown) =>
      fetch(`${solo.url}${p}`, {
        method: m,
        headers: { authorization: basic(ADMIN), 'content-type': 'application/json' },
        body: b === undefined ? undefined : JSON.stringify(b),
      });
    const removed = await c('DELETE', '/api/v1/credentials/admin');
    expect(removed.status).toBe(409);
    expect(((await removed.json()) as { errors: { message: string }[] }).errors[0]?.message).toMatch(
      /last admin/,
    );
    expect(
      (await c('POST', '/api/v1/credentials', { username: 'admin', scope: 'read', replace: true })).status,
    ).toBe(409);
    expect((await c('DELETE', '/api/v1/credentials/palette')).status).toBe(204);
    expect((await c('DELETE', '/api/v1/credentials/palette')).status).toBe(404);
    await solo.close();
  });
});
