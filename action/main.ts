import path from 'node:path';
import * as core from '@actions/core';
import { describeImageChecks, ImageChecker } from '../client/image-check.ts';
import { discoverPacks, PathNotFoundError } from '../core/discover.ts';
import { lintPolicies } from '../core/lint-config-file.ts';
import {
  type EngineEvent,
  type PackOutcome as EngineOutcome,
  registryPort,
  runEngine,
} from '../publish/engine.ts';
import { annotate, annotationOverflowNote } from './annotations.ts';
import { connect, displayRegistry, type Session } from './connect.ts';
import { type ActionInputs, parseInputs } from './inputs.ts';
import { buildLine, lintLog, publishLine, unchangedLog, unchangedOutcome } from './log.ts';
import { type AuthPlan, planAuth, pullRequestFork } from './oidc.ts';
import { syncPalette } from './palette-step.ts';
import { applyPlan, planFindings, reportPlan } from './plan-step.ts';
import { pullRequestOf } from './pr-comment.ts';
import { countStatuses, failureMessage, type PackOutcome, plural, resultEntries } from './result.ts';
import { renderSummary } from './summary.ts';

/** The Action: lint → package → publish what the registry does not have → annotations, summary, outputs. */
export async function run(): Promise<void> {
  try {
    await main(process.env);
  } catch (err) {
    core.setFailed(err instanceof Error ? err.message : String(err));
  }
}

async function main(env: NodeJS.ProcessEnv): Promise<void> {
  const pr = pullRequestOf(env);
  const fork = pullRequestFork(env);
  // Parsing reads the secrets first and masks them before anything can print them.
  const inputs = parseInputs((name) => core.getInput(name), core.setSecret, {
    pullRequest: pr !== undefined,
  });
  // Pull requests and dry runs plan (read the registry, push nothing); a dry run without a
  // registry only lints and packages. A publishing job that cannot sign in the way it asked
  // (oidc: true without an ID token) fails here, before any work.
  const planning = pr !== undefined || inputs.dryRun;
  const auth: AuthPlan = !inputs.registry
    ? { kind: 'anonymous' }
    : planning
      ? readAuth(inputs, env, fork)
      : planAuth(inputs, env, fork);
  const workspace = path.resolve(env.GITHUB_WORKSPACE || process.cwd());
  // Pack paths are shown (and annotated) relative to the workspace, the repository root.
  process.chdir(workspace);
  const roots = inputs.paths.map((p) => workspaceRelative(workspace, p));
  // Found before signing in: a missing checkout is one clear error, with no registry contacted.
  const dirs = await discover(roots, workspace);
  // A bad lint config fails the step before signing in, naming file:line.
  const policyFor = lintPolicies(inputs.config);
  const registry = inputs.registry;
  const session = registry ? await connect(inputs, auth, registry) : undefined;
  const noPlan = session && !session.ready ? planUnavailable(session, fork) : undefined;

  // The engine publishes as packs are packaged; the Build and Publish groups are written once it is
  // done (in discovery order), so the log keeps one group per step.
  const { lint, outcomes, plans } = await runEngine({
    dirs,
    registry: session?.ready ? registryPort(session.client, inputs.concurrency) : undefined,
    failOn: inputs.failOn,
    concurrency: inputs.concurrency,
    mode: planning ? 'plan' : 'publish',
    images: inputs.checkImages ? imageChecker(inputs, session) : undefined,
    policyFor,
    onEvent: (e) => logLive(e, roots, session),
  });
  // The plan's errors (a version not bumped, or lower) are findings on pack.json's "version" line.
  const findings = plans ? [...lint.findings, ...planFindings(plans)] : lint.findings;
  const annotations = annotate(findings, inputs.annotationsLimit, core);
  const overflow = annotationOverflowNote(annotations);
  if (overflow) core.info(overflow);

  const linted = outcomes.filter((o) => o.reason !== 'unchanged');
  const packaged = linted.filter((o) => o.built);
  await core.group('Build', async () => {
    for (const o of linted) core.info(buildLine(o));
  });
  if (planning) {
    core.info(
      `${inputs.dryRun ? 'Dry run' : 'Pull request'}: ${plural(packaged.length, 'pack')} packaged, nothing pushed.`,
    );
  } else if (session && packaged.length > 0) {
    await core.group(`Publish to ${displayRegistry(session.registry)}`, async () => {
      if (session.ready) for (const o of packaged) core.info(publishLine(o));
    });
  }
  // Every pack in discovery order: the linted ones' outcomes, the unchanged ones' records.
  const results = outcomes.map((o) =>
    actionOutcome(o, session, planning && (inputs.dryRun ? 'dry run' : 'pull request')),
  );
  if (plans) applyPlan(results, plans);
  const planMarkdown =
    planning && registry
      ? await reportPlan(
          {
            plans,
            unavailable: noPlan,
            registry: displayRegistry(registry),
            sourceUrl: sourceUrl(env),
            pullRequest: pr,
            comment: inputs.comment,
            token: inputs.githubToken || env.GITHUB_TOKEN || '',
            userAgent: 'packyard-action',
          },
          results,
        )
      : '';
  if (!planning || !registry) core.setOutput('plan', '');
  const palette = planning
    ? { markdown: '' }
    : await syncPalette(
        inputs.palette,
        results
          .filter((r) => r.status === 'published')
          .map((r) => ({ name: r.name as string, version: r.version as string })),
        'packyard-action',
      );

  const counts = countStatuses(results);
  core.setOutput('result', JSON.stringify(resultEntries(results)));
  core.setOutput('published', counts.published);
  core.setOutput('skipped', counts.skipped);
  core.setOutput('invalid', counts.invalid);
  core.setOutput('failed', counts.failed);
  core.setOutput('dry-run', planning);

  await writeSummary(
    renderSummary({
      outcomes: results,
      findings,
      registry: inputs.registry && displayRegistry(inputs.registry),
      dryRun: planning,
      failOn: inputs.failOn,
      annotations,
      sourceUrl: sourceUrl(env),
    }) +
      [planMarkdown, palette.markdown]
        .filter(Boolean)
        .map((m) => `\n${m}`)
        .join(''),
    env,
  );

  const failure =
    [failureMessage(results, inputs.failOn), palette.failure].filter(Boolean).join('\n') || undefined;
  core.info(
    `${plural(results.length, 'pack')}: ${counts.published} published, ${counts.skipped} skipped, ${counts.invalid} invalid, ${counts.failed} failed${planning ? ` (${inputs.dryRun ? 'dry run' : 'pull request'})` : ''}`,
  );
  if (failure) core.setFailed(failure);
}

/** The groups written while the engine runs: what the registry holds, then the lint. */
function logLive(e: EngineEvent, roots: string[], session: Session | undefined): void {
  if (e.type === 'looked-up' && session) {
    core.startGroup(`Ask ${displayRegistry(session.registry)} what it holds`);
    core.info(unchangedLog(e.total, e.unchanged));
    core.endGroup();
  } else if (e.type === 'linted') {
    core.startGroup('Lint');
    core.info(`Linting ${plural(e.run.packs.length, 'pack')} under ${roots.join(', ')}`);
    core.info(lintLog(e.run));
    core.endGroup();
    if (e.images) {
      core.startGroup('Check images');
      for (const line of describeImageChecks(e.images)) core.info(line);
      core.endGroup();
    }
  }
}

/** The registry's own credentials serve images hosted on it; other registries are asked anonymously. */
function imageChecker(inputs: ActionInputs, session: Session | undefined): ImageChecker {
  const own = session?.registry.host;
  return new ImageChecker({ credentialsFor: (host) => (host === own ? inputs.credentials : undefined) });
}

/** The engine's outcome as the Action reports it (outputs, summary, failure message). */
function actionOutcome(
  o: EngineOutcome,
  session: Session | undefined,
  planOnly: string | false,
): PackOutcome {
  if (o.reason === 'unchanged' && o.recorded) return unchangedOutcome(o.path, o.recorded);
  const report = o.report;
  const out: PackOutcome = {
    path: o.path,
    name: o.name ?? null,
    version: o.version ?? null,
    digest: o.built?.manifestDigest ?? null,
    status: o.status,
    errors: report?.errors ?? 0,
    warnings: report?.warnings ?? 0,
    uploaded: o.uploaded,
  };
  if (o.reason === 'present') out.message = 'already in the registry';
  else if (o.reason === 'packaged' && planOnly) out.message = `${planOnly}: not pushed`;
  else if (o.reason === 'packaged' && session) {
    // Packaged but not pushed: the registry did not answer (connect said why).
    out.status = 'failed';
    out.message = session.problem;
  } else if (o.reason === 'packaged') out.message = 'dry run: not pushed';
  else if (o.message) out.message = o.message;
  return out;
}

/** A plan reads only: a sign-in that cannot happen (oidc: true on a fork) means anonymous reads. */
function readAuth(inputs: ActionInputs, env: NodeJS.ProcessEnv, fork: string | undefined): AuthPlan {
  try {
    return planAuth(inputs, env, fork);
  } catch (err) {
    return { kind: 'anonymous', note: (err as Error).message };
  }
}

/** Why there is no plan when the registry did not answer a plan's reads. */
function planUnavailable(session: Session, fork: string | undefined): string {
  const why = fork
    ? `this pull request comes from the fork ${fork}, and GitHub gives fork pull requests no secrets and no ID token; the registry did not let this run read anonymously (${session.problem})`
    : `the registry did not answer this run's reads (${session.problem})`;
  return `${why}. The packs were linted and packaged only; nothing is known about what merging would publish. To plan fork pull requests, let the registry allow anonymous pulls (PACKYARD_ANONYMOUS_PULL), or run the plan from the base repository.`;
}

async function discover(roots: string[], workspace: string): Promise<string[]> {
  let dirs: string[];
  try {
    dirs = await discoverPacks(roots);
  } catch (err) {
    if (err instanceof PathNotFoundError)
      throw new Error(`path: ${err.message} in ${workspace} (did the workflow run actions/checkout first?)`);
    throw err;
  }
  if (dirs.length === 0)
    throw new Error(
      `no packs found under ${roots.join(', ')} in ${workspace} (a pack is a folder holding pack.json)`,
    );
  return dirs;
}

function workspaceRelative(workspace: string, p: string): string {
  if (!path.isAbsolute(p)) return p;
  const rel = path.relative(workspace, p);
  return rel === '' ? '.' : rel.startsWith('..') || path.isAbsolute(rel) ? p : rel;
}

function sourceUrl(env: NodeJS.ProcessEnv): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_SHA: sha } = env;
  return server && repo && sha ? `${server}/${repo}/blob/${sha}/` : undefined;
}

async function writeSummary(markdown: string, env: NodeJS.ProcessEnv): Promise<void> {
  if (!env.GITHUB_STEP_SUMMARY) {
    core.info('GITHUB_STEP_SUMMARY is not set: no job summary written');
    return;
  }
  try {
    await core.summary.addRaw(markdown).write();
  } catch (err) {
    core.warning(`could not write the job summary: ${(err as Error).message}`);
  }
}
