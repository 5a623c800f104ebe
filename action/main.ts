import path from 'node:path';
import * as core from '@actions/core';
import { AuthError } from '../client/auth.ts';
import { mapLimit, publishPack } from '../client/publish.ts';
import type { RegistryRef } from '../client/reference.ts';
import { RegistryClient, RegistryError } from '../client/registry-client.ts';
import { type BuiltPack, buildPack } from '../core/build-pack.ts';
import { discoverPacks, PathNotFoundError } from '../core/discover.ts';
import { closeGzipPool, helpGzipPool } from '../core/gzip.ts';
import { formatBytes } from '../core/lint/context.ts';
import { type LintRun, lintPackDirs, type PackReport } from '../core/lint-packs.ts';
import { annotate, annotationOverflowNote } from './annotations.ts';
import { type ActionInputs, parseInputs } from './inputs.ts';
import { countStatuses, failureMessage, type PackOutcome, plural, resultEntries } from './result.ts';
import { renderSummary } from './summary.ts';

declare const __PACKYARD_VERSION__: string | undefined;
const VERSION = typeof __PACKYARD_VERSION__ === 'string' ? __PACKYARD_VERSION__ : 'dev';

/** The Action: lint → package → publish what the registry does not have → annotations, summary, outputs. */
export async function run(): Promise<void> {
  try {
    await main(process.env);
  } catch (err) {
    core.setFailed(err instanceof Error ? err.message : String(err));
  } finally {
    await closeGzipPool();
  }
}

async function main(env: NodeJS.ProcessEnv): Promise<void> {
  // Parsing reads the password first and masks it before anything can print it.
  const inputs = parseInputs((name) => core.getInput(name), core.setSecret);
  const workspace = path.resolve(env.GITHUB_WORKSPACE || process.cwd());
  // Pack paths are shown (and annotated) relative to the workspace, the repository root.
  process.chdir(workspace);
  const roots = inputs.paths.map((p) => workspaceRelative(workspace, p));

  const refusal = (p: PackReport): string | undefined => {
    if (p.errors > 0) return `${plural(p.errors, 'lint error')}`;
    if (!p.name || !p.version) return 'pack.json gives no name or version';
    if (inputs.failOn === 'warning' && p.warnings > 0)
      return `${plural(p.warnings, 'lint warning')} (fail-on: warning)`;
    return undefined;
  };
  // Packaging starts as soon as a pack lints clean, so compression overlaps with linting the rest.
  const builds = new Map<string, Promise<BuiltPack>>();
  const startBuild = (p: PackReport) => {
    const job = buildPack(p.tree, p.name as string, p.version as string);
    job.catch(() => {}); // awaited in the Build phase
    builds.set(p.pack, job);
    return job;
  };

  const lint = await core.group('Lint', async () => {
    const dirs = await discover(roots, workspace);
    core.info(`Linting ${plural(dirs.length, 'pack')} under ${roots.join(', ')}`);
    const run = await lintPackDirs(dirs, { onPack: (p) => refusal(p) === undefined && startBuild(p) });
    core.info(lintLog(run));
    return run;
  });
  const annotations = annotate(lint.findings, inputs.annotationsLimit, core);
  const overflow = annotationOverflowNote(annotations);
  if (overflow) core.info(overflow);

  const outcomes: PackOutcome[] = [];
  const built: { pack: BuiltPack; outcome: PackOutcome }[] = [];
  await core.group('Build', async () => {
    await helpGzipPool();
    for (const p of lint.packs) {
      const outcome: PackOutcome = {
        path: p.pack,
        name: p.name ?? null,
        version: p.version ?? null,
        digest: null,
        status: 'invalid',
        errors: p.errors,
        warnings: p.warnings,
        uploaded: 0,
      };
      outcomes.push(outcome);
      const why = refusal(p); // checked again: duplicates across packs are flagged after linting
      if (why) {
        outcome.message = why;
        core.info(`✖ ${p.pack}: not packaged: ${why}`);
        continue;
      }
      try {
        const pack = await (builds.get(p.pack) ?? startBuild(p));
        outcome.digest = pack.manifestDigest;
        built.push({ pack, outcome });
        core.info(
          `built ${pack.name}@${pack.version}  ${pack.archiveName}  ${formatBytes(pack.archive.length)}  ${pack.manifestDigest}`,
        );
      } catch (err) {
        outcome.status = 'failed';
        outcome.message = `packaging failed: ${(err as Error).message}`;
        core.info(`✖ ${p.pack}: ${outcome.message}`);
      }
    }
  });

  if (inputs.dryRun) {
    for (const { outcome } of built) {
      outcome.status = 'skipped';
      outcome.message = 'dry run: not pushed';
    }
    core.info(`Dry run: ${plural(built.length, 'pack')} packaged, nothing pushed.`);
  } else if (built.length > 0) {
    const registry = inputs.registry as RegistryRef;
    await core.group(`Publish to ${displayRegistry(registry)}`, () => publish(inputs, registry, built));
  }

  const counts = countStatuses(outcomes);
  core.setOutput('result', JSON.stringify(resultEntries(outcomes)));
  core.setOutput('published', counts.published);
  core.setOutput('skipped', counts.skipped);
  core.setOutput('invalid', counts.invalid);
  core.setOutput('failed', counts.failed);
  core.setOutput('dry-run', inputs.dryRun);

  await writeSummary(
    renderSummary({
      outcomes,
      findings: lint.findings,
      registry: inputs.registry && displayRegistry(inputs.registry),
      dryRun: inputs.dryRun,
      failOn: inputs.failOn,
      annotations,
      sourceUrl: sourceUrl(env),
    }),
    env,
  );

  const failure = failureMessage(outcomes, inputs.failOn);
  core.info(
    `${plural(outcomes.length, 'pack')}: ${counts.published} published, ${counts.skipped} skipped, ${counts.invalid} invalid, ${counts.failed} failed${inputs.dryRun ? ' (dry run)' : ''}`,
  );
  if (failure) core.setFailed(failure);
}

/** Publishes each built pack, deciding by what the registry holds (HEAD by tag, digest compared). */
async function publish(
  inputs: ActionInputs,
  registry: RegistryRef,
  built: { pack: BuiltPack; outcome: PackOutcome }[],
): Promise<void> {
  const client = new RegistryClient({
    registry,
    credentials: inputs.credentials,
    userAgent: `packyard-action/${VERSION}`,
  });
  core.info(
    inputs.credentials
      ? `Signing in to ${registry.origin} as ${inputs.credentials.username}`
      : `No username and password given: using ${registry.origin} anonymously`,
  );
  try {
    await client.ping();
  } catch (err) {
    // One clear reason, not the same failure once per pack.
    const message = describeRegistryError(err, registry, inputs);
    core.info(`✖ ${message}`);
    for (const { outcome } of built) {
      outcome.status = 'failed';
      outcome.message = message;
    }
    return;
  }
  await mapLimit(built, inputs.concurrency, async ({ pack, outcome }) => {
    const r = await publishPack(client, pack);
    outcome.status = r.status;
    outcome.uploaded = r.uploaded;
    if (r.status === 'skipped') outcome.message = 'already in the registry';
    else if (r.message) outcome.message = r.message;
    const what = `${pack.name}@${pack.version} → ${r.repository}:${pack.version}`;
    if (r.status === 'published')
      core.info(`published ${what}  ${r.digest}  (${formatBytes(r.uploaded)} uploaded)`);
    else if (r.status === 'skipped') core.info(`skipped ${what}  ${r.digest}  (already in the registry)`);
    else core.info(`✖ ${r.status} ${what}: ${r.message ?? ''}`);
  });
}

function describeRegistryError(err: unknown, registry: RegistryRef, inputs: ActionInputs): string {
  const where = `the registry at ${registry.origin}`;
  if (
    err instanceof AuthError ||
    (err instanceof RegistryError && (err.status === 401 || err.status === 403))
  ) {
    const who = inputs.credentials
      ? `the credentials of "${inputs.credentials.username}"`
      : 'anonymous access';
    return `${where} refused ${who}: ${(err as Error).message}. Check the username and password inputs (and that the secret is available to this workflow)`;
  }
  if (err instanceof RegistryError) return `${where}: ${err.message}`;
  // Node's fetch says only "fetch failed"; the system error code is somewhere down the causes.
  const message = (err as Error).message === 'fetch failed' ? 'no connection' : (err as Error).message;
  const code = errorCode(err);
  return `${where} did not answer: ${message}${code && !message.includes(code) ? ` (${code})` : ''}`;
}

function errorCode(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  for (let e = err; e && typeof e === 'object' && !seen.has(e); ) {
    seen.add(e);
    const { code, cause, errors } = e as { code?: unknown; cause?: unknown; errors?: unknown[] };
    if (typeof code === 'string') return code;
    e = cause ?? (Array.isArray(errors) ? errors[0] : undefined);
  }
  return undefined;
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

function displayRegistry(r: RegistryRef): string {
  return `${r.host}${r.basePath ? `/${r.basePath}` : ''}`;
}

function sourceUrl(env: NodeJS.ProcessEnv): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_SHA: sha } = env;
  return server && repo && sha ? `${server}/${repo}/blob/${sha}/` : undefined;
}

/** The lint result for the log: every pack with its findings. */
function lintLog(run: LintRun): string {
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
