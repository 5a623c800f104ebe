import { type BuiltPack, buildPack } from '../core/build-pack.ts';
import { discoverPacks } from '../core/discover.ts';
import { closeGzipPool, helpGzipPool } from '../core/gzip.ts';
import { lintPolicies } from '../core/lint-config-file.ts';
import { type LintRun, lintPackDirs, type PackReport } from '../core/lint-packs.ts';
import type { PackPolicy } from '../core/lint-policy.ts';
import { resolveCreated } from '../core/oci.ts';
import { packId, type ReadPack, readPack, uniquePackIds } from '../core/pack-identity.ts';
import { formatLint } from './format/findings.ts';
import { type Io, UsageError, useColor } from './io.ts';

/** A pack that linted clean (or was forced) and whose packaging is under way. */
export interface BuildJob {
  report: PackReport;
  built: Promise<BuiltPack>;
}

export interface PipelineResult {
  run: LintRun;
  /** Packs being packaged, in discovery order. */
  jobs: BuildJob[];
  /** Packs not packaged: lint errors (or, with `force`, no name or version). */
  refused: PackReport[];
  /** Every pack found, in discovery order (`exclude` may have left some out of `run`). */
  packs: ReadPack[];
}

export interface PipelineOptions {
  /** Package packs even when they have lint errors. */
  force: boolean;
  /** `--created`; SOURCE_DATE_EPOCH from `io.env` otherwise. */
  created?: string;
  /** `--config`: the lint configuration; default: each pack's nearest `.packyard.yaml`. */
  config?: string;
  /** Sees every pack read (before linting) and names the folders to leave out, e.g. unchanged since published. */
  exclude?: (packs: readonly ReadPack[]) => Promise<ReadonlySet<string>>;
  /**
   * A build started for a pack whose name@version no other pack of the run claims: it cannot be
   * refused later as a duplicate, so work on it (publishing) may start before linting ends.
   */
  onBuild?: (job: BuildJob) => void;
}

/**
 * What `build` and `push` share: discover the packs under `dirs`, lint them, and package each one
 * without lint errors. Packaging starts as soon as a pack lints clean, so gzip workers overlap
 * with linting the rest (and `onBuild` lets publishing overlap too). Returns undefined (after saying so) when there are no packs. The caller
 * awaits the jobs inside `use`; the gzip pool is closed afterwards.
 */
export async function withLintedBuilds<T>(
  dirs: string[],
  opts: PipelineOptions,
  io: Io,
  use: (result: PipelineResult) => Promise<T>,
): Promise<T | undefined> {
  let created: string | undefined;
  try {
    created = resolveCreated(opts.created, io.env.SOURCE_DATE_EPOCH);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const packDirs = await discoverPacks(dirs.length > 0 ? dirs : ['.']);
  if (packDirs.length === 0) {
    io.err(`no packs found under ${dirs.join(', ') || '.'} (a pack is a folder holding pack.json)\n`);
    return undefined;
  }
  const read = packDirs.map(readPack);
  const unique = uniquePackIds(read);
  const started = new Map<string, Promise<BuiltPack>>();
  const canBuild = (p: PackReport) => Boolean(p.name && p.version && (p.errors === 0 || opts.force));
  try {
    const leaveOut = opts.exclude ? await opts.exclude(read) : new Set<string>();
    const rest = read.filter((p) => !leaveOut.has(p.dir));
    const run = await lintPackDirs(
      rest.map((p) => p.dir),
      {
        trees: rest.map((p) => p.tree),
        policyFor: cliLintPolicies(opts.config),
        onPack: (p) => {
          if (!canBuild(p)) return;
          const job = buildPack(p.tree, p.name as string, p.version as string, created);
          job.catch(() => {}); // awaited by the caller; avoid an unhandled rejection if it is never needed
          started.set(p.pack, job);
          if (unique.has(packId(p))) opts.onBuild?.({ report: p, built: job });
        },
      },
    );
    await helpGzipPool();
    const refused: PackReport[] = [];
    const jobs: BuildJob[] = [];
    for (const p of run.packs) {
      // Duplicates found after linting add errors, so check again.
      if (canBuild(p)) jobs.push({ report: p, built: started.get(p.pack) as Promise<BuiltPack> });
      else refused.push(p);
    }
    return await use({ run, jobs, refused, packs: read });
  } finally {
    await closeGzipPool();
  }
}

/** The error findings of refused packs, as `packyard lint` prints them. */
export function formatRefused(run: LintRun, refused: readonly PackReport[], io: Io): string {
  const failedRun = {
    ...run,
    packs: [...refused],
    findings: run.findings.filter((f) => refused.some((p) => p.pack === f.pack) && f.severity === 'error'),
  };
  return formatLint(failedRun, 'text', useColor(io));
}

/** The lint policies of a run; a bad config file is a usage error naming file:line. */
export function cliLintPolicies(config: string | undefined): (dir: string) => PackPolicy | undefined {
  try {
    const policies = lintPolicies(config);
    return (dir) => {
      try {
        return policies(dir);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
