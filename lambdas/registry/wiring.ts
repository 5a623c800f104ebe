import { createDynamoClient, createS3Client } from './adapters/clients.ts';
import { createDynamoIndex } from './adapters/dynamo-index.ts';
import { S3BlobStore } from './adapters/s3-blob-store.ts';
import { secretsManagerSecret } from './adapters/secrets.ts';
import { createRegistry } from './app.ts';
import { deferredTokenSigner, type TokenSigner, tokenSigner } from './auth/tokens.ts';
import { configFromEnv, type RegistryConfig } from './config.ts';
import type { Handler } from './http/apigw.ts';
import type { BlobStore, RegistryIndex } from './ports.ts';
import { fromEnv } from './settings.ts';
import type { WebAssets } from './web-assets/assets.ts';
import { dirWebAssets } from './web-assets/dir-assets.ts';

/** Decodes the token secret: base64 (as generated) or, failing that, the raw string. */
export function tokenSecret(value: string | undefined): Uint8Array {
  if (!value)
    throw new Error(
      'PACKYARD_TOKEN_SECRET is not set: a random secret of at least 32 bytes, base64-encoded (or PACKYARD_TOKEN_SECRET_ARN: a Secrets Manager secret holding it)',
    );
  const b64 = /^[A-Za-z0-9+/=_-]+$/.test(value) ? Buffer.from(value, 'base64') : undefined;
  return b64 && b64.length >= 32 ? b64 : Buffer.from(value, 'utf8');
}

export function registryFromPorts(
  blobs: BlobStore,
  index: RegistryIndex,
  config: RegistryConfig,
  secret: Uint8Array,
  log?: (entry: Record<string, unknown>) => void,
  web?: WebAssets,
): Handler {
  return createRegistry({ blobs, index, config, tokens: tokenSigner(secret, config.service), log, web });
}

/**
 * The token signer the environment asks for: `PACKYARD_TOKEN_SECRET` (the value itself, checked at
 * start-up: `packyard serve`, tests) or `PACKYARD_TOKEN_SECRET_ARN` (the deployed stack: a Secrets
 * Manager secret, loaded on the first token issued or verified and kept for the container).
 */
export function tokenSignerFromEnv(
  env: NodeJS.ProcessEnv,
  audience: string,
  loadSecret: (arn: string) => () => Promise<string> = secretsManagerSecret,
): TokenSigner {
  const arn = env.PACKYARD_TOKEN_SECRET_ARN;
  if (env.PACKYARD_TOKEN_SECRET || !arn) return tokenSigner(tokenSecret(env.PACKYARD_TOKEN_SECRET), audience);
  const load = loadSecret(arn);
  return deferredTokenSigner(async () => tokenSecret(await load()), audience);
}

/** The deployed wiring: S3 bucket and DynamoDB table named by the environment (set by the CDK stack). */
export function registryFromEnv(
  env: NodeJS.ProcessEnv,
  loadSecret?: (arn: string) => () => Promise<string>,
): Handler {
  const bucket = env.PACKYARD_BUCKET;
  const table = env.PACKYARD_TABLE;
  if (!bucket || !table) throw new Error('PACKYARD_BUCKET and PACKYARD_TABLE must be set');
  // Endpoint overrides let the same wiring run against s3rver/dynalite or other compatible stores.
  const s3 = createS3Client({ endpoint: env.PACKYARD_S3_ENDPOINT || undefined });
  const dynamo = createDynamoClient({ endpoint: env.PACKYARD_DYNAMODB_ENDPOINT || undefined });
  const log = (entry: Record<string, unknown>) => console.log(JSON.stringify(entry));
  const config = configFromEnv(env);
  const webDir = fromEnv(env, 'webDir');
  return createRegistry({
    blobs: new S3BlobStore(s3, bucket),
    index: createDynamoIndex(dynamo, table),
    config,
    tokens: tokenSignerFromEnv(env, config.service, loadSecret),
    log,
    // The catalog UI: a Lambda layer the PackRegistry construct attaches (infra/lib/pack-registry.ts).
    web: webDir ? dirWebAssets(webDir) : undefined,
  });
}
