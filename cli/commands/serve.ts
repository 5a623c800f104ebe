import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Option } from 'commander';
import type { Scope } from '../../lambdas/registry/ports.ts';
import { SETTINGS } from '../../lambdas/registry/settings.ts';
import type { Register } from '../command-kit.ts';
import { writeServeLock } from '../data-folder.ts';
import { EXIT, type Io, UsageError } from '../io.ts';
import { serveFlag, serveFlagValue } from '../serve-flags.ts';

export interface ServeOptions {
  port: number;
  host: string;
  data: string;
  anonymousPull: boolean;
  lintPolicy: 'enforce' | 'warn';
  /** Let `push --force --message` replace a version's content (off by default). */
  allowOverwrite?: boolean;
  publicUrl?: string;
  oidcIssuer: string;
  oidcAudience?: string;
  /** `.packyard.yaml` text or a file path (`/…`, `./…`): checked before the registry starts. */
  lintConfig?: string;
  loginThrottle?: { credentialFailures: number; sourceFailures: number; windowSeconds: number };
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
    oidcIssuer = SETTINGS.oidcIssuer.parse(opts.oidcIssuer, '--oidc-issuer');
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (opts.lintConfig) {
    const { checkLintConfig } = await import('../../lambdas/registry/lint-config.ts');
    try {
      await checkLintConfig(opts.lintConfig, `--lint-config (or ${SETTINGS.lintConfig.env})`);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  const dataDir = path.resolve(opts.data);
  // The embedded storage and the AWS SDK: loaded only when serving, so other commands start fast.
  const [{ ensureUser }, { startLocalRegistry }] = await Promise.all([
    import('../../lambdas/admin-index.ts'),
    import('../../lambdas/local/serve.ts'),
  ]);
  const registry = await startLocalRegistry({
    dataDir,
    port: opts.port,
    host: opts.host,
    users,
    config: {
      anonymousPull: opts.anonymousPull,
      lintPolicy: opts.lintPolicy,
      allowOverwrite: opts.allowOverwrite ?? false,
      publicUrl: opts.publicUrl,
      oidcIssuer,
      ...(opts.oidcAudience ? { oidcAudience: opts.oidcAudience } : {}),
      ...(opts.lintConfig ? { lintConfig: opts.lintConfig } : {}),
      ...(opts.loginThrottle ? { loginThrottle: opts.loginThrottle } : {}),
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
    .addOption(new Option('-p, --port <port>', 'port to listen on').default(5000))
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('-d, --data <dir>', 'data folder (blobs, index, token secret); survives restarts', '.packyard')
    .addOption(serveFlag('anonymousPull'))
    .addOption(serveFlag('lintPolicy'))
    .addOption(serveFlag('allowOverwrite'))
    .addOption(serveFlag('publicUrl'))
    .addOption(serveFlag('oidcIssuer'))
    .addOption(serveFlag('oidcAudience'))
    .addOption(serveFlag('lintConfig'))
    .addOption(serveFlag('loginFailuresPerUser'))
    .addOption(serveFlag('loginFailuresPerSource'))
    .addOption(serveFlag('loginFailureWindowSeconds'))
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
            anonymousPull: Boolean(o.anonymousPull),
            lintPolicy: o.lintPolicy,
            allowOverwrite: Boolean(o.allowOverwrite),
            publicUrl: o.publicUrl,
            oidcIssuer: o.oidcIssuer,
            oidcAudience: o.oidcAudience,
            lintConfig: serveFlagValue('lintConfig', o),
            loginThrottle: {
              credentialFailures: serveFlagValue('loginFailuresPerUser', o) as number,
              sourceFailures: serveFlagValue('loginFailuresPerSource', o) as number,
              windowSeconds: serveFlagValue('loginFailureWindowSeconds', o) as number,
            },
          },
          io,
          controller.signal,
        ),
      );
    });
};
