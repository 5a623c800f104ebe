import path from 'node:path';
import { Argument, Option } from 'commander';
import { PALETTE_SAAS_ENDPOINT, PaletteClient, PaletteError } from '../../client/palette.ts';
import { changesAgainst, type PackPlan, planEntries, planPacks } from '../../client/plan.ts';
import { discoverPacks } from '../../core/discover.ts';
import { toPosix } from '../../core/lint-packs.ts';
import { readPack } from '../../core/pack-identity.ts';
import { PLAN_ERRORS } from '../../core/publish-plan.ts';
import { formatOption, type Register, registryFlags, registryOptions } from '../command-kit.ts';
import { EXIT, type Io, painter, plural, UsageError, useColor } from '../io.ts';
import { openRegistry, type RegistryFlags } from '../registry-access.ts';

export interface PlanOptions extends RegistryFlags {
  format: 'text' | 'json';
}

const LABEL: Record<PackPlan['verdict']['kind'], string> = {
  'new-pack': 'new pack',
  'new-version': 'new version',
  unchanged: 'unchanged',
  'changed-without-bump': 'changed without a version bump',
  'version-lower': 'version lower than published',
  unknown: 'cannot tell',
};

/** `packyard plan [DIR…]`: what publishing the packs would do, against REF. Exit 1 on a plan error. */
export async function planCommand(
  dirs: string[],
  opts: PlanOptions,
  io: Io,
  readStdin: () => Promise<string>,
): Promise<number> {
  const found = await discoverPacks(dirs.length > 0 ? dirs : ['.']);
  if (found.length === 0) throw new UsageError(`no packs found under ${dirs.join(', ') || '.'}`);
  const access = await openRegistry(opts, io, readStdin);
  await access.check();
  let plans: PackPlan[];
  try {
    plans = await planPacks(access.client, found.map(readPack));
  } catch (err) {
    throw access.explain(err);
  }
  const errors = plans.filter((p) => PLAN_ERRORS.has(p.verdict.kind));
  if (opts.format === 'json') {
    const entries = planEntries(plans).map((e, i) => ({
      ...e,
      valuesDiff: plans[i]?.valuesDiff?.text ?? null,
    }));
    io.out(`${JSON.stringify(entries, null, 2)}\n`);
  } else {
    const c = painter(useColor(io));
    for (const p of plans) {
      const bad = PLAN_ERRORS.has(p.verdict.kind);
      const mark = bad ? c.red('✖') : p.verdict.kind === 'unchanged' ? c.dim('=') : c.green('+');
      io.out(`${mark} ${p.name} ${p.version}  ${LABEL[p.verdict.kind]}  (${p.path})\n`);
      if (bad && p.finding)
        io.out(`    ${p.path}/pack.json:${p.finding.line}:${p.finding.column}  ${p.verdict.reason}\n`);
      else if (p.verdict.kind !== 'unchanged') io.out(`    ${p.verdict.reason}\n`);
      io.out(changesText(p, '    '));
    }
    io.err(
      `${plural(plans.length, 'pack')} planned against ${access.ref.host}${access.ref.basePath ? `/${access.ref.basePath}` : ''}: ${plural(errors.length, 'error')}\n`,
    );
  }
  return errors.length > 0 ? EXIT.failed : EXIT.ok;
}

/** `packyard diff DIR`: one pack's files and values.yaml against the published version. */
export async function diffCommand(
  dir: string,
  opts: RegistryFlags & { against?: string },
  io: Io,
  readStdin: () => Promise<string>,
): Promise<number> {
  const pack = readPack(dir);
  if (!pack.name || !pack.version)
    throw new UsageError(
      `${path.join(dir, 'pack.json')} gives no name and version (packyard lint ${dir} says why)`,
    );
  const access = await openRegistry(opts, io, readStdin);
  await access.check();
  try {
    const [plan] = await planPacks(access.client, [pack], { details: false });
    const against =
      opts.against ?? (plan?.verdict.kind === 'changed-without-bump' ? pack.version : plan?.verdict.newest);
    if (!plan || !against) {
      io.err(`${pack.name} is not published at ${access.ref.host}: nothing to compare with\n`);
      return EXIT.ok;
    }
    const changes = await changesAgainst(access.client, pack, against, {
      lines: 100_000,
      bytes: 4 * 1024 * 1024,
    });
    io.err(
      `${pack.name} ${pack.version} (${toPosix(dir)}) against published ${against}: ${plan.verdict.reason}\n`,
    );
    io.out(changesText({ ...plan, ...changes, against }, ''));
    return EXIT.ok;
  } catch (err) {
    throw access.explain(err);
  }
}

function changesText(p: Pick<PackPlan, 'files' | 'valuesDiff' | 'note' | 'against'>, indent: string): string {
  const lines: string[] = [];
  if (p.files) {
    for (const f of p.files.added) lines.push(`A ${f}`);
    for (const f of p.files.removed) lines.push(`D ${f}`);
    for (const f of p.files.changed) lines.push(`M ${f}`);
  }
  if (p.note) lines.push(`(${p.note})`);
  if (p.valuesDiff) lines.push(...p.valuesDiff.text.split('\n'));
  return lines.map((l) => `${indent}${l}\n`).join('');
}

export interface PaletteSyncOptions {
  endpoint?: string;
  registryUid?: string;
  timeout: string;
}

/**
 * `packyard palette sync NAME:VERSION…`: asks Palette to sync the registry and waits until it
 * lists each pack. The API key comes from PALETTE_API_KEY, never from an argument.
 */
export async function paletteSyncCommand(
  targets: string[],
  opts: PaletteSyncOptions,
  io: Io,
): Promise<number> {
  const apiKey = io.env.PALETTE_API_KEY;
  if (!apiKey)
    throw new UsageError('set PALETTE_API_KEY to a Palette API key (it is never taken as an argument)');
  const registryUid = opts.registryUid ?? io.env.PALETTE_REGISTRY_UID;
  if (!registryUid)
    throw new UsageError(
      'give --registry-uid (or PALETTE_REGISTRY_UID); docs/palette.md says where to find it',
    );
  const timeout = Number(opts.timeout);
  if (!/^\d+$/.test(opts.timeout) || timeout < 1 || timeout > 3600)
    throw new UsageError(
      `--timeout must be a whole number of seconds from 1 to 3600 (got "${opts.timeout}")`,
    );
  const packs = targets.map((t) => {
    const m = /^([a-z0-9][a-z0-9._-]*):([A-Za-z0-9_][A-Za-z0-9._-]*)$/.exec(t);
    if (!m) throw new UsageError(`"${t}" is not NAME:VERSION`);
    return { name: m[1] as string, version: m[2] as string };
  });
  const client = new PaletteClient({
    endpoint: opts.endpoint ?? io.env.PALETTE_ENDPOINT ?? PALETTE_SAAS_ENDPOINT,
    apiKey,
    registryUid,
    userAgent: 'packyard',
  });
  try {
    const r = await client.syncUntilVisible(packs, {
      timeoutMs: timeout * 1000,
      onPoll: (v, s) =>
        io.err(`sync ${s?.status ?? '?'}: ${v.filter((p) => p.visible).length} of ${v.length} listed\n`),
    });
    for (const p of r.packs) io.out(`${p.name}:${p.version}  visible in Palette\n`);
    return EXIT.ok;
  } catch (err) {
    if (!(err instanceof PaletteError)) throw err;
    io.err(`packyard: ${err.message}\n`);
    return EXIT.failed;
  }
}

/** plan, diff and palette sync: what a merge would publish, and Palette seeing what was. */
export const register: Register = (parent, { io, setExit, readStdin }) => {
  registryOptions(
    parent
      .command('plan')
      .description('Show what publishing each pack to REF would do, without pushing anything.')
      .addArgument(new Argument('[dir...]', 'folders to search for packs').default([], '.'))
      .addOption(formatOption()),
  )
    .addHelpText(
      'after',
      '\nPer pack: new pack, new version, unchanged, changed without a version bump, or a version lower\nthan the newest published (those two are errors, with the version to bump to), and the files and\nvalues.yaml changed against the published version. Exit codes: 0 no plan errors, 1 any, 2 usage.',
    )
    .action(async (dirs: string[], o) =>
      setExit(await planCommand(dirs, { ...registryFlags(o), format: o.format }, io, readStdin)),
    );
  registryOptions(
    parent
      .command('diff')
      .description("Show one pack's files and values.yaml changes against its published version.")
      .argument('<dir>', 'the pack folder')
      .option(
        '--against <version>',
        'the published version to compare with (default: this version if published, else the newest)',
      ),
  ).action(async (dir: string, o) =>
    setExit(await diffCommand(dir, { ...registryFlags(o), against: o.against }, io, readStdin)),
  );
  parent
    .command('palette')
    .description('Palette: palette sync NAME:VERSION…')
    .command('sync')
    .description('Ask Palette to sync the registry and wait until it lists each NAME:VERSION.')
    .argument('<pack...>', 'NAME:VERSION of each pack to wait for')
    .option('--registry-uid <uid>', "the registry's uid in Palette (or PALETTE_REGISTRY_UID)")
    .option('--endpoint <url>', "Palette's API (or PALETTE_ENDPOINT; default https://api.spectrocloud.com)")
    .addOption(new Option('--timeout <seconds>', 'how long to wait').default(300))
    .addHelpText(
      'after',
      '\nThe API key is read from PALETTE_API_KEY, never from an argument. Exit codes: 0 all listed,\n1 not listed in time, key refused or registry unknown, 2 usage.',
    )
    .action(async (packs: string[], o) =>
      setExit(
        await paletteSyncCommand(
          packs,
          { registryUid: o.registryUid, endpoint: o.endpoint, timeout: String(o.timeout) },
          io,
        ),
      ),
    );
};
