import type { ReportedFinding } from '../core/lint-packs.ts';
import type { AnnotationReport } from './annotations.ts';
import type { FailOn } from './inputs.ts';
import { countStatuses, type PackOutcome, plural } from './result.ts';

export interface SummaryInput {
  outcomes: readonly PackOutcome[];
  findings: readonly ReportedFinding[];
  /** The registry as the user named it (host[/base]); undefined in a dry run without one. */
  registry?: string;
  dryRun: boolean;
  failOn: FailOn;
  annotations: AnnotationReport;
  /** `https://github.com/OWNER/REPO/blob/SHA/`: finding locations link to the file and line. */
  sourceUrl?: string;
  /** GitHub rejects a step summary over 1 MiB; findings past this size are cut with a note. */
  maxBytes?: number;
}

export const SUMMARY_MAX_BYTES = 900 * 1024;

const OUTCOME: Record<PackOutcome['status'], string> = {
  published: '✅ published',
  skipped: '⏭️ skipped',
  invalid: '❌ invalid',
  failed: '❌ failed',
};

/** The job summary (GitHub-flavoured Markdown): the packs table, then every lint finding. */
export function renderSummary(s: SummaryInput): string {
  const maxBytes = s.maxBytes ?? SUMMARY_MAX_BYTES;
  const counts = countStatuses(s.outcomes);
  const out: string[] = ['## Packyard', ''];
  const where = s.registry ? ` to ${code(s.registry)}` : '';
  out.push(
    `**${plural(s.outcomes.length, 'pack')}**${where}: ${counts.published} published, ${counts.skipped} skipped, ${counts.invalid} invalid, ${counts.failed} failed.`,
    '',
  );
  if (s.dryRun) out.push('> **Dry run:** packs were linted and packaged; nothing was pushed.', '');
  if (s.failOn === 'warning')
    out.push('> `fail-on: warning`: packs with lint warnings are invalid and were not published.', '');

  if (s.outcomes.length > 0) {
    out.push(
      // The folder sits under the name and digests are short (full on hover): the Details
      // column keeps the room to stay readable.
      '| Pack | Version | Outcome | Digest | Details |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const o of s.outcomes) {
      const lint = [
        o.errors > 0 ? plural(o.errors, 'error') : '',
        o.warnings > 0 ? plural(o.warnings, 'warning') : '',
      ]
        .filter(Boolean)
        .join(', ');
      // An invalid pack's message already gives its lint counts.
      const lintNote =
        lint && !(o.status === 'invalid' && o.message?.includes('lint')) ? `lint: ${lint}` : '';
      const details = [o.message ?? '', lintNote].filter(Boolean).join('; ');
      out.push(
        `| ${o.name ? code(o.name) : '*unnamed*'}<br><sub>${cell(o.path)}</sub> | ${o.version ? cell(o.version) : ''} | ${s.dryRun && o.status === 'skipped' ? '🧪 dry run' : OUTCOME[o.status]} | ${o.digest ? shortDigest(o.digest) : ''} | ${cell(details)} |`,
      );
    }
    out.push('');
  }

  if (s.findings.length === 0) {
    out.push('No lint findings.', '');
    return out.join('\n');
  }
  const a = s.annotations;
  out.push(
    `### Lint findings: ${plural(a.errors.total, 'error')}, ${plural(a.warnings.total, 'warning')}`,
    '',
  );
  const hidden = a.errors.total - a.errors.shown + (a.warnings.total - a.warnings.shown);
  if (hidden > 0)
    out.push(
      `${plural(hidden, 'finding')} could not be shown as annotations on the files (at most ${a.limit} errors and ${a.limit} warnings per step); all of them are listed here.`,
      '',
    );
  out.push('| Severity | Location | Rule | Message |', '| --- | --- | --- | --- |');
  const truncation = (n: number) =>
    `\n*${plural(n, 'more finding')} not shown: the job summary is limited in size. Run \`packyard lint\` for the full list.*\n`;
  let bytes = Buffer.byteLength(out.join('\n')) + Buffer.byteLength(truncation(s.findings.length)) + 1;
  for (const [i, f] of errorsFirst(s.findings).entries()) {
    const row = `| ${f.severity === 'error' ? '❌ error' : '⚠️ warning'} | ${location(f, s.sourceUrl)} | ${code(f.rule)} | ${cell(f.message)} |`;
    bytes += Buffer.byteLength(row) + 1;
    if (bytes > maxBytes) {
      out.push(truncation(s.findings.length - i));
      return out.join('\n');
    }
    out.push(row);
  }
  out.push('');
  return out.join('\n');
}

/** `sha256:` and 12 hex digits, the full digest in the hover title. */
export function shortDigest(digest: string): string {
  const [alg, hex = ''] = digest.split(':');
  const text = hex.length > 12 ? `${alg}:${hex.slice(0, 12)}…` : digest;
  return `<code title="${cell(digest)}">${cell(text)}</code>`;
}

/** Errors before warnings; within each, grouped by pack in the order the packs come. */
function errorsFirst(findings: readonly ReportedFinding[]): ReportedFinding[] {
  const packOrder = new Map<string, number>();
  for (const f of findings) if (!packOrder.has(f.pack)) packOrder.set(f.pack, packOrder.size);
  const rank = (f: ReportedFinding) => (f.severity === 'error' ? 0 : 1);
  return [...findings].sort(
    (a, b) => rank(a) - rank(b) || (packOrder.get(a.pack) ?? 0) - (packOrder.get(b.pack) ?? 0),
  );
}

function location(f: ReportedFinding, sourceUrl: string | undefined): string {
  const text = `${f.file}${f.line ? `:${f.line}${f.column ? `:${f.column}` : ''}` : ''}`;
  if (!sourceUrl) return code(text);
  const url = `${sourceUrl}${encodeURI(f.file).replace(/[()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}${f.line ? `#L${f.line}` : ''}`;
  return `[${cell(text)}](${url})`;
}

/** Text for a table cell: HTML and Markdown specials escaped, line breaks kept. */
export function cell(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~]/g, '\\$&')
    .replace(/\r?\n/g, '<br>');
}

/** A code span in a table cell (plain escaped text when the value itself holds a backtick). */
export function code(s: string): string {
  if (s.includes('`') || /[\r\n]/.test(s)) return cell(s);
  return `\`${s.replace(/\|/g, '\\|')}\``;
}
