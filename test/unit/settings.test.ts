import { describe, expect, it } from 'vitest';
import { serveFlag } from '../../cli/serve-flags.ts';
import { configFromEnv, DEFAULT_CONFIG } from '../../lambdas/registry/config.ts';
import { SETTINGS } from '../../lambdas/registry/settings.ts';

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

  it('makes the packyard serve flags from the same settings', () => {
    const lint = serveFlag('lintPolicy');
    expect(lint.long).toBe('--lint-policy');
    expect(lint.argChoices).toEqual(['enforce', 'warn']);
    expect(lint.defaultValue).toBe(SETTINGS.lintPolicy.default);
    expect(serveFlag('oidcIssuer').envVar).toBe(SETTINGS.oidcIssuer.env);
    expect(serveFlag('anonymousPull').defaultValue).toBe(false);
    expect(() => serveFlag('tokenTtlSeconds')).toThrow(/no serve flag/);
  });
});
