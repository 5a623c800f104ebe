import { createLimit, type PublishProgress, type PublishResult, publishPack } from '../../client/publish.ts';
import { findUnchanged, type PublishedVersion } from '../../client/unchanged.ts';
import type { BuiltPack } from '../../core/build-pack.ts';
import { formatBytes } from '../../core/lint/context.ts';
import { type PackReport, toPosix } from '../../core/lint-packs.ts';
import { packRepository } from '../../core/oci.ts';
import type { ReadPack } from '../../core/pack-identity.ts';
import { EXIT, type Io, painter, plural, UsageError, useColor } from '../io.ts';
import { type BuildJob, formatRefused, withLintedBuilds } from '../pack-pipeline.ts';
import { bar, progressBoard } from '../progress.ts';
import { openRegistry, type RegistryFlags } from '../registry-access.ts';

export interface PushOptions extends RegistryFlags {
  format: 'text' | 'json';
  force: boolean;
  concurrency: string | number;
  created?: string;
  config?: string;
}

/** One row of `--format json`: a publish result, plus the pack folder. */
export interface PushRow extends PublishResult {
  path: string;
}

export async function pushCommand(
  dirs: string[],
  opts: PushOptions,
  io: Io,
  readStdin: () => Promise<string>,
): Promise<number> {
  const concurrency = Number(opts.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new UsageError(`--concurrency must be a whole number from 1 to 64 (got "${opts.concurrency}")`);
  }
  const access = await openRegistry(opts, io, readStdin);
  const { ref, client } = access;
  // Reach the registry (and check the credentials) while the packs are read.
  const reachable = access.check();
  reachable.catch(() => {});

  const board = progressBoard(io);
  const limit = createLimit(concurrency);
  const skipped = new Map<string, PublishedVersion>();
  const publishing = new Map<string, Promise<PushRow>>();
  // Each pack is published as soon as it is packaged, while the rest are still linted.
  const publish = ({ report, built }: BuildJob): Promise<PushRow> => {
    let row = publishing.get(report.pack);
    if (!row) {
      row = limit(() => publishOne(report, built));
      publishing.set(report.pack, row);
    }
    return row;
  };
  const publishOne = async (report: PackReport, built: Promise<BuiltPack>): Promise<PushRow> => {
    const id = `${report.name}@${report.version}`;
    const where = `${ref.host}/${packRepository(report.name as string, ref.basePath)}:${report.version}`;
    board.start(report.pack, `pushing ${id} to ${where}`);
    let result: PublishResult;
    try {
      const pack = await built;
      result = await publishPack(client, pack, {
        force: opts.force,
        onProgress: (p) => board.update(report.pack, `${id}  ${phaseText(p)}`),
      });
    } catch (err) {
      result = {
        name: report.name as string,
        version: report.version as string,
        repository: packRepository(report.name as string, ref.basePath),
        digest: '',
        status: 'failed',
        uploaded: 0,
        message: `packaging failed: ${(err as Error).message}`,
      };
    }
    board.finish(report.pack, finishLine(result));
    return { ...result, path: report.pack };
  };

  const rows = await withLintedBuilds(
    dirs,
    {
      force: false,
      config: opts.config,
      created: opts.created,
      // A Packyard registry records each version's content digest: unchanged packs need no lint or build.
      exclude: async (packs) => {
        await reachable;
        const unchanged = await findUnchanged(client, packs, { concurrency });
        for (const [dir, v] of unchanged) skipped.set(dir, v);
        return new Set(unchanged.keys());
      },
      onBuild: (job) => void publish(job),
    },
    io,
    async ({ run, jobs, refused, packs }) => {
      if (refused.length > 0) {
        io.err(formatRefused(run, refused, io));
        io.err(
          `${plural(refused.length, 'pack')} with lint errors will not be pushed; fix them and push again\n`,
        );
      }
      const published = new Map((await Promise.all(jobs.map(publish))).map((r) => [r.path, r]));
      board.close();
      const reports = new Map(run.packs.map((p) => [p.pack, p]));
      // One row per pack found, in discovery order: unchanged, published (or failed), or invalid.
      return packs.map((p) => {
        const v = skipped.get(p.dir);
        if (v) return unchangedRow(p, v, ref.basePath);
        const pack = toPosix(p.dir);
        return published.get(pack) ?? invalidRow(reports.get(pack) as PackReport, ref.basePath);
      });
    },
  );
  if (!rows) return EXIT.failed;

  if (opts.format === 'json') io.out(`${JSON.stringify(rows, null, 2)}\n`);
  else io.out(summaryText(rows, ref.host, useColor(io)));
  return rows.some((r) => r.status === 'failed' || r.status === 'invalid') ? EXIT.failed : EXIT.ok;
}

function phaseText(p: PublishProgress): string {
  if (p.phase === 'checking') return 'asking the registry…';
  if (p.phase === 'tagging') return 'tagging…';
  return `uploading ${bar(p.sent, p.total)} ${formatBytes(p.sent)} / ${formatBytes(p.total)}`;
}

function finishLine(r: PublishResult): string {
  const id = `${r.name}@${r.version}`;
  if (r.status === 'published') return `published ${id}  ${r.digest}  (${formatBytes(r.uploaded)} uploaded)`;
  if (r.status === 'skipped') return `skipped ${id}  ${r.digest}  (already in the registry)`;
  return `${r.status} ${id}: ${r.message ?? ''}`;
}

function unchangedRow(p: ReadPack, v: PublishedVersion, basePath: string): PushRow {
  return {
    name: v.name,
    version: v.version,
    repository: packRepository(v.name, basePath),
    digest: v.digest,
    status: 'skipped',
    uploaded: 0,
    message: `unchanged since published ${v.pushedAt} by ${v.pushedBy} (same content digest): not linted or packaged again`,
    path: toPosix(p.dir),
  };
}

function invalidRow(p: PackReport, basePath: string): PushRow {
  const errors = p.findings.filter((f) => f.severity === 'error');
  const first = errors[0];
  return {
    name: p.name ?? p.pack,
    version: p.version ?? '',
    repository: p.name ? packRepository(p.name, basePath) : '',
    digest: '',
    status: 'invalid',
    uploaded: 0,
    message: `${plural(p.errors, 'lint error')}${first ? `; first: ${first.file}${first.line ? `:${first.line}` : ''} ${first.message}` : ''}`,
    path: p.pack,
  };
}

/** The final table (text format), then problems, then totals. */
export function summaryText(rows: readonly PushRow[], host: string, color: boolean): string {
  const c = painter(color);
  const head = ['PACK', 'VERSION', 'STATUS', 'UPLOADED', 'DIGEST'];
  const cells = rows.map((r) => [
    r.name,
    r.version || '-',
    r.status,
    formatBytes(r.uploaded),
    r.digest || '-',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((row) => (row[i] as string).length)));
  const line = (row: string[]) =>
    row.map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i] as number) : cell)).join('  ');
  const paint = (status: string, s: string) =>
    status === 'published' ? c.green(s) : status === 'skipped' ? c.dim(s) : c.red(s);
  const out = [c.bold(line(head))];
  for (const [i, row] of cells.entries()) out.push(paint((rows[i] as PushRow).status, line(row)));
  const problems = rows.filter((r) => (r.status === 'failed' || r.status === 'invalid') && r.message);
  if (problems.length > 0) {
    out.push('');
    for (const r of problems)
      out.push(`${c.red(r.status)} ${r.name}${r.version ? `@${r.version}` : ''} (${r.path}): ${r.message}`);
  }
  const count = (s: string) => rows.filter((r) => r.status === s).length;
  const uploaded = rows.reduce((n, r) => n + r.uploaded, 0);
  out.push(
    '',
    `${count('published')} published, ${count('skipped')} skipped, ${count('invalid')} invalid, ${count('failed')} failed; ${formatBytes(uploaded)} uploaded to ${host}`,
  );
  return `${out.join('\n')}\n`;
}
