import type { PublishedVersion } from '../client/unchanged.ts';
import { formatBytes } from '../core/lint/context.ts';
import type { LintRun } from '../core/lint-packs.ts';
import type { PackOutcome as EngineOutcome } from '../publish/engine.ts';
import { type PackOutcome, plural } from './result.ts';

/** A pack the registry holds with the same content: its recorded lint and push stand in for this run's. */
export function unchangedOutcome(path: string, v: PublishedVersion): PackOutcome {
  // Trusted publishing records the workflow run: say which one published it.
  const run = v.provenance?.jobWorkflowRef
    ? ` (${v.provenance.jobWorkflowRef}${v.provenance.runId ? `, run ${v.provenance.runId}` : ''}${v.provenance.sha ? `, ${v.provenance.sha.slice(0, 12)}` : ''})`
    : '';
  const by = `${v.pushedBy}${run}`;
  return {
    path,
    name: v.name,
    version: v.version,
    digest: v.digest,
    status: 'skipped',
    message: `unchanged since published ${v.pushedAt} by ${by}; lint as recorded by the registry`,
    errors: v.lint.errors,
    warnings: v.lint.warnings,
    uploaded: 0,
  };
}

export function unchangedLog(total: number, found: ReadonlyMap<string, PublishedVersion>): string {
  const lines = [...found.values()].map(
    (v) => `unchanged: ${v.name}@${v.version}  ${v.digest}  (published ${v.pushedAt} by ${v.pushedBy})`,
  );
  lines.push(
    found.size === 0
      ? `No pack of ${total} is held unchanged (or the registry has no Packyard API): linting and packaging all`
      : `${plural(found.size, 'pack')} of ${total} unchanged since published: not linted or packaged again`,
  );
  return lines.join('\n');
}

/** The lint result for the log: every pack with its findings. */
export function lintLog(run: LintRun): string {
  const lines: string[] = [];
  for (const p of run.packs) {
    const id = p.name ? `${p.name}@${p.version ?? '?'}` : 'unnamed pack';
    lines.push(`${p.errors > 0 ? '✖' : p.warnings > 0 ? '!' : '✔'} ${p.pack} (${id})`);
    for (const f of run.findings.filter((x) => x.pack === p.pack)) {
      const where = `${f.file}${f.line ? `:${f.line}:${f.column ?? 1}` : ''}`;
      lines.push(`    ${where}  ${f.severity}  ${f.message}  [${f.rule}]`);
    }
  }
  lines.push(
    `${plural(run.packs.length, 'pack')} checked: ${plural(run.errors, 'error')}, ${plural(run.warnings, 'warning')}`,
  );
  return lines.join('\n');
}

/** The Build group's line for a linted pack: refused, packaged, or why packaging failed. */
export function buildLine(o: EngineOutcome): string {
  if (o.reason === 'refused') return `✖ ${o.path}: not packaged: ${o.message}`;
  if (o.reason === 'packaging') return `✖ ${o.path}: ${o.message}`;
  const b = o.built;
  return b
    ? `built ${b.name}@${b.version}  ${b.archiveName}  ${formatBytes(b.archive.length)}  ${b.manifestDigest}`
    : '';
}

/** The Publish group's line for a pack sent to the registry. */
export function publishLine(o: EngineOutcome): string {
  const what = `${o.name}@${o.version} → ${o.repository}:${o.version}`;
  if (o.status === 'published')
    return `published ${what}  ${o.digest}  (${formatBytes(o.uploaded)} uploaded)`;
  if (o.status === 'skipped') return `skipped ${what}  ${o.digest}  (already in the registry)`;
  return `✖ ${o.status} ${what}: ${o.message ?? ''}`;
}
