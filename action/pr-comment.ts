import { readFileSync } from 'node:fs';
import { getOctokit } from '@actions/github';

/** The hidden first line that marks the plan comment, so each run finds and updates it. */
export const PLAN_MARKER = '<!-- packyard-plan -->';

/** GitHub rejects issue comments over 65 536 characters. */
export const MAX_COMMENT_CHARS = 65_000;

export interface PullRequestRef {
  owner: string;
  repo: string;
  number: number;
}

/** The pull request this run is for (pull_request and pull_request_target events), from the event file. */
export function pullRequestOf(env: NodeJS.ProcessEnv): PullRequestRef | undefined {
  if (!env.GITHUB_EVENT_NAME?.startsWith('pull_request') || !env.GITHUB_EVENT_PATH) return undefined;
  try {
    const event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as {
      pull_request?: { number?: unknown };
      number?: unknown;
    };
    const number = event.pull_request?.number ?? event.number;
    const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
    return typeof number === 'number' && owner && repo ? { owner, repo, number } : undefined;
  } catch {
    return undefined;
  }
}

export type CommentResult =
  | { action: 'created' | 'updated' | 'unchanged'; url: string }
  | { action: 'failed'; error: string };

/**
 * Writes the plan as one sticky comment: the comment starting with PLAN_MARKER is updated in
 * place (every page of comments is searched), else one is created. Never throws: a GitHub API
 * problem is returned as `failed` with a message that names the fix but never the token.
 */
export async function upsertPlanComment(
  pr: PullRequestRef,
  markdown: string,
  opts: { token: string; timeoutMs?: number; userAgent?: string },
): Promise<CommentResult> {
  const body = `${PLAN_MARKER}\n${fitComment(markdown)}`;
  try {
    // GITHUB_API_URL (set by the runner; GitHub Enterprise too) is where getOctokit sends requests.
    const octokit = getOctokit(opts.token, {
      userAgent: opts.userAgent,
      request: { signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000) },
    });
    const comments = await octokit.paginate(octokit.rest.issues.listComments, {
      owner: pr.owner,
      repo: pr.repo,
      issue_number: pr.number,
      per_page: 100,
    });
    const mine = comments.find((c) => c.body?.startsWith(PLAN_MARKER));
    if (mine) {
      if (mine.body === body) return { action: 'unchanged', url: mine.html_url };
      const { data } = await octokit.rest.issues.updateComment({
        owner: pr.owner,
        repo: pr.repo,
        comment_id: mine.id,
        body,
      });
      return { action: 'updated', url: data.html_url };
    }
    const { data } = await octokit.rest.issues.createComment({
      owner: pr.owner,
      repo: pr.repo,
      issue_number: pr.number,
      body,
    });
    return { action: 'created', url: data.html_url };
  } catch (err) {
    return { action: 'failed', error: describeGitHubError(err) };
  }
}

function describeGitHubError(err: unknown): string {
  const e = err as { status?: number; message?: string; name?: string; response?: unknown };
  // Octokit reports a connection that failed (no response at all) as status 500.
  if (e.response === undefined && e.name === 'HttpError') {
    const cause = (e.message ?? '').replace(/\s+/g, ' ').slice(0, 200);
    return `the GitHub API did not answer (${cause === 'fetch failed' ? 'no connection' : cause}); the plan is in the job summary`;
  }
  if (e.status === 401) return 'GitHub refused the token (401); check the github-token input';
  if (e.status === 403 || e.status === 404)
    return `GitHub refused to write the comment (${e.status}); the job needs \`permissions: pull-requests: write\` (fork pull requests get a read-only token)`;
  if (typeof e.status === 'number' && e.status >= 500)
    return `the GitHub API failed (${e.status}); the plan is in the job summary`;
  const message = (e.message ?? String(err)).replace(/\s+/g, ' ').slice(0, 200);
  return `the GitHub API did not answer (${message}); the plan is in the job summary`;
}

/** Keeps a comment under GitHub's size limit, saying where the rest is. */
export function fitComment(markdown: string): string {
  if (markdown.length <= MAX_COMMENT_CHARS) return markdown;
  const note = '\n\n*The plan is cut here to fit a comment; the job summary has all of it.*\n';
  return markdown.slice(0, MAX_COMMENT_CHARS - note.length) + note;
}
