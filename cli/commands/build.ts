import path from 'node:path';
import type { BuiltPack } from '../../core/build-pack.ts';
import { formatBytes } from '../../core/lint/context.ts';
import { EXIT, type Io, plural } from '../io.ts';
import { formatRefused, withLintedBuilds } from '../pack-pipeline.ts';
import { writeBuildOutput } from '../write-layout.ts';

export interface BuildOptions {
  out: string;
  format: 'text' | 'json';
  force: boolean;
  created?: string;
  config?: string;
}

export async function buildCommand(dirs: string[], opts: BuildOptions, io: Io): Promise<number> {
  const result = await withLintedBuilds(
    dirs,
    { force: opts.force, created: opts.created, config: opts.config },
    io,
    async ({ run, jobs, refused }) => {
      if (refused.length > 0) {
        io.err(formatRefused(run, refused, io));
        io.err(
          `refused to build ${plural(refused.length, 'pack')} with lint errors${opts.force ? ' (no name or version)' : '; fix them or pass --force'}\n`,
        );
      }
      const built: BuiltPack[] = await Promise.all(jobs.map((j) => j.built));
      await writeBuildOutput(opts.out, built);
      return { built, refused: refused.length };
    },
  );
  if (!result) return EXIT.failed;
  const rows = result.built.map((b) => ({
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
      `${plural(rows.length, 'pack')} written to ${opts.out} (OCI layout: oci:${opts.out}:<name>:<version>)\n`,
    );
  }
  return result.refused > 0 ? EXIT.failed : EXIT.ok;
}
