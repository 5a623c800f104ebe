import { Command, CommanderError, Option } from 'commander';
import { PathNotFoundError } from '../core/discover.ts';
import pkg from '../package.json' with { type: 'json' };
import { buildCommand } from './commands/build.ts';
import { lintCommand } from './commands/lint.ts';
import { rulesCommand } from './commands/rules.ts';
import { EXIT, type Io, processIo, UsageError } from './io.ts';

export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('packyard')
    .description('Lint, package and publish Spectro Cloud Palette packs.')
    .version(pkg.version, '-V, --version', 'print the Packyard version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();

  program
    .command('lint')
    .description('Lint every pack (a folder with pack.json) under each DIR, recursively.')
    .argument('[dir...]', 'folders to search for packs', [])
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices(['text', 'json', 'github'])
        .default('text'),
    )
    .addOption(
      new Option('--fail-on <severity>', 'lowest severity that fails (exit 1)')
        .choices(['error', 'warning'])
        .default('error'),
    )
    .addHelpText(
      'after',
      '\nExit codes: 0 no failing findings, 1 failing findings, 2 usage error.\nSee "packyard rules" for the rule ids.',
    )
    .action(async (dirs: string[], o) =>
      setExit(await lintCommand(dirs, { format: o.format, failOn: o.failOn }, io)),
    );

  program
    .command('build')
    .description('Lint, then package each pack as <name>-<version>.tar.gz plus an OCI image layout in OUT.')
    .argument('[dir...]', 'folders to search for packs', [])
    .requiredOption('-o, --out <dir>', 'output folder (archives, oci-layout, index.json, blobs/)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--force', 'build packs even when they have lint errors', false)
    .option(
      '--created <date>',
      'set org.opencontainers.image.created (RFC 3339); default: SOURCE_DATE_EPOCH, else none',
    )
    .addHelpText(
      'after',
      '\nArchives are reproducible: same content, same bytes and digests.\nPush the layout with e.g.\n  skopeo copy oci:OUT:<name>:<version> docker://HOST/spectro-packs/archive/<name>:<version>',
    )
    .action(async (dirs: string[], o) =>
      setExit(
        await buildCommand(dirs, { out: o.out, format: o.format, force: o.force, created: o.created }, io),
      ),
    );

  program
    .command('rules')
    .description('List the lint rules with their ids and default severities.')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((o) => setExit(rulesCommand({ format: o.format }, io)));

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
      const { serveCommand } = await import('./commands/serve.ts'); // loads the AWS SDK: only when serving
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

  const user = program
    .command('user')
    .description(
      'Manage registry credentials: through a running registry (--registry), or in a local data folder or a deployed table.',
    );
  const storeOptions = (cmd: Command) =>
    cmd
      .option(
        '-d, --data <dir>',
        'local data folder of "packyard serve" (while it runs, use --registry)',
        '.packyard',
      )
      .option('--table <name>', "a deployed registry's DynamoDB table (uses your AWS credentials)")
      .option('--region <region>', 'AWS region of --table')
      .option(
        '--registry <url>',
        'a running registry: its credentials API, with admin credentials from PACKYARD_USERNAME/PACKYARD_PASSWORD or "packyard login"',
      )
      .option('--insecure', 'accept an http:// --registry other than localhost', false);
  const target = (o: Record<string, unknown>) => ({
    data: o.data as string,
    table: o.table as string | undefined,
    region: o.region as string | undefined,
    registry: o.registry as string | undefined,
    insecure: o.insecure as boolean,
  });
  const users = () => import('./commands/user.ts');
  storeOptions(
    user
      .command('add')
      .description('Create a credential; prints a generated password (shown once) unless --password-stdin.')
      .argument('<name>', 'user name')
      .addOption(
        new Option('--scope <scope>', 'what it may do').choices(['read', 'write', 'admin']).default('read'),
      )
      .option('--prefix <prefix>', 'repository prefix it is limited to, e.g. team-a/ (default: all)', '')
      .option('--expires <time>', 'ISO date or time after which it is refused')
      .option('--replace', 'replace an existing credential of that name', false)
      .option('--password-stdin', 'read the new password from standard input', false),
  ).action(async (name: string, o) =>
    setExit(
      await (await users()).userAddCommand(
        name,
        {
          ...target(o),
          scope: o.scope,
          prefix: o.prefix,
          expires: o.expires,
          replace: o.replace,
          passwordStdin: o.passwordStdin,
        },
        io,
        readStdin,
      ),
    ),
  );
  storeOptions(
    user
      .command('remove')
      .description('Delete a credential (never the last admin).')
      .argument('<name>', 'user name'),
  ).action(async (name: string, o) =>
    setExit(await (await users()).userRemoveCommand(name, target(o), io, readStdin)),
  );
  storeOptions(
    user
      .command('rotate')
      .description('Give a credential a new generated password (shown once).')
      .argument('<name>', 'user name'),
  ).action(async (name: string, o) =>
    setExit(await (await users()).userRotateCommand(name, target(o), io, readStdin)),
  );
  storeOptions(
    user
      .command('expire')
      .description('Set when a credential stops working (an ISO date or time), or "never".')
      .argument('<name>', 'user name')
      .argument('<when>', 'ISO date or time, or never'),
  ).action(async (name: string, when: string, o) =>
    setExit(await (await users()).userExpireCommand(name, when, target(o), io, readStdin)),
  );
  storeOptions(
    user
      .command('list')
      .description('List credentials (never passwords): scope, prefix, created, expiry, last used.')
      .addOption(
        new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'),
      ),
  ).action(async (o) =>
    setExit(await (await users()).userListCommand({ ...target(o), format: o.format }, io, readStdin)),
  );

  program
    .command('gc')
    .description('Retire versions by retention rules, then garbage-collect unreferenced blobs and manifests.')
    .option('-d, --data <dir>', 'local data folder of "packyard serve" (stop the server first)', '.packyard')
    .option('--table <name>', "a deployed registry's DynamoDB table (uses your AWS credentials)")
    .option('--bucket <name>', "the deployed registry's S3 bucket (with --table)")
    .option('--bucket-prefix <prefix>', 'key prefix inside --bucket', '')
    .option('--region <region>', 'AWS region of --table and --bucket')
    .option('--dry-run', 'print what would be retired and freed; change nothing', false)
    .option('--retention <rules>', 'retention rules: JSON, or @file (default: $PACKYARD_RETENTION)')
    .option('--grace <duration>', 'keep unreferenced content younger than this (default 24h)')
    .option('--fence <duration>', 'delete condemned content only this long after marking it (default 15m)')
    .option('--wait', 'wait out the fence and run again until everything condemned is freed', false)
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      '\nA run condemns what nothing references (past --grace) and deletes what an earlier run condemned\n(past --fence); --wait does both in one go. Safe while the registry serves pushes (docs/storage.md).\nRetention rules: [{"prefix":"team-a/","keepLast":5,"keepNewerThanDays":90,"protectTags":["latest"]}].',
    )
    .action(async (o) =>
      setExit(
        await (await import('./commands/gc.ts')).gcCommand(
          {
            data: o.data,
            table: o.table,
            bucket: o.bucket,
            bucketPrefix: o.bucketPrefix,
            region: o.region,
            dryRun: o.dryRun,
            retention: o.retention,
            grace: o.grace,
            fence: o.fence,
            wait: o.wait,
            format: o.format,
          },
          io,
        ),
      ),
    );

  const publisher = program
    .command('publisher')
    .description('Manage trusted publishers: GitHub workflows that push with an OIDC token, no password.');
  storeOptions(
    publisher
      .command('add')
      .description(
        "Let a repository's workflow exchange its GitHub OIDC ID token for a short-lived push token.",
      )
      .argument('<repository>', 'GitHub repository, owner/name')
      .requiredOption(
        '--repository-id <id>',
        "the repository's numeric id (gh api repos/OWNER/NAME --jq .id)",
      )
      .requiredOption('--owner-id <id>', "the owner's numeric id (gh api repos/OWNER/NAME --jq .owner.id)")
      .requiredOption(
        '--workflow <file>',
        'workflow file that runs the publish job: publish.yml, or owner/repo/.github/workflows/x.yml for a reusable one',
      )
      .requiredOption(
        '--prefix <prefix>',
        'repository prefix it may push to, e.g. team-a/ (spectro-packs/ for no base path)',
      )
      .option('--environment <name>', 'only jobs running in this GitHub environment')
      .option('--ref <pattern>', 'only runs on a matching git ref, e.g. refs/heads/main or refs/tags/v*'),
  ).action(async (repository: string, o) =>
    setExit(
      await (await import('./commands/publisher.ts')).publisherAddCommand(
        repository,
        {
          data: o.data,
          table: o.table,
          region: o.region,
          repositoryId: o.repositoryId,
          repositoryOwnerId: o.ownerId,
          workflow: o.workflow,
          prefix: o.prefix,
          environment: o.environment,
          ref: o.ref,
        },
        io,
      ),
    ),
  );
  storeOptions(
    publisher.command('remove').description('Delete a trusted publisher.').argument('<id>', 'its id (tp-…)'),
  ).action(async (id: string, o) =>
    setExit(
      await (await import('./commands/publisher.ts')).publisherRemoveCommand(
        id,
        { data: o.data, table: o.table, region: o.region },
        io,
      ),
    ),
  );
  storeOptions(
    publisher
      .command('list')
      .description('List trusted publishers.')
      .addOption(
        new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'),
      ),
  ).action(async (o) =>
    setExit(
      await (await import('./commands/publisher.ts')).publisherListCommand(
        { data: o.data, table: o.table, region: o.region, format: o.format },
        io,
      ),
    ),
  );

  addPublishCommands(program, io, setExit);
  // Spectro's CLI verbs, for people who know them: `pack push|ls|pull|tag delete`, `registry login|logout`.
  const pack = program
    .command('pack', { hidden: true })
    .description('Spectro-style aliases: pack push, pack ls, pack pull, pack tag delete.');
  addPush(pack, io, setExit);
  addLs(pack, io, setExit);
  addPull(pack, io, setExit);
  addTag(pack, io, setExit);
  const registry = program
    .command('registry', { hidden: true })
    .description('Spectro-style aliases: registry login, registry logout.');
  addLogin(registry, io, setExit);
  addLogout(registry, io, setExit);
  program.addHelpText(
    'after',
    '\nSpectro CLI verbs work too: pack push, pack ls, pack pull, pack tag delete, registry login.',
  );

  return program;
}

type SetExit = (code: number) => void;

/** --registry, --username, --password-stdin, --insecure. */
function registryOptions(cmd: Command, withRegistry = true): Command {
  if (withRegistry) {
    cmd.addOption(
      new Option('-r, --registry <ref>', 'registry: host[:port][/base/path]').env('PACKYARD_REGISTRY'),
    );
  }
  return cmd
    .option('-u, --username <name>', 'user name (password from --password-stdin or PACKYARD_PASSWORD)')
    .option('--password-stdin', 'read the password from standard input', false)
    .option('--insecure', 'allow plain http to a host other than localhost', false)
    .addHelpText(
      'after',
      withRegistry
        ? '\nCredentials: --username with --password-stdin, else PACKYARD_USERNAME and PACKYARD_PASSWORD,\nelse those saved by "packyard login" for the registry host. http:// is only used for localhost\nunless --insecure. PACKYARD_RETRIES sets how often a failed request is retried (default 4).'
        : '\nThe password comes from --password-stdin or PACKYARD_PASSWORD, never from an argument; the user\nname from --username or PACKYARD_USERNAME. Saved, keyed by host[:port], in credentials.json in\n$XDG_CONFIG_HOME/packyard (default ~/.config/packyard; PACKYARD_CONFIG_DIR overrides the folder).',
    );
}

const registryFlags = (o: Record<string, unknown>) => ({
  registry: o.registry as string | undefined,
  insecure: o.insecure as boolean,
  username: o.username as string | undefined,
  passwordStdin: o.passwordStdin as boolean,
});

function addPublishCommands(program: Command, io: Io, setExit: SetExit): void {
  addPush(program, io, setExit);
  addPull(program, io, setExit);
  addLs(program, io, setExit);
  addTag(program, io, setExit);
  addYank(program, io, setExit);
  addLogin(program, io, setExit);
  addLogout(program, io, setExit);
}

function addPush(parent: Command, io: Io, setExit: SetExit): void {
  registryOptions(
    parent
      .command('push')
      .description('Lint, package and push each pack to REF/spectro-packs/archive/<name>:<version>.')
      .argument('[dir...]', 'folders to search for packs', [])
      .addOption(
        new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'),
      )
      .option(
        '--force',
        'overwrite a version the registry holds with other content (if the registry allows it)',
        false,
      )
      .option('-c, --concurrency <n>', 'packs pushed at once', '4')
      .option(
        '--created <date>',
        'set org.opencontainers.image.created (RFC 3339); default: SOURCE_DATE_EPOCH, else none',
      ),
  )
    .addHelpText(
      'after',
      '\nA version the registry already holds with the same digest is skipped (nothing uploaded); with\nanother digest it is an error naming both. Packs with lint errors are not pushed; the others are.\nExit codes: 0 all published or skipped, 1 any invalid or failed, 2 usage error.',
    )
    .action(async (dirs: string[], o) =>
      setExit(
        await (await import('./commands/push.ts')).pushCommand(
          dirs,
          {
            ...registryFlags(o),
            format: o.format,
            force: o.force,
            concurrency: o.concurrency,
            created: o.created,
          },
          io,
          readStdin,
        ),
      ),
    );
}

function addLs(parent: Command, io: Io, setExit: SetExit): void {
  registryOptions(
    parent
      .command('ls')
      .description('List the packs in a registry, or the versions of pack NAME.')
      .argument('[name]', 'a pack name')
      .addOption(
        new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'),
      ),
  ).action(async (name: string | undefined, o) =>
    setExit(
      await (await import('./commands/ls.ts')).lsCommand(
        name,
        { ...registryFlags(o), format: o.format },
        io,
        readStdin,
      ),
    ),
  );
}

function addPull(parent: Command, io: Io, setExit: SetExit): void {
  registryOptions(
    parent
      .command('pull')
      .description('Download a pack version (default: newest) and extract it into DIR.')
      .argument('<pack>', 'NAME, or NAME:VERSION')
      .argument('<dir>', 'folder to extract into (created if needed)')
      .addOption(
        new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'),
      )
      .option('--force', 'replace files that already exist in DIR', false),
  ).action(async (target: string, dir: string, o) =>
    setExit(
      await (await import('./commands/pull.ts')).pullCommand(
        target,
        dir,
        { ...registryFlags(o), format: o.format, force: o.force },
        io,
        readStdin,
      ),
    ),
  );
}

function addTag(parent: Command, io: Io, setExit: SetExit): void {
  const tag = parent.command('tag').description('Delete pack version tags: tag delete NAME:VERSION.');
  registryOptions(
    tag
      .command('delete')
      .description('Delete the tag of a pack version (an admin credential on Packyard).')
      .argument('<pack>', 'NAME:VERSION')
      .option('-y, --yes', 'do not ask for confirmation on a terminal', false)
      .addHelpText(
        'after',
        '\nClusters that synced the version may still reference it: consider "packyard yank" instead, which\nhides it from new syncs and keeps it pullable.',
      ),
  ).action(async (target: string, o) =>
    setExit(
      await (await import('./commands/tag.ts')).tagDeleteCommand(
        target,
        { ...registryFlags(o), yes: o.yes },
        io,
        readStdin,
      ),
    ),
  );
}

function addYank(parent: Command, io: Io, setExit: SetExit): void {
  registryOptions(
    parent
      .command('yank')
      .description(
        'Hide a pack version from listings and new Palette syncs; it stays pullable by exact version (admin, Packyard registries).',
      )
      .argument('<pack>', 'NAME:VERSION')
      .option('--reason <text>', 'why (shown in the pack API)')
      .option('--undo', 'list the version again', false),
  ).action(async (target: string, o) =>
    setExit(
      await (await import('./commands/yank.ts')).yankCommand(
        target,
        { ...registryFlags(o), reason: o.reason, undo: o.undo },
        io,
        readStdin,
      ),
    ),
  );
}

function addLogin(parent: Command, io: Io, setExit: SetExit): void {
  registryOptions(
    parent
      .command('login')
      .description('Check credentials and save them for the registry host (mode 0600).')
      .argument('<registry>', 'host[:port][/base/path]'),
    false,
  ).action(async (registry: string, o) =>
    setExit(
      await (await import('./commands/login.ts')).loginCommand(registry, registryFlags(o), io, readStdin),
    ),
  );
}

function addLogout(parent: Command, io: Io, setExit: SetExit): void {
  parent
    .command('logout')
    .description('Remove the credentials saved for the registry host.')
    .argument('<registry>', 'host[:port][/base/path]')
    .option('--insecure', 'accept an http:// reference to a host other than localhost', false)
    .action(async (registry: string, o) =>
      setExit(
        await (await import('./commands/login.ts')).logoutCommand(registry, { insecure: o.insecure }, io),
      ),
    );
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses argv, runs one command, sets process.exitCode. */
export async function run(argv: string[] = process.argv, io: Io = processIo): Promise<void> {
  // Packyard states its own Node.js support; the AWS SDK's notice about its future releases is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // `packyard … | head`: a closed pipe ends the command quietly, as for any Unix tool.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    if (argv.length <= 2) {
      program.outputHelp();
      code = EXIT.usage;
    } else {
      await program.parseAsync(argv);
    }
  } catch (err) {
    code = exitCodeFor(err, io);
  }
  process.exitCode = code;
}

function exitCodeFor(err: unknown, io: Io): number {
  if (err instanceof CommanderError) {
    return err.code === 'commander.helpDisplayed' ||
      err.code === 'commander.version' ||
      err.code === 'commander.help'
      ? EXIT.ok
      : EXIT.usage;
  }
  if (err instanceof UsageError || err instanceof PathNotFoundError) {
    io.err(`packyard: ${err.message}\n`);
    return EXIT.usage;
  }
  io.err(`packyard: ${err instanceof Error ? err.message : String(err)}\n`);
  if (io.env.PACKYARD_DEBUG && err instanceof Error) io.err(`${err.stack}\n`);
  return EXIT.failed;
}
