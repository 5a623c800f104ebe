/**
 * The pull-request plan and the Palette sync, with the bundled Action (dist/index.js) run as the
 * runner runs it, against `packyard serve`'s stack, a contract stand-in of GitHub's issue-comment
 * API (GITHUB_API_URL) and a contract stand-in of Palette's sync endpoints (test/helpers/).
 */
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRegistry, startLocalRegistry } from '../../lambdas/local/serve.ts';
import { pack, result, runAction, workspace } from '../helpers/action.ts';
import { type GitHubStandIn, startGitHubStandIn } from '../helpers/github-api.ts';
import { tempDir } from '../helpers/packs.ts';
import { type PaletteStandIn, startPaletteStandIn } from '../helpers/palette-api.ts';
import { ADMIN, isWrite, READER, requestRecorder, WRITER } from '../helpers/registry.ts';

const TOKEN = 'ghs_plan-token-0123456789';
const API_KEY = 'palette-key-0123456789';
const PR = 7;

let registry: LocalRegistry;
let host: string;
let github: GitHubStandIn;
let palette: PaletteStandIn;
const { requests, accessLog } = requestRecorder();

beforeAll(async () => {
  registry = await startLocalRegistry({
    dataDir: tempDir('plan-registry-'),
    users: [ADMIN, WRITER, READER],
    accessLog,
  });
  host = new URL(registry.url).host;
  github = await startGitHubStandIn(TOKEN);
  palette = await startPaletteStandIn({
    apiKey: API_KEY,
    uid: '5ee9c5adc172449eeb9c30cf',
    registry: registry.url,
    username: READER.username,
    password: READER.password,
  });
  // A busy pull request: the plan comment will be on the second page of comments.
  github.comments.set(
    PR,
    Array.from({ length: 105 }, (_, i) => ({
      id: i + 1,
      body: `review comment ${i}`,
      user: { login: 'dev' },
    })),
  );
});
afterAll(async () => {
  await registry?.close();
});

/** The runner's environment for a pull_request event (from `head` = a fork, or the same repository). */
function pullRequestEnv(head = 'acme/packs', apiUrl = github.url): Record<string, string> {
  const event = path.join(tempDir('event-'), 'event.json');
  writeFileSync(
    event,
    JSON.stringify({ number: PR, pull_request: { number: PR, head: { repo: { full_name: head } } } }),
  );
  return { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event, GITHUB_API_URL: apiUrl };
}

const creds = () => ({ registry: host, username: WRITER.username, password: WRITER.password });
const planComments = () =>
  (github.comments.get(PR) ?? []).filter((c) => c.body.startsWith('<!-- packyard-plan -->'));
const values = (ns: string) =>
  `pack:\n  namespace: ${ns}\n  content:\n    images:\n      - image: ghcr.io/acme/demo:1.0.0\n`;

/** The log without the `::add-mask::` lines (the runner hides those values everywhere else). */
function unmasked(stdout: string): string {
  return stdout.replace(/^::add-mask::.+$/gm, '');
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe('the plan on a pull request', () => {
  beforeAll(async () => {
    const main = workspace({ alpha: pack('alpha', { 'values.yaml': values('demo') }), beta: pack('beta') });
    const run = await runAction(main, { path: 'packs', ...creds() });
    expect(run.code).toBe(0);
    expect(result(run).map((r) => r.status)).toEqual(['published', 'published']);
  });

  it('catches content changed without a version bump, annotates pack.json "version", and comments once', async () => {
    const before = requests.length;
    const ws = workspace({
      alpha: pack('alpha', { 'values.yaml': values('changed'), 'manifests/extra.yaml': 'a: 1\n' }),
      beta: pack('beta'),
      gamma: pack('gamma'),
    });
    const run = await runAction(
      ws,
      { path: 'packs', ...creds(), 'github-token': TOKEN },
      { env: pullRequestEnv() },
    );
    expect(run.code).toBe(1);
    // pack.json from pack(): "version" is on line 4, its value at column 14.
    expect(run.stdout).toMatch(
      /::error title=plan\/version-not-bumped,file=packs\/alpha\/pack\.json,line=4,endLine=4,col=14::content changed without a version bump: 1\.0\.0 is already published with other content.*bump "version" in pack\.json to 1\.0\.1/,
    );
    const plan = JSON.parse(run.outputs.plan ?? '[]') as { name: string; plan: string; files: unknown }[];
    expect(plan.map((p) => [p.name, p.plan])).toEqual([
      ['alpha', 'changed-without-bump'],
      ['beta', 'unchanged'],
      ['gamma', 'new-pack'],
    ]);
    expect(plan[0]?.files).toEqual({
      added: ['manifests/extra.yaml'],
      removed: [],
      changed: ['values.yaml'],
    });
    expect(run.outputs['plan-errors']).toBe('1');
    expect(result(run).find((r) => r.name === 'alpha')).toMatchObject({ status: 'invalid' });
    // Read only: nothing was pushed, and gamma is not in the registry.
    expect(requests.slice(before).filter(isWrite)).toEqual([]);

    const comments = planComments();
    expect(comments).toHaveLength(1);
    const body = comments[0]?.body ?? '';
    expect(body).toContain('### ❌ Fix before merging');
    expect(body).toContain('-  namespace: demo');
    expect(body).toContain('+  namespace: changed');
    expect(body).toContain('added: `manifests/extra.yaml`');
    expect(run.summary).toContain('## Packyard plan');
    // The token went to the API only, never into the log.
    expect(run.stdout).toContain(`::add-mask::${TOKEN}`);
    expect(unmasked(run.stdout)).not.toContain(TOKEN);
  });

  it('updates the same comment in place on the next push (found on page 2), and passes after the bump', async () => {
    const ws = workspace({
      alpha: pack('alpha', { 'values.yaml': values('changed'), 'pack.json': '{"version": "1.0.1"}' }),
      beta: pack('beta'),
    });
    const seen = github.requests.length;
    const run = await runAction(
      ws,
      { path: 'packs', ...creds(), 'github-token': TOKEN },
      { env: pullRequestEnv() },
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.outputs.plan ?? '[]').map((p: { plan: string }) => p.plan)).toEqual([
      'new-version',
      'unchanged',
    ]);
    const calls = github.requests.slice(seen);
    expect(calls.filter((c) => c.startsWith('GET '))).toHaveLength(2); // two pages of 100
    expect(calls.filter((c) => c.startsWith('POST '))).toEqual([]);
    expect(calls.filter((c) => c.startsWith('PATCH '))).toHaveLength(1);
    const comments = planComments();
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain('new version: 1.0.0 → 1.0.1');
    expect(comments[0]?.body).not.toContain('Fix before merging');
    expect(run.stdout).toContain(`Plan comment updated on #${PR}`);
  });

  it('does not fail an otherwise good run when the GitHub API is down', async () => {
    const ws = workspace({ beta: pack('beta') });
    const down = `http://127.0.0.1:${await closedPort()}`;
    const run = await runAction(
      ws,
      { path: 'packs', ...creds(), 'github-token': TOKEN },
      { env: pullRequestEnv('acme/packs', down) },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /::warning::Could not write the plan comment on #7: the GitHub API did not answer/,
    );
    expect(run.stdout).toContain(`::add-mask::${TOKEN}`);
    expect(unmasked(run.stdout)).not.toContain(TOKEN);
    expect(JSON.parse(run.outputs.plan ?? '[]')[0]).toMatchObject({ name: 'beta', plan: 'unchanged' });
  });

  it('lints only on a fork pull request without credentials, and says why', async () => {
    const ws = workspace({ alpha: pack('alpha', { 'values.yaml': values('fork') }) });
    // A fork's run gets no secrets: the workflow's password expression is empty.
    const run = await runAction(
      ws,
      { path: 'packs', registry: host, username: WRITER.username, password: '', 'github-token': TOKEN },
      { env: pullRequestEnv('mallory/packs') },
    );
    expect(run.code).toBe(0);
    expect(run.outputs.plan).toBe('');
    expect(result(run)[0]).toMatchObject({
      name: 'alpha',
      status: 'skipped',
      message: 'pull request: not pushed',
    });
    const why =
      'this pull request comes from the fork mallory/packs, and GitHub gives fork pull requests no secrets';
    expect(run.summary).toContain(why);
    expect(planComments()[0]?.body).toContain(why);
  });
});

describe('Palette sync after publishing', () => {
  const paletteInputs = (over: Record<string, string> = {}) => ({
    'palette-api-key': API_KEY,
    'palette-registry-uid': palette.uid,
    'palette-endpoint': palette.url,
    ...over,
  });

  it('triggers a sync and reports each published pack visible in Palette', async () => {
    palette.mode = 'normal';
    const ws = workspace({ delta: pack('delta') });
    const run = await runAction(ws, { path: 'packs', ...creds(), ...paletteInputs() });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.outputs.palette ?? '[]')).toEqual([
      { name: 'delta', version: '1.0.0', visible: true },
    ]);
    expect(run.outputs['palette-visible']).toBe('true');
    expect(run.summary).toContain('| `delta` | 1.0.0 | ✅ visible in Palette |');
    expect(palette.requests).toContain(`POST /v1/registries/oci/${palette.uid}/basic/sync`);
    // Palette's sync read the base repository and the pack from _catalog, with no extra step.
    expect(palette.catalog).toEqual(
      expect.arrayContaining(['spectro-packs/archive', 'spectro-packs/archive/delta']),
    );
    expect(run.stdout).toContain(`::add-mask::${API_KEY}`);
    expect(unmasked(run.stdout)).not.toContain(API_KEY);
  });

  it('times out with a clear message: a warning, or a failure with palette-required', async () => {
    palette.mode = 'stuck';
    const lenient = await runAction(workspace({ epsilon: pack('epsilon') }), {
      path: 'packs',
      ...creds(),
      ...paletteInputs({ 'palette-timeout': '2' }),
    });
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toMatch(
      /::warning::Palette did not list epsilon:1\.0\.0 within 2 s \(sync status: InProgress/,
    );
    expect(lenient.outputs['palette-visible']).toBe('false');
    const strict = await runAction(workspace({ zeta: pack('zeta') }), {
      path: 'packs',
      ...creds(),
      ...paletteInputs({ 'palette-timeout': '2', 'palette-required': 'true' }),
    });
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/::error::Palette did not list zeta:1\.0\.0 within 2 s/);
    expect(result(strict)[0]).toMatchObject({ name: 'zeta', status: 'published' });
    palette.mode = 'normal';
  });

  it('names the API key when Palette refuses it, and fails only when required', async () => {
    const run = await runAction(workspace({ eta: pack('eta') }), {
      path: 'packs',
      ...creds(),
      ...paletteInputs({ 'palette-api-key': 'wrong-key-0000', 'palette-required': 'true' }),
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Palette refused the API key (401: Invalid API key); check palette-api-key');
    expect(run.stdout).toContain('::add-mask::wrong-key-0000');
    expect(unmasked(run.stdout)).not.toContain('wrong-key-0000');
    const unknown = await runAction(workspace({ theta: pack('theta') }), {
      path: 'packs',
      ...creds(),
      ...paletteInputs({ 'palette-registry-uid': 'aaaaaaaaaaaaaaaaaaaaaaaa' }),
    });
    expect(unknown.code).toBe(0);
    expect(unknown.stdout).toContain(
      '::warning::Palette has no OCI registry with uid aaaaaaaaaaaaaaaaaaaaaaaa',
    );
  });
});
