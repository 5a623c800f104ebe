import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { gzipSync } from 'fflate';

/**
 * Gzip that gives the same bytes on every machine and Node version: fflate is pure JS (Node's
 * zlib output varies with its build and CPU features), the header has mtime 0, no file name and
 * OS=3. Inputs over 64 KiB go to a small pool of worker threads, so packs compress while the
 * calling thread goes on linting.
 */
export const GZIP_LEVEL = 6;
const INLINE_BELOW = 64 * 1024;

type Job = { data: Uint8Array; resolve: (b: Uint8Array) => void; reject: (e: Error) => void };

class GzipPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: Job[] = [];
  private readonly jobs = new Map<number, Job>();
  private readonly busy = new Map<Worker, number>();
  private nextId = 0;
  private broken = false;

  constructor(private readonly size: number) {}

  run(data: Uint8Array): Promise<Uint8Array> {
    if (this.broken) return Promise.resolve(gzipInline(data));
    return new Promise((resolve, reject) => {
      this.queue.push({ data, resolve, reject });
      this.pump();
    });
  }

  private spawn(): Worker | undefined {
    try {
      const w = new Worker(new URL('./gzip-worker.js', import.meta.url));
      w.unref();
      w.on('message', (msg: { id: number; out?: Uint8Array; error?: string }) => {
        const job = this.jobs.get(msg.id);
        this.jobs.delete(msg.id);
        this.busy.delete(w);
        this.idle.push(w);
        if (job) {
          if (msg.out) job.resolve(msg.out);
          else job.reject(new Error(msg.error ?? 'gzip failed'));
        }
        this.pump();
      });
      w.on('error', () => this.fail(w));
      this.workers.push(w);
      return w;
    } catch {
      this.broken = true;
      return undefined;
    }
  }

  /** A worker that cannot start or dies: finish its job and all later ones in this thread. */
  private fail(w: Worker): void {
    this.broken = true;
    const id = this.busy.get(w);
    this.busy.delete(w);
    const pending = this.queue.splice(0);
    if (id !== undefined) {
      const job = this.jobs.get(id);
      this.jobs.delete(id);
      if (job) settleInline(job);
    }
    for (const p of pending) settleInline(p);
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let w = this.idle.pop();
      if (!w && this.workers.length < this.size) w = this.spawn();
      if (!w) {
        if (this.broken) for (const p of this.queue.splice(0)) settleInline(p);
        return;
      }
      const job = this.queue.shift() as Job;
      const id = this.nextId++;
      this.jobs.set(id, job);
      this.busy.set(w, id);
      w.ref();
      w.postMessage({ id, data: job.data, level: GZIP_LEVEL });
      // Keep the process alive only while jobs are in flight.
      w.once('message', () => {
        if (!this.busy.has(w)) w.unref();
      });
    }
  }

  /** Runs queued jobs on the calling thread until the queue is empty (call when it has nothing else to do). */
  async help(): Promise<void> {
    for (let next = this.queue.shift(); next; next = this.queue.shift()) {
      settleInline(next);
      await new Promise((r) => setImmediate(r)); // let finished workers report between jobs
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => w.terminate()));
    this.idle.length = 0;
  }
}

/** Finishes a job on the calling thread (a worker that died takes no job down with it). */
function settleInline(job: Job): void {
  try {
    job.resolve(gzipInline(job.data));
  } catch (err) {
    job.reject(err as Error);
  }
}

export function gzipInline(data: Uint8Array): Uint8Array {
  return gzipSync(data, { level: GZIP_LEVEL, mtime: 0 });
}

let pool: GzipPool | undefined;

export function gzipDeterministic(data: Uint8Array): Promise<Uint8Array> {
  if (data.length < INLINE_BELOW) return Promise.resolve(gzipInline(data));
  // One core stays with the calling thread, which is linting and building tars meanwhile.
  pool ??= new GzipPool(Math.max(1, Math.min(4, availableParallelism() - 1)));
  return pool.run(data);
}

/** Lends the calling thread to the pool: useful once it has finished its own work. */
export async function helpGzipPool(): Promise<void> {
  await pool?.help();
}

export async function closeGzipPool(): Promise<void> {
  await pool?.close();
  pool = undefined;
}
