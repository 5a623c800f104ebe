import { Command, CommanderError, Option } from 'commander';
import { PathNotFoundError } from '../core/discover.ts';
import pkg from '../package.json' with { type: 'json' };
import { buildCommand } from './commands/build.ts';
import { lintCommand } from './commands/lint.ts';
import { rulesCommand } from './commands/rules.ts';
import { EXIT, type Io, processIo, UsageError } from './io.ts';

export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('packyard')
    .description('Lint, package and publish Spectro Cloud Palette packs.')
    .version(pkg.version, '-V, --version', 'print the Packyard version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();

  program
    .command('lint')
    .description('Lint every pack (a folder with pack.json) under each DIR, recursively.')
    .argument('[dir...]', 'folders to search for packs', [])
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices(['text', 'json', 'github'])
        .default('text'),
    )
    .addOption(
      new Option('--fail-on <severity>', 'lowest severity that fails (exit 1)')
        .choices(['error', 'warning'])
        .default('error'),
    )
    .addHelpText(
      'after',
      '\nExit codes: 0 no failing findings, 1 failing findings, 2 usage error.\nSee "packyard rules" for the rule ids.',
    )
    .action(async (dirs: string[], o) =>
      setExit(await lintCommand(dirs, { format: o.format, failOn: o.failOn }, io)),
    );

  program
    .command('build')
    .description('Lint, then package each pack as <name>-<version>.tar.gz plus an OCI image layout in OUT.')
    .argument('[dir...]', 'folders to search for packs', [])
    .requiredOption('-o, --out <dir>', 'output folder (archives, oci-layout, index.json, blobs/)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--force', 'build packs even when they have lint errors', false)
    .option(
      '--created <date>',
      'set org.opencontainers.image.created (RFC 3339); default: SOURCE_DATE_EPOCH, else none',
    )
    .addHelpText(
      'after',
      '\nArchives are reproducible: same content, same bytes and digests.\nPush the layout with e.g.\n  skopeo copy oci:OUT:<name>:<version> docker://HOST/spectro-packs/archive/<name>:<version>',
    )
    .action(async (dirs: string[], o) =>
      setExit(
        await buildCommand(dirs, { out: o.out, format: o.format, force: o.force, created: o.created }, io),
      ),
    );

  program
    .command('rules')
    .description('List the lint rules with their ids and default severities.')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((o) => setExit(rulesCommand({ format: o.format }, io)));

  return program;
}

/** Parses argv, runs one command, sets process.exitCode. */
export async function run(argv: string[] = process.argv, io: Io = processIo): Promise<void> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    if (argv.length <= 2) {
      program.outputHelp();
      code = EXIT.usage;
    } else {
      await program.parseAsync(argv);
    }
  } catch (err) {
    code = exitCodeFor(err, io);
  }
  process.exitCode = code;
}

function exitCodeFor(err: unknown, io: Io): number {
  if (err instanceof CommanderError) {
    return err.code === 'commander.helpDisplayed' ||
      err.code === 'commander.version' ||
      err.code === 'commander.help'
      ? EXIT.ok
      : EXIT.usage;
  }
  if (err instanceof UsageError || err instanceof PathNotFoundError) {
    io.err(`packyard: ${err.message}\n`);
    return EXIT.usage;
  }
  io.err(`packyard: ${err instanceof Error ? err.message : String(err)}\n`);
  if (io.env.PACKYARD_DEBUG && err instanceof Error) io.err(`${err.stack}\n`);
  return EXIT.failed;
}
