import { checkRunImages, ImageChecker } from '../../client/image-check.ts';
import { discoverPacks } from '../../core/discover.ts';
import { lintPackDirs } from '../../core/lint-packs.ts';
import { savedCredentials } from '../credentials.ts';
import { formatLint, type LintFormat } from '../format/findings.ts';
import { EXIT, type Io, UsageError, useColor } from '../io.ts';

export interface LintOptions {
  format: LintFormat;
  failOn: 'error' | 'warning';
  /** Resolve every pack.content.images entry against its registry. */
  checkImages?: boolean;
}

export async function lintCommand(dirs: string[], opts: LintOptions, io: Io): Promise<number> {
  const packDirs = await discoverPacks(dirs.length > 0 ? dirs : ['.']);
  if (packDirs.length === 0) {
    io.err(`no packs found under ${dirs.join(', ') || '.'} (a pack is a folder holding pack.json)\n`);
    return EXIT.failed;
  }
  const run = await lintPackDirs(packDirs);
  const images = opts.checkImages
    ? await checkRunImages(run, new ImageChecker({ credentialsFor: await savedCredentials(io.env) }))
    : undefined;
  io.out(formatLint(run, opts.format, useColor(io), images));
  const failing = opts.failOn === 'warning' ? run.errors + run.warnings : run.errors;
  return failing > 0 ? EXIT.failed : EXIT.ok;
}

export function parseChoice<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${flag} must be one of ${allowed.join(', ')} (got "${value}")`);
}
