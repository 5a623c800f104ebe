import { Command, CommanderError } from 'commander';
import { PathNotFoundError } from '../core/discover.ts';
import pkg from '../package.json' with { type: 'json' };
import type { CommandContext } from './command-kit.ts';
import * as build from './commands/build.ts';
import * as gc from './commands/gc.ts';
import * as init from './commands/init.ts';
import * as lint from './commands/lint.ts';
import { registerLogin, registerLogout } from './commands/login.ts';
import * as ls from './commands/ls.ts';
import * as plan from './commands/plan.ts';
import * as publisher from './commands/publisher.ts';
import * as pull from './commands/pull.ts';
import * as push from './commands/push.ts';
import * as rules from './commands/rules.ts';
import * as serve from './commands/serve.ts';
import * as tag from './commands/tag.ts';
import * as user from './commands/user.ts';
import * as yank from './commands/yank.ts';
import { EXIT, type Io, processIo, UsageError } from './io.ts';

/** The program: each command module registers its command and options (in help order). */
export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('packyard')
    .description('Lint, package and publish Spectro Cloud Palette packs.')
    .version(pkg.version, '-V, --version', 'print the Packyard version')
    // -V/--version only before a command: `init DIR --version 1.2.3` is the pack's version.
    .enablePositionalOptions()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();
  const ctx: CommandContext = { io, setExit, readStdin };
  for (const register of [
    init.register,
    lint.register,
    build.register,
    rules.register,
    serve.register,
    user.register,
    gc.register,
    publisher.register,
    push.register,
    plan.register,
    pull.register,
    ls.register,
    tag.register,
    yank.register,
    registerLogin,
    registerLogout,
  ])
    register(program, ctx);

  // Spectro's CLI verbs, for people who know them: `pack build|push|ls|pull|tag add|tag delete`,
  // `registry login|logout`.
  const pack = program
    .command('pack', { hidden: true })
    .description('Spectro-style aliases: pack build, pack push, pack ls, pack pull, pack tag add|delete.');
  for (const register of [init.registerPackBuild, push.register, ls.register, pull.register, tag.register])
    register(pack, ctx);
  const registry = program
    .command('registry', { hidden: true })
    .description('Spectro-style aliases: registry login, registry logout.');
  for (const register of [registerLogin, registerLogout]) register(registry, ctx);
  program.addHelpText(
    'after',
    '\nSpectro CLI verbs work too: pack build, pack push, pack ls, pack pull, pack tag add|delete,\nregistry login|logout.',
  );
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
