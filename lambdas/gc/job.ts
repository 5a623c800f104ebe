import { createDynamoClient, createS3Client } from '../registry/adapters/clients.ts';
import { createDynamoIndex } from '../registry/adapters/dynamo-index.ts';
import { S3BlobStore } from '../registry/adapters/s3-blob-store.ts';
import { DEFAULT_TIMING, type GcTiming } from '../registry/gc/plan.ts';
import { retentionFromEnv } from '../registry/gc/retention-settings.ts';
import { type GcReport, runGc } from '../registry/gc/run.ts';
import { gcDeps } from '../registry/gc/wiring.ts';

/**
 * The scheduled collection job (EventBridge → this Lambda): retention, then mark-and-sweep, until
 * a minute before the invocation's time runs out; the next scheduled run continues from the
 * checkpoint. Settings (set by the CDK construct): PACKYARD_BUCKET, PACKYARD_TABLE,
 * PACKYARD_RETENTION (JSON rules), PACKYARD_GC_GRACE_SECONDS, PACKYARD_GC_FENCE_SECONDS,
 * PACKYARD_GC_DRY_RUN (`true`: report only).
 */
export const GC_ENV = {
  grace: 'PACKYARD_GC_GRACE_SECONDS',
  fence: 'PACKYARD_GC_FENCE_SECONDS',
  dryRun: 'PACKYARD_GC_DRY_RUN',
} as const;

/** Seconds the fence must exceed: API Gateway's request limit plus a margin. */
const MIN_FENCE_SECONDS = 35;

export function gcTimingFromEnv(env: NodeJS.ProcessEnv): GcTiming {
  const seconds = (name: string, fallbackMs: number, min: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallbackMs;
    if (!/^\d+$/.test(raw) || Number(raw) < min)
      throw new Error(`${name} must be a whole number of seconds, at least ${min}`);
    return Number(raw) * 1000;
  };
  return {
    graceMs: seconds(GC_ENV.grace, DEFAULT_TIMING.graceMs, 0),
    fenceMs: seconds(GC_ENV.fence, DEFAULT_TIMING.fenceMs, MIN_FENCE_SECONDS),
  };
}

export async function runGcJob(env: NodeJS.ProcessEnv, remainingMs: number): Promise<GcReport> {
  const bucket = env.PACKYARD_BUCKET;
  const table = env.PACKYARD_TABLE;
  if (!bucket || !table) throw new Error('PACKYARD_BUCKET and PACKYARD_TABLE must be set');
  const s3 = createS3Client({ endpoint: env.PACKYARD_S3_ENDPOINT || undefined });
  const dynamo = createDynamoClient({ endpoint: env.PACKYARD_DYNAMODB_ENDPOINT || undefined });
  const deps = gcDeps(new S3BlobStore(s3, bucket), createDynamoIndex(dynamo, table), dynamo, table, (line) =>
    console.log(JSON.stringify({ level: 'info', msg: line })),
  );
  try {
    return await runGc(deps, {
      dryRun: env[GC_ENV.dryRun] === 'true',
      timing: gcTimingFromEnv(env),
      retention: retentionFromEnv(env),
      // A minute to spare: the checkpoint is written before Lambda stops the invocation.
      deadline: Date.now() + Math.max(0, remainingMs - 60_000),
    });
  } finally {
    s3.destroy();
    dynamo.destroy();
  }
}
