import type { PackPlan } from '../client/plan.ts';

export { type PlanEntry, planEntries } from '../client/plan.ts';

import { PLAN_ERRORS, type PlanKind } from '../core/publish-plan.ts';
import { plural } from './result.ts';
import { cell, code } from './summary.ts';

const KIND: Record<PlanKind, string> = {
  'new-pack': '🆕 new pack',
  'new-version': '⬆️ new version',
  unchanged: '⏸️ unchanged',
  'changed-without-bump': '❌ changed, same version',
  'version-lower': '❌ version lower',
  unknown: '❔ cannot tell',
};

export function planCounts(plans: readonly PackPlan[]): Record<PlanKind, number> {
  const counts: Record<PlanKind, number> = {
    'new-pack': 0,
    'new-version': 0,
    unchanged: 0,
    'changed-without-bump': 0,
    'version-lower': 0,
    unknown: 0,
  };
  for (const p of plans) counts[p.verdict.kind]++;
  return counts;
}

export interface PlanReportInput {
  plans: readonly PackPlan[];
  /** host[/base] the plan was made against. */
  registry: string;
  /** `https://github.com/OWNER/REPO/blob/SHA/`: pack.json links to the version line. */
  sourceUrl?: string;
  /** Lint results per pack folder, so the comment says what lint found too. */
  lint?: ReadonlyMap<string, { errors: number; warnings: number }>;
  /** Why no plan could be made (a fork without registry access): the comment says so instead. */
  unavailable?: string;
}

/**
 * The plan as Markdown, for the sticky pull-request comment and the job summary: errors first
 * (each with its fix), then a table of every pack, then per pack the files and values.yaml
 * changes in collapsed details.
 */
export function renderPlan(r: PlanReportInput): string {
  const out: string[] = ['## Packyard plan', ''];
  if (r.unavailable) {
    out.push(`> **No plan:** ${r.unavailable}`, '');
    return out.join('\n');
  }
  const counts = planCounts(r.plans);
  const errors = r.plans.filter((p) => PLAN_ERRORS.has(p.verdict.kind));
  const parts = (Object.keys(KIND) as PlanKind[])
    .filter((k) => counts[k] > 0 && !PLAN_ERRORS.has(k))
    .map((k) => `${counts[k]} ${KIND[k].replace(/^\S+ /, '')}`);
  if (errors.length > 0) parts.unshift(`**${plural(errors.length, 'error')}**`);
  out.push(
    `Merging would publish to ${code(r.registry)}: ${parts.join(', ') || 'nothing'} (${plural(r.plans.length, 'pack')}).`,
    '',
  );
  if (errors.length > 0) {
    out.push('### ❌ Fix before merging', '');
    for (const p of errors) {
      const where = p.finding?.line ? `pack.json:${p.finding.line}` : 'pack.json';
      const file = `${p.path === '.' ? '' : `${p.path}/`}pack.json`;
      const link = r.sourceUrl
        ? `[${cell(`${p.path}/${where}`)}](${r.sourceUrl}${encodeURI(file)}${p.finding?.line ? `#L${p.finding.line}` : ''})`
        : code(`${p.path}/${where}`);
      out.push(`- **${cell(p.name)} ${cell(p.version)}** (${link}): ${cell(p.verdict.reason)}`);
    }
    out.push('');
  }
  if (r.plans.length > 0) {
    out.push('| Pack | Version | Plan | Why |', '| --- | --- | --- | --- |');
    for (const p of r.plans) {
      const lint = r.lint?.get(p.path);
      const lintNote =
        lint && (lint.errors > 0 || lint.warnings > 0)
          ? ` Lint: ${[lint.errors ? plural(lint.errors, 'error') : '', lint.warnings ? plural(lint.warnings, 'warning') : ''].filter(Boolean).join(', ')}.`
          : '';
      out.push(
        `| ${code(p.name)}<br><sub>${cell(p.path)}</sub> | ${cell(p.version)} | ${KIND[p.verdict.kind]} | ${cell(p.verdict.reason)}${cell(lintNote)} |`,
      );
    }
    out.push('');
  }
  for (const p of r.plans) {
    if (!p.files && !p.valuesDiff && !p.note) continue;
    const f = p.files;
    const head = f
      ? `${plural(f.added.length, 'file')} added, ${f.removed.length} removed, ${f.changed.length} changed`
      : 'changes';
    out.push(
      '<details>',
      `<summary><b>${cell(p.name)} ${cell(p.version)}</b> against published ${cell(p.against ?? '')}: ${head}</summary>`,
      '',
    );
    if (f) {
      for (const [label, list] of [
        ['added', f.added],
        ['removed', f.removed],
        ['changed', f.changed],
      ] as const) {
        if (list.length === 0) continue;
        const shown = list.slice(0, 50).map(code).join(', ');
        out.push(`- ${label}: ${shown}${list.length > 50 ? `, … ${list.length - 50} more` : ''}`);
      }
    }
    if (p.note) out.push(`- ${cell(p.note)}`);
    if (p.valuesDiff) {
      const d = p.valuesDiff;
      out.push(
        '',
        `\`values.yaml\`: +${d.additions} −${d.deletions}${d.truncated ? ' (cut; run `packyard diff` for all of it)' : ''}`,
        '',
        fence(d.text, 'diff'),
      );
    }
    out.push('', '</details>', '');
  }
  return out.join('\n');
}

/** A fenced code block whose fence is longer than any backtick run inside. */
function fence(text: string, lang: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}${lang}\n${text}\n${f}`;
}
