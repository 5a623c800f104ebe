import { userInfo } from 'node:os';
import { type BindingInput, newBinding } from '../../lambdas/registry/auth/publishers.ts';
import type { PublisherBinding } from '../../lambdas/registry/ports.ts';
import { formatOption, type Register, storeOptions } from '../command-kit.ts';
import { EXIT, type Io, UsageError } from '../io.ts';
import { type StoreOptions, store, withIndex } from './user.ts';

/**
 * `packyard publisher add|remove|list`: trusted publishers (GitHub OIDC bindings), in a local
 * data folder or a deployed table, like `packyard user`.
 */

export async function publisherAddCommand(
  repository: string,
  opts: StoreOptions & Omit<BindingInput, 'repository'>,
  io: Io,
): Promise<number> {
  const made = newBinding({ ...opts, repository }, `cli:${safeUser()}`, new Date());
  if (!('binding' in made))
    throw new UsageError(
      made.problems.length === 1 ? (made.problems[0] as string) : `- ${made.problems.join('\n- ')}`,
    );
  const b = made.binding;
  await withIndex(opts, (index) => index.putPublisher(b));
  io.err(`saved trusted publisher ${b.id}: ${describe(b)}\n`);
  io.out(`${b.id}\n`);
  return EXIT.ok;
}

export async function publisherRemoveCommand(id: string, opts: StoreOptions, io: Io): Promise<number> {
  const removed = await withIndex(opts, (index) => index.deletePublisher(id));
  if (!removed) {
    io.err(`no trusted publisher "${id}" (see "packyard publisher list")\n`);
    return EXIT.failed;
  }
  io.err(`removed trusted publisher ${id}: ${describe(removed)}\n`);
  return EXIT.ok;
}

export async function publisherListCommand(
  opts: StoreOptions & { format: 'text' | 'json' },
  io: Io,
): Promise<number> {
  const bindings = (await withIndex(opts, (index) => index.listPublishers())).sort(
    (a, b) => a.prefix.localeCompare(b.prefix) || a.repository.localeCompare(b.repository),
  );
  if (opts.format === 'json') {
    io.out(`${JSON.stringify(bindings, null, 2)}\n`);
    return EXIT.ok;
  }
  for (const b of bindings) {
    io.out(
      `${b.id}\t${b.prefix}\t${b.repository} (${b.repositoryId}, owner ${b.repositoryOwnerId})\t${b.workflow}\t${b.environment ?? '*'}\t${b.ref ?? '*'}\n`,
    );
  }
  return EXIT.ok;
}

function describe(b: PublisherBinding): string {
  const where = [b.environment && `environment ${b.environment}`, b.ref && `ref ${b.ref}`].filter(Boolean);
  return `${b.workflow}${where.length ? ` (${where.join(', ')})` : ''} may push to ${b.prefix}*`;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

export const register: Register = (program, { io, setExit }) => {
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
      await publisherAddCommand(
        repository,
        {
          ...store(o),
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
  ).action(async (id: string, o) => setExit(await publisherRemoveCommand(id, store(o), io)));
  storeOptions(
    publisher.command('list').description('List trusted publishers.').addOption(formatOption()),
  ).action(async (o) => setExit(await publisherListCommand({ ...store(o), format: o.format }, io)));
};
