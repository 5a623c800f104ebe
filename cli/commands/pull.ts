import path from 'node:path';
import { PackNotFoundError, resolveVersion } from '../../client/catalog.ts';
import { fetchPack, MAX_PULL_BYTES } from '../../client/pull.ts';
import { packTreeFromArchive } from '../../core/archive-tree.ts';
import { formatBytes } from '../../core/lint/context.ts';
import { packRepository } from '../../core/oci.ts';
import { formatOption, type Register, registryFlags, registryOptions } from '../command-kit.ts';
import { extractPack } from '../extract.ts';
import { EXIT, type Io, UsageError } from '../io.ts';
import { openRegistry, type RegistryFlags } from '../registry-access.ts';
import { parsePackRef } from './tag.ts';

/** pack.json's version inside a pulled archive (by digest, the tag is not known). */
function packVersionOf(archive: Uint8Array): string | undefined {
  const read = packTreeFromArchive(archive, MAX_PULL_BYTES * 4);
  if (!read.ok) return undefined;
  try {
    const v = (
      JSON.parse(Buffer.from(read.tree.read('pack.json', 1024 * 1024)).toString('utf8')) as {
        version?: unknown;
      }
    ).version;
    return typeof v === 'string' && /^[\w][\w.+-]{0,127}$/.test(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

export interface PullOptions extends RegistryFlags {
  force: boolean;
  format: 'text' | 'json';
}

/** `NAME[:TAG]` or `NAME@sha256:…` (Spectro's `pack pull NAME[:TAG|@DIGEST]`). */
export function parsePullRef(input: string): { name: string; version?: string; digest?: string } {
  const at = input.indexOf('@');
  if (at < 0) return parsePackRef(input);
  const digest = input.slice(at + 1);
  if (!/^sha256:[0-9a-f]{64}$/.test(digest))
    throw new UsageError(`"${digest}" is not a manifest digest (sha256: and 64 hex digits)`);
  return { name: parsePackRef(input.slice(0, at)).name, digest };
}

/**
 * `packyard pull NAME[:VERSION|@DIGEST] [DIR]`: downloads a pack version and extracts it into
 * DIR (default `./<name>-<version>`), safely.
 */
export async function pullCommand(
  target: string,
  dir: string | undefined,
  opts: PullOptions,
  io: Io,
  readStdin: () => Promise<string>,
): Promise<number> {
  const wanted = parsePullRef(target);
  const access = await openRegistry(opts, io, readStdin);
  await access.check();
  const refusal = access.denied('pull', packRepository(wanted.name, access.ref.basePath));
  if (refusal) {
    io.err(`packyard: ${refusal}\n`);
    return EXIT.failed;
  }
  let pulled: Awaited<ReturnType<typeof fetchPack>>;
  try {
    const version = wanted.digest ?? (await resolveVersion(access.client, wanted.name, wanted.version));
    pulled = await fetchPack(access.client, wanted.name, version);
  } catch (err) {
    if (err instanceof PackNotFoundError) {
      io.err(`packyard: ${err.message}\n`);
      return EXIT.failed;
    }
    throw access.explain(err);
  }
  // By digest, the version is pack.json's.
  if (wanted.digest) pulled = { ...pulled, version: packVersionOf(pulled.archive) ?? pulled.version };
  if (dir === undefined) dir = `${pulled.name}-${pulled.version}`;
  const { files } = await extractPack(pulled.archive, dir, { force: opts.force });
  const size = files.reduce((n, f) => n + f.size, 0);
  if (opts.format === 'json') {
    io.out(
      `${JSON.stringify(
        {
          name: pulled.name,
          version: pulled.version,
          repository: pulled.repository,
          digest: pulled.manifestDigest,
          layerDigest: pulled.layer.digest,
          dir,
          files: files.map((f) => ({ path: f.path, size: f.size, mode: `0${f.mode.toString(8)}` })),
        },
        null,
        2,
      )}\n`,
    );
  } else {
    for (const f of files) io.out(`wrote ${path.join(dir, f.path)}  ${formatBytes(f.size)}\n`);
    io.out(
      `pulled ${pulled.name}:${pulled.version} (${pulled.manifestDigest}) into ${dir}: ${files.length} file${files.length === 1 ? '' : 's'}, ${formatBytes(size)}\n`,
    );
  }
  return EXIT.ok;
}

export const register: Register = (parent, { io, setExit, readStdin }) => {
  registryOptions(
    parent
      .command('pull')
      .description('Download a pack version (default: newest) and extract it into DIR.')
      .argument('<pack>', 'NAME, NAME:VERSION or NAME@sha256:DIGEST')
      .argument('[dir]', 'folder to extract into, created if needed (default: ./<name>-<version>)')
      .addOption(formatOption())
      .option('--force', 'replace files that already exist in DIR'),
  ).action(async (target: string, dir: string | undefined, o) =>
    setExit(
      await pullCommand(
        target,
        dir,
        { ...registryFlags(o), format: o.format, force: Boolean(o.force) },
        io,
        readStdin,
      ),
    ),
  );
};
