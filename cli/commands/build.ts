import path from 'node:path';
import { type BuiltPack, buildPack } from '../../core/build-pack.ts';
import { discoverPacks } from '../../core/discover.ts';
import { closeGzipPool, helpGzipPool } from '../../core/gzip.ts';
import { formatBytes } from '../../core/lint/context.ts';
import { lintPackDirs, type PackReport } from '../../core/lint-packs.ts';
import { resolveCreated } from '../../core/oci.ts';
import { formatLint } from '../format/findings.ts';
import { EXIT, type Io, UsageError, useColor } from '../io.ts';
import { writeBuildOutput } from '../write-layout.ts';

export interface BuildOptions {
  out: string;
  format: 'text' | 'json';
  force: boolean;
  created?: string;
}

export async function buildCommand(dirs: string[], opts: BuildOptions, io: Io): Promise<number> {
  let created: string | undefined;
  try {
    created = resolveCreated(opts.created, io.env.SOURCE_DATE_EPOCH);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const packDirs = await discoverPacks(dirs.length > 0 ? dirs : ['.']);
  if (packDirs.length === 0) {
    io.err(`no packs found under ${dirs.join(', ') || '.'} (a pack is a folder holding pack.json)\n`);
    return EXIT.failed;
  }
  // Packaging starts as soon as a pack lints clean, so gzip workers overlap with linting the rest.
  const started = new Map<string, Promise<BuiltPack>>();
  const canBuild = (p: PackReport) => Boolean(p.name && p.version && (p.errors === 0 || opts.force));
  const startBuild = (p: PackReport) => {
    const job = buildPack(p.tree, p.name as string, p.version as string, created);
    job.catch(() => {}); // awaited below; avoid an unhandled rejection if it is never needed
    started.set(p.pack, job);
  };
  const run = await lintPackDirs(packDirs, { onPack: (p) => canBuild(p) && startBuild(p) });
  await helpGzipPool();
  const refused: PackReport[] = [];
  const buildable = run.packs.filter((p) => {
    const ok = canBuild(p); // duplicates found after linting add errors, so check again
    if (!ok) refused.push(p);
    return ok;
  });
  if (refused.length > 0) {
    const failedRun = {
      ...run,
      packs: refused,
      findings: run.findings.filter((f) => refused.some((p) => p.pack === f.pack) && f.severity === 'error'),
    };
    io.err(formatLint(failedRun, 'text', useColor(io)));
    io.err(
      `refused to build ${refused.length} pack${refused.length === 1 ? '' : 's'} with lint errors${opts.force ? ' (no name or version)' : '; fix them or pass --force'}\n`,
    );
  }
  let built: BuiltPack[];
  try {
    built = await Promise.all(buildable.map((p) => started.get(p.pack) as Promise<BuiltPack>));
    await writeBuildOutput(opts.out, built);
  } finally {
    await closeGzipPool();
  }
  const rows = built.map((b) => ({
    name: b.name,
    version: b.version,
    archive: path.join(opts.out, b.archiveName),
    manifestDigest: b.manifestDigest,
    layerDigest: b.layerDigest,
    size: b.archive.length,
  }));
  if (opts.format === 'json') {
    io.out(`${JSON.stringify(rows, null, 2)}\n`);
  } else {
    for (const r of rows)
      io.out(`built ${r.name}@${r.version}  ${r.archive}  ${formatBytes(r.size)}  ${r.manifestDigest}\n`);
    io.out(
      `${rows.length} pack${rows.length === 1 ? '' : 's'} written to ${opts.out} (OCI layout: oci:${opts.out}:<name>:<version>)\n`,
    );
  }
  return refused.length > 0 ? EXIT.failed : EXIT.ok;
}
