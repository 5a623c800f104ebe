import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_TIMING, type GcTiming } from '../../lambdas/registry/gc/plan.ts';
import type { RetentionRule } from '../../lambdas/registry/gc/retention.ts';
import { parseRetention, RETENTION_ENV } from '../../lambdas/registry/gc/retention-settings.ts';
import type { GcReport } from '../../lambdas/registry/gc/run.ts';
import type { gcDeps } from '../../lambdas/registry/gc/wiring.ts';
import { formatOption, type Register } from '../command-kit.ts';
import { assertFolderFree } from '../data-folder.ts';
import { EXIT, type Io, UsageError } from '../io.ts';

export interface GcCommandOptions {
  data: string;
  table?: string;
  bucket?: string;
  bucketPrefix?: string;
  region?: string;
  dryRun: boolean;
  retention?: string;
  grace?: string;
  fence?: string;
  wait: boolean;
  format: 'text' | 'json';
}

/** "90s", "15m", "24h", "7d", or a number of seconds. */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) throw new UsageError(`${flag} "${text}" is not a duration (e.g. 30s, 15m, 24h, 7d)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 's'] as number;
  return Number(m[1]) * unit;
}

async function retentionRules(opt: string | undefined, env: NodeJS.ProcessEnv): Promise<RetentionRule[]> {
  const text =
    opt === undefined ? env[RETENTION_ENV] : opt.startsWith('@') ? await readFile(opt.slice(1), 'utf8') : opt;
  if (!text) return [];
  try {
    return parseRetention(text, opt === undefined ? RETENTION_ENV : '--retention');
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MiB (${bytes} bytes)`;

function printReport(r: GcReport, io: Io): void {
  const verb = r.dryRun ? 'would' : '';
  for (const v of r.retired)
    io.out(`${r.dryRun ? 'would retire' : 'retired'} ${v.repository}:${v.version} (pushed ${v.pushedAt})\n`);
  io.out(
    `${r.dryRun ? 'would free' : 'freed'}: ${r.freed.manifests} untagged manifests, ${r.freed.blobs} blobs, ${r.freed.packFiles} pack file sets, ${mb(r.freed.bytes)}\n`,
  );
  io.out(
    `${verb ? 'would condemn' : 'condemned'}: ${r.condemned.blobs} blobs, ${r.condemned.packFiles} pack file sets, ${mb(r.condemned.bytes)} (freed by a run after the fence)\n`,
  );
  if (r.waiting) io.out(`waiting: ${r.waiting} condemned items still inside the fence\n`);
  if (r.revived) io.out(`revived: ${r.revived} items referenced again\n`);
  if (r.skipped) io.out(`kept: ${r.skipped} items a concurrent push changed\n`);
  if (!r.done) io.out('stopped early; run again to continue from the checkpoint\n');
}

/** `packyard gc`: retention, then mark-and-sweep, on a local data folder or a deployed table + bucket. */
export async function gcCommand(opts: GcCommandOptions, io: Io): Promise<number> {
  const timing: GcTiming = {
    graceMs: opts.grace ? parseDuration(opts.grace, '--grace') : DEFAULT_TIMING.graceMs,
    fenceMs: opts.fence ? parseDuration(opts.fence, '--fence') : DEFAULT_TIMING.fenceMs,
  };
  if (timing.fenceMs < 35_000)
    io.err('warning: a --fence under 35s is only safe while nothing pushes to the registry\n');
  const retention = await retentionRules(opts.retention, io.env);
  if (opts.table && !opts.bucket) throw new UsageError("--table needs --bucket (the registry's S3 bucket)");

  // The AWS SDK, the embedded storage and the collector: loaded only when gc runs.
  const [
    { DynamoDBClient },
    { startEmbeddedStorage },
    { createDynamoIndex },
    { S3BlobStore },
    { createS3Client },
    { runGc },
    wiring,
  ] = await Promise.all([
    import('@aws-sdk/client-dynamodb'),
    import('../../lambdas/local/embedded-storage.ts'),
    import('../../lambdas/registry/adapters/dynamo-index.ts'),
    import('../../lambdas/registry/adapters/s3-blob-store.ts'),
    import('../../lambdas/registry/adapters/clients.ts'),
    import('../../lambdas/registry/gc/run.ts'),
    import('../../lambdas/registry/gc/wiring.ts'),
  ]);
  let deps: ReturnType<typeof gcDeps>;
  let close: () => Promise<void>;
  const log = (line: string) => io.err(`${line}\n`);
  if (opts.table) {
    const dynamo = new DynamoDBClient(opts.region ? { region: opts.region } : {});
    const s3 = createS3Client(opts.region ? { region: opts.region } : {});
    deps = wiring.gcDeps(
      new S3BlobStore(s3, opts.bucket as string, opts.bucketPrefix ?? ''),
      createDynamoIndex(dynamo, opts.table),
      dynamo,
      opts.table,
      log,
    );
    close = async () => {
      dynamo.destroy();
      s3.destroy();
    };
  } else {
    const dir = path.resolve(opts.data);
    assertFolderFree(dir);
    const storage = await startEmbeddedStorage({ dataDir: dir });
    deps = wiring.gcDeps(
      storage.blobStore,
      storage.index,
      storage.dynamodb.client,
      storage.dynamodb.table,
      log,
    );
    close = storage.close;
  }
  try {
    const reports: GcReport[] = [];
    for (;;) {
      const report = await runGc(deps, {
        dryRun: opts.dryRun,
        timing,
        retention,
        deadline: Date.now() + 14 * 60_000,
      });
      reports.push(report);
      if (opts.format === 'text') printReport(report, io);
      // --wait: condemned items are freed by a run whose mark starts after the fence.
      const pending = report.condemned.blobs + report.condemned.packFiles + report.waiting;
      if (opts.dryRun || !opts.wait || (report.done && pending === 0)) break;
      if (report.done) {
        io.err(`waiting ${Math.ceil(timing.fenceMs / 1000)}s (the fence) before the next run\n`);
        await new Promise((r) => setTimeout(r, timing.fenceMs + 50));
      }
    }
    if (opts.format === 'json')
      io.out(`${JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2)}\n`);
    return reports.every((r) => r.done) ? EXIT.ok : EXIT.failed;
  } finally {
    await close();
  }
}

export const register: Register = (program, { io, setExit }) => {
  program
    .command('gc')
    .description('Retire versions by retention rules, then garbage-collect unreferenced blobs and manifests.')
    .option('-d, --data <dir>', 'local data folder of "packyard serve" (stop the server first)', '.packyard')
    .option('--table <name>', "a deployed registry's DynamoDB table (uses your AWS credentials)")
    .option('--bucket <name>', "the deployed registry's S3 bucket (with --table)")
    .option('--bucket-prefix <prefix>', 'key prefix inside --bucket (default: none)')
    .option('--region <region>', 'AWS region of --table and --bucket')
    .option('--dry-run', 'print what would be retired and freed; change nothing')
    .option('--retention <rules>', 'retention rules: JSON, or @file (default: $PACKYARD_RETENTION)')
    .option('--grace <duration>', 'keep unreferenced content younger than this (default 24h)')
    .option('--fence <duration>', 'delete condemned content only this long after marking it (default 15m)')
    .option('--wait', 'wait out the fence and run again until everything condemned is freed')
    .addOption(formatOption())
    .addHelpText(
      'after',
      '\nA run condemns what nothing references (past --grace) and deletes what an earlier run condemned\n(past --fence); --wait does both in one go. Safe while the registry serves pushes (docs/storage.md).\nRetention rules: [{"prefix":"team-a/","keepLast":5,"keepNewerThanDays":90,"protectTags":["latest"]}].',
    )
    .action(async (o) =>
      setExit(
        await gcCommand(
          {
            data: o.data,
            table: o.table,
            bucket: o.bucket,
            bucketPrefix: o.bucketPrefix,
            region: o.region,
            dryRun: Boolean(o.dryRun),
            retention: o.retention,
            grace: o.grace,
            fence: o.fence,
            wait: Boolean(o.wait),
            format: o.format,
          },
          io,
        ),
      ),
    );
};
