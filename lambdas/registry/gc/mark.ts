import type { GcState } from '../ports.ts';
import type { ScannedItem, StoredObject } from './ports.ts';

/**
 * The mark: what the table and the bucket hold, gathered by a Scan and a listing that both start
 * after `startedAt`. Plain JSON, so a run that runs out of time can save it and the next one
 * continue the Scan from `cursor` (gc/run.ts).
 */
export interface MarkState {
  version: 1;
  startedAt: string;
  /** Scan cursor; absent once the Scan is complete (`scanned`). */
  cursor?: string;
  scanned: boolean;
  blobs: Record<string, { size: number; createdAt: string; gcState?: GcState; gcAt?: string }>;
  /** digest → repositories linking it, with the link's time. */
  links: Record<string, Record<string, string>>;
  /** repository → digest → manifest facts. */
  manifests: Record<string, Record<string, ManifestFacts>>;
  /** repository → tag → digest. */
  tags: Record<string, Record<string, string>>;
  /** repository → pack versions (for retention). */
  versions: Record<string, VersionFacts[]>;
  packFiles: Record<string, { gcState?: GcState; gcAt?: string }>;
  /** Set once the bucket is listed. */
  objects?: {
    blobs: Record<string, { size: number; lastModified: string }>;
    packs: Record<string, { keys: string[]; size: number; lastModified: string }>;
  };
}

export interface ManifestFacts {
  createdAt: string;
  size: number;
  /** Config and layer digests. */
  blobs: string[];
  /** Child manifests (an index). */
  children: string[];
  subject?: string;
  /** Stored at blobs/sha256/<hex> of its own digest (too large to live inline). */
  large: boolean;
}

export interface VersionFacts {
  version: string;
  versionKey: string;
  pushedAt: string;
  manifestDigest: string;
  yanked: boolean;
}

export function newMark(startedAt: Date): MarkState {
  return {
    version: 1,
    startedAt: startedAt.toISOString(),
    scanned: false,
    blobs: {},
    links: {},
    manifests: {},
    tags: {},
    versions: {},
    packFiles: {},
  };
}

/** References a manifest's bytes make: config, layers, child manifests, subject. */
export function manifestReferences(bytes: Uint8Array): Pick<ManifestFacts, 'blobs' | 'children' | 'subject'> {
  const doc = JSON.parse(Buffer.from(bytes).toString('utf8')) as {
    config?: { digest?: unknown };
    layers?: { digest?: unknown }[];
    manifests?: { digest?: unknown }[];
    subject?: { digest?: unknown };
  };
  const digests = (list: unknown) =>
    Array.isArray(list)
      ? list.map((d) => (d as { digest?: unknown })?.digest).filter((d): d is string => typeof d === 'string')
      : [];
  return {
    blobs: [...digests(doc.config ? [doc.config] : []), ...digests(doc.layers)],
    children: digests(doc.manifests),
    subject: typeof doc.subject?.digest === 'string' ? doc.subject.digest : undefined,
  };
}

const REPO = 'REPO#';

/** `map[key]`, created empty first. */
function entry<T>(map: Record<string, T>, key: string, empty: () => T): T {
  let v = map[key];
  if (v === undefined) {
    v = empty();
    map[key] = v;
  }
  return v;
}

/**
 * Adds one scanned item to the mark. `largeBytes` reads a manifest kept in the blob store (the
 * only I/O the mark needs besides the Scan itself).
 */
export async function absorb(
  mark: MarkState,
  item: ScannedItem,
  largeBytes: (key: string) => Promise<Uint8Array>,
): Promise<void> {
  const r = item.record;
  const str = (name: string) => (typeof r[name] === 'string' ? (r[name] as string) : '');
  if (item.pk.startsWith('BLOB#') && item.sk === 'BLOB') {
    mark.blobs[item.pk.slice(5)] = {
      size: Number(r.size ?? 0),
      createdAt: str('createdAt'),
      gcState: (r.gcState as GcState | undefined) ?? undefined,
      gcAt: str('gcAt') || undefined,
    };
    return;
  }
  if (item.pk.startsWith('PACKFILES#')) {
    mark.packFiles[item.pk.slice('PACKFILES#'.length)] = {
      gcState: (r.gcState as GcState | undefined) ?? undefined,
      gcAt: str('gcAt') || undefined,
    };
    return;
  }
  if (!item.pk.startsWith(REPO)) return;
  const repo = item.pk.slice(REPO.length);
  if (item.sk.startsWith('BLOB#')) {
    const digest = item.sk.slice(5);
    entry(mark.links, digest, (): Record<string, string> => ({}))[repo] = str('createdAt');
  } else if (item.sk.startsWith('MANIFEST#')) {
    const digest = item.sk.slice('MANIFEST#'.length);
    const inline = r.bytes instanceof Uint8Array ? r.bytes : undefined;
    const key = str('blobKey');
    let refs: Pick<ManifestFacts, 'blobs' | 'children' | 'subject'>;
    try {
      refs = manifestReferences(inline ?? (await largeBytes(key)));
    } catch {
      // Unreadable bytes: keep everything it might reference by keeping the manifest itself
      // (tagged or not) and referencing nothing new; push validated it, so this is corruption.
      refs = { blobs: [], children: [], subject: str('subject') || undefined };
    }
    entry(mark.manifests, repo, (): Record<string, ManifestFacts> => ({}))[digest] = {
      createdAt: str('createdAt'),
      size: Number(r.size ?? 0),
      ...refs,
      subject: refs.subject ?? (str('subject') || undefined),
      large: inline === undefined,
    };
  } else if (item.sk.startsWith('TAG#')) {
    entry(mark.tags, repo, (): Record<string, string> => ({}))[item.sk.slice(4)] = str('digest');
  } else if (item.sk.startsWith('VERSION#')) {
    entry(mark.versions, repo, (): VersionFacts[] => []).push({
      version: str('version'),
      versionKey: str('versionKey'),
      pushedAt: str('pushedAt'),
      manifestDigest: str('manifestDigest'),
      yanked: r.yanked !== undefined && r.yanked !== null,
    });
  }
}

const BLOB_PREFIX = 'blobs/sha256/';
const PACKS_PREFIX = 'packs/';

/** Adds a bucket listing page to the mark: blobs by digest, pack files grouped by manifest hex. */
export function absorbObjects(mark: MarkState, objects: StoredObject[]): void {
  mark.objects ??= { blobs: {}, packs: {} };
  for (const o of objects) {
    if (o.key.startsWith(BLOB_PREFIX)) {
      mark.objects.blobs[`sha256:${o.key.slice(BLOB_PREFIX.length)}`] = {
        size: o.size,
        lastModified: o.lastModified.toISOString(),
      };
    } else if (o.key.startsWith(PACKS_PREFIX)) {
      const hex = o.key.slice(PACKS_PREFIX.length).split('/')[0] ?? '';
      const group = entry(mark.objects.packs, hex, () => ({
        keys: [],
        size: 0,
        lastModified: o.lastModified.toISOString(),
      }));
      group.keys.push(o.key);
      group.size += o.size;
      if (o.lastModified.toISOString() > group.lastModified)
        group.lastModified = o.lastModified.toISOString();
    }
  }
}
