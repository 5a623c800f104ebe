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
}

export const DEFAULT_CONFIG: RegistryConfig = {
  service: 'packyard',
  anonymousPull: false,
  lintPolicy: 'enforce',
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
};

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
  return {
    ...DEFAULT_CONFIG,
    service: env.PACKYARD_SERVICE || DEFAULT_CONFIG.service,
    publicUrl: env.PACKYARD_PUBLIC_URL || undefined,
    anonymousPull: bool('PACKYARD_ANONYMOUS_PULL', false),
    lintPolicy: policy,
    tokenTtlSeconds: int('PACKYARD_TOKEN_TTL_SECONDS', DEFAULT_CONFIG.tokenTtlSeconds),
  };
}
