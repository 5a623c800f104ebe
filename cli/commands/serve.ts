import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ensureUser } from '../../lambdas/admin-index.ts';
import { startLocalRegistry } from '../../lambdas/local/serve.ts';
import { validateIssuer } from '../../lambdas/registry/config.ts';
import type { Scope } from '../../lambdas/registry/ports.ts';
import { writeServeLock } from '../data-folder.ts';
import { EXIT, type Io, UsageError } from '../io.ts';

export interface ServeOptions {
  port: number;
  host: string;
  data: string;
  anonymousPull: boolean;
  lintPolicy: 'enforce' | 'warn';
  publicUrl?: string;
  oidcIssuer: string;
  oidcAudience?: string;
}

/** Runs the registry locally until SIGINT/SIGTERM. */
export async function serveCommand(opts: ServeOptions, io: Io, signal: AbortSignal): Promise<number> {
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535)
    throw new UsageError(`--port must be 0–65535 (got ${opts.port})`);
  const users: { username: string; password: string; scope: Scope }[] = [];
  const username = io.env.PACKYARD_USERNAME;
  const password = io.env.PACKYARD_PASSWORD;
  if (username || password) {
    if (!username || !password)
      throw new UsageError('set both PACKYARD_USERNAME and PACKYARD_PASSWORD (or neither)');
    users.push({ username, password, scope: 'admin' });
  }
  let oidcIssuer: string;
  try {
    oidcIssuer = validateIssuer(opts.oidcIssuer, '--oidc-issuer');
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const dataDir = path.resolve(opts.data);
  const registry = await startLocalRegistry({
    dataDir,
    port: opts.port,
    host: opts.host,
    users,
    config: {
      anonymousPull: opts.anonymousPull,
      lintPolicy: opts.lintPolicy,
      publicUrl: opts.publicUrl,
      oidcIssuer,
      ...(opts.oidcAudience ? { oidcAudience: opts.oidcAudience } : {}),
    },
    log: (e) => {
      if (e.level === 'error') io.err(`${JSON.stringify(e)}\n`);
    },
    accessLog: (e) => {
      if (e.level !== 'info') io.err(`${e.message}\n`);
    },
  });
  // First start with no credential at all: create an admin and show its password once.
  if ((await registry.storage.index.listCredentials()).length === 0) {
    const generated = randomBytes(18).toString('base64url');
    await ensureUser(registry.storage.index, { username: 'admin', password: generated, scope: 'admin' });
    io.err(
      `created credential "admin" with password ${generated} (shown once; add more with "packyard user add")\n`,
    );
  }
  // Tells `packyard user`/`gc` on the same folder who holds it (and to use --registry).
  const releaseLock = writeServeLock(dataDir, registry.url);
  io.out(`Packyard registry listening on ${registry.url} (data: ${dataDir})\n`);
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await registry.close();
  releaseLock();
  io.err('registry stopped\n');
  return EXIT.ok;
}
