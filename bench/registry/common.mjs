// Shared by the registry benchmark's modules: settings, fixed names, child processes, load runs.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from '../lib.mjs';

/** bench/ (the helper scripts run as child processes live there). */
export const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const root = path.resolve(here, '..');
export const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/** Seconds of load per measurement (after a short warm-up). */
export const LOAD_MS = Number(process.env.BENCH_LOAD_SECONDS ?? 3) * 1000;
export const CONCURRENCY = 8;
/** Sequential requests per latency measurement of a listing. */
export const SEQUENTIAL = 200;
/** …or fewer, when they take longer than this (ms). */
export const SEQUENTIAL_MS = 5000;
export const SMALL = 100;
export const LARGE = 10_000;
/** Seeding is not measured, but bounded: past this, the large scale is whatever was reached. */
export const SEED_BUDGET_MS = 150_000;
export const COLD_STARTS = Math.max(5, RUNS);
export const DISTRIBUTION = '/usr/bin/docker-registry';
export const BCRYPT_COST = 5; // what `htpasswd -B` uses by default

export const USER = 'bench';
export const PASSWORD = randomBytes(12).toString('base64url');
export const BASIC = { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` };
export const APP = 'bench/app';
export const TAGS = Array.from({ length: 10 }, (_, i) => `v${i + 1}`);
export const MANIFEST_TYPE = 'application/vnd.oci.image.manifest.v1+json';
export const packName = (i) => `pack-${String(i).padStart(5, '0')}`;
export const packRepo = (i) => `spectro-packs/archive/${packName(i)}`;

// ---- processes and clean-up ----

export const children = new Set();
export const killAll = () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
};

export function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** SIGTERM (or an IPC 'stop'), then SIGKILL after 10 s. */
export async function stopChild(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  if (child.connected) child.send('stop');
  else child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs bench/registry-load.mjs in a child process; resolves with its JSON result. */
export function load(
  url,
  { headers = {}, concurrency = CONCURRENCY, durationMs = LOAD_MS, max, warmup } = {},
) {
  const spec = {
    url,
    headers: { accept: MANIFEST_TYPE, ...headers },
    concurrency,
    durationMs,
    maxRequests: max ?? 1_000_000,
    warmupRequests: warmup ?? concurrency * 50,
  };
  return runScript('registry-load.mjs', [JSON.stringify(spec)], {
    timeoutMs: durationMs + 60_000,
    what: 'load generator',
  }).then((out) => {
    const result = JSON.parse(out);
    if (result.errors > 0 || result.requests === 0)
      throw new Error(`${url}: ${result.errors} failed requests, e.g. ${result.errorSample}`);
    return result;
  });
}

/** Median of each figure over several load results. */
export function medians(results) {
  const pick = (k) => median(results.map((r) => r[k]));
  return { rps: pick('rps'), p50: pick('p50'), p99: pick('p99'), bytes: results[0]?.bytes ?? 0 };
}

/** At most `concurrency` calls of fn at a time, stopping (not failing) at the deadline; returns how many ran. */
export async function pool(count, concurrency, deadline, fn) {
  let next = 0;
  const worker = async () => {
    while (next < count && Date.now() < deadline) await fn(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return next;
}

/** Waits (at most 30 s) until a process uses under 10% of a core, e.g. after LevelDB compactions. */
export async function settle(pid) {
  const ticks = () => {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return Number(fields[11]) + Number(fields[12]); // utime + stime, clock ticks (1/100 s)
    } catch {
      return undefined;
    }
  };
  const deadline = Date.now() + 30_000;
  let before = ticks();
  if (before === undefined) return sleep(2000);
  while (Date.now() < deadline) {
    await sleep(1000);
    const now = ticks();
    if (now === undefined || now - before < 10) return;
    before = now;
  }
}

/**
 * Runs one of bench/'s helper scripts in a child process (tracked, killed after `timeoutMs`);
 * resolves with its stdout, rejects with the start of its stderr when it exits non-zero.
 */
export function runScript(script, args, { env = process.env, timeoutMs, what }) {
  return new Promise((resolve, reject) => {
    const child = track(
      spawn(process.execPath, [path.join(here, script), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`${what} exited ${code}: ${err.slice(0, 2000)}`));
      else resolve(out);
    });
  });
}
