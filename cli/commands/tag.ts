import { checkPackName, checkVersion, PackNotFoundError } from '../../client/catalog.ts';
import { RegistryError } from '../../client/registry-client.ts';
import { packRepository } from '../../core/oci.ts';
import { type Register, registryFlags, registryOptions } from '../command-kit.ts';
import { EXIT, type Io, UsageError } from '../io.ts';
import { openRegistry, type RegistryFlags } from '../registry-access.ts';
import { register as registerTagAdd } from './tag-add.ts';

/** Asks on an interactive terminal; elsewhere (scripts, CI) the warning alone is given and it proceeds. */
async function askOnTerminal(question: string): Promise<boolean> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return true;
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** Splits `NAME[:VERSION]`. */
export function parsePackRef(input: string): { name: string; version?: string } {
  const colon = input.indexOf(':');
  const name = colon < 0 ? input : input.slice(0, colon);
  const version = colon < 0 ? undefined : input.slice(colon + 1);
  try {
    checkPackName(name);
    if (version !== undefined) checkVersion(version);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return { name, version };
}

/** `packyard tag delete NAME:VERSION`: deletes the version's tag (DELETE manifest by tag). */
export async function tagDeleteCommand(
  target: string,
  flags: RegistryFlags & { yes?: boolean },
  io: Io,
  readStdin: () => Promise<string>,
  confirm: (question: string) => Promise<boolean> = askOnTerminal,
): Promise<number> {
  const { name, version } = parsePackRef(target);
  if (!version) throw new UsageError(`name the version to delete: ${name}:<version>`);
  io.err(
    `warning: Palette clusters that synced ${name}:${version} may still reference it; "packyard yank ${name}:${version}" hides it from new syncs and keeps it pullable\n`,
  );
  if (!flags.yes && !(await confirm(`delete ${name}:${version}? [y/N] `))) {
    io.err('not deleted\n');
    return EXIT.failed;
  }
  const access = await openRegistry(flags, io, readStdin);
  await access.check();
  const { client, ref } = access;
  const repository = packRepository(name, ref.basePath);
  const refusal = access.denied('delete', repository);
  if (refusal) throw new Error(refusal);
  const notFound = () => new PackNotFoundError(`${name}:${version} is not in ${ref.host}/${repository}`);
  try {
    await client.deleteManifest(repository, version);
    io.err(`deleted tag ${version} of ${ref.host}/${repository}\n`);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof RegistryError && err.status === 404) throw notFound();
    // Deleting by tag is optional in the distribution spec (the CNCF registry answers 400 or 405).
    if (!(err instanceof RegistryError && (err.status === 400 || err.status === 405)))
      throw access.explain(err);
  }
  // Then delete the manifest by digest, unless another tag shares it (that would delete both).
  try {
    const target = await client.headManifest(repository, version);
    if (!target) throw notFound();
    const others: string[] = [];
    for (const tag of await client.listTags(repository)) {
      if (tag !== version && (await client.headManifest(repository, tag))?.digest === target.digest)
        others.push(tag);
    }
    if (others.length > 0) {
      throw new Error(
        `${ref.host} cannot delete a tag alone, and ${target.digest} is also tagged ${others.join(', ')}; deleting it would remove those too`,
      );
    }
    await client.deleteManifest(repository, target.digest);
    io.err(
      `deleted ${version} (${target.digest}) of ${ref.host}/${repository}; this registry deletes manifests, not tags\n`,
    );
    return EXIT.ok;
  } catch (err) {
    throw err instanceof PackNotFoundError ? err : access.explain(err);
  }
}

export const register: Register = (parent, { io, setExit, readStdin }) => {
  const tag = parent
    .command('tag')
    .description('Tags: tag add NAME:TAG LABEL [-g GROUP] (moving tags), tag delete NAME:TAG.');
  registerTagAdd(tag, { io, setExit, readStdin });
  registryOptions(
    tag
      .command('delete')
      .description("Delete a tag: a version's (an admin credential on Packyard) or a moving one.")
      .argument('<pack>', 'NAME:TAG')
      .option('-y, --yes', 'do not ask for confirmation on a terminal')
      .addHelpText(
        'after',
        '\nClusters that synced the version may still reference it: consider "packyard yank" instead, which\nhides it from new syncs and keeps it pullable.',
      ),
  ).action(async (target: string, o) =>
    setExit(await tagDeleteCommand(target, { ...registryFlags(o), yes: Boolean(o.yes) }, io, readStdin)),
  );
};
