/**
 * What the web catalog adds to the JSON API: free-text `q=`, a version's logo, pack.json and
 * file list, and the sign-in exchange for a pull-only session token. Against the real handler
 * with s3rver and dynalite; responses checked against docs/openapi.yaml.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { LocalRegistry } from '../../lambdas/local/serve.ts';
import { goodPack, ROOT, TINY_PNG } from '../helpers/packs.ts';
import {
  ADMIN,
  basic,
  buildTestPack,
  oci,
  READER,
  rawRequest,
  startTestRegistry,
  TEAM_A,
} from '../helpers/registry.ts';

const openapi = parse(readFileSync(path.join(ROOT, 'docs', 'openapi.yaml'), 'utf8')) as Record<
  string,
  unknown
>;
const ajv = new Ajv2020({ strict: false });
(addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020)(ajv);
ajv.addSchema({ ...openapi, $id: 'openapi' });
function expectDocumented(pointer: string, body: unknown): void {
  const validate = ajv.getSchema(`openapi#${pointer}`);
  if (!validate) throw new Error(`no schema ${pointer}`);
  expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
}
const ok200 = (p: string) =>
  `/paths/${p.replaceAll('/', '~1')}/get/responses/200/content/application~1json/schema`;

let reg: LocalRegistry;
const admin = () => oci(reg.url, basic(ADMIN));

function pack(name: string, displayName: string, readme: string, version = '1.0.0') {
  return goodPack({
    'pack.json': JSON.stringify({
      name,
      displayName,
      version,
      layer: 'addon',
      addonType: 'ingress',
      cloudTypes: ['all'],
      kubeManifests: ['manifests/demo-app.yaml'],
    }),
    'README.md': readme,
  });
}

async function publish(repoBase: string, files: ReturnType<typeof pack>, name: string, version = '1.0.0') {
  const built = await buildTestPack(files, name, version);
  const res = await admin().pushPack(`${repoBase}spectro-packs/archive/${name}`, built);
  expect(res.status, await res.text()).toBe(201);
}

async function search(q: string, auth = basic(ADMIN)): Promise<string[]> {
  const res = await fetch(`${reg.url}/api/v1/packs?q=${encodeURIComponent(q)}`, {
    headers: { authorization: auth },
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { packs: { name: string }[] };
  expectDocumented(ok200('/api/v1/packs'), body);
  return body.packs.map((p) => p.name).sort();
}

beforeAll(async () => {
  // The UI the global setup built (scripts/build-web.mjs), as `packyard serve` finds it.
  process.env.PACKYARD_WEB_DIR = path.join(ROOT, 'build', 'catalog', 'web');
  reg = await startTestRegistry();
  await publish(
    '',
    pack('nginx-ingress', 'NGINX Ingress', '# NGINX\n\nRoutes **HTTP** traffic; uses Äpfel-Caché.'),
    'nginx-ingress',
  );
  await publish(
    '',
    pack('traefik', 'Traefik Proxy', 'An edge router. Configure `entryPoints` here.'),
    'traefik',
  );
  await publish('team-a/', pack('team-tool', 'Team Tool', 'Internal ingress helper.'), 'team-tool');
});

describe('q= free-text search', () => {
  it('matches name, display name and README words (prefixes, any case, accents folded)', async () => {
    expect(await search('ingress')).toEqual(['nginx-ingress', 'team-tool']);
    expect(await search('INGR')).toEqual(['nginx-ingress', 'team-tool']);
    expect(await search('proxy')).toEqual(['traefik']);
    expect(await search('entrypoints')).toEqual(['traefik']);
    expect(await search('http traffic')).toEqual(['nginx-ingress']);
    expect(await search('apfel cache')).toEqual(['nginx-ingress']);
    // Every word must match; a word inside another word does not.
    expect(await search('ingress proxy')).toEqual([]);
    expect(await search('gress')).toEqual([]);
    // Punctuation alone is no filter.
    expect((await search('*** ')).length).toBe(3);
  });

  it('shows a prefix-limited reader only what it may pull', async () => {
    expect(await search('ingress', basic(TEAM_A))).toEqual(['team-tool']);
  });

  it('combines with the other filters and still pages with a cursor', async () => {
    const res = await fetch(`${reg.url}/api/v1/packs?q=ingress&base=team-a&limit=1`, {
      headers: { authorization: basic(READER) },
    });
    const body = (await res.json()) as { packs: { name: string }[] };
    expect(body.packs.map((p) => p.name)).toEqual(['team-tool']);
  });
});

describe('a version’s logo, pack.json and files', () => {
  const base = () => `${reg.url}/api/v1/packs/nginx-ingress/versions/1.0.0`;

  it('serves logo.png as image/png, nosniff, cacheable with an ETag', async () => {
    const res = await fetch(`${base()}/logo`, { headers: { authorization: basic(READER) } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('private, max-age=86400');
    expect(Buffer.from(await res.arrayBuffer()).equals(TINY_PNG)).toBe(true);
    const etag = res.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[0-9a-f]{64}-logo"$/);
    const again = await fetch(`${base()}/logo`, {
      headers: { authorization: basic(READER), 'if-none-match': etag },
    });
    expect(again.status).toBe(304);
  });

  it('serves pack.json and the file list', async () => {
    const pj = await fetch(`${base()}/pack`, { headers: { authorization: basic(READER) } });
    expect(pj.headers.get('content-type')).toBe('application/json');
    expect(((await pj.json()) as { name: string }).name).toBe('nginx-ingress');
    const files = await fetch(`${base()}/files`, { headers: { authorization: basic(READER) } });
    const body = (await files.json()) as { files: { path: string; size: number; digest: string }[] };
    expectDocumented(ok200('/api/v1/packs/{name}/versions/{version}/files'), body);
    expect(body.files.every((f) => /^sha256:[0-9a-f]{64}$/.test(f.digest))).toBe(true);
    expect(body.files.map((f) => f.path)).toEqual([
      'README.md',
      'logo.png',
      'manifests/demo-app.yaml',
      'pack.json',
      'values.yaml',
    ]);
    expect(body.files.find((f) => f.path === 'logo.png')?.size).toBe(TINY_PNG.length);
  });

  it('refuses what the caller may not pull, and unknown files', async () => {
    const other = await fetch(`${reg.url}/api/v1/packs/nginx-ingress/versions/1.0.0/logo`, {
      headers: { authorization: basic(TEAM_A) },
    });
    expect(other.status).toBe(403);
    const unknown = await fetch(`${base()}/secrets`, { headers: { authorization: basic(READER) } });
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('use values, readme, presets, schema, logo, pack or files');
  });
});

describe('POST /api/v1/session', () => {
  const session = (body: unknown) =>
    fetch(`${reg.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('gives a pull-only token limited to the credential’s prefix', async () => {
    const res = await session({ username: TEAM_A.username, password: TEAM_A.password });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { token: string; expires_in: number; subject: string; prefix: string };
    expectDocumented('/paths/~1api~1v1~1session/post/responses/200/content/application~1json/schema', body);
    expect(body).toMatchObject({ subject: TEAM_A.username, prefix: 'team-a/' });
    expect(body.expires_in).toBeLessThanOrEqual(900);
    const bearer = oci(reg.url, `Bearer ${body.token}`);
    // Pulls in its prefix...
    expect((await bearer.req('GET', '/api/v1/packs/team-tool/versions?base=team-a')).status).toBe(200);
    expect((await bearer.req('GET', '/v2/team-a/spectro-packs/archive/team-tool/tags/list')).status).toBe(
      200,
    );
    // ...not outside it, and never pushes, although the credential (write) may.
    expect((await bearer.req('GET', '/api/v1/packs/traefik/versions')).status).toBe(401);
    const push = await bearer.req('POST', '/v2/team-a/spectro-packs/archive/team-tool/blobs/uploads/');
    expect(push.status).toBe(401);
    // The catalog listing shows the same prefix (with the base repository Palette expects to exist).
    const catalog = (await (await bearer.req('GET', '/v2/_catalog')).json()) as { repositories: string[] };
    expect(catalog.repositories).toEqual([
      'team-a/spectro-packs/archive',
      'team-a/spectro-packs/archive/team-tool',
    ]);
  });

  it('refuses bad credentials and bad bodies with clear errors', async () => {
    const wrong = await session({ username: ADMIN.username, password: 'nope' });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('invalid username or password');
    const notJson = await session('username=admin');
    expect(notJson.status).toBe(400);
    expect(await notJson.text()).toContain('not JSON');
    const missing = await session({ username: 'admin' });
    expect(missing.status).toBe(400);
    expect((await fetch(`${reg.url}/api/v1/session`)).status).toBe(405);
  });
});

describe('the catalog page', () => {
  it('is served at / and deep links, without shadowing /v2/ or /api/', async () => {
    for (const p of ['/', '/packs/traefik', '/packs/traefik/1.0.0?base=x']) {
      const res = await fetch(`${reg.url}${p}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('public, max-age=60, must-revalidate');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      const again = await fetch(`${reg.url}${p}`, {
        headers: { 'if-none-match': res.headers.get('etag') ?? '' },
      });
      expect(again.status).toBe(304);
    }
    expect((await fetch(`${reg.url}/v2/`)).status).toBe(401);
    // Without anonymous pull the JSON API asks for credentials too (the page shows its sign-in form).
    expect((await fetch(`${reg.url}/api/v1/packs`)).status).toBe(401);
    expect((await fetch(`${reg.url}/assets/..%2f..%2fetc%2fpasswd`)).status).toBe(404);
    expect((await fetch(`${reg.url}/assets/index.html`)).status).toBe(404);
  });

  it('never writes a hostile Host header into the page', async () => {
    const res = await rawRequest(reg.url, 'GET', '/', { host: 'evil.example/"><script>alert(1)</script>' });
    expect(res.status).toBe(200);
    expect(res.body).not.toContain('<script>alert');
    expect(res.body).not.toContain('evil');
    expect(res.body).toContain('src="/assets/app-');
  });
});
