import { describe, expect, it } from 'vitest';
import {
  checkAlgorithm,
  checkClaims,
  checkIssuer,
  decodeUnverified,
  type ExchangeRefused,
  LEEWAY_SECONDS,
} from '../../lambdas/registry/auth/oidc-verify.ts';
import {
  bindingId,
  globMatch,
  managesPrefix,
  matchBinding,
  newBinding,
  normalizeBinding,
  provenanceOf,
} from '../../lambdas/registry/auth/publishers.ts';
import { configFromEnv } from '../../lambdas/registry/config.ts';
import type { PublisherBinding } from '../../lambdas/registry/ports.ts';

const INPUT = {
  repository: 'Acme/Packs',
  repositoryId: '2002',
  repositoryOwnerId: '1001',
  workflow: 'publish.yml',
  prefix: 'team-a',
};

function binding(over: Partial<typeof INPUT & { environment: string; ref: string }> = {}): PublisherBinding {
  const made = newBinding({ ...INPUT, ...over }, 'admin', new Date(0));
  if (!('binding' in made)) throw new Error(made.problems.join('\n'));
  return made.binding;
}

const CLAIMS = {
  repository: 'acme/packs',
  repository_id: '2002',
  repository_owner_id: '1001',
  job_workflow_ref: 'acme/packs/.github/workflows/publish.yml@refs/heads/main',
  workflow_ref: 'acme/packs/.github/workflows/publish.yml@refs/heads/main',
  ref: 'refs/heads/main',
  event_name: 'push',
};

describe('normalizeBinding', () => {
  it('expands the workflow to owner/repo/.github/workflows/<file> and ends the prefix with /', () => {
    for (const workflow of [
      'publish.yml',
      '.github/workflows/publish.yml',
      'Acme/Packs/.github/workflows/publish.yml',
    ])
      expect(binding({ workflow }).workflow).toBe('Acme/Packs/.github/workflows/publish.yml');
    expect(binding({ workflow: 'acme/shared/.github/workflows/release.yaml' }).workflow).toBe(
      'acme/shared/.github/workflows/release.yaml',
    );
    expect(binding().prefix).toBe('team-a/');
  });

  it('lists every problem', () => {
    const r = normalizeBinding({
      repository: 'acme',
      repositoryId: 'x',
      repositoryOwnerId: '-1',
      workflow: 'scripts/publish.sh',
      ref: 'main',
      prefix: '',
    });
    expect(r.problems).toHaveLength(6);
    expect(normalizeBinding({ ...INPUT, workflow: '.github/workflows/sub/x.yml' }).problems).toHaveLength(1);
  });
});

describe('bindingId', () => {
  it('is the same for the same binding (names in any case), different otherwise', () => {
    const a = binding();
    expect(a.id).toMatch(/^tp-[0-9a-f]{16}$/);
    expect(
      binding({ repository: 'acme/packs', workflow: 'acme/packs/.github/workflows/publish.yml' }).id,
    ).toBe(a.id);
    expect(binding({ prefix: 'team-b' }).id).not.toBe(a.id);
    expect(binding({ environment: 'production' }).id).not.toBe(a.id);
    const { id: _id, createdAt: _c, createdBy: _b, ...rest } = a;
    expect(bindingId(rest)).toBe(a.id);
  });
});

describe('matchBinding', () => {
  it('matches names case-insensitively, ids exactly, the job workflow without its @ref', () => {
    expect(matchBinding(binding(), CLAIMS)).toEqual([]);
    expect(matchBinding(binding(), { ...CLAIMS, repository: 'ACME/packs' })).toEqual([]);
    expect(
      matchBinding(binding(), {
        ...CLAIMS,
        job_workflow_ref: 'acme/packs/.github/workflows/publish.yml@refs/tags/v1',
      }),
    ).toEqual([]);
  });

  it('names each claim that does not match', () => {
    const claims = {
      ...CLAIMS,
      repository: 'acme/other',
      repository_id: 2002, // a number is compared as its decimal string
      repository_owner_id: '1',
      job_workflow_ref: 'acme/packs/.github/workflows/Publish.yml@refs/heads/main', // paths are case-sensitive
    };
    expect(matchBinding(binding(), claims).map((m) => m.claim)).toEqual([
      'repository',
      'repository_owner_id',
      'job_workflow_ref',
    ]);
  });

  it('trusts the job workflow, not the caller: a reusable workflow must itself be bound', () => {
    const reusable = {
      ...CLAIMS,
      job_workflow_ref: 'acme/shared/.github/workflows/release.yml@v2',
      workflow_ref: 'acme/packs/.github/workflows/publish.yml@refs/heads/main',
    };
    expect(matchBinding(binding(), reusable)).toEqual([
      {
        claim: 'job_workflow_ref',
        expected: 'Acme/Packs/.github/workflows/publish.yml@*',
        actual: 'acme/shared/.github/workflows/release.yml@v2',
      },
    ]);
    expect(
      matchBinding(binding({ workflow: 'acme/shared/.github/workflows/release.yml' }), reusable),
    ).toEqual([]);
  });

  it('checks environment and ref only when the binding has them; never pull_request_target', () => {
    const strict = binding({ environment: 'production', ref: 'refs/tags/v*' });
    expect(matchBinding(strict, CLAIMS)).toEqual([
      { claim: 'environment', expected: 'production', actual: null },
      { claim: 'ref', expected: 'refs/tags/v*', actual: 'refs/heads/main' },
    ]);
    expect(matchBinding(strict, { ...CLAIMS, environment: 'production', ref: 'refs/tags/v1.0.0' })).toEqual(
      [],
    );
    expect(matchBinding(binding(), { ...CLAIMS, event_name: 'pull_request_target' })[0]?.claim).toBe(
      'event_name',
    );
  });
});

describe('globMatch', () => {
  it.each([
    ['refs/tags/v*', 'refs/tags/v1.2.3', true],
    ['refs/tags/v*', 'refs/tags/v1/x', false],
    ['refs/heads/release/**', 'refs/heads/release/1.x/hotfix', true],
    ['refs/heads/main', 'refs/heads/main', true],
    ['refs/heads/main', 'refs/heads/mainline', false],
    ['refs/heads/v?', 'refs/heads/v1', true],
    ['refs/tags/v1.0', 'refs/tags/v1x0', false],
  ])('%s ~ %s → %s', (pattern, value, expected) => {
    expect(globMatch(pattern, value)).toBe(expected);
  });
});

describe('managesPrefix and provenanceOf', () => {
  it('an admin of team-a/ manages team-a/… only; an unlimited admin everything', () => {
    expect(managesPrefix('', 'x/')).toBe(true);
    expect(managesPrefix('team-a/', 'team-a/sub/')).toBe(true);
    expect(managesPrefix('team-a/', 'team-ab/')).toBe(false);
    expect(managesPrefix(undefined, 'team-a/')).toBe(false);
  });

  it('copies the run identity, bounded, as strings', () => {
    const p = provenanceOf({ ...CLAIMS, run_id: 42, sha: 'f'.repeat(600), secret: 'x' }, 'https://issuer');
    expect(p).toMatchObject({
      publisher: 'github-oidc',
      issuer: 'https://issuer',
      runId: '42',
      ref: 'refs/heads/main',
    });
    expect(p.sha).toHaveLength(512);
    expect(p).not.toHaveProperty('secret');
  });
});

describe('ID token checks', () => {
  const reason = (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      return (err as ExchangeRefused).reason;
    }
    return 'accepted';
  };
  const NOW = 1_700_000_000;
  const base = { sub: 's', jti: 'j', iat: NOW, exp: NOW + 300, nbf: NOW - 5, aud: 'aud', ...CLAIMS };

  it('decodes without verifying, and refuses what is not a JWT', () => {
    expect(reason(() => decodeUnverified('a.b'))).toBe('malformed_token');
    expect(reason(() => decodeUnverified('e30.W10.x'))).toBe('malformed_token'); // payload is an array
    expect(decodeUnverified('e30.e30.').payload).toEqual({});
  });

  it('accepts RS256 only', () => {
    for (const alg of ['none', 'HS256', 'RS512', 'ES256', undefined])
      expect(reason(() => checkAlgorithm({ alg }))).toBe('unsupported_algorithm');
    expect(reason(() => checkAlgorithm({ alg: 'RS256' }))).toBe('accepted');
  });

  it('compares the issuer exactly', () => {
    expect(reason(() => checkIssuer({ iss: 'https://a/' }, 'https://a'))).toBe('wrong_issuer');
    expect(reason(() => checkIssuer({ iss: 'https://a' }, 'https://a'))).toBe('accepted');
  });

  it(`checks exp, nbf and iat with ${LEEWAY_SECONDS} s of leeway, then the audience`, () => {
    const check = (over: Record<string, unknown>) =>
      reason(() => checkClaims({ ...base, ...over }, 'aud', NOW));
    expect(check({})).toBe('accepted');
    expect(check({ exp: NOW - LEEWAY_SECONDS })).toBe('expired');
    expect(check({ exp: NOW - LEEWAY_SECONDS + 1 })).toBe('accepted');
    expect(check({ nbf: NOW + LEEWAY_SECONDS + 1 })).toBe('not_yet_valid');
    expect(check({ nbf: NOW + LEEWAY_SECONDS })).toBe('accepted');
    expect(check({ iat: NOW + LEEWAY_SECONDS + 1 })).toBe('not_yet_valid');
    expect(check({ exp: String(NOW + 10) })).toBe('malformed_token');
    expect(check({ aud: ['aud'] })).toBe('accepted');
    expect(check({ aud: ['aud', 'other'] })).toBe('wrong_audience');
    expect(check({ aud: 'Aud' })).toBe('wrong_audience');
    expect(check({ aud: undefined })).toBe('wrong_audience');
    expect(check({ repository_id: undefined })).toBe('malformed_token');
  });
});

describe('configFromEnv (trusted publishing)', () => {
  const env = { PACKYARD_BUCKET: 'b', PACKYARD_TABLE: 't' };

  it('defaults to GitHub as issuer and the public URL (else the service name) as audience', () => {
    expect(configFromEnv(env)).toMatchObject({
      oidcIssuer: 'https://token.actions.githubusercontent.com',
      oidcAudience: 'packyard',
      oidcTokenTtlSeconds: 900,
    });
    expect(configFromEnv({ ...env, PACKYARD_PUBLIC_URL: 'https://packs.example.com/' }).oidcAudience).toBe(
      'https://packs.example.com',
    );
    expect(
      configFromEnv({
        ...env,
        PACKYARD_OIDC_ISSUER: 'http://127.0.0.1:8080/',
        PACKYARD_OIDC_AUDIENCE: 'packs-prod',
        PACKYARD_OIDC_TOKEN_TTL_SECONDS: '300',
      }),
    ).toMatchObject({
      oidcIssuer: 'http://127.0.0.1:8080',
      oidcAudience: 'packs-prod',
      oidcTokenTtlSeconds: 300,
    });
  });

  it('refuses an issuer over plain http (off localhost), a bad audience or TTL', () => {
    expect(() => configFromEnv({ ...env, PACKYARD_OIDC_ISSUER: 'http://issuer.example.com' })).toThrow(
      /https/,
    );
    expect(() => configFromEnv({ ...env, PACKYARD_OIDC_ISSUER: 'issuer' })).toThrow(/absolute URL/);
    expect(() => configFromEnv({ ...env, PACKYARD_OIDC_AUDIENCE: 'a b' })).toThrow(/AUDIENCE/);
    expect(() => configFromEnv({ ...env, PACKYARD_OIDC_TOKEN_TTL_SECONDS: '3600' })).toThrow(/60–900/);
  });
});
