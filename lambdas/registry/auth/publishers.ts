import { createHash } from 'node:crypto';
import type { PublisherBinding } from '../ports.ts';

/**
 * Trusted-publisher bindings and how a GitHub Actions ID token's claims are matched against
 * them. Pure functions: no I/O, so every rule is unit-tested (test/unit/publishers.test.ts).
 */

/** One claim that did not satisfy a binding (never the token itself). */
export interface Mismatch {
  claim: string;
  expected: string;
  actual: string | null;
}

/**
 * What `packyard publisher add` and `POST /api/v1/publishers` accept: a binding without what the
 * registry fills in. `workflow` may also be short (`publish.yml`, `.github/workflows/publish.yml`);
 * newBinding normalises it.
 */
export type BindingInput = Omit<PublisherBinding, 'id' | 'createdAt' | 'createdBy'>;

const REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
const NUMERIC_ID = /^[0-9]{1,20}$/;
/** GitHub only runs workflows directly in .github/workflows/ (no sub-folders). */
const WORKFLOW_PATH = /^\.github\/workflows\/[^/]+\.ya?ml$/;
const PREFIX = /^[a-z0-9][a-z0-9._/-]*$/;

/**
 * Validates and normalises a binding: the workflow becomes `owner/repo/.github/workflows/<file>`
 * (a bare file name or path is in the bound repository), the prefix ends with `/`.
 */
export function normalizeBinding(
  input: BindingInput,
):
  | { binding: Omit<PublisherBinding, 'id' | 'createdAt' | 'createdBy'>; problems: [] }
  | { problems: string[] } {
  const problems: string[] = [];
  const repository = input.repository.trim();
  if (!REPOSITORY.test(repository))
    problems.push(`repository "${repository}" is not a GitHub repository name (owner/name)`);
  if (!NUMERIC_ID.test(input.repositoryId))
    problems.push(
      `repository id "${input.repositoryId}" is not GitHub's numeric id (gh api repos/OWNER/NAME --jq .id)`,
    );
  if (!NUMERIC_ID.test(input.repositoryOwnerId))
    problems.push(
      `owner id "${input.repositoryOwnerId}" is not GitHub's numeric id (gh api repos/OWNER/NAME --jq .owner.id)`,
    );
  let workflow = input.workflow.trim();
  if (!workflow.includes('/')) workflow = `.github/workflows/${workflow}`;
  if (workflow.startsWith('.github/')) workflow = `${repository}/${workflow}`;
  const [owner, name, ...rest] = workflow.split('/');
  const path = rest.join('/');
  if (!owner || !name || !REPOSITORY.test(`${owner}/${name}`) || !WORKFLOW_PATH.test(path))
    problems.push(
      `workflow "${input.workflow}" must name a workflow file: publish.yml, .github/workflows/publish.yml, or owner/repo/.github/workflows/publish.yml (a reusable workflow in another repository)`,
    );
  const environment = input.environment?.trim() || undefined;
  if (environment !== undefined && (environment.length > 255 || /[\n\r]/.test(environment)))
    problems.push('environment must be at most 255 characters on one line');
  const ref = input.ref?.trim() || undefined;
  if (ref !== undefined && !/^refs\/\S+$/.test(ref))
    problems.push(`ref "${ref}" must be a pattern on the full git ref, e.g. refs/heads/main or refs/tags/v*`);
  const rawPrefix = input.prefix.trim();
  if (!PREFIX.test(rawPrefix))
    problems.push(
      `prefix "${rawPrefix}" must be a repository prefix such as team-a/ (spectro-packs/ for packs without a base path)`,
    );
  if (problems.length > 0) return { problems };
  return {
    binding: {
      prefix: rawPrefix.endsWith('/') ? rawPrefix : `${rawPrefix}/`,
      repository,
      repositoryId: input.repositoryId,
      repositoryOwnerId: input.repositoryOwnerId,
      workflow,
      environment,
      ref,
    },
    problems: [],
  };
}

/**
 * The binding's id: a digest of what it matches and grants, so adding the same binding twice
 * keeps one (names lower-cased, as GitHub compares them).
 */
export function bindingId(b: Omit<PublisherBinding, 'id' | 'createdAt' | 'createdBy'>): string {
  const canonical = JSON.stringify([
    b.repository.toLowerCase(),
    b.repositoryId,
    b.repositoryOwnerId,
    workflowKey(b.workflow),
    b.environment ?? null,
    b.ref ?? null,
    b.prefix,
  ]);
  return `tp-${createHash('sha256').update(canonical).digest('hex').slice(0, 16)}`;
}

/** `Owner/Repo/.github/workflows/x.yml` → owner and repository lower case, the path as is. */
function workflowKey(workflow: string): string {
  const [owner = '', name = '', ...rest] = workflow.split('/');
  return [owner.toLowerCase(), name.toLowerCase(), ...rest].join('/');
}

function claimString(claims: Record<string, unknown>, name: string): string | null {
  const v = claims[name];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
}

/**
 * Why `claims` do not satisfy `binding` ([] when they do). All of these must hold:
 * - `repository` (case-insensitive) AND `repository_id` AND `repository_owner_id` (exact): the
 *   ids stop a repository deleted and re-created under the same name (by anyone) from inheriting
 *   the binding;
 * - `job_workflow_ref` without its `@<ref>` names the binding's workflow file: the file that
 *   defines the job that asked for the token. For a reusable workflow that is the reusable file,
 *   not the caller (`workflow_ref`), so only the code in the bound file can publish, whatever
 *   else the caller runs;
 * - `environment` equals the binding's, when the binding names one;
 * - `ref` matches the binding's glob, when it has one;
 * - `event_name` is not `pull_request_target`: that event runs with the base repository's token
 *   on behalf of a fork's pull request, a classic way to leak publishing rights.
 */
export function matchBinding(binding: PublisherBinding, claims: Record<string, unknown>): Mismatch[] {
  const out: Mismatch[] = [];
  const repository = claimString(claims, 'repository');
  if (repository?.toLowerCase() !== binding.repository.toLowerCase())
    out.push({ claim: 'repository', expected: binding.repository, actual: repository });
  const repositoryId = claimString(claims, 'repository_id');
  if (repositoryId !== binding.repositoryId)
    out.push({ claim: 'repository_id', expected: binding.repositoryId, actual: repositoryId });
  const ownerId = claimString(claims, 'repository_owner_id');
  if (ownerId !== binding.repositoryOwnerId)
    out.push({ claim: 'repository_owner_id', expected: binding.repositoryOwnerId, actual: ownerId });
  const jobWorkflowRef = claimString(claims, 'job_workflow_ref');
  const workflow = jobWorkflowRef === null ? null : jobWorkflowRef.replace(/@.*$/, '');
  if (workflow === null || workflowKey(workflow) !== workflowKey(binding.workflow))
    out.push({ claim: 'job_workflow_ref', expected: `${binding.workflow}@*`, actual: jobWorkflowRef });
  if (binding.environment !== undefined) {
    const environment = claimString(claims, 'environment');
    if (environment !== binding.environment)
      out.push({ claim: 'environment', expected: binding.environment, actual: environment });
  }
  if (binding.ref !== undefined) {
    const ref = claimString(claims, 'ref');
    if (ref === null || !globMatch(binding.ref, ref))
      out.push({ claim: 'ref', expected: binding.ref, actual: ref });
  }
  const event = claimString(claims, 'event_name');
  if (event === 'pull_request_target')
    out.push({ claim: 'event_name', expected: 'any event but pull_request_target', actual: event });
  return out;
}

/** Glob on a git ref: `*` and `?` stay within one `/` segment, `**` crosses segments. */
export function globMatch(pattern: string, value: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`).test(value);
}

/** Claims copied into provenance (and audit records) when present, under these names. */
const PROVENANCE_CLAIMS: [string, string][] = [
  ['repository', 'repository'],
  ['repository_id', 'repositoryId'],
  ['repository_owner', 'repositoryOwner'],
  ['repository_owner_id', 'repositoryOwnerId'],
  ['repository_visibility', 'repositoryVisibility'],
  ['job_workflow_ref', 'jobWorkflowRef'],
  ['workflow_ref', 'workflowRef'],
  ['run_id', 'runId'],
  ['run_attempt', 'runAttempt'],
  ['sha', 'sha'],
  ['ref', 'ref'],
  ['actor', 'actor'],
  ['event_name', 'eventName'],
  ['environment', 'environment'],
];

/** Who published: the workflow run behind a verified ID token, as flat strings. */
export function provenanceOf(claims: Record<string, unknown>, issuer: string): Record<string, string> {
  const out: Record<string, string> = { publisher: 'github-oidc', issuer };
  for (const [claim, key] of PROVENANCE_CLAIMS) {
    const v = claimString(claims, claim);
    // Bounded: provenance travels inside every token derived from the exchange.
    if (v !== null) out[key] = v.slice(0, 512);
  }
  return out;
}

/** A complete binding from admin input, or the problems with it (one per line). */
export function newBinding(
  input: BindingInput,
  createdBy: string,
  at: Date,
): { binding: PublisherBinding; problems: [] } | { problems: string[] } {
  const normal = normalizeBinding(input);
  if (!('binding' in normal)) return normal;
  const b = normal.binding;
  return {
    binding: { id: bindingId(b), ...b, createdAt: at.toISOString(), createdBy },
    problems: [],
  };
}

/** May an admin limited to `adminPrefix` manage a binding for `prefix`? */
export function managesPrefix(adminPrefix: string | undefined, prefix: string): boolean {
  if (adminPrefix === undefined) return false;
  if (adminPrefix === '') return true;
  return prefix.startsWith(adminPrefix.endsWith('/') ? adminPrefix : `${adminPrefix}/`);
}
