import type { LintRun, PackReport } from '../core/lint-packs.ts';
import { resolveCreated } from '../core/oci.ts';
import { formatLint } from './format/findings.ts';
import { type Io, UsageError, useColor } from './io.ts';

/** `--created`, else SOURCE_DATE_EPOCH from `io.env`, as an RFC 3339 date (undefined: none). */
export function createdFrom(flag: string | undefined, io: Io): string | undefined {
  try {
    return resolveCreated(flag, io.env.SOURCE_DATE_EPOCH);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** The error findings of refused packs, as `packyard lint` prints them. */
export function formatRefused(run: LintRun, refused: readonly PackReport[], io: Io): string {
  const failedRun = {
    ...run,
    packs: [...refused],
    findings: run.findings.filter((f) => refused.some((p) => p.pack === f.pack) && f.severity === 'error'),
  };
  return formatLint(failedRun, 'text', useColor(io));
}
