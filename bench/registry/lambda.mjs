// The production Lambda bundle: its size, and cold starts in fresh processes.
import { spawnSync } from 'node:child_process';
import { randomBytes, scryptSync } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import { median } from '../lib.mjs';
import { COLD_STARTS, PASSWORD, root, runScript, USER } from './common.mjs';

export async function lambdaBundle(bundleMod, dir) {
  const out = path.join(dir, 'lambda', 'registry.mjs');
  const built = spawnSync(process.execPath, ['scripts/build-lambda.mjs', out], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (built.status !== 0) throw new Error(`build-lambda failed: ${built.stderr}`);
  const bytes = statSync(out).size;

  const storage = await bundleMod.startEmbeddedStorage({ dataDir: path.join(dir, 'lambda-data') });
  try {
    await bundleMod.ensureUser(storage.index, { username: USER, password: PASSWORD, scope: 'read' });
    const env = {
      ...process.env,
      PACKYARD_BUCKET: storage.s3.bucket,
      PACKYARD_TABLE: storage.dynamodb.table,
      PACKYARD_TOKEN_SECRET: randomBytes(32).toString('base64'),
      PACKYARD_S3_ENDPOINT: storage.s3.endpoint,
      PACKYARD_DYNAMODB_ENDPOINT: storage.dynamodb.endpoint,
      BENCH_USERNAME: USER,
      BENCH_PASSWORD: PASSWORD,
    };
    // Asynchronous: the storage servers answering the child live in this process.
    const once = async () => {
      const stdout = await runScript('registry-coldstart.mjs', [out], {
        env,
        timeoutMs: 60_000,
        what: 'cold start',
      });
      const r = JSON.parse(stdout.trim().split('\n').at(-1));
      if (r.statuses.join() !== '200,200,200') throw new Error(`cold start answered ${r.statuses}`);
      return r;
    };
    await once(); // warm the file cache
    const samples = [];
    for (let i = 0; i < COLD_STARTS; i++) samples.push(await once());
    const pick = (k) => median(samples.map((s) => s[k]));
    const first = median(samples.map((s) => s.importMs + s.healthMs));
    const total = median(samples.map((s) => s.importMs + s.healthMs + s.authMs));
    // What the first authenticated request spends in scrypt (the stored hash's parameters).
    const scrypt = median(
      Array.from({ length: 5 }, () => {
        const s = performance.now();
        scryptSync('x', randomBytes(16), 32, { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
        return performance.now() - s;
      }),
    );
    return {
      bytes,
      boot: pick('bootMs'),
      import: pick('importMs'),
      health: pick('healthMs'),
      auth: pick('authMs'),
      warm: pick('warmMs'),
      first,
      total,
      scrypt,
    };
  } finally {
    await storage.close();
  }
}
