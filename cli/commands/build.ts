import path from 'node:path';
import type { BuiltPack } from '../../core/build-pack.ts';
import { formatBytes } from '../../core/lint/context.ts';
import { runEngine } from '../../publish/engine.ts';
import { EXIT, type Io, plural } from '../io.ts';
import { createdFrom, formatRefused } from '../pack-output.ts';
import { writeBuildOutput } from '../write-layout.ts';

export interface BuildOptions {
  out: string;
  format: 'text' | 'json';
  force: boolean;
  created?: string;
}

/** The publish engine without a registry: lint, then package each pack that passes (or all, with --force). */
export async function buildCommand(dirs: string[], opts: BuildOptions, io: Io): Promise<number> {
  const created = createdFrom(opts.created, io);
  const { outcomes } = await runEngine({
    roots: dirs.length > 0 ? dirs : ['.'],
    failOn: 'error',
    packageInvalid: opts.force,
    concurrency: 1,
    created,
    onEvent: (e) => {
      if (e.type !== 'linted' || e.refused.length === 0) return;
      io.err(formatRefused(e.run, e.refused, io));
      io.err(
        `refused to build ${plural(e.refused.length, 'pack')} with lint errors${opts.force ? ' (no name or version)' : '; fix them or pass --force'}\n`,
      );
    },
  });
  if (outcomes.length === 0) {
    io.err(`no packs found under ${dirs.join(', ') || '.'} (a pack is a folder holding pack.json)\n`);
    return EXIT.failed;
  }
  const broken = outcomes.find((o) => o.reason === 'packaging');
  if (broken) throw new Error(`${broken.path}: ${broken.message}`);
  const built = outcomes.flatMap((o) => (o.built ? [o.built] : [])) as BuiltPack[];
  await writeBuildOutput(opts.out, built);
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
      `${plural(rows.length, 'pack')} written to ${opts.out} (OCI layout: oci:${opts.out}:<name>:<version>)\n`,
    );
  }
  return outcomes.some((o) => o.reason === 'refused') ? EXIT.failed : EXIT.ok;
}
