import { describeImageChecks, type PackImageCheck } from '../../client/image-check.ts';
import type { LintRun } from '../../core/lint-packs.ts';
import { painter } from '../io.ts';

export type LintFormat = 'text' | 'json' | 'github';

/** `images` is present when the run checked images (`--check-images`). */
export function formatLint(
  run: LintRun,
  format: LintFormat,
  color: boolean,
  images?: readonly PackImageCheck[],
): string {
  if (format === 'json') return `${JSON.stringify(lintJson(run, images), null, 2)}\n`;
  if (format === 'github') return githubCommands(run) + (images ? imageNotices(images) : '');
  return lintText(run, color) + (images ? imagesText(images, color) : '');
}

export function lintJson(run: LintRun, images?: readonly PackImageCheck[]) {
  return {
    ...(images ? { images: images.map(imageJson) } : {}),
    findings: run.findings.map((f) => ({
      pack: f.pack,
      file: f.file,
      line: f.line ?? null,
      column: f.column ?? null,
      rule: f.rule,
      severity: f.severity,
      message: f.message,
    })),
    packs: run.packs.map((p) => ({
      pack: p.pack,
      name: p.name ?? null,
      version: p.version ?? null,
      errors: p.errors,
      warnings: p.warnings,
    })),
    summary: { packs: run.packs.length, errors: run.errors, warnings: run.warnings },
  };
}

function lintText(run: LintRun, color: boolean): string {
  const c = painter(color);
  const lines: string[] = [];
  for (const p of run.packs) {
    const id = p.name ? `${p.name}@${p.version ?? '?'}` : 'unnamed pack';
    const status = p.errors > 0 ? c.red('✖') : p.warnings > 0 ? c.yellow('!') : c.green('✔');
    lines.push(`${status} ${c.underline(p.pack)} ${c.dim(`(${id})`)}`);
    for (const f of run.findings.filter((x) => x.pack === p.pack)) {
      const where = `${f.file}${f.line ? `:${f.line}:${f.column ?? 1}` : ''}`;
      const sev = f.severity === 'error' ? c.red('error  ') : c.yellow('warning');
      lines.push(`  ${where}  ${sev}  ${f.message}  ${c.dim(f.rule)}`);
    }
  }
  const total = run.errors + run.warnings;
  const summary = `${run.packs.length} pack${run.packs.length === 1 ? '' : 's'} checked: ${run.errors} error${run.errors === 1 ? '' : 's'}, ${run.warnings} warning${run.warnings === 1 ? '' : 's'}`;
  lines.push(
    '',
    total === 0 ? c.green(summary) : run.errors > 0 ? c.red(c.bold(summary)) : c.yellow(summary),
  );
  return `${lines.join('\n')}\n`;
}

/** GitHub workflow commands; values and properties escaped as the runner expects. */
export function githubCommands(run: LintRun): string {
  const lines = run.findings.map((f) => {
    const props = [`file=${escapeProperty(f.file)}`];
    if (f.line) props.push(`line=${f.line}`);
    if (f.column) props.push(`col=${f.column}`);
    props.push(`title=${escapeProperty(`packyard ${f.rule}`)}`);
    return `::${f.severity === 'error' ? 'error' : 'warning'} ${props.join(',')}::${escapeData(f.message)}`;
  });
  lines.push(`${run.packs.length} packs checked: ${run.errors} errors, ${run.warnings} warnings`);
  return `${lines.join('\n')}\n`;
}

export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function imageJson(i: PackImageCheck) {
  return {
    pack: i.pack,
    file: i.file,
    line: i.line,
    image: i.image,
    status: i.status,
    digest: i.digest ?? null,
    detail: i.detail ?? null,
  };
}

function imagesText(images: readonly PackImageCheck[], color: boolean): string {
  const c = painter(color);
  const [head, ...gated] = describeImageChecks(images);
  return `${[head, ...gated.map((g) => c.dim(g))].join('\n')}\n`;
}

function imageNotices(images: readonly PackImageCheck[]): string {
  return images
    .filter((i) => i.status === 'gated')
    .map(
      (i) =>
        `::notice file=${escapeProperty(i.file)},line=${i.line}::${escapeData(`image ${i.image} is gated (${i.detail ?? 'credentials needed'}): not checked`)}\n`,
    )
    .join('');
}
