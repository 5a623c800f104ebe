import type { Finding } from '../core/findings.ts';
import { toPosix } from '../core/lint-packs.ts';
import { packRepository } from '../core/oci.ts';
import {
  diffFiles,
  type FileChanges,
  fileDigests,
  type PackFileEntry,
  packFileDigests,
} from '../core/pack-files.ts';
import { packId, type ReadPack, uniquePackIds } from '../core/pack-identity.ts';
import { classifyPack, type PlanKind, type PlanVerdict, planFinding } from '../core/publish-plan.ts';
import { type BoundedDiff, boundedUnifiedDiff } from '../core/values-diff.ts';
import { listVersions, PackNotFoundError } from './catalog.ts';
import { mapLimit } from './publish.ts';
import type { RegistryClient } from './registry-client.ts';
import { lookupPublished, type PublishedVersion } from './unchanged.ts';

/** What merging would do to one pack, with what changed against the published version compared. */
export interface PackPlan {
  /** The pack folder as given (display path). */
  path: string;
  name: string;
  version: string;
  verdict: PlanVerdict;
  /** The published version the changes are against (this version, or the newest). */
  against?: string;
  files?: FileChanges;
  valuesDiff?: BoundedDiff;
  /** Why files or values could not be compared (a registry without the Packyard API, …). */
  note?: string;
  /** The error finding on pack.json's "version" line for an error verdict. */
  finding?: Finding;
}

const MAX_VALUES_BYTES = 1024 * 1024;

export interface PlanOptions {
  concurrency?: number;
  /**
   * The manifest digest this run would publish for a pack, when it was built: compared with the
   * registry's where the registry records no content digest (any OCI registry).
   */
  builtDigest?: (pack: ReadPack) => string | undefined;
  /** Show files and the values.yaml diff (default true). */
  details?: boolean;
}

/**
 * The plan for every pack with a name and version (the others are lint's business): asks the
 * registry what it holds (Packyard's lookup, else tags/list), classifies each pack, and for
 * changed or new versions lists the files and values.yaml changes against the published one.
 */
export async function planPacks(
  client: RegistryClient,
  packs: readonly ReadPack[],
  opts: PlanOptions = {},
): Promise<PackPlan[]> {
  const unique = uniquePackIds(packs);
  const named = packs.filter((p) => p.name && p.version && unique.has(packId(p)));
  const recorded =
    (await lookupPublished(
      client,
      named.map((p) => ({ name: p.name as string, version: p.version as string })),
      opts.concurrency,
    )) ?? new Map<string, PublishedVersion>();
  return mapLimit(named, opts.concurrency ?? 4, (p) => planPack(client, p, recorded.get(packId(p)), opts));
}

async function planPack(
  client: RegistryClient,
  p: ReadPack,
  record: PublishedVersion | undefined,
  opts: PlanOptions,
): Promise<PackPlan> {
  const name = p.name as string;
  const version = p.version as string;
  let versions: string[];
  try {
    versions = (await listVersions(client, name)).versions.map((v) => v.version);
  } catch (err) {
    if (!(err instanceof PackNotFoundError)) throw err;
    versions = [];
  }
  let thisVersion: 'same' | 'different' | 'unknown' | undefined;
  if (versions.includes(version)) {
    if (record?.contentDigest) {
      const local = p.contentDigest();
      thisVersion = local === undefined ? 'unknown' : local === record.contentDigest ? 'same' : 'different';
    } else {
      const built = opts.builtDigest?.(p);
      const head = built
        ? await client.headManifest(packRepository(name, client.registry.basePath), version)
        : undefined;
      thisVersion = built && head ? (head.digest === built ? 'same' : 'different') : 'unknown';
    }
  }
  const verdict = classifyPack(version, { versions, thisVersion });
  const plan: PackPlan = { path: toPosix(p.dir), name, version, verdict };
  const finding = planFinding(verdict, packJsonText(p));
  if (finding) plan.finding = finding;
  const against =
    verdict.kind === 'changed-without-bump'
      ? version
      : verdict.kind === 'new-pack'
        ? undefined
        : verdict.newest;
  if (against && verdict.kind !== 'unchanged' && opts.details !== false)
    Object.assign(plan, { against }, await changesAgainst(client, p, against));
  return plan;
}

/** Files and values.yaml of a checkout against a published version (Packyard's JSON API). */
export async function changesAgainst(
  client: RegistryClient,
  p: ReadPack,
  against: string,
  limits?: { lines: number; bytes: number },
): Promise<Pick<PackPlan, 'files' | 'valuesDiff' | 'note'>> {
  const name = p.name as string;
  const base = `?base=${encodeURIComponent(client.registry.basePath)}`;
  const at = `/api/v1/packs/${encodeURIComponent(name)}/versions/${encodeURIComponent(against)}`;
  const out: Pick<PackPlan, 'files' | 'valuesDiff' | 'note'> = {};
  const recorded = await client
    .getJson<{ files?: PackFileEntry[] }>(`${at}/files${base}`)
    .catch(() => undefined);
  if (Array.isArray(recorded?.files))
    out.files = diffFiles(packFileDigests(p.tree), fileDigests(recorded.files));
  else
    out.note = `the registry records no file list for ${name}@${against} (not a Packyard registry, or published before it did)`;
  const published = await client.getText(`${at}/values${base}`, MAX_VALUES_BYTES).catch(() => undefined);
  const local = readText(p, 'values.yaml');
  // Only against a published values.yaml: a registry without the JSON API tells nothing here.
  if (published !== undefined) {
    const diff = boundedUnifiedDiff('values.yaml', published, local ?? '', limits);
    if (diff.text) out.valuesDiff = diff;
  }
  return out;
}

function packJsonText(p: ReadPack): string | undefined {
  return readText(p, 'pack.json');
}

function readText(p: ReadPack, file: string): string | undefined {
  if (!p.tree.entries.some((e) => e.path === file && e.type === 'file')) return undefined;
  try {
    return Buffer.from(p.tree.read(file, MAX_VALUES_BYTES)).toString('utf8');
  } catch {
    return undefined;
  }
}

/** One entry of the Action's `plan` output and of `packyard plan --format json`. */
export interface PlanEntry {
  name: string;
  version: string;
  path: string;
  plan: PlanKind;
  reason: string;
  newest: string | null;
  suggestedVersion: string | null;
  against: string | null;
  files: { added: string[]; removed: string[]; changed: string[] } | null;
}

export function planEntries(plans: readonly PackPlan[]): PlanEntry[] {
  return plans.map((p) => ({
    name: p.name,
    version: p.version,
    path: p.path,
    plan: p.verdict.kind,
    reason: p.verdict.reason,
    newest: p.verdict.newest ?? null,
    suggestedVersion: p.verdict.suggestedVersion ?? null,
    against: p.against ?? null,
    files: p.files ?? null,
  }));
}
