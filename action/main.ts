import path from 'node:path';
import * as core from '@actions/core';
import type { RegistryRef } from '../client/reference.ts';
import { discoverPacks, PathNotFoundError } from '../core/discover.ts';
import {
  type EngineEvent,
  type PackOutcome as EngineOutcome,
  registryPort,
  runEngine,
} from '../publish/engine.ts';
import { annotate, annotationOverflowNote } from './annotations.ts';
import { connect, displayRegistry, type Session } from './connect.ts';
import { parseInputs } from './inputs.ts';
import { buildLine, lintLog, publishLine, unchangedLog, unchangedOutcome } from './log.ts';
import { type AuthPlan, planAuth, pullRequestFork } from './oidc.ts';
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
  // Parsing reads the password first and masks it before anything can print it.
  const inputs = parseInputs((name) => core.getInput(name), core.setSecret);
  // A dry run never contacts the registry; otherwise a job that cannot sign in the way it asked
  // (oidc: true without an ID token) fails here, before any work.
  const auth: AuthPlan = inputs.dryRun ? { kind: 'anonymous' } : planAuth(inputs, env, pullRequestFork(env));
  const workspace = path.resolve(env.GITHUB_WORKSPACE || process.cwd());
  // Pack paths are shown (and annotated) relative to the workspace, the repository root.
  process.chdir(workspace);
  const roots = inputs.paths.map((p) => workspaceRelative(workspace, p));
  // Found before signing in: a missing checkout is one clear error, with no registry contacted.
  const dirs = await discover(roots, workspace);
  const registry = inputs.dryRun ? undefined : (inputs.registry as RegistryRef);
  const session = registry ? await connect(inputs, auth, registry) : undefined;

  // The engine publishes as packs are packaged; the Build and Publish groups are written once it is
  // done (in discovery order), so the log keeps one group per step.
  const { lint, outcomes } = await runEngine({
    dirs,
    registry: session?.ready ? registryPort(session.client, inputs.concurrency) : undefined,
    failOn: inputs.failOn,
    concurrency: inputs.concurrency,
    onEvent: (e) => logLive(e, roots, session),
  });
  const annotations = annotate(lint.findings, inputs.annotationsLimit, core);
  const overflow = annotationOverflowNote(annotations);
  if (overflow) core.info(overflow);

  const linted = outcomes.filter((o) => o.reason !== 'unchanged');
  const packaged = linted.filter((o) => o.built);
  await core.group('Build', async () => {
    for (const o of linted) core.info(buildLine(o));
  });
  if (inputs.dryRun) {
    core.info(`Dry run: ${plural(packaged.length, 'pack')} packaged, nothing pushed.`);
  } else if (session && packaged.length > 0) {
    await core.group(`Publish to ${displayRegistry(session.registry)}`, async () => {
      if (session.ready) for (const o of packaged) core.info(publishLine(o));
    });
  }
  // Every pack in discovery order: the linted ones' outcomes, the unchanged ones' records.
  const results = outcomes.map((o) => actionOutcome(o, session));

  const counts = countStatuses(results);
  core.setOutput('result', JSON.stringify(resultEntries(results)));
  core.setOutput('published', counts.published);
  core.setOutput('skipped', counts.skipped);
  core.setOutput('invalid', counts.invalid);
  core.setOutput('failed', counts.failed);
  core.setOutput('dry-run', inputs.dryRun);

  await writeSummary(
    renderSummary({
      outcomes: results,
      findings: lint.findings,
      registry: inputs.registry && displayRegistry(inputs.registry),
      dryRun: inputs.dryRun,
      failOn: inputs.failOn,
      annotations,
      sourceUrl: sourceUrl(env),
    }),
    env,
  );

  const failure = failureMessage(results, inputs.failOn);
  core.info(
    `${plural(results.length, 'pack')}: ${counts.published} published, ${counts.skipped} skipped, ${counts.invalid} invalid, ${counts.failed} failed${inputs.dryRun ? ' (dry run)' : ''}`,
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
  }
}

/** The engine's outcome as the Action reports it (outputs, summary, failure message). */
function actionOutcome(o: EngineOutcome, session: Session | undefined): PackOutcome {
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
  else if (o.reason === 'packaged' && session) {
    // Packaged but not pushed: the registry did not answer (connect said why).
    out.status = 'failed';
    out.message = session.problem;
  } else if (o.reason === 'packaged') out.message = 'dry run: not pushed';
  else if (o.message) out.message = o.message;
  return out;
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
