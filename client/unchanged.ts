import { packId, type ReadPack, uniquePackIds } from '../core/pack-identity.ts';
import { mapLimit } from './publish.ts';
import type { RegistryClient } from './registry-client.ts';

/** Lookups are small GETs: run more at once than uploads (`--concurrency` / `concurrency`). */
export function lookups(concurrency: number): number {
  return Math.min(32, concurrency * 4);
}

/** A version as a Packyard registry recorded it on push (`GET /api/v1/packs/<name>/versions/<version>`). */
export interface PublishedVersion {
  name: string;
  version: string;
  digest: string;
  contentDigest: string | null;
  lint: { errors: number; warnings: number };
  pushedAt: string;
  pushedBy: string;
  provenance: Record<string, string> | null;
}

/**
 * What a Packyard registry recorded for each `name@version` it holds, or undefined when the
 * registry has no Packyard JSON API (any other OCI registry). A lookup that fails is left out:
 * the pack then goes through the full lint → package → publish path, which decides by digest.
 */
export async function lookupPublished(
  client: RegistryClient,
  ids: readonly { name: string; version: string }[],
  concurrency = 8,
): Promise<Map<string, PublishedVersion> | undefined> {
  const base = encodeURIComponent(client.registry.basePath);
  let probe: { packs?: unknown } | undefined;
  try {
    probe = await client.getJson<{ packs?: unknown }>(`/api/v1/packs?limit=1&base=${base}`);
  } catch {
    return undefined;
  }
  if (!probe || !Array.isArray(probe.packs)) return undefined;
  const found = new Map<string, PublishedVersion>();
  await mapLimit(ids, concurrency, async ({ name, version }) => {
    try {
      const v = await client.getJson<PublishedVersion>(
        `/api/v1/packs/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}?base=${base}`,
      );
      if (v && v.name === name && v.version === version && typeof v.digest === 'string')
        found.set(packId(v), v);
    } catch {
      // not recorded, or the registry could not say: publish decides the usual way
    }
  });
  return found;
}

/** Which recorded versions may stand in for a lint run: the lint gate they passed must be at least ours. */
export type LintGate = (recorded: PublishedVersion['lint']) => boolean;

/** The CLI's gate: `push` refuses packs with lint errors (a registry in `warn` policy may hold some). */
export const NO_ERRORS: LintGate = (lint) => lint.errors === 0;

/**
 * The packs a registry already holds with exactly this content (same content digest under the
 * same name and version) and whose recorded lint passes `gate`, keyed by folder. Packs whose
 * name@version appears twice in the run are never among them: linting must flag the duplicate.
 */
export function unchangedPacks(
  packs: readonly ReadPack[],
  published: ReadonlyMap<string, PublishedVersion>,
  gate: LintGate = NO_ERRORS,
): Map<string, PublishedVersion> {
  const unique = uniquePackIds(packs);
  const out = new Map<string, PublishedVersion>();
  for (const p of packs) {
    if (!unique.has(packId(p))) continue;
    const v = published.get(packId(p));
    if (v?.contentDigest && gate(v.lint) && v.contentDigest === p.contentDigest()) out.set(p.dir, v);
  }
  return out;
}

/** Looks up the packs of a run that could be unchanged; an empty map when the registry cannot say. */
export async function findUnchanged(
  client: RegistryClient,
  packs: readonly ReadPack[],
  opts: { concurrency?: number; gate?: LintGate } = {},
): Promise<Map<string, PublishedVersion>> {
  const unique = uniquePackIds(packs);
  const ids = packs
    .filter((p) => unique.has(packId(p)))
    .map((p) => ({ name: p.name as string, version: p.version as string }));
  if (ids.length === 0) return new Map();
  const published = await lookupPublished(client, ids, opts.concurrency);
  return published ? unchangedPacks(packs, published, opts.gate) : new Map();
}
