import { Option } from 'commander';
import { discoverPacks } from '../../core/discover.ts';
import { lintPackDirs } from '../../core/lint-packs.ts';
import type { Register } from '../command-kit.ts';
import { formatLint, type LintFormat } from '../format/findings.ts';
import { EXIT, type Io, UsageError, useColor } from '../io.ts';

export interface LintOptions {
  format: LintFormat;
  failOn: 'error' | 'warning';
}

export async function lintCommand(dirs: string[], opts: LintOptions, io: Io): Promise<number> {
  const packDirs = await discoverPacks(dirs.length > 0 ? dirs : ['.']);
  if (packDirs.length === 0) {
    io.err(`no packs found under ${dirs.join(', ') || '.'} (a pack is a folder holding pack.json)\n`);
    return EXIT.failed;
  }
  const run = await lintPackDirs(packDirs);
  io.out(formatLint(run, opts.format, useColor(io)));
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
};
