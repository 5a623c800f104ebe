import { type Command, Option } from 'commander';
import type { Io } from './io.ts';

/** What every command's action needs: the terminal, the exit code setter, standard input. */
export interface CommandContext {
  io: Io;
  setExit: (code: number) => void;
  readStdin: () => Promise<string>;
}

/** A command module adds its command (with its options) to `parent`: the program, or an alias group. */
export type Register = (parent: Command, ctx: CommandContext) => void;

/** --registry, --username, --password-stdin, --insecure. */
export function registryOptions(cmd: Command, withRegistry = true): Command {
  if (withRegistry) {
    cmd.addOption(
      new Option('-r, --registry <ref>', 'registry: host[:port][/base/path]').env('PACKYARD_REGISTRY'),
    );
  }
  return cmd
    .option('-u, --username <name>', 'user name (password from --password-stdin or PACKYARD_PASSWORD)')
    .option('--password-stdin', 'read the password from standard input')
    .option('--insecure', 'allow plain http to a host other than localhost')
    .addHelpText(
      'after',
      withRegistry
        ? '\nCredentials: --username with --password-stdin, else PACKYARD_USERNAME and PACKYARD_PASSWORD,\nelse those saved by "packyard login" for the registry host, else Docker\'s config.json (its\ncredential helpers too). The registry: --registry, else PACKYARD_REGISTRY, else "login --default".\nhttp:// is only used for localhost unless --insecure. PACKYARD_RETRIES sets how often a failed\nrequest is retried (default 4).'
        : '\nThe password comes from --password-stdin, PACKYARD_PASSWORD, a prompt on a terminal (not echoed),\nor --password (discouraged); the user name from --username, PACKYARD_USERNAME or the prompt.\nSaved, keyed by host[:port], in credentials.json in $XDG_CONFIG_HOME/packyard (default\n~/.config/packyard; PACKYARD_CONFIG_DIR overrides the folder).',
    );
}

export const registryFlags = (o: Record<string, unknown>) => ({
  registry: o.registry as string | undefined,
  insecure: Boolean(o.insecure),
  username: o.username as string | undefined,
  passwordStdin: Boolean(o.passwordStdin),
});

/** --data, --table, --region: where `user` and `publisher` keep their records. */
export const storeOptions = (cmd: Command): Command =>
  cmd
    .option('-d, --data <dir>', 'local data folder of "packyard serve"', '.packyard')
    .option('--table <name>', "a deployed registry's DynamoDB table (uses your AWS credentials)")
    .option('--region <region>', 'AWS region of --table');

/** `--format text|json`, the choice most commands offer. */
export const formatOption = () =>
  new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text');

/** `--created`, for the commands that package packs (build, push). */
export const createdOption = () =>
  new Option(
    '--created <date>',
    'set org.opencontainers.image.created (RFC 3339); default: SOURCE_DATE_EPOCH, else none',
  );
