import { PackNotFoundError } from '../../client/catalog.ts';
import { RegistryError } from '../../client/registry-client.ts';
import { packRepository } from '../../core/oci.ts';
import { type Register, registryFlags, registryOptions } from '../command-kit.ts';
import { EXIT, type Io, UsageError } from '../io.ts';
import { openRegistry, type RegistryFlags } from '../registry-access.ts';
import { parsePackRef } from './tag.ts';

/**
 * Spectro's tag: `<group>__<label>` with a group, else the label (`pack tag add ubuntu:lts__14.4.3
 * 14.4.3-beta -g lts`). An OCI tag either way.
 */
export function tagName(label: string, group?: string): string {
  const tag = group ? `${group}__${label}` : label;
  if (!/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(tag))
    throw new UsageError(
      `"${tag}" is not a tag: letters, digits, ".", "_", "-", at most 128, not starting with "." or "-"`,
    );
  return tag;
}

/**
 * `packyard tag add SOURCE:TAG LABEL [-g GROUP]`: points the tag at the manifest SOURCE:TAG has
 * (the same bytes, PUT under the new tag). Moving tags such as `stable` or `1.0.x` can be moved
 * again; a pack version's own tag never moves (a Packyard registry refuses it).
 */
export async function tagAddCommand(
  source: string,
  label: string,
  opts: RegistryFlags & { group?: string },
  io: Io,
  readStdin: () => Promise<string>,
): Promise<number> {
  const { name, version } = parsePackRef(source);
  if (!version) throw new UsageError(`name the tag to copy: ${name}:<tag>`);
  const tag = tagName(label, opts.group);
  const access = await openRegistry(opts, io, readStdin);
  await access.check();
  const { client, ref } = access;
  const repository = packRepository(name, ref.basePath);
  const refusal = access.denied('push', repository);
  if (refusal) throw new Error(refusal);
  try {
    const got = await client.getManifest(repository, version);
    if (!got) throw new PackNotFoundError(`${name}:${version} is not in ${ref.host}/${repository}`);
    const before = await client.headManifest(repository, tag, 'pull,push');
    if (before?.digest === got.digest) {
      io.err(`${name}:${tag} already points at ${got.digest} (${version})\n`);
      return EXIT.ok;
    }
    await client.putManifest(
      repository,
      tag,
      got.bytes,
      got.mediaType.split(';')[0] || 'application/vnd.oci.image.manifest.v1+json',
    );
    io.err(
      `tagged ${ref.host}/${repository}:${tag} → ${got.digest} (${version})${before ? `; it was ${before.digest}` : ''}\n`,
    );
    return EXIT.ok;
  } catch (err) {
    if (err instanceof PackNotFoundError) throw err;
    if (err instanceof RegistryError && err.status === 409)
      return fail(io, `${name}:${tag} is a pack version's own tag, which never moves: ${err.message}`);
    throw access.explain(err);
  }
}

function fail(io: Io, message: string): number {
  io.err(`packyard: ${message}\n`);
  return EXIT.failed;
}

export const register: Register = (tag, { io, setExit, readStdin }) => {
  registryOptions(
    tag
      .command('add')
      .description(
        'Point tag LABEL (or GROUP__LABEL) at the version SOURCE:TAG names, e.g. stable or 1.0.x; moves it if it exists.',
      )
      .argument('<source>', 'NAME:TAG, the version to tag')
      .argument('<label>', "the tag to set (a pack version's own tag never moves)")
      .option('-g, --group <group>', "tag group: the tag becomes GROUP__LABEL (Spectro's form)"),
  ).action(async (source: string, label: string, o) =>
    setExit(await tagAddCommand(source, label, { ...registryFlags(o), group: o.group }, io, readStdin)),
  );
};
