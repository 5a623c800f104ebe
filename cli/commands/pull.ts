import path from 'node:path';
import { PackNotFoundError, resolveVersion } from '../../client/catalog.ts';
import { fetchPack } from '../../client/pull.ts';
import { formatBytes } from '../../core/lint/context.ts';
import { formatOption, type Register, registryFlags, registryOptions } from '../command-kit.ts';
import { extractPack } from '../extract.ts';
import { EXIT, type Io } from '../io.ts';
import { openRegistry, type RegistryFlags } from '../registry-access.ts';
import { parsePackRef } from './tag.ts';

export interface PullOptions extends RegistryFlags {
  force: boolean;
  format: 'text' | 'json';
}

/** `packyard pull NAME[:VERSION] DIR`: downloads a pack version and extracts it into DIR, safely. */
export async function pullCommand(
  target: string,
  dir: string,
  opts: PullOptions,
  io: Io,
  readStdin: () => Promise<string>,
): Promise<number> {
  const wanted = parsePackRef(target);
  const access = await openRegistry(opts, io, readStdin);
  await access.check();
  let pulled: Awaited<ReturnType<typeof fetchPack>>;
  try {
    const version = await resolveVersion(access.client, wanted.name, wanted.version);
    pulled = await fetchPack(access.client, wanted.name, version);
  } catch (err) {
    if (err instanceof PackNotFoundError) {
      io.err(`packyard: ${err.message}\n`);
      return EXIT.failed;
    }
    throw access.explain(err);
  }
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
      .argument('<pack>', 'NAME, or NAME:VERSION')
      .argument('<dir>', 'folder to extract into (created if needed)')
      .addOption(formatOption())
      .option('--force', 'replace files that already exist in DIR', false),
  ).action(async (target: string, dir: string, o) =>
    setExit(
      await pullCommand(
        target,
        dir,
        { ...registryFlags(o), format: o.format, force: o.force },
        io,
        readStdin,
      ),
    ),
  );
};
