import type { ReportedFinding } from '../core/lint-packs.ts';

/** What @actions/core's `error` and `warning` take; injected so tests need no runner. */
export interface AnnotationProperties {
  title?: string;
  file?: string;
  startLine?: number;
  endLine?: number;
  startColumn?: number;
}

export interface AnnotationSink {
  error(message: string, properties: AnnotationProperties): void;
  warning(message: string, properties: AnnotationProperties): void;
}

export interface AnnotationCount {
  shown: number;
  total: number;
}

export interface AnnotationReport {
  errors: AnnotationCount;
  warnings: AnnotationCount;
  limit: number;
}

/** The annotation for one finding: on its file and line (and column), titled with the rule id. */
export function annotationFor(f: ReportedFinding): AnnotationProperties {
  const props: AnnotationProperties = { title: f.rule, file: f.file };
  if (f.line) {
    props.startLine = f.line;
    // A column only counts when the annotation spans one line, so say so explicitly.
    props.endLine = f.line;
    if (f.column) props.startColumn = f.column;
  }
  return props;
}

/**
 * Turns lint findings into annotations, at most `limit` errors and `limit` warnings (GitHub
 * drops the rest of a step's annotations anyway: 10 of each); the job summary lists them all.
 */
export function annotate(
  findings: readonly ReportedFinding[],
  limit: number,
  sink: AnnotationSink,
): AnnotationReport {
  const report: AnnotationReport = {
    errors: { shown: 0, total: 0 },
    warnings: { shown: 0, total: 0 },
    limit,
  };
  for (const f of findings) {
    const count = f.severity === 'error' ? report.errors : report.warnings;
    count.total++;
    if (count.shown >= limit) continue;
    count.shown++;
    if (f.severity === 'error') sink.error(f.message, annotationFor(f));
    else sink.warning(f.message, annotationFor(f));
  }
  return report;
}

/** A log line when some findings were not annotated; undefined when all were. */
export function annotationOverflowNote(r: AnnotationReport): string | undefined {
  if (r.errors.shown === r.errors.total && r.warnings.shown === r.warnings.total) return undefined;
  return `Annotated ${r.errors.shown} of ${r.errors.total} error${r.errors.total === 1 ? '' : 's'} and ${r.warnings.shown} of ${r.warnings.total} warning${r.warnings.total === 1 ? '' : 's'} (annotations-limit ${r.limit}; GitHub shows at most 10 of each per step); the job summary lists every finding.`;
}
