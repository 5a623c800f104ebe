// Shared benchmark helpers: timing by repetition (median), machine description.
import { spawnSync } from 'node:child_process';
import os from 'node:os';

export function timeCommand(cmd, args, opts = {}) {
  const start = process.hrtime.bigint();
  const res = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...opts });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (res.status !== 0 && !opts.allowFail) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${res.status}: ${res.stderr?.slice(0, 2000)}`);
  }
  return { ms, res };
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs `fn` once to warm caches, then `runs` times; returns the median and all samples (ms). */
export function measure(fn, runs, { before } = {}) {
  before?.();
  fn();
  const samples = [];
  for (let i = 0; i < runs; i++) {
    before?.();
    samples.push(fn());
  }
  return { median: median(samples), samples };
}

export function machine() {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString().slice(0, 10),
    cpu: `${cpus[0]?.model ?? 'unknown'} × ${cpus.length}`,
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
  };
}

export const fmt = (ms) => `${ms.toFixed(0)} ms`;

/**
 * Like measure(), for several functions run alternately (a, b, c, a, b, c, …) after one warm-up
 * round: drift on a shared machine then falls on each alike, so their ratios are steadier.
 * Returns one median per function, in order.
 */
export function measureAlternately(fns, runs) {
  for (const fn of fns) fn();
  const samples = fns.map(() => []);
  for (let i = 0; i < runs; i++) for (const [k, fn] of fns.entries()) samples[k].push(fn());
  return samples.map(median);
}
