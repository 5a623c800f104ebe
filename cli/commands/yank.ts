import { RegistryError } from '../../client/registry-client.ts';
import { packRepository } from '../../core/oci.ts';
import { type Register, registryFlags, registryOptions } from '../command-kit.ts';
import { EXIT, type Io, UsageError } from '../io.ts';
import { openRegistry, type RegistryFlags } from '../registry-access.ts';
import { parsePackRef } from './tag.ts';

/**
 * `packyard yank NAME:VERSION [--reason] [--undo]`: hides a version from tags/list (what Palette
 * syncs), the pack API's listings and "latest", while pulls by exact version or digest keep
 * working. Needs an admin credential on a Packyard registry.
 */
export async function yankCommand(
  target: string,
  opts: RegistryFlags & { reason?: string; undo: boolean },
  io: Io,
  readStdin: () => Promise<string>,
): Promise<number> {
  const { name, version } = parsePackRef(target);
  if (!version) throw new UsageError(`name the version: ${name}:<version>`);
  if (opts.undo && opts.reason) throw new UsageError('--reason goes with a yank, not with --undo');
  const access = await openRegistry(opts, io, readStdin);
  const { client, ref } = access;
  const repository = packRepository(name, ref.basePath);
  const path = `/api/v1/packs/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}/yank?base=${encodeURIComponent(ref.basePath)}`;
  try {
    await client.adminJson(
      opts.undo ? 'DELETE' : 'PUT',
      path,
      opts.undo ? undefined : opts.reason ? { reason: opts.reason } : {},
    );
  } catch (err) {
    if (err instanceof RegistryError && err.status === 404)
      throw new Error(
        `${name}:${version} is not in ${ref.host}/${repository} (or ${ref.host} is not a Packyard registry, which yanking needs)`,
      );
    throw access.explain(err);
  }
  io.err(
    opts.undo
      ? `${name}:${version} is listed again on ${ref.host}\n`
      : `yanked ${name}:${version} on ${ref.host}: hidden from listings and new Palette syncs, still pullable by exact version; undo with --undo\n`,
  );
  return EXIT.ok;
}

export const register: Register = (parent, { io, setExit, readStdin }) => {
  registryOptions(
    parent
      .command('yank')
      .description(
        'Hide a pack version from listings and new Palette syncs; it stays pullable by exact version (admin, Packyard registries).',
      )
      .argument('<pack>', 'NAME:VERSION')
      .option('--reason <text>', 'why (shown in the pack API)')
      .option('--undo', 'list the version again'),
  ).action(async (target: string, o) =>
    setExit(
      await yankCommand(
        target,
        { ...registryFlags(o), reason: o.reason, undo: Boolean(o.undo) },
        io,
        readStdin,
      ),
    ),
  );
};
