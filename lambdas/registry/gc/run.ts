import { blobKey } from '../oci/names.ts';
import { type BlobStore, NotFoundError, type RegistryIndex } from '../ports.ts';
import { absorb, absorbObjects, type MarkState, newMark } from './mark.ts';
import { type GcPlan, type GcTiming, type GcTotals, planGc, planTotals } from './plan.ts';
import type { GcIndex, ObjectLister } from './ports.ts';
import { evaluateRetention, type RetentionRule, type RetentionVerdict } from './retention.ts';

/**
 * One collection run: mark (Scan + bucket listing) → retention → plan → sweep. Runs until done or
 * until `deadline`; then it saves the mark under CHECKPOINT_KEY and the next run continues from
 * it. Every sweep step is conditional and idempotent, so a run killed anywhere leaves only marks
 * that the next run finishes or clears (docs/storage.md, "Garbage collection").
 */

export const CHECKPOINT_KEY = 'gc/checkpoint.json';
/** A saved mark older than this is dropped: a fresh one is cheaper than a stale one is useful. */
const CHECKPOINT_MAX_AGE_MS = 6 * 3600_000;
const SCAN_PAGE = 500;
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface GcDeps {
  index: RegistryIndex;
  gc: GcIndex;
  blobs: BlobStore & ObjectLister;
  now: () => Date;
  /** Retires one pack version the way `DELETE /v2/<repo>/manifests/<version>` does. */
  retireVersion: (repository: string, version: string) => Promise<void>;
  log?: (line: string) => void;
}

export interface GcOptions {
  dryRun: boolean;
  timing: GcTiming;
  retention: readonly RetentionRule[];
  /** Epoch ms by which the run stops and checkpoints (the Lambda's remaining time minus a margin). */
  deadline: number;
}

export interface GcReport {
  done: boolean;
  dryRun: boolean;
  startedAt: string;
  retired: RetentionVerdict[];
  /** Deleted by this run (or, dry run: would be). */
  freed: GcTotals;
  /** Condemned by this run (or, dry run: would be): freed by a run at least the fence later. */
  condemned: GcTotals;
  revived: number;
  /** Condemned earlier, still inside the fence. */
  waiting: number;
  /** Conditional steps that lost to a concurrent push (the content is kept). */
  skipped: number;
}

async function loadCheckpoint(blobs: BlobStore, now: Date): Promise<MarkState | undefined> {
  try {
    const mark = JSON.parse(
      Buffer.from(await blobs.get(CHECKPOINT_KEY, 256 * 1024 * 1024)).toString('utf8'),
    ) as MarkState;
    if (mark.version === 1 && now.getTime() - Date.parse(mark.startedAt) < CHECKPOINT_MAX_AGE_MS) return mark;
  } catch (err) {
    if (!(err instanceof NotFoundError) && !(err instanceof SyntaxError)) throw err;
  }
  return undefined;
}

const saveCheckpoint = (blobs: BlobStore, mark: MarkState) =>
  blobs.put(CHECKPOINT_KEY, Buffer.from(JSON.stringify(mark)), 'application/json');

export async function runGc(deps: GcDeps, opts: GcOptions): Promise<GcReport> {
  const log = deps.log ?? (() => {});
  const started = deps.now();
  // A dry run never writes, so it neither resumes nor saves a checkpoint.
  const mark = (!opts.dryRun && (await loadCheckpoint(deps.blobs, started))) || newMark(started);
  const report: GcReport = {
    done: false,
    dryRun: opts.dryRun,
    startedAt: mark.startedAt,
    retired: [],
    freed: { manifests: 0, blobs: 0, packFiles: 0, bytes: 0 },
    condemned: { manifests: 0, blobs: 0, packFiles: 0, bytes: 0 },
    revived: 0,
    waiting: 0,
    skipped: 0,
  };
  const outOfTime = () => Date.now() >= opts.deadline;
  const pause = async () => {
    if (!opts.dryRun) await saveCheckpoint(deps.blobs, mark);
    log(`out of time: checkpoint saved (${CHECKPOINT_KEY}); the next run continues`);
    return report;
  };

  // 1. Mark: Scan the table (checkpointed page by page), then list the bucket.
  while (!mark.scanned) {
    if (outOfTime()) return pause();
    const page = await deps.gc.scan(SCAN_PAGE, mark.cursor);
    for (const item of page.items) await absorb(mark, item, (key) => deps.blobs.get(key, MAX_MANIFEST_BYTES));
    mark.cursor = page.next;
    mark.scanned = page.next === undefined;
  }
  if (!mark.objects) {
    absorbObjects(mark, []);
    for (const prefix of ['blobs/', 'packs/']) {
      let cursor: string | undefined;
      do {
        const page = await deps.blobs.list(prefix, cursor);
        absorbObjects(mark, page.objects);
        cursor = page.next;
      } while (cursor);
    }
  }

  // 2. Retention: retire versions, then forget their tags so this run's plan sees them untagged.
  report.retired = evaluateRetention(mark, opts.retention, started);
  for (const v of report.retired) {
    if (opts.dryRun) continue;
    if (outOfTime()) return pause();
    await deps.retireVersion(v.repository, v.version);
    const tags = mark.tags[v.repository] ?? {};
    delete tags[v.version];
    mark.versions[v.repository] = (mark.versions[v.repository] ?? []).filter((x) => x.version !== v.version);
    log(`retired ${v.repository}:${v.version}`);
  }

  // 3. Plan. A dry run reports it as is.
  const plan = planGc(mark, opts.timing);
  const totals = planTotals(plan);
  report.waiting = plan.waiting;
  if (opts.dryRun) {
    report.freed = totals.now;
    report.condemned = totals.later;
    report.revived = plan.reviveBlobs.length + plan.revivePackFiles.length;
    report.done = true;
    return report;
  }

  // 4. Sweep, in an order where a crash between any two steps leaves nothing visible that points
  // at missing data: manifests first, then marks, then deletions (links → object → record).
  const finished = await sweep(deps, plan, report, outOfTime);
  if (!finished) return pause();
  try {
    await deps.blobs.delete([CHECKPOINT_KEY]);
  } catch {
    // Best effort: a stale checkpoint is dropped by age.
  }
  report.done = true;
  return report;
}

async function sweep(
  deps: GcDeps,
  plan: GcPlan,
  report: GcReport,
  outOfTime: () => boolean,
): Promise<boolean> {
  const at = () => deps.now().toISOString();
  for (const m of plan.deleteManifests) {
    if (outOfTime()) return false;
    // What points goes first: the referrer, then the manifest (conditional on createdAt). If a
    // push re-wrote the manifest meanwhile, the referrer is put back from the manifest item.
    if (m.subject) await deps.index.deleteReferrer(m.repository, m.subject, m.digest);
    if (!(await deps.gc.deleteManifestIf(m.repository, m.digest, m.createdAt))) {
      const kept = m.subject ? await deps.index.getManifest(m.repository, m.digest) : undefined;
      if (kept?.subject)
        await deps.index.putReferrer({
          repository: kept.repository,
          subject: kept.subject,
          digest: kept.digest,
          mediaType: kept.mediaType,
          size: kept.size,
          artifactType: kept.artifactType,
          annotations: kept.annotations,
        });
      report.skipped++;
      continue;
    }
    report.freed.manifests++;
  }
  for (const digest of plan.reviveBlobs) if (await deps.index.reviveBlob(digest)) report.revived++;
  for (const hex of plan.revivePackFiles) if (await deps.index.revivePackFiles(hex)) report.revived++;
  for (const b of plan.deleteBlobs) {
    if (outOfTime()) return false;
    if (!b.resume && !(await deps.gc.markBlobDeleting(b.digest, b.gcAt))) {
      report.skipped++;
      continue;
    }
    for (const repo of b.repositories) await deps.index.unlinkBlob(repo, b.digest);
    await deps.blobs.delete([blobKey(b.digest)]);
    await deps.gc.deleteBlobRecord(b.digest);
    report.freed.blobs++;
    report.freed.bytes += b.size;
    if (report.freed.blobs % 50 === 0) deps.log?.(`freed ${report.freed.blobs} blobs so far`);
  }
  for (const p of plan.deletePackFiles) {
    if (outOfTime()) return false;
    if (!p.resume && !(await deps.gc.markPackFilesDeleting(p.hex, p.gcAt))) {
      report.skipped++;
      continue;
    }
    await deps.blobs.delete(p.keys);
    await deps.gc.deletePackFilesMarker(p.hex);
    report.freed.packFiles++;
    report.freed.bytes += p.size;
  }
  for (const l of plan.danglingLinks) await deps.index.unlinkBlob(l.repository, l.digest);
  for (const b of plan.condemnBlobs) {
    if (outOfTime()) return false;
    if (await deps.gc.condemnBlob(b.digest, b.seenCreatedAt, b.size, at())) {
      report.condemned.blobs++;
      report.condemned.bytes += b.size;
    } else report.skipped++;
  }
  for (const p of plan.condemnPackFiles) {
    if (outOfTime()) return false;
    if (await deps.gc.condemnPackFiles(p.hex, at())) {
      report.condemned.packFiles++;
      report.condemned.bytes += p.size;
    } else report.skipped++;
  }
  return true;
}
