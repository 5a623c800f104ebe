import { Argument, Option } from 'commander';
import { checkRunImages, ImageChecker } from '../../client/image-check.ts';
import { discoverPacks } from '../../core/discover.ts';
import { lintPackDirs } from '../../core/lint-packs.ts';
import type { Register } from '../command-kit.ts';
import { savedCredentials } from '../credentials.ts';
import { formatLint, type LintFormat } from '../format/findings.ts';
import { EXIT, type Io, UsageError, useColor } from '../io.ts';
import { CONFIG_OPTION_FLAGS, CONFIG_OPTION_HELP, cliLintPolicies } from '../lint-policies.ts';

export interface LintOptions {
  format: LintFormat;
  failOn: 'error' | 'warning';
  /** Resolve every pack.content.images entry against its registry. */
  checkImages?: boolean;
  config?: string;
}

export async function lintCommand(dirs: string[], opts: LintOptions, io: Io): Promise<number> {
  const packDirs = await discoverPacks(dirs.length > 0 ? dirs : ['.']);
  if (packDirs.length === 0) {
    io.err(`no packs found under ${dirs.join(', ') || '.'} (a pack is a folder holding pack.json)\n`);
    return EXIT.failed;
  }
  const policyFor = cliLintPolicies(opts.config);
  const run = await lintPackDirs(packDirs, { policyFor });
  const images = opts.checkImages
    ? await checkRunImages(
        run,
        new ImageChecker({ credentialsFor: await savedCredentials(io.env) }),
        policyFor,
      )
    : undefined;
  io.out(formatLint(run, opts.format, useColor(io), images));
  const failing = opts.failOn === 'warning' ? run.errors + run.warnings : run.errors;
  return failing > 0 ? EXIT.failed : EXIT.ok;
}

export function parseChoice<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${flag} must be one of ${allowed.join(', ')} (got "${value}")`);
}

export const register: Register = (program, { io, setExit }) => {
  program
    .command('lint')
    .description('Lint every pack (a folder with pack.json) under each DIR, recursively.')
    .addArgument(new Argument('[dir...]', 'folders to search for packs').default([], '.'))
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
    .option(
      '--check-images',
      'resolve every pack.content.images entry against its registry (401/403: gated, not checked)',
    )
    .option(CONFIG_OPTION_FLAGS, CONFIG_OPTION_HELP)
    .addHelpText(
      'after',
      '\nExit codes: 0 no failing findings, 1 failing findings, 2 usage error.\nSee "packyard rules" for the rule ids.',
    )
    .action(async (dirs: string[], o) =>
      setExit(
        await lintCommand(
          dirs,
          { format: o.format, failOn: o.failOn, checkImages: o.checkImages === true, config: o.config },
          io,
        ),
      ),
    );
};
