import type { LoginThrottleConfig } from './auth/login-throttle.ts';
import { fromEnv, SETTINGS } from './settings.ts';

/** Registry settings; the Lambda reads them from the environment (settings.ts names the variables). */
export interface RegistryConfig {
  /** Token audience and the `service` of the Bearer challenge. */
  service: string;
  /** Public base URL (custom domain); otherwise API Gateway's domain name (never the request's Host). */
  publicUrl?: string;
  /** Let requests without credentials pull (never push). */
  anonymousPull: boolean;
  /** `enforce`: a pushed pack with lint errors is refused; `warn`: accepted, findings recorded. */
  lintPolicy: 'enforce' | 'warn';
  /**
   * Rule severities for re-linting pushed packs (lint-config.ts): `.packyard.yaml` text, or a
   * file path starting with "/" or "./". Unset: the rules' own severities.
   */
  lintConfig?: string;
  /**
   * Let a push replace a pack version's content (Spectro's `push --force`): off by default, and
   * even then only a push whose manifest carries a message (org.opencontainers.image.description).
   */
  allowOverwrite: boolean;
  tokenTtlSeconds: number;
  presignTtlSeconds: number;
  uploadTtlSeconds: number;
  /** Largest request body a chunk may have (Lambda's 6 MB payload, after base64). */
  maxChunkBytes: number;
  /** Smallest chunk clients should send (the last one excepted): advertised, not enforced. */
  minChunkBytes: number;
  maxBlobBytes: number;
  /** Largest pack layer the registry reads to re-lint, and its inflated size bound. */
  maxPackBytes: number;
  maxPackInflatedBytes: number;
  /** Manifests up to this size live in the index; larger ones in the blob store. */
  maxInlineManifestBytes: number;
  maxManifestBytes: number;
  /**
   * Trusted publishing: the OIDC issuer whose ID tokens `POST /api/v1/oidc/token` accepts
   * (its discovery document and JWKS are fetched from here) and the audience they must carry.
   */
  oidcIssuer: string;
  oidcAudience: string;
  /** Lifetime of the push token an exchange mints (at most 15 minutes). */
  oidcTokenTtlSeconds: number;
  /** Failed logins allowed per window, per user name and per source address (then 429). */
  loginThrottle: LoginThrottleConfig;
}

export { GITHUB_OIDC_ISSUER, validateIssuer } from './settings.ts';

/** The defaults of settings.ts, plus the limits that are not settings. */
export const DEFAULT_CONFIG: RegistryConfig = {
  service: SETTINGS.service.default,
  anonymousPull: SETTINGS.anonymousPull.default,
  lintPolicy: SETTINGS.lintPolicy.default,
  allowOverwrite: SETTINGS.allowOverwrite.default,
  tokenTtlSeconds: SETTINGS.tokenTtlSeconds.default,
  presignTtlSeconds: 300,
  uploadTtlSeconds: 24 * 3600,
  maxChunkBytes: 4 * 1024 * 1024,
  minChunkBytes: 1024 * 1024,
  maxBlobBytes: 1024 * 1024 * 1024,
  maxPackBytes: 64 * 1024 * 1024,
  maxPackInflatedBytes: 256 * 1024 * 1024,
  maxInlineManifestBytes: 256 * 1024,
  maxManifestBytes: 4 * 1024 * 1024,
  oidcIssuer: SETTINGS.oidcIssuer.default,
  oidcAudience: 'packyard',
  oidcTokenTtlSeconds: SETTINGS.oidcTokenTtlSeconds.default,
  loginThrottle: {
    credentialFailures: SETTINGS.loginFailuresPerUser.default,
    sourceFailures: SETTINGS.loginFailuresPerSource.default,
    windowSeconds: SETTINGS.loginFailureWindowSeconds.default,
  },
};

/**
 * The audience when PACKYARD_OIDC_AUDIENCE is not set: the public URL when there is one (unique
 * to this registry, so a token minted for another registry is refused), else the service name.
 */
export function defaultAudience(publicUrl: string | undefined, service: string): string {
  return publicUrl ? publicUrl.replace(/\/+$/, '') : service;
}

/** Reads the PACKYARD_* variables of settings.ts; malformed values fail loudly at start-up. */
export function configFromEnv(env: NodeJS.ProcessEnv): RegistryConfig {
  const service = fromEnv(env, 'service') ?? DEFAULT_CONFIG.service;
  const publicUrl = fromEnv(env, 'publicUrl');
  return {
    ...DEFAULT_CONFIG,
    service,
    publicUrl,
    anonymousPull: fromEnv(env, 'anonymousPull') ?? DEFAULT_CONFIG.anonymousPull,
    lintPolicy: fromEnv(env, 'lintPolicy') ?? DEFAULT_CONFIG.lintPolicy,
    lintConfig: fromEnv(env, 'lintConfig'),
    allowOverwrite: fromEnv(env, 'allowOverwrite') ?? DEFAULT_CONFIG.allowOverwrite,
    tokenTtlSeconds: fromEnv(env, 'tokenTtlSeconds') ?? DEFAULT_CONFIG.tokenTtlSeconds,
    oidcIssuer: fromEnv(env, 'oidcIssuer') ?? DEFAULT_CONFIG.oidcIssuer,
    oidcAudience: fromEnv(env, 'oidcAudience') ?? defaultAudience(publicUrl, service),
    oidcTokenTtlSeconds: fromEnv(env, 'oidcTokenTtlSeconds') ?? DEFAULT_CONFIG.oidcTokenTtlSeconds,
    loginThrottle: {
      credentialFailures:
        fromEnv(env, 'loginFailuresPerUser') ?? DEFAULT_CONFIG.loginThrottle.credentialFailures,
      sourceFailures: fromEnv(env, 'loginFailuresPerSource') ?? DEFAULT_CONFIG.loginThrottle.sourceFailures,
      windowSeconds: fromEnv(env, 'loginFailureWindowSeconds') ?? DEFAULT_CONFIG.loginThrottle.windowSeconds,
    },
  };
}
