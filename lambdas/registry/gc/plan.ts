import type { MarkState } from './mark.ts';

/** How long content must sit unused before it is condemned, and how long a mark must stand. */
export interface GcTiming {
  /** Fresh content (uploads not yet referenced, untagged manifests) is kept this long. */
  graceMs: number;
  /**
   * A condemned item is deleted only by a run whose mark started at least this long after the
   * condemnation; it must exceed the longest request (API Gateway: 30 s), see docs/storage.md.
   */
  fenceMs: number;
}

export const DEFAULT_TIMING: GcTiming = { graceMs: 24 * 3600_000, fenceMs: 15 * 60_000 };

export interface GcPlan {
  /** Untagged manifests nothing keeps (deleted conditionally on `createdAt`). */
  deleteManifests: {
    repository: string;
    digest: string;
    createdAt: string;
    subject?: string;
    size: number;
  }[];
  /** Referenced again while condemned: the mark is cleared. */
  reviveBlobs: string[];
  revivePackFiles: string[];
  /** Unreferenced past the grace period: marked now, deleted by a later run. */
  condemnBlobs: { digest: string; seenCreatedAt?: string; size: number }[];
  condemnPackFiles: { hex: string; size: number; keys: string[] }[];
  /** Condemned long enough (or already `deleting`): links, object, record go, in that order. */
  deleteBlobs: { digest: string; gcAt: string; resume: boolean; size: number; repositories: string[] }[];
  deletePackFiles: { hex: string; gcAt: string; resume: boolean; size: number; keys: string[] }[];
  /** Links to a digest with neither record nor object (nothing to serve). */
  danglingLinks: { repository: string; digest: string }[];
  /** Condemned but still inside the fence: deleted by a later run. */
  waiting: number;
}

const hexOf = (digest: string) => digest.slice('sha256:'.length);

/** Decides what a run does. Pure: the mark and the clock in, actions out. */
export function planGc(mark: MarkState, timing: GcTiming): GcPlan {
  const started = Date.parse(mark.startedAt);
  const graceEdge = new Date(started - timing.graceMs).toISOString();
  const fenceEdge = new Date(started - timing.fenceMs).toISOString();
  const objects = mark.objects ?? { blobs: {}, packs: {} };
  const plan: GcPlan = {
    deleteManifests: [],
    reviveBlobs: [],
    revivePackFiles: [],
    condemnBlobs: [],
    condemnPackFiles: [],
    deleteBlobs: [],
    deletePackFiles: [],
    danglingLinks: [],
    waiting: 0,
  };

  // Manifests to keep: tagged or fresh, then what kept ones point at (index children), then
  // referrers whose subject is kept, until nothing changes.
  const referencedBlobs = new Set<string>();
  const keptManifestHexes = new Set<string>();
  for (const [repo, manifests] of Object.entries(mark.manifests)) {
    const kept = new Set<string>();
    for (const digest of Object.values(mark.tags[repo] ?? {})) if (manifests[digest]) kept.add(digest);
    for (const [digest, m] of Object.entries(manifests)) if (m.createdAt > graceEdge) kept.add(digest);
    for (let changed = true; changed; ) {
      changed = false;
      for (const [digest, m] of Object.entries(manifests)) {
        if (kept.has(digest)) {
          for (const child of m.children)
            if (manifests[child] && !kept.has(child)) {
              kept.add(child);
              changed = true;
            }
        } else if (m.subject && kept.has(m.subject)) {
          kept.add(digest);
          changed = true;
        }
      }
    }
    for (const [digest, m] of Object.entries(manifests)) {
      if (!kept.has(digest)) {
        plan.deleteManifests.push({
          repository: repo,
          digest,
          createdAt: m.createdAt,
          subject: m.subject,
          size: m.size,
        });
        continue;
      }
      keptManifestHexes.add(hexOf(digest));
      for (const b of m.blobs) referencedBlobs.add(b);
      if (m.large) referencedBlobs.add(digest);
    }
  }

  const digests = new Set([
    ...Object.keys(mark.blobs),
    ...Object.keys(objects.blobs),
    ...Object.keys(mark.links),
  ]);
  for (const digest of digests) {
    const rec = mark.blobs[digest];
    const obj = objects.blobs[digest];
    const repositories = Object.keys(mark.links[digest] ?? {});
    if (referencedBlobs.has(digest)) {
      if (rec?.gcState === 'condemned') plan.reviveBlobs.push(digest);
      continue;
    }
    const size = obj?.size ?? rec?.size ?? 0;
    if (!rec && !obj) {
      for (const [repository, linkedAt] of Object.entries(mark.links[digest] ?? {}))
        if (linkedAt <= graceEdge) plan.danglingLinks.push({ repository, digest });
      continue;
    }
    if (rec?.gcState === 'deleting') {
      plan.deleteBlobs.push({ digest, gcAt: rec.gcAt ?? '', resume: true, size, repositories });
    } else if (rec?.gcState === 'condemned') {
      if ((rec.gcAt ?? '') <= fenceEdge)
        plan.deleteBlobs.push({ digest, gcAt: rec.gcAt ?? '', resume: false, size, repositories });
      else plan.waiting++;
    } else {
      const fresh = (rec && rec.createdAt > graceEdge) || (obj && obj.lastModified > graceEdge);
      if (!fresh) plan.condemnBlobs.push({ digest, seenCreatedAt: rec?.createdAt, size });
    }
  }

  const hexes = new Set([...Object.keys(objects.packs), ...Object.keys(mark.packFiles)]);
  for (const hex of hexes) {
    const marker = mark.packFiles[hex];
    const group = objects.packs[hex] ?? { keys: [], size: 0, lastModified: '' };
    if (keptManifestHexes.has(hex)) {
      if (marker?.gcState === 'condemned') plan.revivePackFiles.push(hex);
      continue;
    }
    const entry = { hex, gcAt: marker?.gcAt ?? '', size: group.size, keys: group.keys };
    if (marker?.gcState === 'deleting') plan.deletePackFiles.push({ ...entry, resume: true });
    else if (marker?.gcState === 'condemned') {
      if ((marker.gcAt ?? '') <= fenceEdge) plan.deletePackFiles.push({ ...entry, resume: false });
      else plan.waiting++;
    } else if (group.keys.length > 0 && group.lastModified <= graceEdge) {
      plan.condemnPackFiles.push({ hex, size: group.size, keys: group.keys });
    }
  }
  return plan;
}

export interface GcTotals {
  manifests: number;
  blobs: number;
  packFiles: number;
  bytes: number;
}

/** What a plan frees now (deletions) and what it lines up (condemnations, freed by a later run). */
export function planTotals(plan: GcPlan): { now: GcTotals; later: GcTotals } {
  const sum = (xs: { size: number }[]) => xs.reduce((n, x) => n + x.size, 0);
  return {
    now: {
      manifests: plan.deleteManifests.length,
      blobs: plan.deleteBlobs.length,
      packFiles: plan.deletePackFiles.length,
      bytes: sum(plan.deleteBlobs) + sum(plan.deletePackFiles),
    },
    later: {
      manifests: 0,
      blobs: plan.condemnBlobs.length,
      packFiles: plan.condemnPackFiles.length,
      bytes: sum(plan.condemnBlobs) + sum(plan.condemnPackFiles),
    },
  };
}
