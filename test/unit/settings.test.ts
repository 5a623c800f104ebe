import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { serveFlag, serveFlagValue } from '../../cli/serve-flags.ts';
import { configFromEnv, DEFAULT_CONFIG } from '../../lambdas/registry/config.ts';
import { SETTINGS } from '../../lambdas/registry/settings.ts';
import { ROOT } from '../helpers/packs.ts';

describe('registry settings (lambdas/registry/settings.ts)', () => {
  it('gives the Lambda its defaults when nothing is set', () => {
    const config = configFromEnv({});
    expect(config).toMatchObject({
      anonymousPull: SETTINGS.anonymousPull.default,
      lintPolicy: SETTINGS.lintPolicy.default,
      tokenTtlSeconds: SETTINGS.tokenTtlSeconds.default,
      oidcIssuer: SETTINGS.oidcIssuer.default,
      oidcAudience: 'packyard',
    });
    expect(DEFAULT_CONFIG.tokenTtlSeconds).toBe(300);
  });

  it('reads each variable, and fails loudly with its name instead of clamping', () => {
    expect(
      configFromEnv({ PACKYARD_TOKEN_TTL_SECONDS: '900', PACKYARD_ANONYMOUS_PULL: 'yes' }),
    ).toMatchObject({
      tokenTtlSeconds: 900,
      anonymousPull: true,
    });
    expect(() => configFromEnv({ PACKYARD_TOKEN_TTL_SECONDS: '3600' })).toThrow(
      'PACKYARD_TOKEN_TTL_SECONDS must be 30–900 (got 3600)',
    );
    expect(() => configFromEnv({ PACKYARD_TOKEN_TTL_SECONDS: '10' })).toThrow(/PACKYARD_TOKEN_TTL_SECONDS/);
    expect(() => configFromEnv({ PACKYARD_ANONYMOUS_PULL: 'maybe' })).toThrow(
      'PACKYARD_ANONYMOUS_PULL must be true or false (got "maybe")',
    );
    expect(() => configFromEnv({ PACKYARD_LINT_POLICY: 'strict' })).toThrow(
      'PACKYARD_LINT_POLICY must be enforce or warn (got "strict")',
    );
  });

  it('reads the login-throttle limits and the lint configuration like the others', () => {
    expect(configFromEnv({}).loginThrottle).toEqual({
      credentialFailures: 10,
      sourceFailures: 100,
      windowSeconds: 900,
    });
    expect(configFromEnv({}).lintConfig).toBeUndefined();
    const config = configFromEnv({
      PACKYARD_LOGIN_FAILURES_PER_USER: '3',
      PACKYARD_LOGIN_FAILURES_PER_SOURCE: '30',
      PACKYARD_LOGIN_FAILURE_WINDOW_SECONDS: '120',
      PACKYARD_LINT_CONFIG: '  rules:\n    manifest/missing: warning\n',
    });
    expect(config.loginThrottle).toEqual({ credentialFailures: 3, sourceFailures: 30, windowSeconds: 120 });
    expect(config.lintConfig).toBe('rules:\n    manifest/missing: warning');
    expect(() => configFromEnv({ PACKYARD_LOGIN_FAILURES_PER_USER: '0' })).toThrow(
      'PACKYARD_LOGIN_FAILURES_PER_USER must be 1–1000000 (got 0)',
    );
    expect(() => configFromEnv({ PACKYARD_LOGIN_FAILURES_PER_SOURCE: 'many' })).toThrow(
      'PACKYARD_LOGIN_FAILURES_PER_SOURCE must be a whole number (got "many")',
    );
    expect(() => configFromEnv({ PACKYARD_LOGIN_FAILURE_WINDOW_SECONDS: '90000' })).toThrow(
      'PACKYARD_LOGIN_FAILURE_WINDOW_SECONDS must be 60–86400 (got 90000)',
    );
    // A file path must be readable at start-up; its YAML is checked where the linter loads.
    expect(() => configFromEnv({ PACKYARD_LINT_CONFIG: './no/such/policy.yaml' })).toThrow(
      'PACKYARD_LINT_CONFIG: cannot read ./no/such/policy.yaml (ENOENT)',
    );
    expect(() => configFromEnv({ PACKYARD_LINT_CONFIG: ' \n ' })).toThrow(/PACKYARD_LINT_CONFIG is empty/);
    expect(configFromEnv({ PACKYARD_WEB_DIR: '/opt/web' })).not.toHaveProperty('webDir');
  });

  it('makes the packyard serve flags from the same settings', () => {
    const lint = serveFlag('lintPolicy');
    expect(lint.long).toBe('--lint-policy');
    expect(lint.argChoices).toEqual(['enforce', 'warn']);
    expect(lint.defaultValue).toBe(SETTINGS.lintPolicy.default);
    expect(serveFlag('oidcIssuer').envVar).toBe(SETTINGS.oidcIssuer.env);
    // A switch has no default value: --help would only say "(default: false)".
    expect(serveFlag('anonymousPull').defaultValue).toBeUndefined();
    expect(serveFlag('allowOverwrite').long).toBe('--allow-overwrite');
    expect(() => serveFlag('tokenTtlSeconds')).toThrow(/no serve flag/);
    expect(serveFlag('lintConfig').envVar).toBe('PACKYARD_LINT_CONFIG');
    expect(serveFlag('loginFailuresPerUser').defaultValue).toBe(10);
    expect(serveFlag('loginFailureWindowSeconds').long).toBe('--login-failure-window');
    // Flag values are checked by the setting's rule, under the flag's name.
    expect(serveFlagValue('loginFailuresPerUser', { loginFailuresPerUser: '7' })).toBe(7);
    expect(serveFlagValue('loginFailuresPerUser', { loginFailuresPerUser: 10 })).toBe(10);
    expect(() => serveFlagValue('loginFailureWindowSeconds', { loginFailureWindow: '5' })).toThrow(
      '--login-failure-window must be 60–86400 (got 5)',
    );
    expect(() => serveFlagValue('lintConfig', { lintConfig: '/no/such/file.yaml' })).toThrow(
      '--lint-config (or PACKYARD_LINT_CONFIG): cannot read /no/such/file.yaml (ENOENT)',
    );
  });
});

describe('docs/registry.md', () => {
  it("lists every variable of the registry's settings", () => {
    const doc = readFileSync(path.join(ROOT, 'docs', 'registry.md'), 'utf8');
    const table = doc.slice(
      doc.indexOf('## Configuration (Lambda environment)'),
      doc.indexOf('## `packyard serve`'),
    );
    const listed = new Set([...table.matchAll(/`(PACKYARD_[A-Z0-9_]+)`/g)].map((m) => m[1]));
    for (const s of Object.values(SETTINGS)) expect(listed, s.env).toContain(s.env);
  });
});
