import { execFile, spawnSync } from 'node:child_process';
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRegistryRef } from '../../client/reference.ts';
import { RegistryClient } from '../../client/registry-client.ts';
import { buildPack } from '../../core/build-pack.ts';
import { sha256Digest as sha256 } from '../../core/oci.ts';
import { readPackTree } from '../../core/pack-tree.ts';
import { type LocalRegistry, startLocalRegistry } from '../../lambdas/local/serve.ts';
import { BUNDLE, pack, type ResultEntry, result, runAction, workspace } from '../helpers/action.ts';
import { ROOT, tempDir } from '../helpers/packs.ts';
import { ADMIN, isWrite, READER, requestRecorder, WRITER } from '../helpers/registry.ts';

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

const skopeo = spawnSync('skopeo', ['--version']).status === 0;

let registry: LocalRegistry;
let host: string;
/** Requests the registry answered, as "METHOD /path STATUS". */
const { requests, accessLog } = requestRecorder();
const writes = () => requests.filter(isWrite);

beforeAll(async () => {
  registry = await startLocalRegistry({
    dataDir: tempDir('action-registry-'),
    users: [ADMIN, WRITER, READER],
    accessLog,
  });
  host = new URL(registry.url).host;
});
afterAll(async () => {
  await registry?.close();
});

function client(user = READER): RegistryClient {
  return new RegistryClient({ registry: parseRegistryRef(host), credentials: user });
}

describe('the bundled GitHub Action against packyard serve', () => {
  const ws = workspace({ alpha: pack('alpha'), beta: pack('beta', { 'README.md': '# Beta\n' }) });
  /** Registry inputs (a function: the registry starts in beforeAll, after this describe body runs). */
  const creds = () => ({ registry: host, username: WRITER.username, password: WRITER.password });
  let published: ResultEntry[] = [];

  it('publishes every pack, with outputs, a job summary and log groups', async () => {
    const run = await runAction(ws, { path: 'packs', ...creds() });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    published = result(run);
    expect(published.map((r) => [r.name, r.version, r.status, r.path])).toEqual([
      ['alpha', '1.0.0', 'published', 'packs/alpha'],
      ['beta', '1.0.0', 'published', 'packs/beta'],
    ]);
    expect(run.outputs).toMatchObject({
      published: '2',
      skipped: '0',
      invalid: '0',
      failed: '0',
      'dry-run': 'false',
    });
    for (const g of ['Lint', 'Build', `Publish to ${host}`]) expect(run.stdout).toContain(`::group::${g}\n`);
    // The bundle (gzip worker included) builds the same bytes as core/ from source.
    for (const r of published) {
      const built = await buildPack(readPackTree(path.join(ws, r.path)), r.name as string, '1.0.0');
      expect(r.digest).toBe(built.manifestDigest);
      expect(run.summary).toContain(
        `| \`${r.name}\`<br><sub>${r.path}</sub> | 1.0.0 | ✅ published | <code title="${r.digest}">${r.digest?.slice(0, 19)}…</code> |`,
      );
    }
    // What the registry holds, read back with the client.
    const c = client();
    for (const r of published) {
      const repo = `spectro-packs/archive/${r.name}`;
      expect(await c.listTags(repo)).toEqual(['1.0.0']);
      const manifest = await c.getManifest(repo, '1.0.0');
      expect(manifest?.digest).toBe(r.digest);
      const layer = (
        JSON.parse(Buffer.from(manifest?.bytes ?? []).toString('utf8')) as { layers: { digest: string }[] }
      ).layers[0]?.digest as string;
      const blob = await c.getBlob(repo, layer, 1 << 20);
      expect(sha256(blob)).toBe(layer);
    }
  });

  it.runIf(skopeo || process.env.CI)('publishes what skopeo reads with a read-only credential', async () => {
    for (const r of published) {
      const raw = await new Promise<Buffer>((resolve, reject) =>
        execFile(
          'skopeo',
          [
            'inspect',
            '--raw',
            '--tls-verify=false',
            '--creds',
            `${READER.username}:${READER.password}`,
            `docker://${host}/spectro-packs/archive/${r.name}:1.0.0`,
          ],
          { encoding: 'buffer' },
          (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
        ),
      );
      expect(sha256(raw)).toBe(r.digest);
    }
  });

  it('re-running on an unchanged repository uploads nothing', async () => {
    const before = writes().length;
    const seen = requests.length;
    const run = await runAction(ws, { path: 'packs', ...creds() });
    expect(run.code).toBe(0);
    expect(result(run).map((r) => [r.name, r.status, r.digest])).toEqual(
      published.map((r) => [r.name, 'skipped', r.digest]),
    );
    expect(run.outputs).toMatchObject({ published: '0', skipped: '2' });
    expect(writes().slice(before)).toEqual([]);
    expect(run.summary).toContain('| ⏭️ skipped |');
    // Packyard recorded each version's content digest: the packs were not linted or packaged again.
    for (const r of result(run)) expect(r.message).toMatch(/^unchanged since published .* by ci;/);
    expect(run.stdout).toContain('2 packs of 2 unchanged since published: not linted or packaged again');
    expect(run.stdout).toContain('Linting 0 packs');
    // One lookup for both packs; no manifest or blob requests at all.
    expect(requests.slice(seen).filter((r) => /\/api\/|\/manifests\/|\/blobs\//.test(r))).toEqual([
      'POST /api/v1/packs/lookup 200',
    ]);
  });

  it('lints again an unchanged pack whose recorded warnings this run fails on', async () => {
    const ws2 = workspace({ omicron: pack('omicron', { 'README.md': undefined }) }); // readme/missing: a warning
    const first = await runAction(ws2, { path: 'packs', ...creds() });
    expect(first.code).toBe(0);
    expect(result(first)[0]?.status).toBe('published');
    const strict = await runAction(ws2, { path: 'packs', 'fail-on': 'warning', ...creds() });
    expect(strict.code).toBe(1);
    expect(result(strict)[0]).toMatchObject({ name: 'omicron', status: 'invalid' });
    expect(strict.stdout).toContain('Linting 1 pack');
    const lenient = await runAction(ws2, { path: 'packs', ...creds() });
    expect(lenient.code).toBe(0);
    expect(result(lenient)[0]?.message).toMatch(/^unchanged since published/);
  });

  it('dry-run lints, packages and plans but pushes nothing', async () => {
    const dry = workspace({
      gamma: pack('gamma'),
      alpha: pack('alpha', { 'README.md': '# changed\n', 'pack.json': '{"version": "1.0.1"}' }),
    });
    const before = requests.length;
    const run = await runAction(dry, { path: 'packs', 'dry-run': 'true', ...creds() });
    expect(run.code).toBe(0);
    expect(result(run).map((r) => [r.name, r.status, r.message])).toEqual([
      ['alpha', 'skipped', 'dry run: not pushed'],
      ['gamma', 'skipped', 'dry run: not pushed'],
    ]);
    expect(result(run).every((r) => r.digest?.startsWith('sha256:'))).toBe(true);
    expect(run.outputs).toMatchObject({ published: '0', skipped: '2', 'dry-run': 'true' });
    expect(run.summary).toContain('**Dry run:**');
    // The plan reads what the registry holds; nothing is written, and it holds no gamma.
    expect(
      JSON.parse(run.outputs.plan ?? '[]').map((p: { name: string; plan: string }) => [p.name, p.plan]),
    ).toEqual([
      ['alpha', 'new-version'],
      ['gamma', 'new-pack'],
    ]);
    const seen = requests.slice(before);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter((r) => /^(PUT|PATCH|DELETE) |^POST (?!\/api\/v1\/packs\/lookup )/.test(r))).toEqual(
      [],
    );
    expect(await client().listTags('spectro-packs/archive/gamma')).toEqual([]);
  });

  it('publishes the good packs among broken ones, annotates, then fails the step', async () => {
    const missing = Array.from({ length: 12 }, (_, i) => `manifests/missing-${i}.yaml`);
    const mixed = workspace({
      alpha: pack('alpha'), // unchanged: skipped
      delta: pack('delta'),
      broken: pack('broken', {
        'pack.json': JSON.stringify({ kubeManifests: ['manifests/demo-app.yaml', ...missing] }),
        'README.md': undefined,
      }),
    });
    const run = await runAction(mixed, { path: 'packs', ...creds() });
    expect(run.code).toBe(1);
    const byName = Object.fromEntries(result(run).map((r) => [r.name, r]));
    expect(byName.delta?.status).toBe('published');
    expect(byName.alpha?.status).toBe('skipped');
    expect(byName.broken).toMatchObject({ status: 'invalid', digest: null, message: '12 lint errors' });
    expect(run.outputs).toMatchObject({ published: '1', skipped: '1', invalid: '1', failed: '0' });
    expect((await client().headManifest('spectro-packs/archive/delta', '1.0.0'))?.digest).toBe(
      byName.delta?.digest,
    );
    expect(await client().listTags('spectro-packs/archive/broken')).toEqual([]);

    // Annotations on the exact file and line, at most 10 errors; the rest are in the summary.
    const annotations = run.stdout.split('\n').filter((l) => /^::(error|warning) title=/.test(l));
    const errors = annotations.filter((l) => l.startsWith('::error '));
    expect(errors).toHaveLength(10);
    expect(errors[0]).toMatch(
      /^::error title=manifest\/missing,file=packs\/broken\/pack\.json,line=\d+,endLine=\d+,col=\d+::kubeManifests entry "manifests\/missing-0\.yaml" is not in the pack/,
    );
    expect(annotations).toContain(
      '::warning title=readme/missing,file=packs/broken/README.md::the pack has no README.md; describe what it deploys and its parameters',
    );
    expect(run.stdout).toContain('Annotated 10 of 12 errors and 1 of 1 warning');
    expect(run.summary).toContain('### Lint findings: 12 errors, 1 warning');
    expect(
      run.summary.match(
        /\| ❌ error \| \[packs\/broken\/pack\.json:\d+:\d+\]\(https:\/\/github\.com\/acme\/packs\/blob\/abc123\/packs\/broken\/pack\.json#L\d+\) \| `manifest\/missing` \|/g,
      ),
    ).toHaveLength(12);
    expect(run.summary).toContain('2 findings could not be shown as annotations');
    // The step fails at the end, naming the pack.
    expect(run.stdout).toMatch(
      /^::error::1 pack not published: 1 invalid; see the job summary%0Apacks\/broken \(broken@1\.0\.0\): invalid — 12 lint errors$/m,
    );
  });

  it('fails a version that already holds another digest, naming both', async () => {
    const changed = workspace({ alpha: pack('alpha', { 'README.md': '# changed\n' }) });
    const run = await runAction(changed, { path: 'packs', ...creds() });
    expect(run.code).toBe(1);
    const [entry] = result(run);
    expect(entry?.status).toBe('failed');
    expect(entry?.message).toContain(published[0]?.digest);
    expect(entry?.message).toContain(entry?.digest);
    expect(run.outputs.failed).toBe('1');
  });

  it('a wrong password fails clearly and is never printed', async () => {
    const password = 'wrong-Secret-4711';
    const run = await runAction(ws, { path: 'packs', registry: host, username: WRITER.username, password });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`::add-mask::${password}`);
    const rest = run.stdout.replace(`::add-mask::${password}`, '');
    expect(rest).not.toContain(password);
    expect(run.stderr).not.toContain(password);
    expect(run.summary).not.toContain(password);
    expect(run.stdout).toContain(
      `the registry at http://${host} refused the credentials of "${WRITER.username}"`,
    );
    expect(result(run).every((r) => r.status === 'failed')).toBe(true);
    expect(run.outputs).toMatchObject({ published: '0', failed: '2' });
  });

  it('a registry that is down fails the step with the reason', async () => {
    const down = `127.0.0.1:${await closedPort()}`;
    const run = await runAction(ws, {
      path: 'packs',
      registry: down,
      username: 'ci',
      password: 'whatever-123',
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`the registry at http://${down} did not answer: `);
    expect(run.stdout).toContain('ECONNREFUSED');
    expect(run.outputs).toMatchObject({ published: '0', failed: '2' });
  });

  it('invalid inputs fail before anything is read or pushed', async () => {
    const before = requests.length;
    const run = await runAction(ws, { path: 'packs', ...creds(), oidc: 'true', concurrency: 'many' });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error::invalid inputs:%0A- concurrency must be a whole number');
    expect(run.stdout).toContain('trusted publishing');
    expect(run.stdout).not.toContain('::group::Lint');
    expect(requests.slice(before)).toEqual([]);
    const nothing = await runAction(ws, { path: 'no-such-folder', 'dry-run': 'true' });
    expect(nothing.code).toBe(1);
    expect(nothing.stdout).toContain('::error::path: no-such-folder: no such folder');
  });
});

describe('the bundled gzip worker', () => {
  // Over core/gzip.ts's 64 KiB inline threshold, so compression goes to the worker pool.
  const big = Buffer.alloc(400 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
  const ws = workspace({ large: pack('large', { 'data/blob.bin': big }) });
  const hook = path.join(tempDir('hook-'), 'hook.mjs');
  // Logs every worker thread the bundle starts (an --import hook patches node:worker_threads).
  writeFileSync(
    hook,
    `import wt from 'node:worker_threads';
import { syncBuiltinESMExports } from 'node:module';
const Worker = wt.Worker;
wt.Worker = class extends Worker {
  constructor(url, opts) { super(url, opts); process.stderr.write(\`worker \${url}\\n\`); }
};
syncBuiltinESMExports();
`,
  );

  it('compresses in dist/gzip-worker.js, or on the main thread when the worker file is missing', async () => {
    const expected = (await buildPack(readPackTree(path.join(ws, 'packs', 'large')), 'large', '1.0.0'))
      .manifestDigest;
    const withWorker = await runAction(
      ws,
      { path: 'packs', 'dry-run': 'true' },
      { nodeArgs: ['--import', hook] },
    );
    expect(withWorker.code).toBe(0);
    expect(withWorker.stderr).toContain(`worker file://${path.join(ROOT, 'dist', 'gzip-worker.js')}`);
    expect(result(withWorker)[0]?.digest).toBe(expected);

    const alone = tempDir('bundle-alone-');
    copyFileSync(BUNDLE, path.join(alone, 'index.js'));
    copyFileSync(path.join(ROOT, 'dist', 'package.json'), path.join(alone, 'package.json'));
    const without = await runAction(
      ws,
      { path: 'packs', 'dry-run': 'true' },
      { bundle: path.join(alone, 'index.js') },
    );
    expect(without.code).toBe(0);
    expect(result(without)[0]).toMatchObject({ status: 'skipped', digest: expected });
    rmSync(alone, { recursive: true, force: true });
  });
});
