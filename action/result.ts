import type { PublishStatus } from '../client/publish.ts';
import { plural } from '../core/lint/context.ts';
import type { FailOn } from './inputs.ts';

export { plural };

/** What happened to one pack in this run. */
export interface PackOutcome {
  /** The pack folder, relative to the workspace (POSIX separators). */
  path: string;
  name: string | null;
  version: string | null;
  /** The manifest digest of this build; null when the pack was not packaged. */
  digest: string | null;
  /**
   * published: pushed now; skipped: the registry already holds this digest (or a dry run, which
   * pushes nothing); invalid: lint findings at or above fail-on, or the registry rejected the
   * pack; failed: packaging or the push failed (including a version that already holds another
   * digest).
   */
  status: PublishStatus;
  /** Why, for anything but a plain publish. */
  message?: string;
  errors: number;
  warnings: number;
  /** Bytes uploaded (0 when the registry had every blob). */
  uploaded: number;
}

/** One entry of the `result` output. */
export interface ResultEntry {
  name: string | null;
  version: string | null;
  digest: string | null;
  status: PublishStatus;
  path: string;
  message?: string;
}

export function resultEntries(outcomes: readonly PackOutcome[]): ResultEntry[] {
  return outcomes.map((o) => ({
    name: o.name,
    version: o.version,
    digest: o.digest,
    status: o.status,
    path: o.path,
    ...(o.message ? { message: o.message } : {}),
  }));
}

export type StatusCounts = Record<PublishStatus, number>;

export function countStatuses(outcomes: readonly PackOutcome[]): StatusCounts {
  const counts: StatusCounts = { published: 0, skipped: 0, invalid: 0, failed: 0 };
  for (const o of outcomes) counts[o.status]++;
  return counts;
}

/** The step's failure message, or undefined when the step succeeds. */
export function failureMessage(outcomes: readonly PackOutcome[], failOn: FailOn): string | undefined {
  const bad = outcomes.filter((o) => o.status === 'invalid' || o.status === 'failed');
  if (bad.length === 0) return undefined;
  const lines = bad.map((o) => {
    const id = o.name ? `${o.name}@${o.version ?? '?'}` : 'unnamed pack';
    return `${o.path} (${id}): ${o.status}${o.message ? ` — ${o.message}` : ''}`;
  });
  const counts = countStatuses(outcomes);
  const parts = [
    counts.invalid > 0 ? `${counts.invalid} invalid` : '',
    counts.failed > 0 ? `${counts.failed} failed` : '',
  ].filter(Boolean);
  const threshold = failOn === 'warning' ? ' (fail-on: warning)' : '';
  return `${plural(bad.length, 'pack')} not published${threshold}: ${parts.join(', ')}; see the job summary\n${lines.join('\n')}`;
}
