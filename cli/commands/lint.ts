import { discoverPacks } from '../../core/discover.ts';
import { lintPackDirs } from '../../core/lint-packs.ts';
import { formatLint, type LintFormat } from '../format/findings.ts';
import { EXIT, type Io, UsageError, useColor } from '../io.ts';
import { cliLintPolicies } from '../pack-pipeline.ts';

export interface LintOptions {
  format: LintFormat;
  failOn: 'error' | 'warning';
  config?: string;
}

export async function lintCommand(dirs: string[], opts: LintOptions, io: Io): Promise<number> {
  const packDirs = await discoverPacks(dirs.length > 0 ? dirs : ['.']);
  if (packDirs.length === 0) {
    io.err(`no packs found under ${dirs.join(', ') || '.'} (a pack is a folder holding pack.json)\n`);
    return EXIT.failed;
  }
  const run = await lintPackDirs(packDirs, { policyFor: cliLintPolicies(opts.config) });
  io.out(formatLint(run, opts.format, useColor(io)));
  const failing = opts.failOn === 'warning' ? run.errors + run.warnings : run.errors;
  return failing > 0 ? EXIT.failed : EXIT.ok;
}

export function parseChoice<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${flag} must be one of ${allowed.join(', ')} (got "${value}")`);
}
