import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ensureUser } from '../admin-index.ts';
import { DEFAULT_CONFIG, defaultAudience, type RegistryConfig } from '../registry/config.ts';
import type { Scope } from '../registry/ports.ts';
import { fromEnv } from '../registry/settings.ts';
import { dirWebAssets } from '../registry/web-assets/dir-assets.ts';
import { registryFromPorts } from '../registry/wiring.ts';
import { type ApiGatewayLog, startApiGatewayServer } from './apigw-server.ts';
import { type EmbeddedStorage, startEmbeddedStorage } from './embedded-storage.ts';

export interface LocalRegistryOptions {
  dataDir: string;
  port?: number;
  host?: string;
  config?: Partial<RegistryConfig>;
  /** Credentials to create or update at start-up (e.g. the first admin). */
  users?: { username: string; password: string; scope: Scope; prefix?: string }[];
  log?: (entry: Record<string, unknown>) => void;
  accessLog?: ApiGatewayLog;
  /** The built catalog UI (default: $PACKYARD_WEB_DIR, which bin/packyard.js points at build/catalog/web). */
  webDir?: string;
}

export interface LocalRegistry {
  url: string;
  port: number;
  storage: EmbeddedStorage;
  close(): Promise<void>;
}

/** The token signing secret lives beside the data (0600), so tokens survive a restart. */
function localSecret(dataDir: string): Uint8Array {
  const file = path.join(dataDir, 'token-secret');
  try {
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  } catch {
    const secret = randomBytes(32);
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${secret.toString('base64')}\n`, { mode: 0o600 });
    return secret;
  }
}

/**
 * `packyard serve`: the exact Lambda handler behind the API Gateway v2 adapter, with S3 and
 * DynamoDB served by s3rver and dynalite from `dataDir`.
 */
export async function startLocalRegistry(opts: LocalRegistryOptions): Promise<LocalRegistry> {
  mkdirSync(opts.dataDir, { recursive: true });
  const storage = await startEmbeddedStorage({
    dataDir: opts.dataDir,
    host: opts.host ?? '127.0.0.1',
    registryHostname: URL.canParse(opts.config?.publicUrl ?? '')
      ? new URL(opts.config?.publicUrl ?? '').hostname
      : undefined,
  });
  try {
    for (const u of opts.users ?? []) await ensureUser(storage.index, u);
    const config: RegistryConfig = { ...DEFAULT_CONFIG, ...opts.config };
    const webDir = opts.webDir ?? fromEnv(process.env, 'webDir');
    // The same default as the Lambda's (config.ts): the public URL when given, else the service.
    config.oidcAudience = opts.config?.oidcAudience ?? defaultAudience(config.publicUrl, config.service);
    const handler = registryFromPorts(
      storage.blobStore,
      storage.index,
      config,
      localSecret(opts.dataDir),
      opts.log,
      webDir ? dirWebAssets(webDir) : undefined,
    );
    const server = await startApiGatewayServer({
      handler,
      port: opts.port ?? 0,
      host: opts.host ?? '127.0.0.1',
      log: opts.accessLog,
    });
    return {
      url: server.url,
      port: server.port,
      storage,
      close: async () => {
        await server.close();
        await storage.close();
      },
    };
  } catch (err) {
    await storage.close();
    throw err;
  }
}
