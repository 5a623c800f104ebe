import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, SHOTS } from '../helpers/browser.ts';
import { catalogFixtures, PWNED } from '../helpers/catalog-packs.ts';
import { acmeBindingArgs, type LocalIssuer, startLocalIssuer } from '../helpers/oidc-issuer.ts';
import { runCli, tempDir } from '../helpers/packs.ts';
import { type Served, serve } from '../helpers/serve.ts';

// The catalog in a real browser (Debian's chromium through playwright-core) against `packyard
// serve` holding packs pushed with `packyard push`: no stand-ins anywhere.
const ADMIN = { username: 'admin', password: 'admin-password-123' };
const TEAM_A = { username: 'team-a-reader', password: 'team-a-password-123' };

let server: Served;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let context: BrowserContext;
let data: string;
let issuer: LocalIssuer;
const AUDIENCE = 'https://catalog.test.example';

async function push(dir: string, registry: string, who: { username: string; password: string } = ADMIN) {
  const res = await runCli(['push', dir, '--registry', registry], {
    env: { PACKYARD_USERNAME: who.username, PACKYARD_PASSWORD: who.password },
  });
  expect(res.code, res.stderr).toBe(0);
}

/** A trusted-publishing push token, from an ID token of the local stand-in for GitHub's issuer. */
async function oidcToken(): Promise<{ username: string; password: string }> {
  const res = await fetch(`${server.url}/api/v1/oidc/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: await issuer.mint(issuer.claims()) }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return { username: 'oidc', password: ((await res.json()) as { token: string }).token };
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  data = tempDir('packyard-catalog-data-');
  const add = await runCli(
    [
      'user',
      'add',
      TEAM_A.username,
      '--scope',
      'read',
      '--prefix',
      'team-a/',
      '--password-stdin',
      '--data',
      data,
    ],
    { input: `${TEAM_A.password}\n` },
  );
  expect(add.code, add.stderr).toBe(0);
  // Team A publishes 1.1.0 from a GitHub workflow (trusted publishing): its provenance shows.
  issuer = await startLocalIssuer({ audience: AUDIENCE });
  const binding = await runCli(acmeBindingArgs(data));
  expect(binding.code, binding.stderr).toBe(0);
  [server, browser] = await Promise.all([
    serve(['--data', data, '--oidc-issuer', issuer.url], {
      PACKYARD_OIDC_AUDIENCE: AUDIENCE,
      PACKYARD_USERNAME: ADMIN.username,
      PACKYARD_PASSWORD: ADMIN.password,
    }),
    launchBrowser(),
  ]);
  context = browser.context;
  const host = new URL(server.url).host;
  const f = catalogFixtures();
  await Promise.all([push(f.root, host), push(f.teamAv1, `${host}/team-a`), push(f.teamB, `${host}/team-b`)]);
  await push(f.teamAv2, `${host}/team-a`, await oidcToken());
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** A new tab (its own sessionStorage), failing the test on any page error or dialog. */
async function tab(): Promise<Page & { problems: string[] }> {
  const page = (await context.newPage()) as Page & { problems: string[] };
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    page.problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('console', (m) => {
    if (m.type() === 'error' && !/401|404|Unauthorized|Not Found/.test(m.text()))
      page.problems.push(`console: ${m.text()}`);
  });
  return page;
}

async function signIn(page: Page, who: { username: string; password: string }): Promise<void> {
  await page.getByLabel('Username').fill(who.username);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).last().click();
  await expect.poll(() => page.locator('.who').textContent()).toContain(who.username);
}

const cardNames = (page: Page) => page.locator('.card h2').allTextContents();

describe('catalog (chromium)', () => {
  it('serves the shell with a strict CSP, nosniff, frame denial; assets hashed and cached', async () => {
    const res = await fetch(`${server.url}/packs/demo-app?base=team-a`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await res.text();
    expect(html).not.toMatch(/<script>(?!<\/script>)/); // no inline script
    const js = /src="(\/assets\/app-[A-Z0-9]+\.js)"/.exec(html)?.[1];
    expect(js).toBeDefined();
    const asset = await fetch(`${server.url}${js}`);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    // API Gateway does not compress: the registry sends the gzipped bytes itself (fetch decodes them).
    expect(asset.headers.get('content-encoding')).toBe('gzip');
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await asset.text()).toContain('import');
    const etag = asset.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[0-9a-f]+"$/);
    const again = await fetch(`${server.url}${js}`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    // Never shadowing the OCI routes.
    expect((await fetch(`${server.url}/v2/`)).status).toBe(401);
  });

  it('asks an anonymous visitor to sign in, then lists every pack for the admin', async () => {
    const page = await tab();
    await page.goto(server.url);
    await expect.poll(() => page.getByRole('heading', { name: 'Sign in' }).count()).toBe(1);
    await page.screenshot({ path: path.join(SHOTS, 'sign-in.png') });
    await signIn(page, ADMIN);
    await expect.poll(() => cardNames(page)).toContain('Demo App');
    const names = await cardNames(page);
    expect(names).toEqual(expect.arrayContaining(['Hello Packyard', 'Log Shipper', 'Secret Tool']));
    await page.screenshot({ path: path.join(SHOTS, 'catalog.png') });
    // The token lives in sessionStorage, never a password; nothing in localStorage.
    const stored = await page.evaluate<string>('JSON.stringify({ ...sessionStorage, ...localStorage })');
    expect(stored).not.toContain(ADMIN.password);
    expect(await page.evaluate<number>('localStorage.length')).toBe(0);
    // Sign out: back to the form, the token gone.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Sign in' }).count()).toBe(1);
    expect(await page.evaluate<number>('sessionStorage.length')).toBe(0);
    expect(page.problems).toEqual([]);
    await page.close();
  });

  it('rejects a wrong password with a message', async () => {
    const page = await tab();
    await page.goto(server.url);
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).last().click();
    await expect
      .poll(() => page.locator('#sign-in-error').textContent())
      .toContain('Wrong username or password');
    await page.close();
  });

  it('searches free text (README words) and filters by layer, add-on type and cloud type', async () => {
    const page = await tab();
    await page.goto(server.url);
    await signIn(page, ADMIN);
    await page.locator('#q').fill('zebrafish');
    await page.locator('#q').press('Enter');
    await expect.poll(() => cardNames(page)).toEqual(['Log Shipper']);
    expect(page.url()).toContain('q=zebrafish');
    await page.locator('#q').fill('hello');
    await page.locator('#q').press('Enter');
    await expect.poll(() => cardNames(page)).toEqual(['Hello Packyard']);
    await page.locator('#q').fill('');
    await page.locator('#q').press('Enter');
    await page.locator('#cloudType').selectOption('edge-native');
    await expect.poll(() => cardNames(page)).toEqual(['Demo App']);
    await page.goto(`${server.url}/?addonType=security`);
    await expect.poll(() => cardNames(page)).toEqual(['Secret Tool']);
    await page.locator('#layer').selectOption('cni');
    await expect.poll(() => page.locator('.empty').count()).toBe(1);
    expect(page.problems).toEqual([]);
    await page.close();
  });

  it('opens a pack: README rendered, values highlighted, presets grouped, schema, versions, files; switches versions', async () => {
    const page = await tab();
    await page.goto(server.url);
    await signIn(page, ADMIN);
    await page.getByRole('link', { name: /Demo App/ }).click();
    await expect.poll(() => page.locator('.pack-head h1').textContent()).toBe('Demo App');
    expect(page.url()).toContain('/packs/demo-app?base=team-a');
    // README as Markdown: a table and a code block, not raw text.
    await expect.poll(() => page.locator('#readme table td').first().textContent()).toBe('replicas');
    expect(await page.locator('#readme strong').textContent()).toBe('demo');
    expect(await page.locator('#readme a').getAttribute('rel')).toContain('noopener');
    // values.yaml with keys highlighted.
    expect(await page.locator('#values .y-key', { hasText: 'greeting' }).count()).toBe(1);
    expect(await page.locator('#values .y-str').first().textContent()).toBe('"hello from 1.1.0"');
    expect(await page.locator('#values .y-com').first().textContent()).toContain('enabled-presets');
    // Presets grouped by `group`, the enabled one marked.
    expect(await page.locator('#presets legend').allTextContents()).toEqual(['Size', 'Exposure']);
    expect(await page.locator('#presets .preset', { hasText: 'Small' }).locator('.tag').textContent()).toBe(
      'enabled',
    );
    // schema.yaml constraints.
    const row = page.locator('#schema tbody tr').first();
    expect(await row.locator('td').allTextContents()).toEqual([
      'manifests.demo-app.replicas',
      'yes',
      '',
      '$' + '{number}', // schema.yaml's own syntax, not a template
      'How many pods',
    ]);
    // Versions newest first, with digest, size, pusher and lint counts; the file list.
    const versions = page.locator('#versions tbody tr');
    expect(await versions.count()).toBe(2);
    expect(await versions.first().locator('td').first().textContent()).toBe('1.1.0');
    const newest = await versions.first().textContent();
    expect(newest).toContain('github:acme/packs'); // pushed by the trusted publisher
    expect(newest).toContain('acme/packs/.github/workflows/publish.yml');
    expect(newest).toContain('run 987654321');
    expect(newest).toContain('commit a1b2c3d4e5f6');
    expect(await versions.nth(1).textContent()).toContain('admin');
    expect(await versions.first().textContent()).toContain('0 errors');
    expect(await versions.first().textContent()).toMatch(/sha256:[0-9a-f]{12}/);
    expect(await page.locator('#files li').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('pack.json'), expect.stringContaining('values.yaml')]),
    );
    // The logo is the pushed PNG (fetched with the session's token).
    expect(await page.locator('.pack-head img.logo').getAttribute('src')).toMatch(/^blob:/);
    await page.screenshot({ path: path.join(SHOTS, 'pack.png'), fullPage: true });
    // Switch to 1.0.0 with the picker: the URL and the content follow.
    await page.locator('#version').selectOption('1.0.0');
    await expect.poll(() => page.locator('#readme').textContent()).toContain('The first release.');
    expect(page.url()).toContain('/packs/demo-app/1.0.0?base=team-a');
    expect(await page.locator('#values .y-str').first().textContent()).toBe('"hello from 1.0.0"');
    // Back goes to 1.1.0 again; a reload of the deep link works.
    await page.goBack();
    await expect.poll(() => page.locator('#readme').textContent()).toContain('Deploys the');
    await page.goto(`${server.url}/packs/demo-app/1.0.0?base=team-a`);
    await expect.poll(() => page.locator('#readme').textContent()).toContain('The first release.');
    expect(page.problems).toEqual([]);
    await page.close();
  });

  it('copies the Palette, Terraform, packyard and oras snippets to the clipboard', async () => {
    const page = await tab();
    await page.goto(`${server.url}/packs/demo-app/1.1.0?base=team-a`);
    await signIn(page, ADMIN);
    await expect.poll(() => page.locator('.pack-head h1').textContent()).toBe('Demo App');
    const host = new URL(server.url).host;
    const copied = async (id: string) => {
      await page.locator(`button[data-copy="${id}"]`).click();
      const status = page.locator(`.snippet-box:has(button[data-copy="${id}"]) .copy-status`);
      await expect.poll(() => status.textContent()).toBe('Copied');
      return page.evaluate<string>('navigator.clipboard.readText()');
    };
    const palette = await copied('palette');
    expect(palette).toContain(`Endpoint:          ${host}`);
    expect(palette).toContain('Base Content Path: team-a');
    const tf = await copied('terraform');
    expect(tf).toContain('data "spectrocloud_pack" "demo_app" {');
    expect(tf).toContain('name         = "demo-app"');
    expect(tf).toContain('version      = "1.1.0"');
    expect(tf).toContain('registry_uid = data.spectrocloud_registry.packyard.id');
    expect(await copied('packyard')).toBe(
      `packyard pull demo-app:1.1.0 ./demo-app-1.1.0 --registry ${host}/team-a`,
    );
    expect(await copied('oras')).toBe(
      `oras pull --plain-http ${host}/team-a/spectro-packs/archive/demo-app:1.1.0`,
    );
    await page.close();
  });

  it("shows a prefix-limited user only their team's packs", async () => {
    const page = await tab();
    await page.goto(server.url);
    await signIn(page, TEAM_A);
    await expect.poll(() => cardNames(page)).toEqual(['Demo App']);
    // A deep link to another team's pack is refused like a missing one.
    await page.goto(`${server.url}/packs/secret-tool?base=team-b`);
    await expect.poll(() => page.locator('[role=alert] h1').textContent()).toBe('Not found');
    expect(await page.locator('.who').textContent()).toContain(TEAM_A.username); // still signed in
    expect(await page.locator('main').textContent()).not.toContain('Team B only');
    await page.close();
  });

  it('renders a hostile pack without running any of its script, handlers or javascript: links', async () => {
    const page = await tab();
    await page.goto(server.url);
    await signIn(page, ADMIN);
    await page.goto(`${server.url}/packs/xss-pack`);
    await expect.poll(() => page.locator('#readme h1').textContent()).toBe('Totally safe');
    // The raw HTML shows as text; no element it names exists.
    expect(
      await page.locator('#readme script, #readme iframe, #readme img[onerror], main [onerror]').count(),
    ).toBe(0);
    expect(await page.locator('#readme').textContent()).toContain('<script>');
    const hrefs = await page
      .locator('main a')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    expect(hrefs.filter((h) => /^\s*(javascript|data|vbscript):/i.test(h))).toEqual([]);
    expect(hrefs).toContain('https://example.com/docs');
    const srcs = await page
      .locator('main img')
      .evaluateAll((is) => is.map((i) => i.getAttribute('src') ?? ''));
    expect(srcs.filter((s) => /^\s*javascript:/i.test(s))).toEqual([]);
    expect(await page.locator('#values').textContent()).toContain(
      `<script>window.${PWNED}='values'</script>`,
    );
    expect(await page.locator('.pack-head h1').textContent()).toContain('onerror'); // the display name, as text
    // Click every link the README rendered: none runs anything.
    for (const link of await page.locator('#readme a').all()) {
      if ((await link.getAttribute('target')) === '_blank') continue;
      await link.click();
    }
    await page.waitForTimeout(300);
    expect(await page.evaluate<unknown>(`window[${JSON.stringify(PWNED)}]`)).toBeUndefined();
    await page.screenshot({ path: path.join(SHOTS, 'xss-pack.png'), fullPage: true });
    expect(page.problems).toEqual([]);
    await page.close();
  });

  it('is readable on a phone', async () => {
    const page = await tab();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(server.url);
    await signIn(page, ADMIN);
    await page.goto(`${server.url}/packs/demo-app?base=team-a`);
    await expect.poll(() => page.locator('.pack-head h1').textContent()).toBe('Demo App');
    // Nothing wider than the screen: no sideways scrolling of the page.
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(SHOTS, 'pack-phone.png') });
    // Keyboard: the skip link comes first and moves focus to the content.
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement?.textContent')).toBe('Skip to content');
    await page.close();
  });

  it('writes screenshots', () => {
    for (const f of ['catalog.png', 'pack.png', 'sign-in.png', 'xss-pack.png', 'pack-phone.png'])
      expect(statSync(path.join(SHOTS, f)).size).toBeGreaterThan(1000);
  });
});

describe('catalog with anonymous pull', () => {
  it('lists public content with no sign-in', async () => {
    await server.stop();
    server = await serve(['--data', data, '--anonymous-pull'], {
      PACKYARD_USERNAME: ADMIN.username,
      PACKYARD_PASSWORD: ADMIN.password,
    });
    const page = await tab();
    await page.goto(server.url);
    await expect.poll(() => cardNames(page)).toContain('Hello Packyard');
    expect(await page.getByRole('button', { name: 'Sign in' }).count()).toBe(1);
    expect(page.problems).toEqual([]);
    await page.close();
  });
});
