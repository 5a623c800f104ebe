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
    .description('Run the registry on this machine: the Lambda handler over HTTP, with embedded S3 and DynamoDB.')
    .option('-p, --port <port>', 'port to listen on', '5000')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('-d, --data <dir>', 'data folder (blobs, index, token secret); survives restarts', '.packyard')
    .option('--anonymous-pull', 'let requests without credentials pull', false)
    .addOption(new Option('--lint-policy <policy>', 'what a pushed pack with lint errors gets').choices(['enforce', 'warn']).default('enforce'))
    .option('--public-url <url>', 'base URL clients reach the registry at (token realm, Location headers)')
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
          },
          io,
          controller.signal,
        ),
      );
    });

  const user = program
    .command('user')
    .description('Manage registry credentials (hashed in the index) in a local data folder or a deployed table.');
  const storeOptions = (cmd: Command) =>
    cmd
      .option('-d, --data <dir>', 'local data folder of "packyard serve"', '.packyard')
      .option('--table <name>', 'a deployed registry\'s DynamoDB table (uses your AWS credentials)')
      .option('--region <region>', 'AWS region of --table');
  storeOptions(
    user
      .command('add')
      .description('Create or replace a credential; prints a generated password unless --password-stdin.')
      .argument('<name>', 'user name')
      .addOption(new Option('--scope <scope>', 'what it may do').choices(['read', 'write', 'admin']).default('read'))
      .option('--prefix <prefix>', 'repository prefix it is limited to, e.g. team-a/ (default: all)', '')
      .option('--password-stdin', 'read the password from standard input', false),
  ).action(async (name: string, o) =>
    setExit(
      await (await import('./commands/user.ts')).userAddCommand(
        name,
        { data: o.data, table: o.table, region: o.region, scope: o.scope, prefix: o.prefix, passwordStdin: o.passwordStdin },
        io,
        readStdin,
      ),
    ),
  );
  storeOptions(user.command('remove').description('Delete a credential.').argument('<name>', 'user name')).action(
    async (name: string, o) => setExit(await (await import('./commands/user.ts')).userRemoveCommand(name, { data: o.data, table: o.table, region: o.region }, io)),
  );
  storeOptions(
    user
      .command('list')
      .description('List credentials (never passwords).')
      .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text')),
  ).action(async (o) => setExit(await (await import('./commands/user.ts')).userListCommand({ data: o.data, table: o.table, region: o.region, format: o.format }, io)));

  return program;
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
