/**
 * Auth and API edges over real sockets (handler + API Gateway adapter + s3rver + dynalite):
 * cursors that never name what the caller may not see, anonymous listing, names that look like
 * object prototype members, where the token realm comes from, tokens without expiry, scope
 * names at /v2/token, `_catalog` with a scope-less token, and failed-login throttling.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { versionSortKey } from '../../core/version.ts';
import type { LocalRegistry } from '../../lambdas/local/serve.ts';
import { goodPack, tempDir } from '../helpers/packs.ts';
import {
  ADMIN,
  basic,
  buildTestPack,
  oci,
  READER,
  rawRequest,
  startTestRegistry,
  TEAM_A,
  WRITER,
} from '../helpers/registry.ts';
import { record } from '../helpers/storage.ts';

const ARCHIVE = 'spectro-packs/archive';

function packFiles(name: string) {
  const pj = JSON.parse(goodPack()['pack.json'] as string) as Record<string, unknown>;
  return goodPack({ 'pack.json': JSON.stringify({ ...pj, name }, null, 2) });
}

async function publish(reg: LocalRegistry, base: string, name: string) {
  const pack = await buildTestPack(packFiles(name), name, '1.0.0');
  const res = await oci(reg.url, basic(ADMIN)).pushPack(`${base ? `${base}/` : ''}${ARCHIVE}/${name}`, pack);
  expect(res.status, await res.text()).toBe(201);
}

async function errorOf(res: Response, status: number, code: string) {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect((JSON.parse(text) as { errors: { code: string }[] }).errors[0]?.code).toBe(code);
}

let reg: LocalRegistry;
let dataDir: string;

beforeAll(async () => {
  dataDir = tempDir('edges-');
  reg = await startTestRegistry({ dataDir });
  // Interleaved in name order: team-a's packs sit between other teams' ones.
  await publish(reg, 'team-a', 'aa-visible');
  await publish(reg, 'team-b', 'ab-hidden-secret');
  await publish(reg, '', 'ac-hidden-root');
  await publish(reg, 'team-a', 'ad-visible');
  await publish(reg, 'team-b', 'ae-hidden-secret');
}, 120_000);

describe('/api/v1/packs', () => {
  it('pages only what the caller may see: no cursor carries a hidden pack', async () => {
    const c = oci(reg.url, basic(TEAM_A));
    const seen: string[] = [];
    const cursors: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10; i++) {
      const res = await c.req(
        'GET',
        `/api/v1/packs?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(res.status).toBe(200);
      const page = (await res.json()) as { packs: { name: string }[]; next: string | null };
      seen.push(...page.packs.map((p) => p.name));
      if (!page.next) break;
      cursors.push(page.next);
      cursor = page.next;
    }
    expect(seen).toEqual(['aa-visible', 'ad-visible']);
    for (const cur of cursors) {
      const decoded = `${cur} ${Buffer.from(cur, 'base64url').toString('latin1')}`;
      expect(decoded).not.toMatch(/hidden|team-b/);
    }
  });

  it('bounds a filtered page by its Query budget for a caller who sees everything, and reads on only to hide packs', async () => {
    // More packs in one search partition than a page's budget (10 Queries of 100 items) evaluates.
    const big = await startTestRegistry();
    const queries: string[] = [];
    record(big.storage.dynamodb.client, (command) => command === 'QueryCommand' && queries.push(command));
    const names = Array.from({ length: 1050 }, (_, i) => `bulk-${String(i).padStart(4, '0')}`);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < names.length; i = next++) {
        const name = names[i] as string;
        await big.storage.index.putPackSummary({
          repository: `${ARCHIVE}/${name}`,
          basePath: '',
          name,
          latestVersion: '1.0.0',
          latestVersionKey: versionSortKey('1.0.0'),
          displayName: name,
          layer: 'addon',
          addonType: 'monitoring',
          cloudTypes: ['aws'],
          updatedAt: '2026-01-01T00:00:00.000Z',
        });
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    const search = async (user: { username: string; password: string }, cursor?: string) => {
      queries.length = 0;
      const res = await oci(big.url, basic(user)).req(
        'GET',
        `/api/v1/packs?cloudType=aws&layer=servicemesh&limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(res.status).toBe(200);
      return {
        ...((await res.json()) as { packs: unknown[]; next: string | null }),
        queries: queries.length,
      };
    };
    // Nothing hidden: the page stops at its budget, with a cursor to continue.
    const first = await search(READER);
    expect(first).toMatchObject({ packs: [], queries: 10 });
    expect(first.next).toEqual(expect.any(String));
    expect(await search(READER, first.next as string)).toEqual({ packs: [], next: null, queries: 1 });
    // Every pack hidden: a cursor would name one, so the page reads to the end of the partition.
    expect(await search(TEAM_A)).toEqual({ packs: [], next: null, queries: 11 });
  }, 180_000);

  it('answers an anonymous search with 401 and a challenge when anonymous pull is off', async () => {
    const res = await fetch(`${reg.url}/api/v1/packs`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]+\/v2\/token"/);
  });
});

describe('names that are object prototype members', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])(
    'a pack file named %s is not found, never a 500',
    async (file) => {
      const c = oci(reg.url, basic(ADMIN));
      await errorOf(
        await c.req('GET', `/api/v1/packs/aa-visible/versions/1.0.0/${file}?base=team-a`),
        404,
        'UNSUPPORTED',
      );
      const asPack = await c.req('GET', `/api/v1/packs/${file}/versions`);
      // Lower-case names are valid pack names (not published: 404); the others are invalid names (400).
      expect(asPack.status).toBe(/^[a-z]+$/.test(file) ? 404 : 400);
      const asTag = await c.req('GET', `/v2/team-a/${ARCHIVE}/aa-visible/manifests/${file}`);
      expect(asTag.status).toBe(404);
    },
  );
});

describe('the token realm', () => {
  it('never comes from the Host or X-Forwarded-Host header', async () => {
    const url = new URL(reg.url);
    const spoofed: Record<string, string>[] = [
      { host: 'evil.example' },
      { 'x-forwarded-host': 'evil.example' },
    ];
    for (const headers of spoofed) {
      const res = await rawRequest(reg.url, 'GET', '/v2/', headers);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toContain(`realm="http://${url.host}/v2/token"`);
      expect(res.headers['www-authenticate']).not.toContain('evil');
    }
  });

  it('is the configured public URL when there is one', async () => {
    const pub = await startTestRegistry({ config: { publicUrl: 'https://packs.example.com' } });
    const res = await rawRequest(pub.url, 'GET', '/v2/', { host: 'evil.example' });
    expect(res.headers['www-authenticate']).toContain('realm="https://packs.example.com/v2/token"');
  });
});

describe('bearer tokens', () => {
  const secret = () => Buffer.from(readFileSync(path.join(dataDir, 'token-secret'), 'utf8').trim(), 'base64');
  const forge = (exp: boolean) => {
    const jwt = new SignJWT({
      access: [{ type: 'repository', name: `team-a/${ARCHIVE}/aa-visible`, actions: ['pull'] }],
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer('packyard')
      .setAudience('packyard')
      .setSubject('admin')
      .setIssuedAt();
    if (exp) jwt.setExpirationTime('5m');
    return jwt.sign(secret());
  };

  it('are refused without an expiry (and accepted with one, signed the same way)', async () => {
    const p = `/v2/team-a/${ARCHIVE}/aa-visible/tags/list`;
    expect((await oci(reg.url, `Bearer ${await forge(true)}`).req('GET', p)).status).toBe(200);
    await errorOf(await oci(reg.url, `Bearer ${await forge(false)}`).req('GET', p), 401, 'UNAUTHORIZED');
  });

  it('are never issued for invalid repository names', async () => {
    const c = oci(reg.url, basic(TEAM_A));
    for (const name of ['team-a/../team-b/x', 'team-a/./x', 'team-a//x', 'team-a/UPPER']) {
      const res = await c.req(
        'GET',
        `/v2/token?service=packyard&scope=${encodeURIComponent(`repository:${name}:pull`)}`,
      );
      await errorOf(res, 400, 'NAME_INVALID');
    }
    const ok = await c.req('GET', `/v2/token?service=packyard&scope=repository:team-a/x:pull`);
    expect(ok.status).toBe(200);
  });

  it('without the catalog scope get insufficient_scope on _catalog', async () => {
    const got = (await (
      await oci(reg.url, basic(READER)).req(
        'GET',
        `/v2/token?service=packyard&scope=repository:team-a/x:pull`,
      )
    ).json()) as { token: string };
    const res = await oci(reg.url, `Bearer ${got.token}`).req('GET', '/v2/_catalog');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('scope="registry:catalog:*"');
    expect(res.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });
});

describe('failed-login throttling', () => {
  const WINDOW = 3;
  let thr: LocalRegistry;
  beforeAll(async () => {
    thr = await startTestRegistry({
      config: { loginThrottle: { credentialFailures: 3, sourceFailures: 8, windowSeconds: WINDOW } },
    });
  });
  const attempt = (user: { username: string; password: string }, ip?: string) =>
    rawRequest(thr.url, 'GET', '/v2/', {
      authorization: basic(user),
      ...(ip ? { 'x-forwarded-for': ip } : {}),
    });

  it('answers 429 with Retry-After after repeated failures for one credential, for a bounded time', async () => {
    const wrong = { username: WRITER.username, password: 'wrong-password' };
    for (let i = 0; i < 3; i++) expect((await attempt(wrong)).status).toBe(401);
    const limited = await attempt(wrong);
    expect(limited.status).toBe(429);
    expect(JSON.parse(limited.body).errors[0].code).toBe('TOOMANYREQUESTS');
    const after = Number(limited.headers['retry-after']);
    expect(after).toBeGreaterThan(0);
    expect(after).toBeLessThanOrEqual(WINDOW);
    // The real password waits too (a guess must not be tested), but only until the window ends.
    expect((await attempt(WRITER)).status).toBe(429);
    // Other credentials are not slowed.
    const t0 = performance.now();
    expect((await attempt(READER)).status).toBe(200);
    expect(performance.now() - t0).toBeLessThan(2000);
    await new Promise((r) => setTimeout(r, (after + 0.5) * 1000));
    expect((await attempt(WRITER)).status).toBe(200);
  });

  it('also limits failures from one source across many user names (X-Forwarded-For does not change the source)', async () => {
    const src = await startTestRegistry({
      config: { loginThrottle: { credentialFailures: 100, sourceFailures: 5, windowSeconds: 60 } },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await rawRequest(src.url, 'GET', '/v2/', {
        authorization: basic({ username: `nobody-${i}`, password: 'x' }),
        'x-forwarded-for': `203.0.113.${i}`,
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
  });

  it('applies to the token endpoint (GET with Basic and the password grant)', async () => {
    const tok = await startTestRegistry({
      config: { loginThrottle: { credentialFailures: 2, sourceFailures: 100, windowSeconds: 60 } },
    });
    const wrong = { username: ADMIN.username, password: 'nope' };
    const get = () =>
      rawRequest(tok.url, 'GET', '/v2/token?service=packyard', { authorization: basic(wrong) });
    expect((await get()).status).toBe(401);
    expect((await get()).status).toBe(401);
    expect((await get()).status).toBe(429);
    const form = await fetch(`${tok.url}/v2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=password&username=${ADMIN.username}&password=${ADMIN.password}&service=packyard`,
    });
    expect(form.status).toBe(429);
    expect(form.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});
