import * as core from '@actions/core';
import type { PackPlan } from '../client/plan.ts';
import type { ReportedFinding } from '../core/lint-packs.ts';
import { PLAN_ERRORS } from '../core/publish-plan.ts';
import { planEntries, renderPlan } from './plan-report.ts';
import { type PullRequestRef, upsertPlanComment } from './pr-comment.ts';
import type { PackOutcome } from './result.ts';

export interface PlanStepInput {
  plans: readonly PackPlan[] | undefined;
  /** Why there is no plan (no registry access on a fork, …); undefined when there is one. */
  unavailable?: string;
  registry: string;
  sourceUrl?: string;
  pullRequest?: PullRequestRef;
  comment: boolean;
  token: string;
  userAgent: string;
}

/** The plan's findings on pack.json "version" lines, as the lint findings are reported. */
export function planFindings(plans: readonly PackPlan[]): ReportedFinding[] {
  return plans.flatMap((p) =>
    p.finding
      ? [{ ...p.finding, pack: p.path, file: p.path === '.' ? 'pack.json' : `${p.path}/pack.json` }]
      : [],
  );
}

/** Packs whose plan is an error are not publishable: invalid, with the plan's reason. */
export function applyPlan(outcomes: PackOutcome[], plans: readonly PackPlan[]): void {
  const byPath = new Map(plans.map((p) => [p.path, p]));
  for (const o of outcomes) {
    const p = byPath.get(o.path);
    if (p && PLAN_ERRORS.has(p.verdict.kind)) {
      o.status = 'invalid';
      o.message = p.verdict.reason;
    }
  }
}

/**
 * Outputs plan and plan-errors, and on a pull request the sticky comment. Returns the plan's
 * Markdown for the job summary. A comment that cannot be written is a warning, never a failure.
 */
export async function reportPlan(s: PlanStepInput, outcomes: readonly PackOutcome[]): Promise<string> {
  const plans = s.plans ?? [];
  core.setOutput('plan', s.plans ? JSON.stringify(planEntries(plans)) : '');
  core.setOutput('plan-errors', plans.filter((p) => PLAN_ERRORS.has(p.verdict.kind)).length);
  const lint = new Map(outcomes.map((o) => [o.path, { errors: o.errors, warnings: o.warnings }]));
  const markdown = renderPlan({
    plans,
    registry: s.registry,
    sourceUrl: s.sourceUrl,
    lint,
    unavailable: s.unavailable,
  });
  if (!s.pullRequest) return markdown;
  if (!s.comment) {
    core.info('comment is false: the plan is in the job summary only');
    return markdown;
  }
  if (!s.token) {
    core.warning('No github-token: the plan is in the job summary, not in a pull-request comment');
    return markdown;
  }
  const pr = s.pullRequest;
  const r = await upsertPlanComment(pr, lintLine(outcomes) + markdown, {
    token: s.token,
    userAgent: s.userAgent,
  });
  if (r.action === 'failed') core.warning(`Could not write the plan comment on #${pr.number}: ${r.error}`);
  else core.info(`Plan comment ${r.action} on #${pr.number}: ${r.url}`);
  return markdown;
}

/** The comment's first line after the marker: the lint verdict (the plan alone would hide it). */
function lintLine(outcomes: readonly PackOutcome[]): string {
  const bad = outcomes.filter((o) => o.status === 'invalid' || o.status === 'failed');
  return bad.length === 0
    ? ''
    : `> ❌ **${bad.length} of ${outcomes.length} pack${outcomes.length === 1 ? '' : 's'} would not publish**: ${bad
        .map((o) => `\`${o.path}\` (${(o.message ?? o.status).replace(/[|`\n]/g, ' ').slice(0, 160)})`)
        .join('; ')}\n\n`;
}
