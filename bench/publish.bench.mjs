// Publish every corpus pack to `packyard serve` with `packyard push` (first run into an empty
// registry, then a re-run with nothing changed), against a baseline that pushes the same OCI
// layouts one by one with `skopeo copy`, as a shell script would. Fresh registry per first run.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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

function push(corpus, host) {
  const { ms, res } = timed(
    process.execPath,
    [cli, 'push', corpus, '--registry', host, '--format', 'json'],
    CREDS,
  );
  const rows = JSON.parse(res.stdout || '[]');
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

export async function run({ corpus }) {
  // The layouts the baseline pushes: what `packyard build` makes (packs with lint errors excluded, as push does).
  const layout = mkdtempSync(path.join(tmpdir(), 'packyard-bench-layout-'));
  const built = JSON.parse(
    timed(process.execPath, [cli, 'build', corpus, '--out', layout, '--format', 'json']).res.stdout || '[]',
  );
  const first = [];
  const rerun = [];
  const baseline = [];
  let counts;
  try {
    for (let i = 0; i < RUNS; i++) {
      const server = await startServer();
      try {
        const a = push(corpus, server.host);
        const b = push(corpus, server.host);
        first.push(a.ms);
        rerun.push(b.ms);
        counts = { first: a, rerun: b };
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
  const s = median(baseline);
  const md = [
    '| | packs | time (median) | uploaded |',
    '| --- | ---: | ---: | ---: |',
    `| \`packyard push\` (lint + package + publish), first run | ${counts.first.published} published, ${counts.first.invalid} invalid | ${fmt(f)} | ${(counts.first.uploaded / 2 ** 20).toFixed(1)} MiB |`,
    `| \`packyard push\`, re-run with nothing changed | ${counts.rerun.skipped} skipped | ${fmt(r)} | ${counts.rerun.uploaded} bytes |`,
    `| \`skopeo copy\` of each OCI layout, one by one (baseline) | ${built.length} | ${fmt(s)} | |`,
    '',
    `**First publish:** ${(s / f).toFixed(2)}× faster than the sequential skopeo loop (target ≥ 3×), although it also lints and packages.`,
    `**Re-run:** ${counts.rerun.uploaded} bytes uploaded, ${((r / f) * 100).toFixed(1)}% of the first run's time (target 0 bytes, < 10%).`,
    '',
    `Each run uses a fresh \`packyard serve\` (its own process, data in a temp folder; the registry re-lints every pushed pack). ${RUNS} runs. The corpus holds one pack with a lint error: \`push\` reports it invalid and \`build\` leaves it out of the baseline's layouts.`,
  ].join('\n');
  return {
    title: 'Publish the corpus to `packyard serve` vs a `skopeo copy` loop',
    md,
    figures: { first: f, rerun: r, baseline: s, counts },
  };
}
