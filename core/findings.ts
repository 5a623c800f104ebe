/** A lint finding. `file` is relative to the pack root until `lintPackDirs` makes it display-relative. */
export type Severity = 'error' | 'warning';

export interface Finding {
  rule: string;
  severity: Severity;
  file: string;
  line?: number;
  column?: number;
  message: string;
}

export interface Position {
  line: number;
  column: number;
}

export function finding(
  rule: string,
  severity: Severity,
  file: string,
  message: string,
  pos?: Position,
): Finding {
  return pos
    ? { rule, severity, file, line: pos.line, column: pos.column, message }
    : { rule, severity, file, message };
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    cmp(a.file, b.file) ||
    (a.line ?? 0) - (b.line ?? 0) ||
    (a.column ?? 0) - (b.column ?? 0) ||
    cmp(a.rule, b.rule) ||
    cmp(a.message, b.message)
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function countBySeverity(findings: readonly Finding[]): { errors: number; warnings: number } {
  let errors = 0;
  let warnings = 0;
  for (const f of findings) {
    if (f.severity === 'error') errors++;
    else warnings++;
  }
  return { errors, warnings };
}
