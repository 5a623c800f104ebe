/**
 * Trusted publishing end to end, as a workflow with `permissions: id-token: write` and no secrets
 * runs it: `packyard publisher add` on the data folder, `packyard serve` (a real process) trusting
 * a local OIDC issuer, and the bundled Action (dist/index.js) getting its ID token from a stand-in
 * of the runner's token endpoint (what @actions/core's getIDToken calls), exchanging it and
 * pushing.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { pack, result, runAction, workspace } from '../helpers/action.ts';
import {
  ACME,
  acmeBindingArgs,
  type LocalIssuer,
  startLocalIssuer,
  startRunnerTokenEndpoint,
} from '../helpers/oidc-issuer.ts';
import { ROOT, runCli, tempDir } from '../helpers/packs.ts';
import { basic } from '../helpers/registry.ts';
import { type Served, serve } from '../helpers/serve.ts';

const AUDIENCE = 'https://packs.acme.test';
const ADMIN = { username: 'root', password: 'root-password-1234' };

let issuer: LocalIssuer;
let runner: Awaited<ReturnType<typeof startRunnerTokenEndpoint>>;
let served: Served;
let host: string;
let bindingId: string;
/** The claims the runner's next ID tokens carry (a test may change the workflow run). */
let runClaims: () => Record<string, unknown>;

beforeAll(async () => {
  issuer = await startLocalIssuer({ audience: AUDIENCE });
  runClaims = () => issuer.claims();
  runner = await startRunnerTokenEndpoint(issuer, () => runClaims());
  const data = tempDir('oidc-serve-');
  const add = await runCli(acmeBindingArgs(data));
  expect(add.stderr).toContain('may push to team-a/*');
  expect(add.code).toBe(0);
  bindingId = add.stdout.trim();
  served = await serve(['--data', data, '--oidc-issuer', issuer.url], {
    PACKYARD_OIDC_AUDIENCE: AUDIENCE,
    PACKYARD_USERNAME: ADMIN.username,
    PACKYARD_PASSWORD: ADMIN.password,
  });
  host = new URL(served.url).host;
}, 60_000);

afterAll(async () => {
  await served?.stop();
});

/** Every `::add-mask::` value, and the log with those lines removed. */
function masks(stdout: string): { masked: string[]; rest: string } {
  const masked = [...stdout.matchAll(/^::add-mask::(.+)$/gm)].map((m) => m[1] as string);
  return { masked, rest: stdout.replace(/^::add-mask::.+$/gm, '') };
}

describe('the bundled Action with trusted publishing against packyard serve', () => {
  const ws = workspace({ alpha: pack('alpha'), beta: pack('beta') });

  it('publishes as the README workflow says (oidc: true, no secret), masking both tokens, with provenance', async () => {
    // The step's inputs exactly as examples/workflows/publish-packs-oidc.yml (the README's) gives
    // them, the registry host aside.
    const workflow = parse(
      readFileSync(path.join(ROOT, 'examples/workflows/publish-packs-oidc.yml'), 'utf8'),
    ) as {
      jobs: { publish: { steps: { uses?: string; with?: Record<string, unknown> }[] } };
    };
    const inputs = workflow.jobs.publish.steps.find((s) => s.uses?.endsWith('/packyard@v1'))?.with ?? {};
    expect(inputs.registry).toBe('registry.example.com/team-a');
    const run = await runAction(
      ws,
      {
        ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, String(v)])),
        registry: `${host}/team-a`,
      },
      { env: { ...runner.env, GITHUB_EVENT_NAME: 'push' } },
    );
    expect(run.stderr).toBe('');
    expect(run.code, run.stdout).toBe(0);
    expect(result(run).map((r) => [r.name, r.status])).toEqual([
      ['alpha', 'published'],
      ['beta', 'published'],
    ]);
    // The audience came from the registry (GET /api/v1/oidc), exactly as configured.
    expect(runner.audiences).toEqual([AUDIENCE]);
    expect(run.stdout).toContain(`requesting a GitHub OIDC ID token for the audience "${AUDIENCE}"`);
    expect(run.stdout).toContain(`push token valid 15 minutes for team-a/* (trusted publisher ${bindingId})`);

    // Both the ID token and the minted token are masked, and appear nowhere else.
    const { masked, rest } = masks(run.stdout);
    expect(masked).toContain(runner.tokens[0]);
    expect(masked.filter((m) => m.startsWith('eyJ')).length).toBeGreaterThanOrEqual(2);
    for (const secret of masked) {
      expect(rest).not.toContain(secret);
      expect(run.summary).not.toContain(secret);
    }

    const version = (await (
      await fetch(`${served.url}/api/v1/packs/alpha/versions/1.0.0?base=team-a`, {
        headers: { authorization: basic(ADMIN) },
      })
    ).json()) as { pushedBy: string; provenance: Record<string, string> };
    expect(version.pushedBy).toBe('github:acme/packs');
    expect(version.provenance).toMatchObject({
      binding: bindingId,
      repository: 'acme/packs',
      runId: '987654321',
      sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
      ref: 'refs/heads/main',
      jobWorkflowRef: `${ACME.workflow}@refs/heads/main`,
    });
    // The audit (admin API) has the exchange and both pushes.
    const audit = (await (
      await fetch(`${served.url}/api/v1/publishers/${bindingId}/audit`, {
        headers: { authorization: basic(ADMIN) },
      })
    ).json()) as { records: { event: string; ociRepository?: string }[] };
    expect(audit.records.map((r) => r.event).sort()).toEqual(['exchange', 'push', 'push']);
  });

  it('auto uses OIDC when no password is given and the job has an ID token; refusals name the claims', async () => {
    runClaims = () =>
      issuer.claims({ job_workflow_ref: 'acme/packs/.github/workflows/ci.yml@refs/heads/main' });
    try {
      const run = await runAction(
        workspace({ gamma: pack('gamma') }),
        { path: 'packs', registry: `${host}/team-a` },
        { env: runner.env },
      );
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('trusted publishing to http://');
      expect(run.stdout).toContain('(binding_mismatch)');
      expect(run.stdout).toContain(
        `binding ${bindingId} (team-a/): job_workflow_ref is "acme/packs/.github/workflows/ci.yml@refs/heads/main", expected "acme/packs/.github/workflows/publish.yml@*"`,
      );
      expect(result(run)[0]?.status).toBe('failed');
    } finally {
      runClaims = () => issuer.claims();
    }
  });

  it('a token for team-a/ cannot publish elsewhere', async () => {
    const run = await runAction(
      workspace({ delta: pack('delta') }),
      { path: 'packs', registry: `${host}/team-b`, oidc: 'true' },
      { env: runner.env },
    );
    expect(run.code).toBe(1);
    expect(result(run)[0]?.status).toBe('failed');
    expect(result(run)[0]?.message).toContain(
      'the trusted publisher lets this workflow push to team-a/* only, but packs go to team-b/spectro-packs/archive/…',
    );
  });

  it('oidc: true without id-token permission fails at once, saying what to add', async () => {
    const run = await runAction(ws, { path: 'packs', registry: `${host}/team-a`, oidc: 'true' });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('oidc is true, but this job cannot get a GitHub OIDC ID token');
    expect(run.stdout).toContain('add `permissions: id-token: write` to the job');
    expect(run.stdout).toContain('pull requests from forks never get an ID token');
    expect(run.stdout).not.toContain('::group::Lint');
  });
});

describe('packyard publisher', () => {
  it('adds (once), lists and removes bindings in a data folder, refusing bad input', async () => {
    const data = tempDir('publisher-cli-');
    const args = ['acme/packs', '--repository-id', '2002', '--owner-id', '1001', '--workflow', 'publish.yml'];
    const first = await runCli(['publisher', 'add', ...args, '--prefix', 'team-a', '--data', data]);
    const again = await runCli(['publisher', 'add', ...args, '--prefix', 'team-a/', '--data', data]);
    expect(first.code).toBe(0);
    expect(again.stdout).toBe(first.stdout);
    const list = await runCli(['publisher', 'list', '--format', 'json', '--data', data]);
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({
        id: first.stdout.trim(),
        prefix: 'team-a/',
        workflow: 'acme/packs/.github/workflows/publish.yml',
      }),
    ]);
    const bad = await runCli([
      'publisher',
      'add',
      'acme/packs',
      '--repository-id',
      'x',
      '--owner-id',
      '1',
      '--workflow',
      'a.yml',
      '--prefix',
      'p/',
      '--data',
      data,
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("is not GitHub's numeric id");
    expect((await runCli(['publisher', 'remove', first.stdout.trim(), '--data', data])).code).toBe(0);
    expect((await runCli(['publisher', 'remove', first.stdout.trim(), '--data', data])).code).toBe(1);
    expect((await runCli(['publisher', 'list', '--data', data])).stdout).toBe('');
    const reserved = await runCli(['user', 'add', 'oidc', '--data', data]);
    expect(reserved.code).toBe(2);
    expect(reserved.stderr).toContain('reserved');
  });
});
