// Publish every corpus pack to `packyard serve` with `packyard push` (first run into an empty
// registry, then a re-run with nothing changed), against a baseline that pushes the same OCI
// layouts one by one with `skopeo copy`, as a shell script would. Fresh registry per first run.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, median } from './lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'bin', 'packyard.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CREDS = { PACKYARD_USERNAME: 'bench', PACKYARD_PASSWORD: 'bench-password-123' };

/** Starts `packyard serve` on a free port with a fresh data folder; resolves once it listens. */
function startServer() {
  const data = mkdtempSync(path.join(tmpdir(), 'packyard-bench-publish-'));
  const proc = spawn(process.execPath, [cli, 'serve', '--port', '0', '--data', data], {
    env: { ...process.env, ...CREDS },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('packyard serve did not start')), 30_000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /listening on http:\/\/(\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          host: m[1],
          stop: () =>
            new Promise((done) => {
              proc.once('exit', () => {
                rmSync(data, { recursive: true, force: true });
                done();
              });
              proc.kill('SIGTERM');
            }),
        });
      }
    });
    proc.once('exit', (code) => reject(new Error(`packyard serve exited ${code}`)));
  });
}

function timed(cmd, args, env = {}) {
  const start = process.hrtime.bigint();
  const res = spawnSync(cmd, args, {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 64 << 20,
  });
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, res };
}

/** `packyard push` in a child process (async: a proxy in this process must keep serving). */
async function push(corpus, host) {
  const start = process.hrtime.bigint();
  const proc = spawn(process.execPath, [cli, 'push', corpus, '--registry', host, '--format', 'json'], {
    env: { ...process.env, ...CREDS },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let stdout = '';
  proc.stdout.on('data', (d) => {
    stdout += d;
  });
  await new Promise((resolve) => proc.once('exit', resolve));
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const rows = JSON.parse(stdout || '[]');
  const count = (s) => rows.filter((r) => r.status === s).length;
  return {
    ms,
    published: count('published'),
    skipped: count('skipped'),
    invalid: count('invalid'),
    failed: count('failed'),
    uploaded: rows.reduce((n, r) => n + (r.uploaded ?? 0), 0),
  };
}

/**
 * The registry seen as any other OCI registry: `/api/*` answers 404 (no Packyard JSON API), so
 * `push` must package every pack to compare manifest digests.
 */
function plainProxy(target) {
  const [hostname, port] = target.split(':');
  const server = http.createServer((req, res) => {
    if ((req.url ?? '').startsWith('/api/')) {
      req.resume();
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"NOT_FOUND","message":"no such endpoint"}]}');
      return;
    }
    const up = http.request(
      { hostname, port, method: req.method, path: req.url, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        host: `127.0.0.1:${server.address().port}`,
        close: () => new Promise((r) => server.close(r)),
      }),
    ),
  );
}

export async function run({ corpus }) {
  // The layouts the baseline pushes: what `packyard build` makes (packs with lint errors excluded, as push does).
  const layout = mkdtempSync(path.join(tmpdir(), 'packyard-bench-layout-'));
  const built = JSON.parse(
    timed(process.execPath, [cli, 'build', corpus, '--out', layout, '--format', 'json']).res.stdout || '[]',
  );
  const first = [];
  const rerun = [];
  const rerunPlain = [];
  const baseline = [];
  let counts;
  try {
    for (let i = 0; i < RUNS; i++) {
      const server = await startServer();
      try {
        const a = await push(corpus, server.host);
        const b = await push(corpus, server.host);
        const proxy = await plainProxy(server.host);
        const c = await push(corpus, proxy.host);
        await proxy.close();
        first.push(a.ms);
        rerun.push(b.ms);
        rerunPlain.push(c.ms);
        counts = { first: a, rerun: b, plain: c };
      } finally {
        await server.stop();
      }
      const base = await startServer();
      try {
        const start = process.hrtime.bigint();
        for (const p of built) {
          const r = spawnSync(
            'skopeo',
            [
              'copy',
              '--quiet',
              '--dest-tls-verify=false',
              '--dest-creds',
              `${CREDS.PACKYARD_USERNAME}:${CREDS.PACKYARD_PASSWORD}`,
              `oci:${layout}:${p.name}:${p.version}`,
              `docker://${base.host}/spectro-packs/archive/${p.name}:${p.version}`,
            ],
            { encoding: 'utf8' },
          );
          if (r.status !== 0) throw new Error(`skopeo copy ${p.name}: ${r.stderr}`);
        }
        baseline.push(Number(process.hrtime.bigint() - start) / 1e6);
      } finally {
        await base.stop();
      }
    }
  } finally {
    rmSync(layout, { recursive: true, force: true });
  }
  const f = median(first);
  const r = median(rerun);
  const p = median(rerunPlain);
  const s = median(baseline);
  const md = [
    '| | packs | time (median) | uploaded |',
    '| --- | ---: | ---: | ---: |',
    `| \`packyard push\` (lint + package + publish), first run | ${counts.first.published} published, ${counts.first.invalid} invalid | ${fmt(f)} | ${(counts.first.uploaded / 2 ** 20).toFixed(1)} MiB |`,
    `| \`packyard push\`, re-run with nothing changed | ${counts.rerun.skipped} skipped | ${fmt(r)} | ${counts.rerun.uploaded} bytes |`,
    `| \`packyard push\`, re-run, registry seen as plain OCI (no Packyard API) | ${counts.plain.skipped} skipped | ${fmt(p)} | ${counts.plain.uploaded} bytes |`,
    `| \`skopeo copy\` of each OCI layout, one by one (baseline) | ${built.length} | ${fmt(s)} | |`,
    '',
    `**First publish:** ${(s / f).toFixed(2)}× faster than the sequential skopeo loop (target ≥ 3×), although it also lints and packages.`,
    `**Re-run:** ${counts.rerun.uploaded} bytes uploaded, ${((r / f) * 100).toFixed(1)}% of the first run's time (target 0 bytes, < 10%). The registry recorded each version's content digest, so unchanged packs are skipped before linting or compression; only the pack with lint errors is linted again. Seen as a plain OCI registry (every pack linted and packaged, then skipped by manifest digest) the re-run takes ${((p / f) * 100).toFixed(1)}%.`,
    '',
    `Each run uses a fresh \`packyard serve\` (its own process, data in a temp folder; the registry re-lints every pushed pack). ${RUNS} runs. The corpus holds one pack with a lint error: \`push\` reports it invalid and \`build\` leaves it out of the baseline's layouts.`,
  ].join('\n');
  return {
    title: 'Publish the corpus to `packyard serve` vs a `skopeo copy` loop',
    md,
    figures: { first: f, rerun: r, rerunPlain: p, baseline: s, counts },
  };
}
