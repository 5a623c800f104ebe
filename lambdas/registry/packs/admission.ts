import { versionSortKey } from '../../../core/version.ts';
import type { RegistryConfig } from '../config.ts';
import { claimPackFiles } from '../handlers/gc-guard.ts';
import type { RecentBlobs } from '../handlers/recent-blobs.ts';
import { recordFileDigests } from '../handlers/version-files.ts';
import { lintPolicyOrRefuse } from '../lint-config.ts';
import { badRequest, OciError } from '../oci/errors.ts';
import { INDEX_TYPES, type ParsedManifest } from '../oci/manifest.ts';
import { blobKey } from '../oci/names.ts';
import type { BlobIndex, BlobStore, PackIndex, PackSummaryRecord, PackVersionRecord } from '../ports.ts';
import { searchTextOf } from './search-text.ts';
import { SERVED_FILES, type ServedFile } from './served-files.ts';

/*
 * Pack admission: what a push to a `…/spectro-packs/archive/<name>` repository must pass beyond
 * OCI's rules (the archive re-linted, pack.json matching repository and tag), and the pack index
 * kept in step with the tags (versions, the newest-version summary).
 */

/** What admission touches: the pack index, the blob store (the layer, the extracted files), settings. */
export interface AdmissionContext {
  blobs: BlobStore;
  /** The pack index, and the GC mark on the extracted files it writes. */
  index: PackIndex & Pick<BlobIndex, 'getPackFilesState' | 'revivePackFiles'>;
  config: RegistryConfig;
  now: () => Date;
  /** Blobs just uploaded, so the layer is re-linted without reading it back. */
  recent?: RecentBlobs;
}

/** One tag push into a pack repository. */
export interface PackPush {
  repository: string;
  /** The repository's parts (oci/names.ts parsePackRepository). */
  pack: { basePath: string; name: string };
  tag: string;
  manifest: ParsedManifest;
  manifestDigest: string;
  pushedBy: string;
  /** The workflow run's identity, for a trusted publisher's push. */
  provenance?: Record<string, string>;
}

/**
 * Reads the pack layer, re-lints it with core/, and checks pack.json against repository and tag.
 * Returns the version to index, or the version already published when a floating tag (e.g.
 * `latest`) points at it; a refusal throws. Stores the pack's files the JSON API serves (text, logo, pack.json).
 */
export async function admitPack(ctx: AdmissionContext, push: PackPush): Promise<PackVersionRecord> {
  const { repository: repo, pack, tag, manifest: m, manifestDigest, pushedBy, provenance } = push;
  if (INDEX_TYPES.has(m.mediaType))
    throw badRequest(
      'MANIFEST_INVALID',
      `${repo} holds Palette packs: push an image manifest with the pack archive as its layer, not an index`,
    );
  const layer =
    m.layers.length === 1
      ? m.layers[0]
      : m.layers.find((l) => l.annotations?.['org.opencontainers.image.title']?.endsWith('.tar.gz'));
  if (!layer) {
    throw badRequest(
      'MANIFEST_INVALID',
      `${repo} holds Palette packs: the manifest needs one layer, the pack's <name>-<version>.tar.gz`,
    );
  }
  if (layer.size > ctx.config.maxPackBytes) {
    throw new OciError(
      413,
      'SIZE_INVALID',
      `pack archive is ${layer.size} bytes; this registry re-lints packs up to ${ctx.config.maxPackBytes} bytes`,
    );
  }
  const archive =
    ctx.recent?.take(layer.digest) ?? (await ctx.blobs.get(blobKey(layer.digest), ctx.config.maxPackBytes));
  // Loaded on first pack push, not at cold start: the linter (YAML, JSON Schema) is most of the bundle.
  const [{ packTreeFromArchive }, { lintPack }, { packContentDigest }] = await Promise.all([
    import('../../../core/archive-tree.ts'),
    import('../../../core/lint-pack.ts'),
    import('../../../core/pack-identity.ts'),
  ]);
  const read = packTreeFromArchive(archive, ctx.config.maxPackInflatedBytes);
  if (!read.ok)
    throw badRequest('MANIFEST_INVALID', `layer ${layer.digest} is not a pack archive: ${read.reason}`);
  try {
    const lint = lintPack(read.tree, await lintPolicyOrRefuse(repo, ctx.config.lintConfig));
    const errors = lint.findings.filter((f) => f.severity === 'error');
    if (errors.length > 0 && ctx.config.lintPolicy === 'enforce') {
      throw badRequest(
        'MANIFEST_INVALID',
        `pack fails lint with ${errors.length} error${errors.length === 1 ? '' : 's'}; fix them and push again (first: ${errors[0]?.file}: ${errors[0]?.message})`,
        {
          findings: lint.findings,
        },
      );
    }
    const pj = lint.packJson;
    if (!pj?.name || !pj.version)
      throw badRequest(
        'MANIFEST_INVALID',
        'the pack archive has no usable pack.json (name and version are required)',
      );
    if (pj.name !== pack.name) {
      throw badRequest(
        'MANIFEST_INVALID',
        `pack.json name "${pj.name}" does not match the repository's pack name "${pack.name}"`,
      );
    }
    if (pj.version !== tag) {
      // A floating tag (e.g. latest) may point at a version already published here.
      const known = await ctx.index.getPackVersion(repo, pj.version);
      if (known?.manifestDigest === manifestDigest) return known;
      throw badRequest(
        'MANIFEST_INVALID',
        `tag "${tag}" does not match pack.json version "${pj.version}"; push the version tag first`,
      );
    }
    const files: PackVersionRecord['files'] = {};
    const hex = manifestDigest.slice('sha256:'.length);
    // Garbage collection may have condemned these files (an earlier push of the same manifest was
    // deleted): clear the mark, or wait while they are being deleted.
    await claimPackFiles(ctx, hex);
    for (const [key, file] of Object.entries(SERVED_FILES) as [
      ServedFile,
      (typeof SERVED_FILES)[ServedFile],
    ][]) {
      if (!read.tree.entries.some((e) => e.path === file.path && e.type === 'file')) continue;
      const objectKey = `packs/${hex}/${file.path}`;
      await ctx.blobs.put(objectKey, read.tree.read(file.path, ctx.config.maxPackInflatedBytes), file.type);
      files[key] = objectKey;
    }
    const readme = files.readme
      ? Buffer.from(read.tree.read(SERVED_FILES.readme.path, ctx.config.maxPackInflatedBytes)).toString(
          'utf8',
        )
      : undefined;
    return {
      repository: repo,
      basePath: pack.basePath,
      name: pj.name,
      version: pj.version,
      versionKey: versionSortKey(pj.version),
      displayName: pj.displayName ?? pj.name,
      layer: pj.layer ?? 'addon',
      addonType: pj.addonType,
      cloudTypes: pj.cloudTypes ?? [],
      manifestDigest,
      layerDigest: layer.digest,
      size: layer.size,
      pushedAt: ctx.now().toISOString(),
      pushedBy,
      lint: { errors: lint.errors, warnings: lint.warnings },
      contentDigest: packContentDigest(read.tree),
      fileDigestsKey: await recordFileDigests(ctx, hex, read.tree),
      files,
      searchText: searchTextOf(pj.name, pj.displayName ?? pj.name, readme),
      provenance,
    };
  } finally {
    read.release(); // the inflated pack goes now, not at the next full GC
  }
}

/** The pack's listing entry when `v` is its newest version. */
function summaryOf(v: PackVersionRecord, updatedAt: string): PackSummaryRecord {
  return {
    repository: v.repository,
    basePath: v.basePath,
    name: v.name,
    latestVersion: v.version,
    latestVersionKey: v.versionKey,
    displayName: v.displayName,
    layer: v.layer,
    addonType: v.addonType,
    cloudTypes: v.cloudTypes,
    updatedAt,
    searchText: v.searchText,
  };
}

/**
 * Indexes an admitted version, then the pack's summary (kept only if no newer version's is
 * stored). ConflictError when the version exists with another manifest.
 */
export async function indexPackVersion(
  ctx: AdmissionContext,
  version: PackVersionRecord,
  now: string,
): Promise<void> {
  await ctx.index.putPackVersion(version);
  await ctx.index.putPackSummary(summaryOf(version, now));
}

/** The newest version that is not yanked, reading newest first (undefined: none). */
export async function newestListed(
  ctx: { index: Pick<PackIndex, 'listPackVersions'> },
  repo: string,
): Promise<PackVersionRecord | undefined> {
  let cursor: string | undefined;
  do {
    const page = await ctx.index.listPackVersions(repo, 25, cursor);
    const found = page.items.find((v) => !v.yanked);
    if (found) return found;
    cursor = page.next;
  } while (cursor);
  return undefined;
}

/**
 * After a version is deleted, yanked or unyanked, the pack's summary points at the newest
 * remaining version that is not yanked (or goes).
 */
export async function refreshPackSummary(
  ctx: { index: PackIndex; now: () => Date },
  repo: string,
): Promise<void> {
  const newest = await newestListed(ctx, repo);
  await ctx.index.deletePackSummary(repo);
  if (newest) await ctx.index.putPackSummary(summaryOf(newest, ctx.now().toISOString()));
}
