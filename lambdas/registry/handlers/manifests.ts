import { sha256Digest } from '../../../core/oci.ts';
import { inPrefix, type PublisherIdentity } from '../auth/access.ts';
import type { ApiGatewayResult } from '../http/apigw.ts';
import { respond } from '../http/response.ts';
import { badRequest, notFound, OciError } from '../oci/errors.ts';
import { parseManifest } from '../oci/manifest.ts';
import { blobKey, isDigest, isTag, parsePackRepository } from '../oci/names.ts';
import { admitPack, indexPackVersion, refreshPackSummary } from '../packs/admission.ts';
import {
  type BlobIndex,
  type CatalogIndex,
  ConflictError,
  type ManifestIndex,
  type ManifestRecord,
  type PackIndex,
  type PublisherIndex,
  type ReferrerIndex,
  type TagIndex,
} from '../ports.ts';
import { addArchiveBase } from './archive-base.ts';
import type { RegistryContext } from './context.ts';
import { beingCollected, useBlob } from './gc-guard.ts';
import { checkOverwrite, clearForOverwrite, pushMessage } from './overwrite.ts';

function validateReference(ref: string): 'tag' | 'digest' {
  if (isDigest(ref)) return 'digest';
  if (isTag(ref)) return 'tag';
  throw badRequest(
    'MANIFEST_INVALID',
    `"${ref.slice(0, 140)}" is neither a tag ([A-Za-z0-9_][A-Za-z0-9._-]{0,127}) nor a sha256 digest`,
  );
}

/** Manifests up to this size are also copied onto the tags that point at them. */
const TAG_COPY_BYTES = 4096;

type ResolvedManifest = Pick<ManifestRecord, 'digest' | 'mediaType' | 'size' | 'bytes' | 'blobKey'>;

/**
 * The manifest a reference names. By tag it is one read when the tag keeps the size (HEAD) and a
 * copy of a small manifest (GET): tags are removed before their manifest, so a tag's copy never
 * outlives it (docs/storage.md).
 */
async function resolve(
  ctx: RegistryContext<ManifestIndex & TagIndex>,
  repo: string,
  ref: string,
  need: 'head' | 'get',
): Promise<ResolvedManifest> {
  // A reference that is neither a tag nor a digest names no manifest: 404, as the distribution
  // spec's conformance suite expects (a PUT or DELETE of one is still a 400).
  if (!isTag(ref) && !isDigest(ref))
    throw notFound(
      'MANIFEST_UNKNOWN',
      `no manifest "${ref.slice(0, 140)}" in ${repo}: it is neither a tag nor a digest`,
      { reference: ref.slice(0, 140) },
    );
  const kind = validateReference(ref);
  let digest = ref;
  if (kind === 'tag') {
    const tag = await ctx.index.getTag(repo, ref);
    if (tag?.size !== undefined && (need === 'head' || tag.bytes)) return { ...tag, size: tag.size };
    digest = tag?.digest ?? '';
  }
  const manifest = digest ? await ctx.index.getManifest(repo, digest) : undefined;
  if (!manifest)
    throw notFound('MANIFEST_UNKNOWN', `manifest ${ref} is not in repository ${repo}`, { reference: ref });
  return manifest;
}

async function manifestBytes(ctx: RegistryContext<unknown>, m: ResolvedManifest): Promise<Uint8Array> {
  if (m.bytes) return m.bytes;
  return ctx.blobs.get(m.blobKey ?? blobKey(m.digest), ctx.config.maxManifestBytes);
}

export async function getManifest(
  ctx: RegistryContext<ManifestIndex & TagIndex>,
  repo: string,
  ref: string,
): Promise<ApiGatewayResult> {
  const m = await resolve(ctx, repo, ref, 'get');
  const bytes = await manifestBytes(ctx, m);
  return respond(200, { 'content-type': m.mediaType, 'docker-content-digest': m.digest }, bytes);
}

export async function headManifest(
  ctx: RegistryContext<ManifestIndex & TagIndex>,
  repo: string,
  ref: string,
): Promise<ApiGatewayResult> {
  const m = await resolve(ctx, repo, ref, 'head');
  return respond(200, {
    'content-type': m.mediaType,
    'docker-content-digest': m.digest,
    'content-length': String(m.size),
  });
}

/**
 * What a manifest push touches: the referenced blobs' links, the manifest, referrer, tag and
 * catalog items, the pack index (pack repositories) and the trusted-publishing audit.
 */
type ManifestWrites = BlobIndex &
  ManifestIndex &
  ReferrerIndex &
  TagIndex &
  CatalogIndex &
  PackIndex &
  PublisherIndex;

/** One manifest PUT, as the route hands it over. */
export interface ManifestPush {
  repository: string;
  /** Tag or digest. */
  reference: string;
  body: Uint8Array;
  contentType: string | undefined;
  /** The pushing subject's name. */
  pushedBy: string;
  /** Set when a trusted publisher pushes: its provenance is recorded and audited. */
  publisher?: PublisherIdentity;
}

/** PUT /v2/<name>/manifests/<ref>: validate, (for packs) re-lint and enforce immutability, then index. */
export async function putManifest(
  ctx: RegistryContext<ManifestWrites>,
  push: ManifestPush,
): Promise<ApiGatewayResult> {
  const { repository: repo, reference: ref, body, contentType, pushedBy, publisher } = push;
  const kind = validateReference(ref);
  if (body.length > ctx.config.maxManifestBytes) {
    throw new OciError(
      413,
      'SIZE_INVALID',
      `manifest is ${body.length} bytes; the limit is ${ctx.config.maxManifestBytes}`,
    );
  }
  const digest = sha256Digest(body);
  if (kind === 'digest' && ref !== digest) {
    throw badRequest('DIGEST_INVALID', `manifest content has digest ${digest}, not ${ref}`, {
      expected: ref,
      actual: digest,
    });
  }
  const m = parseManifest(body, contentType);

  // Every referenced blob (and, for an index, manifest) must already be in this repository.
  // A blob marked by garbage collection is revived here, or counts as missing while it is deleted.
  const missing: string[] = [];
  for (const d of [...(m.config ? [m.config] : []), ...m.layers]) {
    const link = await ctx.index.getBlobLink(repo, d.digest);
    if (!link || (await useBlob(ctx, d.digest)) !== 'live') missing.push(d.digest);
    else if (link.size !== d.size)
      throw badRequest(
        'MANIFEST_INVALID',
        `descriptor for ${d.digest} says size ${d.size}; the stored blob has ${link.size}`,
      );
  }
  if (missing.length > 0) {
    throw badRequest(
      'MANIFEST_BLOB_UNKNOWN',
      `manifest references blobs not uploaded to ${repo}: ${missing.join(', ')}`,
      { missing },
    );
  }
  // Touching a child refreshes its createdAt, so the collector's conditional delete of an
  // untagged manifest cannot remove it under this index.
  for (const d of m.manifests) {
    if (!(await ctx.index.touchManifest(repo, d.digest, ctx.now().toISOString()))) {
      throw badRequest(
        'MANIFEST_BLOB_UNKNOWN',
        `index references manifest ${d.digest}, which is not in ${repo}`,
        { missing: [d.digest] },
      );
    }
  }

  const pack = parsePackRepository(repo);
  const message = pack ? pushMessage(m.annotations) : undefined;
  let replaced: string | undefined;
  if (pack && kind === 'tag') {
    // Refuse early what the tag write would refuse anyway, before storing anything or re-linting,
    // unless this is an overwrite the registry allows (push --force, see overwrite.ts).
    const existing = await ctx.index.getTag(repo, ref);
    if (existing?.immutable && existing.digest !== digest) {
      checkOverwrite(ctx, repo, ref, existing.digest, digest, message);
      replaced = existing.digest;
    }
  }
  const provenance = publisher ? provenanceFor(publisher, repo) : undefined;
  const admitted =
    pack && kind === 'tag'
      ? await admitPack(ctx, {
          repository: repo,
          pack,
          tag: ref,
          manifest: m,
          manifestDigest: digest,
          pushedBy,
          provenance,
        })
      : undefined;
  const packVersion =
    admitted && admitted.version === ref && admitted.manifestDigest === digest
      ? { ...admitted, ...(message ? { message } : {}), ...(replaced ? { replacedDigest: replaced } : {}) }
      : admitted;

  // Write order: (audit) → manifest (by digest) → referrer → tag (the commit point) → pack index
  // → catalog. A crash before the tag leaves only content nobody points at; a retry completes the
  // rest. A trusted publisher's push is audited first, so no push it made goes unrecorded.
  const now = ctx.now().toISOString();
  if (provenance) {
    await ctx.index.putPublisherAudit({
      event: 'push',
      bindingId: provenance.binding as string,
      at: now,
      provenance,
      ociRepository: repo,
      reference: ref,
      digest,
    });
  }
  const inline = body.length <= ctx.config.maxInlineManifestBytes;
  if (!inline) {
    // A large manifest's bytes are a blob like any other: recorded, so the collector fences them.
    const use = await useBlob(ctx, digest);
    if (use === 'deleting') throw beingCollected(`manifest ${digest}`);
    await ctx.blobs.put(blobKey(digest), body, m.mediaType);
    try {
      await ctx.index.putBlob({ digest, size: body.length, createdAt: now });
    } catch (err) {
      if (err instanceof ConflictError) throw beingCollected(`manifest ${digest}`);
      throw err;
    }
  }
  await ctx.index.putManifest({
    repository: repo,
    digest,
    mediaType: m.mediaType,
    size: body.length,
    bytes: inline ? body : undefined,
    blobKey: inline ? undefined : blobKey(digest),
    subject: m.subject?.digest,
    artifactType: m.artifactType ?? m.config?.mediaType,
    annotations: m.annotations,
    createdAt: now,
  });
  if (m.subject) {
    await ctx.index.putReferrer({
      repository: repo,
      subject: m.subject.digest,
      digest,
      mediaType: m.mediaType,
      size: body.length,
      artifactType: m.artifactType ?? m.config?.mediaType,
      annotations: m.annotations,
    });
  }
  if (kind === 'tag') {
    const immutable = packVersion !== undefined && packVersion.version === ref;
    if (replaced && immutable) await clearForOverwrite(ctx, repo, ref);
    try {
      await ctx.index.putTag({
        repository: repo,
        tag: ref,
        digest,
        mediaType: m.mediaType,
        immutable,
        updatedAt: now,
        size: body.length,
        bytes: inline && body.length <= TAG_COPY_BYTES ? body : undefined,
      });
    } catch (err) {
      if (err instanceof ConflictError) throw immutabilityError(repo, ref, err.existingDigest, digest);
      throw err;
    }
  }
  if (packVersion && packVersion.version === ref) {
    try {
      await indexPackVersion(ctx, packVersion, now);
    } catch (err) {
      if (err instanceof ConflictError) throw immutabilityError(repo, ref, err.existingDigest, digest);
      throw err;
    }
  }
  await Promise.all([ctx.index.addRepository(repo), addArchiveBase(ctx, repo)]);
  const headers: Record<string, string> = {
    location: `/v2/${repo}/manifests/${digest}`,
    'docker-content-digest': digest,
  };
  if (m.subject) headers['oci-subject'] = m.subject.digest;
  return respond(201, headers);
}

/** The run's provenance plus the binding whose prefix covers `repo` (the one this push used). */
function provenanceFor(publisher: PublisherIdentity, repo: string): Record<string, string> {
  const binding = publisher.bindings.find((b) => inPrefix(repo, b.prefix));
  return { ...publisher.provenance, binding: binding?.id ?? publisher.bindings[0]?.id ?? '' };
}

function immutabilityError(
  repo: string,
  tag: string,
  existing: string | undefined,
  pushed: string,
): OciError {
  return new OciError(
    409,
    'DENIED',
    `${repo}:${tag} is an immutable pack version: it already holds ${existing ?? 'another manifest'}, and this push is ${pushed}. Publish the change as a new version.`,
    { existing, pushed },
  );
}

/** DELETE by digest removes the manifest and every tag on it; by tag removes only the tag. */
export async function deleteManifest(
  ctx: RegistryContext<ManifestIndex & TagIndex & ReferrerIndex & PackIndex>,
  repo: string,
  ref: string,
): Promise<ApiGatewayResult> {
  const kind = validateReference(ref);
  const pack = parsePackRepository(repo);
  if (kind === 'tag') {
    const tag = await ctx.index.getTag(repo, ref);
    if (!tag) throw notFound('MANIFEST_UNKNOWN', `tag ${ref} is not in repository ${repo}`);
    // Index entries first, tag last: the version disappears from the pack API before the tag does.
    if (pack) {
      const v = await ctx.index.getPackVersion(repo, ref);
      if (v?.manifestDigest === tag.digest) await ctx.index.deletePackVersion(repo, ref);
      await refreshPackSummary(ctx, repo);
    }
    await ctx.index.deleteTag(repo, ref);
    return respond(202);
  }
  const m = await ctx.index.getManifest(repo, ref);
  if (!m) throw notFound('MANIFEST_UNKNOWN', `manifest ${ref} is not in repository ${repo}`);
  for (let last: string | undefined, more = true; more; ) {
    const page = await ctx.index.listTags(repo, 1000, last);
    for (const t of page.tags) {
      if (t.digest !== ref) continue;
      if (pack) {
        const v = await ctx.index.getPackVersion(repo, t.tag);
        if (v?.manifestDigest === ref) await ctx.index.deletePackVersion(repo, t.tag);
      }
      await ctx.index.deleteTag(repo, t.tag);
    }
    more = page.more;
    last = page.tags.at(-1)?.tag;
  }
  if (pack) await refreshPackSummary(ctx, repo);
  if (m.subject) await ctx.index.deleteReferrer(repo, m.subject, ref);
  await ctx.index.deleteManifest(repo, ref);
  return respond(202);
}
