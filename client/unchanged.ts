import { packId, type ReadPack, uniquePackIds } from '../core/pack-identity.ts';
import { mapLimit } from './publish.ts';
import type { RegistryClient } from './registry-client.ts';

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

/** Versions per lookup request (the registry's limit). */
const LOOKUP_BATCH = 100;

/**
 * What a Packyard registry recorded for each `name@version` it holds (`POST /api/v1/packs/lookup`,
 * 100 per request), or undefined when the registry has no Packyard JSON API (any other OCI
 * registry) or cannot answer: the packs then go through the full lint → package → publish path,
 * which decides by manifest digest.
 */
export async function lookupPublished(
  client: RegistryClient,
  ids: readonly { name: string; version: string }[],
  concurrency = 4,
): Promise<Map<string, PublishedVersion> | undefined> {
  const batches: { name: string; version: string }[][] = [];
  for (let i = 0; i < ids.length; i += LOOKUP_BATCH) batches.push(ids.slice(i, i + LOOKUP_BATCH));
  let answers: ({ versions?: unknown } | undefined)[];
  try {
    answers = await mapLimit(batches, concurrency, (packs) =>
      client.postJson<{ versions?: unknown }>('/api/v1/packs/lookup', {
        base: client.registry.basePath,
        packs: packs.map(({ name, version }) => ({ name, version })),
      }),
    );
  } catch {
    return undefined;
  }
  const found = new Map<string, PublishedVersion>();
  for (const [i, answer] of answers.entries()) {
    const asked = batches[i] as { name: string; version: string }[];
    if (!answer || !Array.isArray(answer.versions) || answer.versions.length !== asked.length)
      return undefined;
    for (const [j, v] of (answer.versions as (PublishedVersion | null)[]).entries()) {
      const want = asked[j] as { name: string; version: string };
      if (v && v.name === want.name && v.version === want.version && typeof v.digest === 'string')
        found.set(packId(v), v);
    }
  }
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
