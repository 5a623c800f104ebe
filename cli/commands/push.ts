import { Argument, Option } from 'commander';
import type { PublishProgress, PublishResult } from '../../client/publish.ts';
import type { RegistryRef } from '../../client/reference.ts';
import type { PublishedVersion } from '../../client/unchanged.ts';
import { formatBytes } from '../../core/lint/context.ts';
import type { PackReport } from '../../core/lint-packs.ts';
import { packRepository } from '../../core/oci.ts';
import {
  type EngineEvent,
  type PackOutcome,
  type RegistryPort,
  registryPort,
  runEngine,
} from '../../publish/engine.ts';
import {
  createdOption,
  formatOption,
  type Register,
  registryFlags,
  registryOptions,
} from '../command-kit.ts';
import { EXIT, type Io, painter, plural, UsageError, useColor } from '../io.ts';
import { CONFIG_OPTION_FLAGS, CONFIG_OPTION_HELP, cliLintPolicies } from '../lint-policies.ts';
import { createdFrom, formatRefused } from '../pack-output.ts';
import { bar, type ProgressBoard, progressBoard } from '../progress.ts';
import { withMessage } from '../push-message.ts';
import { openRegistry, type RegistryAccess, type RegistryFlags } from '../registry-access.ts';

export interface PushOptions extends RegistryFlags {
  format: 'text' | 'json';
  force: boolean;
  concurrency: string | number;
  created?: string;
  /** `--message`: recorded with each version pushed (required with --force, as in Spectro's CLI). */
  message?: string;
  config?: string;
}

/** One row of `--format json`: a publish result, plus the pack folder. */
export interface PushRow extends PublishResult {
  path: string;
}

export async function pushCommand(
  dirs: string[],
  opts: PushOptions,
  io: Io,
  readStdin: () => Promise<string>,
): Promise<number> {
  const concurrency = Number(opts.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new UsageError(`--concurrency must be a whole number from 1 to 64 (got "${opts.concurrency}")`);
  }
  const policyFor = cliLintPolicies(opts.config);
  const created = createdFrom(opts.created, io);
  const message = checkMessage(opts);
  const access = await openRegistry(opts, io, readStdin);
  const { ref, client } = access;
  // Reach the registry (and check the credentials) while the packs are read.
  const ready = access.check();
  ready.catch(() => {});

  const board = progressBoard(io);
  const { outcomes } = await runEngine({
    roots: dirs.length > 0 ? dirs : ['.'],
    registry: withSpectroRules(registryPort(client, concurrency), access, message),
    ready,
    // push has no --fail-on: lint errors refuse a pack, and a recorded lint with errors never stands in.
    failOn: 'error',
    force: opts.force,
    concurrency,
    created,
    policyFor,
    onEvent: (e) => showProgress(e, board, io, ref),
  });
  board.close();
  if (outcomes.length === 0) {
    io.err(`no packs found under ${dirs.join(', ') || '.'} (a pack is a folder holding pack.json)\n`);
    return EXIT.failed;
  }
  // One row per pack found, in discovery order: unchanged, published (or failed), or invalid.
  const rows = outcomes.map((o) => pushRow(o, ref.basePath));
  if (opts.format === 'json') io.out(`${JSON.stringify(rows, null, 2)}\n`);
  else io.out(summaryText(rows, ref.host, useColor(io)));
  return rows.some((r) => r.status === 'failed' || r.status === 'invalid') ? EXIT.failed : EXIT.ok;
}

/** The progress board on stderr: refused packs once linted, then a line per pack being pushed. */
function showProgress(e: EngineEvent, board: ProgressBoard, io: Io, ref: RegistryRef): void {
  switch (e.type) {
    case 'linted':
      if (e.refused.length === 0) return;
      io.err(formatRefused(e.run, e.refused, io));
      io.err(
        `${plural(e.refused.length, 'pack')} with lint errors will not be pushed; fix them and push again\n`,
      );
      return;
    case 'publishing':
      board.start(
        e.pack.path,
        `pushing ${e.pack.name}@${e.pack.version} to ${ref.host}/${e.pack.repository}:${e.pack.version}`,
      );
      return;
    case 'progress':
      board.update(e.pack.path, `${e.pack.name}@${e.pack.version}  ${phaseText(e.progress)}`);
      return;
    case 'published':
    case 'skipped':
    case 'invalid':
    case 'failed':
      // Unchanged and refused packs never had a line on the board: the table reports them.
      if (e.outcome.reason !== 'unchanged' && e.outcome.reason !== 'refused')
        board.finish(e.outcome.path, finishLine(pushRow(e.outcome, ref.basePath)));
      return;
  }
}

/** Spectro's rule: `--force` needs `--message` saying why the version's content changes. */
function checkMessage(opts: PushOptions): string | undefined {
  const message = opts.message?.trim();
  if (opts.message !== undefined && !message) throw new UsageError('--message is empty');
  if (opts.force && !message)
    throw new UsageError(
      '--force needs --message TEXT saying what changed (it is recorded with the version)',
    );
  return message;
}

/**
 * Each pack is published with the push's message (a manifest annotation, push-message.ts), and
 * refused up front, with what to do, where a Packyard registry says the credentials may not push.
 */
function withSpectroRules(
  port: RegistryPort,
  access: RegistryAccess,
  message: string | undefined,
): RegistryPort {
  return {
    ...port,
    publish: async (pack, opts) => {
      const repository = packRepository(pack.name, access.ref.basePath);
      const refusal = access.denied('push', repository);
      if (refusal) {
        const { name, version, manifestDigest: digest } = pack;
        return { name, version, repository, digest, status: 'failed', uploaded: 0, message: refusal };
      }
      return port.publish(withMessage(pack, message), opts);
    },
  };
}

function phaseText(p: PublishProgress): string {
  if (p.phase === 'checking') return 'asking the registry…';
  if (p.phase === 'tagging') return 'tagging…';
  return `uploading ${bar(p.sent, p.total)} ${formatBytes(p.sent)} / ${formatBytes(p.total)}`;
}

function finishLine(r: PublishResult): string {
  const id = `${r.name}@${r.version}`;
  if (r.status === 'published') return `published ${id}  ${r.digest}  (${formatBytes(r.uploaded)} uploaded)`;
  if (r.status === 'skipped') return `skipped ${id}  ${r.digest}  (already in the registry)`;
  return `${r.status} ${id}: ${r.message ?? ''}`;
}

/** The row of `--format json` (and the table) for one pack's outcome. */
function pushRow(o: PackOutcome, basePath: string): PushRow {
  if (o.reason === 'unchanged') return unchangedRow(o, o.recorded as PublishedVersion);
  if (o.reason === 'refused') return invalidRow(o.report as PackReport, basePath);
  return {
    name: o.name as string,
    version: o.version as string,
    repository: o.repository ?? '',
    digest: o.digest ?? '',
    status: o.status,
    uploaded: o.uploaded,
    ...(o.message ? { message: o.message } : {}),
    path: o.path,
  };
}

function unchangedRow(o: PackOutcome, v: PublishedVersion): PushRow {
  return {
    name: v.name,
    version: v.version,
    repository: o.repository as string,
    digest: v.digest,
    status: 'skipped',
    uploaded: 0,
    message: `unchanged since published ${v.pushedAt} by ${v.pushedBy} (same content digest): not linted or packaged again`,
    path: o.path,
  };
}

function invalidRow(p: PackReport, basePath: string): PushRow {
  const errors = p.findings.filter((f) => f.severity === 'error');
  const first = errors[0];
  return {
    name: p.name ?? p.pack,
    version: p.version ?? '',
    repository: p.name ? packRepository(p.name, basePath) : '',
    digest: '',
    status: 'invalid',
    uploaded: 0,
    message: `${plural(p.errors, 'lint error')}${first ? `; first: ${first.file}${first.line ? `:${first.line}` : ''} ${first.message}` : ''}`,
    path: p.pack,
  };
}

/** The final table (text format), then problems, then totals. */
export function summaryText(rows: readonly PushRow[], host: string, color: boolean): string {
  const c = painter(color);
  const head = ['PACK', 'VERSION', 'STATUS', 'UPLOADED', 'DIGEST'];
  const cells = rows.map((r) => [
    r.name,
    r.version || '-',
    r.status,
    formatBytes(r.uploaded),
    r.digest || '-',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((row) => (row[i] as string).length)));
  const line = (row: string[]) =>
    row.map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i] as number) : cell)).join('  ');
  const paint = (status: string, s: string) =>
    status === 'published' ? c.green(s) : status === 'skipped' ? c.dim(s) : c.red(s);
  const out = [c.bold(line(head))];
  for (const [i, row] of cells.entries()) out.push(paint((rows[i] as PushRow).status, line(row)));
  const problems = rows.filter((r) => (r.status === 'failed' || r.status === 'invalid') && r.message);
  if (problems.length > 0) {
    out.push('');
    for (const r of problems)
      out.push(`${c.red(r.status)} ${r.name}${r.version ? `@${r.version}` : ''} (${r.path}): ${r.message}`);
  }
  const count = (s: string) => rows.filter((r) => r.status === s).length;
  const uploaded = rows.reduce((n, r) => n + r.uploaded, 0);
  out.push(
    '',
    `${count('published')} published, ${count('skipped')} skipped, ${count('invalid')} invalid, ${count('failed')} failed; ${formatBytes(uploaded)} uploaded to ${host}`,
  );
  return `${out.join('\n')}\n`;
}

export const register: Register = (parent, { io, setExit, readStdin }) => {
  registryOptions(
    parent
      .command('push')
      .description('Lint, package and push each pack to REF/spectro-packs/archive/<name>:<version>.')
      .addArgument(new Argument('[dir...]', 'folders to search for packs').default([], '.'))
      .addOption(formatOption())
      .option('-m, --message <text>', 'say what this push changes; recorded with each version (shown by ls)')
      .option(
        '--force',
        'overwrite a version the registry holds with other content; needs --message (on Packyard, only where serve --allow-overwrite / PACKYARD_ALLOW_OVERWRITE is set)',
      )
      .addOption(new Option('-c, --concurrency <n>', 'packs pushed at once').default(4))
      .option(CONFIG_OPTION_FLAGS, CONFIG_OPTION_HELP)
      .addOption(createdOption()),
  )
    .addHelpText(
      'after',
      '\nA version the registry already holds with the same digest is skipped (nothing uploaded); with\nanother digest it is an error naming both. Packs with lint errors are not pushed; the others are.\nExit codes: 0 all published or skipped, 1 any invalid or failed, 2 usage error.',
    )
    .action(async (dirs: string[], o) =>
      setExit(
        await pushCommand(
          dirs,
          {
            ...registryFlags(o),
            format: o.format,
            force: Boolean(o.force),
            concurrency: o.concurrency,
            created: o.created,
            message: o.message,
            config: o.config,
          },
          io,
          readStdin,
        ),
      ),
    );
};
