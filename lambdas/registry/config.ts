/** Registry settings; the Lambda reads them from the environment (see handler.ts). */
export interface RegistryConfig {
  /** Token audience and the `service` of the Bearer challenge. */
  service: string;
  /** Public base URL (custom domain); otherwise derived from the request's Host. */
  publicUrl?: string;
  /** Let requests without credentials pull (never push). */
  anonymousPull: boolean;
  /** `enforce`: a pushed pack with lint errors is refused; `warn`: accepted, findings recorded. */
  lintPolicy: 'enforce' | 'warn';
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
}

/** GitHub Actions' OIDC issuer. */
export const GITHUB_OIDC_ISSUER = 'https://token.actions.githubusercontent.com';
/** Longest lifetime of any bearer token the registry issues (also tokens.ts's cap). */
const MAX_TTL_SECONDS = 15 * 60;

export const DEFAULT_CONFIG: RegistryConfig = {
  service: 'packyard',
  anonymousPull: false,
  lintPolicy: 'enforce',
  allowOverwrite: false,
  tokenTtlSeconds: 300,
  presignTtlSeconds: 300,
  uploadTtlSeconds: 24 * 3600,
  maxChunkBytes: 4 * 1024 * 1024,
  minChunkBytes: 1024 * 1024,
  maxBlobBytes: 1024 * 1024 * 1024,
  maxPackBytes: 64 * 1024 * 1024,
  maxPackInflatedBytes: 256 * 1024 * 1024,
  maxInlineManifestBytes: 256 * 1024,
  maxManifestBytes: 4 * 1024 * 1024,
  oidcIssuer: GITHUB_OIDC_ISSUER,
  oidcAudience: 'packyard',
  oidcTokenTtlSeconds: MAX_TTL_SECONDS,
};

/**
 * An issuer must be an https URL (http only on the loopback interface, for `packyard serve` and
 * tests): its JWKS decides who may publish, so it must not be fetched over plain http.
 */
export function validateIssuer(value: string, name = 'PACKYARD_OIDC_ISSUER'): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name} must be an absolute URL (got "${value}")`);
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    throw new Error(`${name} must be an https URL (http only on localhost; got "${value}")`);
  if (url.search || url.hash) throw new Error(`${name} must not have a query or fragment (got "${value}")`);
  // Issuers are compared as strings with the token's `iss`: keep exactly what was configured,
  // minus a trailing slash (GitHub's `iss` has none).
  return value.replace(/\/+$/, '');
}

/**
 * The audience when PACKYARD_OIDC_AUDIENCE is not set: the public URL when there is one (unique
 * to this registry, so a token minted for another registry is refused), else the service name.
 */
export function defaultAudience(publicUrl: string | undefined, service: string): string {
  return publicUrl ? publicUrl.replace(/\/+$/, '') : service;
}

/** Reads PACKYARD_* variables; unknown or malformed values fail loudly at start-up. */
export function configFromEnv(env: NodeJS.ProcessEnv): RegistryConfig {
  const bool = (name: string, dflt: boolean) => {
    const v = env[name];
    if (v === undefined || v === '') return dflt;
    if (/^(1|true|yes)$/i.test(v)) return true;
    if (/^(0|false|no)$/i.test(v)) return false;
    throw new Error(`${name} must be true or false (got "${v}")`);
  };
  const int = (name: string, dflt: number) => {
    const v = env[name];
    if (v === undefined || v === '') return dflt;
    if (!/^\d+$/.test(v)) throw new Error(`${name} must be a whole number (got "${v}")`);
    return Number(v);
  };
  const policy = env.PACKYARD_LINT_POLICY ?? 'enforce';
  if (policy !== 'enforce' && policy !== 'warn')
    throw new Error(`PACKYARD_LINT_POLICY must be enforce or warn (got "${policy}")`);
  const service = env.PACKYARD_SERVICE || DEFAULT_CONFIG.service;
  const publicUrl = env.PACKYARD_PUBLIC_URL || undefined;
  const audience = env.PACKYARD_OIDC_AUDIENCE || defaultAudience(publicUrl, service);
  if (audience.length > 256 || /\s/.test(audience))
    throw new Error(`PACKYARD_OIDC_AUDIENCE must be at most 256 characters without spaces`);
  const oidcTtl = int('PACKYARD_OIDC_TOKEN_TTL_SECONDS', DEFAULT_CONFIG.oidcTokenTtlSeconds);
  if (oidcTtl < 60 || oidcTtl > MAX_TTL_SECONDS)
    throw new Error(`PACKYARD_OIDC_TOKEN_TTL_SECONDS must be 60–${MAX_TTL_SECONDS} (got ${oidcTtl})`);
  return {
    ...DEFAULT_CONFIG,
    service,
    publicUrl,
    anonymousPull: bool('PACKYARD_ANONYMOUS_PULL', false),
    lintPolicy: policy,
    allowOverwrite: bool('PACKYARD_ALLOW_OVERWRITE', false),
    tokenTtlSeconds: int('PACKYARD_TOKEN_TTL_SECONDS', DEFAULT_CONFIG.tokenTtlSeconds),
    oidcIssuer: validateIssuer(env.PACKYARD_OIDC_ISSUER || GITHUB_OIDC_ISSUER),
    oidcAudience: audience,
    oidcTokenTtlSeconds: oidcTtl,
  };
}
