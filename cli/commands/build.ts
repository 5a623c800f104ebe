import path from 'node:path';
import { Argument } from 'commander';
import type { BuiltPack } from '../../core/build-pack.ts';
import { formatBytes } from '../../core/lint/context.ts';
import { runEngine } from '../../publish/engine.ts';
import { createdOption, formatOption, type Register } from '../command-kit.ts';
import { EXIT, type Io, plural } from '../io.ts';
import { CONFIG_OPTION_FLAGS, CONFIG_OPTION_HELP, cliLintPolicies } from '../lint-policies.ts';
import { createdFrom, formatRefused } from '../pack-output.ts';
import { writeBuildOutput } from '../write-layout.ts';

export interface BuildOptions {
  out: string;
  format: 'text' | 'json';
  force: boolean;
  created?: string;
  config?: string;
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
    policyFor: cliLintPolicies(opts.config),
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

export const register: Register = (program, { io, setExit }) => {
  program
    .command('build')
    .description('Lint, then package each pack as <name>-<version>.tar.gz plus an OCI image layout in OUT.')
    .addArgument(new Argument('[dir...]', 'folders to search for packs').default([], '.'))
    .requiredOption('-o, --out <dir>', 'output folder (archives, oci-layout, index.json, blobs/)')
    .addOption(formatOption())
    .option('--force', 'build packs even when they have lint errors')
    .option(CONFIG_OPTION_FLAGS, CONFIG_OPTION_HELP)
    .addOption(createdOption())
    .addHelpText(
      'after',
      '\nArchives are reproducible: same content, same bytes and digests.\nPush the layout with e.g.\n  skopeo copy oci:OUT:<name>:<version> docker://HOST/spectro-packs/archive/<name>:<version>',
    )
    .action(async (dirs: string[], o) =>
      setExit(
        await buildCommand(
          dirs,
          { out: o.out, format: o.format, force: Boolean(o.force), created: o.created, config: o.config },
          io,
        ),
      ),
    );
};
