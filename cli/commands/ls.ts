import { listPacks, listVersions, PackNotFoundError } from '../../client/catalog.ts';
import { formatBytes } from '../../core/lint/context.ts';
import { packRepository } from '../../core/oci.ts';
import { formatOption, type Register, registryFlags, registryOptions } from '../command-kit.ts';
import { EXIT, type Io, painter, plural, UsageError, useColor } from '../io.ts';
import { openRegistry, type RegistryFlags } from '../registry-access.ts';

export interface LsOptions extends RegistryFlags {
  format: 'text' | 'json';
}

/** `packyard ls [NAME]`: the packs under REF, or NAME's versions (newest first). */
export async function lsCommand(
  name: string | undefined,
  opts: LsOptions,
  io: Io,
  readStdin: () => Promise<string>,
): Promise<number> {
  const access = await openRegistry(opts, io, readStdin);
  await access.check();
  const { ref, client } = access;
  const c = painter(useColor(io));
  const where = `${ref.host}/${packRepository('', ref.basePath)}`;
  try {
    if (name === undefined) {
      const { source, packs } = await listPacks(client);
      if (opts.format === 'json') {
        io.out(`${JSON.stringify(packs, null, 2)}\n`);
      } else if (packs.length > 0) {
        const rows =
          source === 'packyard-api'
            ? packs.map((p) => [p.name, p.latestVersion ?? '-', p.layer ?? '-', p.displayName ?? ''])
            : packs.map((p) => [p.name, p.latestVersion ?? '-']);
        const head =
          source === 'packyard-api' ? ['NAME', 'LATEST', 'LAYER', 'DISPLAY NAME'] : ['NAME', 'LATEST'];
        io.out(table(head, rows, c.bold));
      }
      io.err(
        `${plural(packs.length, 'pack')} in ${where}${source === 'oci' ? ' (listed with _catalog: the registry has no Packyard pack API)' : ''}\n`,
      );
      return EXIT.ok;
    }
    if (!name) throw new UsageError('the pack name is empty');
    const { source, versions } = await listVersions(client, name);
    if (opts.format === 'json') {
      io.out(`${JSON.stringify(versions, null, 2)}\n`);
    } else if (source === 'packyard-api') {
      io.out(
        table(
          ['VERSION', 'DIGEST', 'SIZE', 'PUSHED'],
          versions.map((v) => [
            v.version,
            v.digest ?? '-',
            v.size === undefined ? '-' : formatBytes(v.size),
            `${v.pushedAt ?? ''}${v.pushedBy ? ` by ${v.pushedBy}` : ''}`,
          ]),
          c.bold,
        ),
      );
    } else {
      io.out(
        table(
          ['VERSION'],
          versions.map((v) => [v.version]),
          c.bold,
        ),
      );
    }
    io.err(`${plural(versions.length, 'version')} of ${ref.host}/${packRepository(name, ref.basePath)}\n`);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof PackNotFoundError) {
      io.err(`packyard: ${err.message}\n`);
      return EXIT.failed;
    }
    throw access.explain(err);
  }
}

export function table(head: string[], rows: string[][], bold: (s: string) => string = (s) => s): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i] as number) : cell))
      .join('  ')
      .trimEnd();
  return `${[bold(line(head)), ...rows.map(line)].join('\n')}\n`;
}

export const register: Register = (parent, { io, setExit, readStdin }) => {
  registryOptions(
    parent
      .command('ls')
      .description('List the packs in a registry, or the versions of pack NAME.')
      .argument('[name]', 'a pack name')
      .addOption(formatOption()),
  ).action(async (name: string | undefined, o) =>
    setExit(await lsCommand(name, { ...registryFlags(o), format: o.format }, io, readStdin)),
  );
};
