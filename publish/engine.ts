import { createLimit, type PublishResult, publishPack } from '../client/publish.ts';
import type { RegistryClient } from '../client/registry-client.ts';
import {
  type LintGate,
  lookupPublished,
  type PublishedVersion,
  unchangedPacks,
} from '../client/unchanged.ts';
import { type BuiltPack, buildPack } from '../core/build-pack.ts';
import { discoverPacks } from '../core/discover.ts';
import { closeGzipPool, helpGzipPool } from '../core/gzip.ts';
import { plural } from '../core/lint/context.ts';
import { lintPackDirs, type PackReport, toPosix } from '../core/lint-packs.ts';
import { packRepository } from '../core/oci.ts';
import { packId, type ReadPack, readPack, uniquePackIds } from '../core/pack-identity.ts';
import type {
  EngineEvent,
  EngineOptions,
  EngineResult,
  FailOn,
  PackOutcome,
  PackRef,
  RegistryPort,
} from './types.ts';

export type * from './types.ts';

/** A `RegistryClient` as the engine's registry port. */
export function registryPort(client: RegistryClient, concurrency = 4): RegistryPort {
  return {
    basePath: client.registry.basePath,
    lookup: (ids) => lookupPublished(client, ids, concurrency),
    publish: (pack, opts) => publishPack(client, pack, opts),
  };
}

/** The recorded lint a registry holds may stand in for this run's only if it passes this run's fail-on. */
export function lintGate(failOn: FailOn): LintGate {
  return (lint) => lint.errors === 0 && (failOn === 'error' || lint.warnings === 0);
}

/** Why a linted pack is not packaged, or undefined when it is. */
export function refusal(p: PackReport, failOn: FailOn, packageInvalid = false): string | undefined {
  if (p.errors > 0 && !packageInvalid) return plural(p.errors, 'lint error');
  if (!p.name || !p.version) return 'pack.json gives no name or version';
  if (failOn === 'warning' && p.warnings > 0 && !packageInvalid)
    return `${plural(p.warnings, 'lint warning')} (fail-on: warning)`;
  return undefined;
}

/**
 * The publish path both the CLI and the Action run: discover → read → ask the registry what it
 * holds unchanged → lint the rest → package each pack that passes → publish (or, without a
 * registry, only package). Packaging starts as soon as a pack lints clean, and publishing as soon
 * as its build starts when no other pack claims its name@version, so compression and uploads
 * overlap with linting. Returns one outcome per pack found, in discovery order.
 *
 * What happens to a packaged pack is one `Delivery` (publish, or package only): a dry-run plan
 * is another delivery over the same steps.
 */
export async function runEngine(opts: EngineOptions): Promise<EngineResult> {
  const emit = (e: EngineEvent) => opts.onEvent?.(e);
  const done = (o: PackOutcome): PackOutcome => {
    emit({ type: o.status, outcome: o });
    return o;
  };
  try {
    const dirs = opts.dirs ?? (await discoverPacks([...(opts.roots ?? ['.'])]));
    const packs = dirs.map(readPack);
    emit({ type: 'found', packs });
    const unchanged = new Map<string, PackOutcome>();
    if (opts.registry && packs.length > 0) {
      await opts.ready;
      const found = await findUnchanged(opts.registry, packs, lintGate(opts.failOn));
      emit({ type: 'looked-up', total: packs.length, unchanged: found });
      for (const p of packs) {
        const v = found.get(p.dir);
        if (v) unchanged.set(p.dir, done(unchangedOutcome(p, v, opts.registry.basePath)));
      }
    }

    const rest = packs.filter((p) => !unchanged.has(p.dir));
    const unique = uniquePackIds(packs);
    const deliver = opts.registry ? publishTo(opts.registry, opts, emit) : packageOnly;
    const builds = new Map<string, Promise<BuiltPack>>();
    const delivered = new Map<string, Promise<PackOutcome>>();
    const startBuild = (p: PackReport) => {
      let job = builds.get(p.pack);
      if (!job) {
        job = buildPack(p.tree, p.name as string, p.version as string, opts.created);
        job.then((built) => emit({ type: 'built', path: p.pack, built })).catch(() => {}); // failures: in deliver
        builds.set(p.pack, job);
      }
      return job;
    };
    const startDelivery = (p: PackReport) => {
      let outcome = delivered.get(p.pack);
      if (!outcome) {
        outcome = deliver(p, startBuild(p)).then(done);
        delivered.set(p.pack, outcome);
      }
      return outcome;
    };

    const lint = await lintPackDirs(
      rest.map((p) => p.dir),
      {
        trees: rest.map((p) => p.tree),
        onPack: (p) => {
          if (refusal(p, opts.failOn, opts.packageInvalid)) return;
          startBuild(p);
          // A name@version no other pack claims cannot become a duplicate error: deliver it now.
          if (unique.has(packId(p))) void startDelivery(p);
        },
      },
    );
    // Duplicates are flagged once every pack is linted, so refusals are decided again here.
    const refused = lint.packs.filter((p) => refusal(p, opts.failOn, opts.packageInvalid));
    emit({ type: 'linted', run: lint, refused });
    await helpGzipPool();
    const linted = new Map<string, Promise<PackOutcome>>();
    for (const p of lint.packs) {
      const why = refusal(p, opts.failOn, opts.packageInvalid);
      linted.set(
        p.pack,
        why ? Promise.resolve(done(refusedOutcome(p, why, opts.registry))) : startDelivery(p),
      );
    }
    const outcomes: PackOutcome[] = [];
    for (const p of packs)
      outcomes.push(unchanged.get(p.dir) ?? (await (linted.get(toPosix(p.dir)) as Promise<PackOutcome>)));
    return { packs, lint, outcomes };
  } finally {
    await closeGzipPool();
  }
}

/** What becomes of a pack once packaging started: its outcome (never a rejection). */
type Delivery = (report: PackReport, built: Promise<BuiltPack>) => Promise<PackOutcome>;

const packageOnly: Delivery = async (report, built) => {
  try {
    const pack = await built;
    return {
      ...linted(report),
      status: 'skipped',
      reason: 'packaged',
      digest: pack.manifestDigest,
      built: pack,
    };
  } catch (err) {
    return packagingFailed(report, err);
  }
};

/** Publishes packs at most `concurrency` at once, in the order their builds started (largest first). */
function publishTo(registry: RegistryPort, opts: EngineOptions, emit: (e: EngineEvent) => void): Delivery {
  const limit = createLimit(opts.concurrency);
  return (report, built) =>
    limit(async () => {
      const name = report.name as string;
      const pack: PackRef = {
        path: report.pack,
        name,
        version: report.version as string,
        repository: packRepository(name, registry.basePath),
      };
      emit({ type: 'publishing', pack });
      let b: BuiltPack;
      try {
        b = await built;
      } catch (err) {
        return { ...packagingFailed(report, err), repository: pack.repository };
      }
      const r = await registry.publish(b, {
        force: opts.force ?? false,
        onProgress: (progress) => emit({ type: 'progress', pack, progress }),
      });
      return { ...linted(report), ...published(r), built: b };
    });
}

function published(r: PublishResult): Partial<PackOutcome> & Pick<PackOutcome, 'status' | 'reason'> {
  const reason = r.status === 'published' ? 'published' : r.status === 'skipped' ? 'present' : 'registry';
  return {
    status: r.status,
    reason,
    repository: r.repository,
    digest: r.digest,
    uploaded: r.uploaded,
    ...(r.message ? { message: r.message } : {}),
  };
}

/** The fields every linted pack's outcome shares. */
function linted(
  report: PackReport,
): Pick<PackOutcome, 'dir' | 'path' | 'name' | 'version' | 'report' | 'uploaded'> {
  return {
    dir: report.dir,
    path: report.pack,
    name: report.name,
    version: report.version,
    report,
    uploaded: 0,
  };
}

function packagingFailed(report: PackReport, err: unknown): PackOutcome {
  return {
    ...linted(report),
    status: 'failed',
    reason: 'packaging',
    message: `packaging failed: ${(err as Error).message}`,
  };
}

function refusedOutcome(report: PackReport, why: string, registry: RegistryPort | undefined): PackOutcome {
  return {
    ...linted(report),
    status: 'invalid',
    reason: 'refused',
    message: why,
    ...(registry && report.name ? { repository: packRepository(report.name, registry.basePath) } : {}),
  };
}

function unchangedOutcome(p: ReadPack, v: PublishedVersion, basePath: string): PackOutcome {
  return {
    dir: p.dir,
    path: toPosix(p.dir),
    name: v.name,
    version: v.version,
    status: 'skipped',
    reason: 'unchanged',
    repository: packRepository(v.name, basePath),
    digest: v.digest,
    uploaded: 0,
    recorded: v,
  };
}

/** The packs whose content the registry holds, with recorded lint passing `gate`, keyed by folder. */
async function findUnchanged(
  registry: RegistryPort,
  packs: readonly ReadPack[],
  gate: LintGate,
): Promise<Map<string, PublishedVersion>> {
  const unique = uniquePackIds(packs);
  const ids = packs
    .filter((p) => unique.has(packId(p)))
    .map((p) => ({ name: p.name as string, version: p.version as string }));
  if (ids.length === 0) return new Map();
  const published = await registry.lookup(ids);
  return published ? unchangedPacks(packs, published, gate) : new Map();
}
