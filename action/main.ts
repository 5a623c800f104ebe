import path from 'node:path';
import * as core from '@actions/core';
import { AuthError, type BasicCredentials } from '../client/auth.ts';
import { NetworkError } from '../client/http.ts';
import { describeExchangeError, discoverOidc, exchangeOidcToken, OidcExchangeError } from '../client/oidc.ts';
import { mapLimit, publishPack } from '../client/publish.ts';
import type { RegistryRef } from '../client/reference.ts';
import { RegistryClient, RegistryError } from '../client/registry-client.ts';
import { findUnchanged, type PublishedVersion } from '../client/unchanged.ts';
import { type BuiltPack, buildPack } from '../core/build-pack.ts';
import { discoverPacks, PathNotFoundError } from '../core/discover.ts';
import { closeGzipPool, helpGzipPool } from '../core/gzip.ts';
import { formatBytes } from '../core/lint/context.ts';
import { lintPolicies } from '../core/lint-config-file.ts';
import { type LintRun, lintPackDirs, type PackReport, toPosix } from '../core/lint-packs.ts';
import { readPack } from '../core/pack-identity.ts';
import { annotate, annotationOverflowNote } from './annotations.ts';
import { type ActionInputs, parseInputs } from './inputs.ts';
import { type AuthPlan, planAuth, prefixesCover, pullRequestFork } from './oidc.ts';
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
  // A dry run never contacts the registry; otherwise a job that cannot sign in the way it asked
  // (oidc: true without an ID token) fails here, before any work.
  const auth: AuthPlan = inputs.dryRun ? { kind: 'anonymous' } : planAuth(inputs, env, pullRequestFork(env));
  const workspace = path.resolve(env.GITHUB_WORKSPACE || process.cwd());
  // Pack paths are shown (and annotated) relative to the workspace, the repository root.
  process.chdir(workspace);
  const roots = inputs.paths.map((p) => workspaceRelative(workspace, p));
  // A bad config fails the step before anything is linted, naming file:line.
  const policyFor = lintPolicies(inputs.config);

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

  const dirs = await discover(roots, workspace);
  const packs = dirs.map(readPack);
  // Publishing: reach the registry first; a Packyard registry says which packs it holds unchanged.
  const registry = inputs.dryRun ? undefined : (inputs.registry as RegistryRef);
  const session = registry ? await connect(inputs, auth, registry) : undefined;
  const unchanged = new Map<string, PublishedVersion>();
  if (session?.ready) {
    await core.group(`Ask ${displayRegistry(session.registry)} what it holds`, async () => {
      const found = await findUnchanged(session.client, packs, {
        concurrency: inputs.concurrency,
        // Stand in for linting only where the recorded lint passes this run's fail-on.
        gate: (lint) => lint.errors === 0 && (inputs.failOn === 'error' || lint.warnings === 0),
      });
      for (const [dir, v] of found) unchanged.set(dir, v);
      core.info(unchangedLog(packs.length, found));
    });
  }
  const rest = packs.filter((p) => !unchanged.has(p.dir));

  const lint = await core.group('Lint', async () => {
    core.info(`Linting ${plural(rest.length, 'pack')} under ${roots.join(', ')}`);
    const run = await lintPackDirs(
      rest.map((p) => p.dir),
      {
        trees: rest.map((p) => p.tree),
        policyFor,
        onPack: (p) => refusal(p) === undefined && startBuild(p),
      },
    );
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
  } else if (session && built.length > 0) {
    await core.group(`Publish to ${displayRegistry(session.registry)}`, () =>
      publish(inputs, session, built),
    );
  }
  // Every pack in discovery order: the linted ones' outcomes, the unchanged ones' records.
  const linted = new Map(outcomes.map((o) => [o.path, o]));
  const results = packs.map((p) => {
    const v = unchanged.get(p.dir);
    return v ? unchangedOutcome(toPosix(p.dir), v) : (linted.get(toPosix(p.dir)) as PackOutcome);
  });

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

/** A client for the registry, and whether it answered with these credentials (else why not). */
interface Session {
  registry: RegistryRef;
  client: RegistryClient;
  ready: boolean;
  problem?: string;
}

/**
 * Signs in (password, trusted publishing or anonymously) and reaches the registry once, before
 * linting: a failure is one clear reason, not one per pack.
 */
async function connect(inputs: ActionInputs, auth: AuthPlan, registry: RegistryRef): Promise<Session> {
  const userAgent = `packyard-action/${VERSION}`;
  const failed = (problem: string): Session => {
    core.info(`✖ ${problem}`);
    return { registry, client: new RegistryClient({ registry, userAgent }), ready: false, problem };
  };
  let credentials: BasicCredentials | undefined;
  let who: string;
  if (auth.kind === 'password') {
    credentials = auth.credentials;
    who = `the credentials of "${credentials.username}"`;
    core.info(`Signing in to ${registry.origin} as ${credentials.username}`);
  } else if (auth.kind === 'oidc') {
    try {
      const exchanged = await trustedPublishing(inputs, registry, userAgent);
      credentials = exchanged.credentials;
      const granted = exchanged.prefixes.map((p) => `${p}*`).join(', ');
      who = `the trusted-publishing token for ${granted}`;
      if (!prefixesCover(exchanged.prefixes, registry.basePath)) {
        return failed(
          `the trusted publisher lets this workflow push to ${granted} only, but packs go to ${registry.basePath ? `${registry.basePath}/` : ''}spectro-packs/archive/…; publish to a registry path inside the prefix, or bind the workflow to this one (packyard publisher add --prefix)`,
        );
      }
    } catch (err) {
      return failed(describeOidcError(err, registry));
    }
  } else {
    who = 'anonymous access';
    core.info(`No username and password given: using ${registry.origin} anonymously`);
    if (auth.note) core.info(auth.note);
  }
  const client = new RegistryClient({ registry, credentials, userAgent });
  try {
    await client.ping();
  } catch (err) {
    return failed(describeRegistryError(err, registry, who, auth));
  }
  return { registry, client, ready: true };
}

/** Publishes each built pack, deciding by what the registry holds (HEAD by tag, digest compared). */
async function publish(
  inputs: ActionInputs,
  session: Session,
  built: { pack: BuiltPack; outcome: PackOutcome }[],
): Promise<void> {
  if (!session.ready) {
    for (const { outcome } of built) {
      outcome.status = 'failed';
      outcome.message = session.problem;
    }
    return;
  }
  const { client } = session;
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

/** A pack the registry holds with the same content: its recorded lint and push stand in for this run's. */
function unchangedOutcome(path: string, v: PublishedVersion): PackOutcome {
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

function unchangedLog(total: number, found: ReadonlyMap<string, PublishedVersion>): string {
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

/**
 * Trusted publishing: the audience from oidc-audience or the registry, an ID token for it from
 * GitHub, exchanged for a push token. Both tokens are masked before anything could print them.
 */
async function trustedPublishing(
  inputs: ActionInputs,
  registry: RegistryRef,
  userAgent: string,
): Promise<{ credentials: BasicCredentials; prefixes: string[] }> {
  const audience = inputs.oidcAudience ?? (await discoverOidc(registry, { userAgent })).audience;
  core.info(`Trusted publishing: requesting a GitHub OIDC ID token for the audience "${audience}"`);
  let idToken: string;
  try {
    idToken = await core.getIDToken(audience);
  } catch (err) {
    throw new Error(
      `GitHub did not give this job an ID token (${(err as Error).message.replace(/\s+/g, ' ').trim()}); does the job have permissions: id-token: write?`,
    );
  }
  core.setSecret(idToken);
  const exchanged = await exchangeOidcToken(registry, idToken, { userAgent });
  core.setSecret(exchanged.credentials.password);
  core.info(
    `Exchanged it at ${registry.origin} for a push token valid ${Math.round(exchanged.expiresIn / 60)} minutes for ${exchanged.prefixes.map((p) => `${p}*`).join(', ')} (trusted publisher ${exchanged.bindings.join(', ')})`,
  );
  return exchanged;
}

const OIDC_HINTS: Record<string, string> = {
  no_bindings:
    'add a trusted publisher for this repository and workflow on the registry (packyard publisher add)',
  binding_mismatch:
    "the registry's trusted publishers name another repository id, owner id, workflow file, environment or ref than this run; fix the binding (packyard publisher list) or the workflow",
  wrong_audience: "set oidc-audience to the registry's audience (GET /api/v1/oidc names it)",
  replayed: 'each ID token is accepted once; re-run the job',
  expired: "the runner's clock or a slow step: re-run the job",
};

function describeOidcError(err: unknown, registry: RegistryRef): string {
  if (err instanceof OidcExchangeError) {
    const hint = err.reason ? OIDC_HINTS[err.reason] : undefined;
    return `trusted publishing to ${registry.origin} failed: ${describeExchangeError(err)}${hint ? `\n${hint}` : ''}`;
  }
  if (err instanceof NetworkError) return `the registry at ${registry.origin} did not answer: ${err.message}`;
  return `trusted publishing to ${registry.origin} failed: ${(err as Error).message}`;
}

function describeRegistryError(err: unknown, registry: RegistryRef, who: string, auth: AuthPlan): string {
  const where = `the registry at ${registry.origin}`;
  if (
    err instanceof AuthError ||
    (err instanceof RegistryError && (err.status === 401 || err.status === 403))
  ) {
    const check =
      auth.kind === 'oidc'
        ? "Check the trusted publisher's prefix on the registry"
        : auth.kind === 'anonymous'
          ? 'Pass username and password from secrets, or publish with trusted publishing (oidc, with permissions: id-token: write)'
          : 'Check the username and password inputs (and that the secret is available to this workflow)';
    return `${where} refused ${who}: ${(err as Error).message}. ${check}`;
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
