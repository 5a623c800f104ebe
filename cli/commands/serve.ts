import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Option } from 'commander';
import { validateIssuer } from '../../lambdas/registry/config.ts';
import type { Scope } from '../../lambdas/registry/ports.ts';
import type { Register } from '../command-kit.ts';
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
  // The embedded storage and the AWS SDK: loaded only when serving, so other commands start fast.
  const [{ startLocalRegistry }, { ensureUser }] = await Promise.all([
    import('../../lambdas/local/serve.ts'),
    import('../../lambdas/admin-index.ts'),
  ]);
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

export const register: Register = (program, { io, setExit }) => {
  program
    .command('serve')
    .description(
      'Run the registry on this machine: the Lambda handler over HTTP, with embedded S3 and DynamoDB.',
    )
    .option('-p, --port <port>', 'port to listen on', '5000')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('-d, --data <dir>', 'data folder (blobs, index, token secret); survives restarts', '.packyard')
    .option('--anonymous-pull', 'let requests without credentials pull', false)
    .addOption(
      new Option('--lint-policy <policy>', 'what a pushed pack with lint errors gets')
        .choices(['enforce', 'warn'])
        .default('enforce'),
    )
    .option('--public-url <url>', 'base URL clients reach the registry at (token realm, Location headers)')
    .addOption(
      new Option('--oidc-issuer <url>', 'OIDC issuer whose ID tokens trusted publishers present')
        .env('PACKYARD_OIDC_ISSUER')
        .default('https://token.actions.githubusercontent.com'),
    )
    .addOption(
      new Option(
        '--oidc-audience <aud>',
        'audience those ID tokens must carry (default: --public-url, else "packyard")',
      ).env('PACKYARD_OIDC_AUDIENCE'),
    )
    .addHelpText(
      'after',
      '\nPACKYARD_USERNAME and PACKYARD_PASSWORD create or update an admin credential at start-up;\nwith no credential at all, an admin is created and its password printed once.\nStop with Ctrl-C.',
    )
    .action(async (o) => {
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      setExit(
        await serveCommand(
          {
            port: Number(o.port),
            host: o.host,
            data: o.data,
            anonymousPull: o.anonymousPull,
            lintPolicy: o.lintPolicy,
            publicUrl: o.publicUrl,
            oidcIssuer: o.oidcIssuer,
            oidcAudience: o.oidcAudience,
          },
          io,
          controller.signal,
        ),
      );
    });
};
