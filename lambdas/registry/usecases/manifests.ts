import { createHash } from 'node:crypto';
import { versionSortKey } from '../../../core/version.ts';
import { inPrefix, type PublisherIdentity } from '../auth/access.ts';
import type { ApiGatewayResult } from '../http/apigw.ts';
import { respond } from '../http/response.ts';
import { badRequest, notFound, OciError } from '../oci/errors.ts';
import { blobKey, isDigest, isTag, parsePackRepository, validateDigest } from '../oci/names.ts';
import { ConflictError, type ManifestRecord, type PackVersionRecord } from '../ports.ts';
import type { RegistryContext } from './context.ts';
import { beingCollected, claimPackFiles, useBlob } from './gc-guard.ts';
import { refreshLatest } from './yank.ts';

export const MANIFEST_TYPES = new Set([
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);
const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

interface ParsedManifest {
  mediaType: string;
  config?: Descriptor;
  layers: Descriptor[];
  manifests: Descriptor[];
  subject?: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
}

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
  ctx: RegistryContext,
  repo: string,
  ref: string,
  need: 'head' | 'get',
): Promise<ResolvedManifest> {
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

async function manifestBytes(ctx: RegistryContext, m: ResolvedManifest): Promise<Uint8Array> {
  if (m.bytes) return m.bytes;
  return ctx.blobs.get(m.blobKey ?? blobKey(m.digest), ctx.config.maxManifestBytes);
}

export async function getManifest(
  ctx: RegistryContext,
  repo: string,
  ref: string,
): Promise<ApiGatewayResult> {
  const m = await resolve(ctx, repo, ref, 'get');
  const bytes = await manifestBytes(ctx, m);
  return respond(200, { 'content-type': m.mediaType, 'docker-content-digest': m.digest }, bytes);
}

export async function headManifest(
  ctx: RegistryContext,
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

function parseManifest(bytes: Uint8Array, contentType: string | undefined): ParsedManifest {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw badRequest('MANIFEST_INVALID', `manifest is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw badRequest('MANIFEST_INVALID', 'manifest must be a JSON object');
  if (doc.schemaVersion !== 2) throw badRequest('MANIFEST_INVALID', 'manifest schemaVersion must be 2');
  const mediaType =
    (typeof doc.mediaType === 'string' ? doc.mediaType : contentType?.split(';')[0]?.trim()) ?? '';
  if (!MANIFEST_TYPES.has(mediaType)) {
    throw badRequest(
      'MANIFEST_INVALID',
      `unsupported manifest media type "${mediaType.slice(0, 100)}"; send an OCI image manifest or index`,
      {
        supported: [...MANIFEST_TYPES],
      },
    );
  }
  const ct = contentType?.split(';')[0]?.trim();
  if (typeof doc.mediaType === 'string' && ct && ct !== doc.mediaType) {
    throw badRequest(
      'MANIFEST_INVALID',
      `Content-Type "${ct}" does not match the manifest's mediaType "${doc.mediaType}"`,
    );
  }
  const desc = (v: unknown, where: string): Descriptor => {
    const d = v as Descriptor;
    if (
      typeof d !== 'object' ||
      d === null ||
      typeof d.mediaType !== 'string' ||
      typeof d.digest !== 'string' ||
      !Number.isSafeInteger(d.size) ||
      d.size < 0
    ) {
      throw badRequest('MANIFEST_INVALID', `${where} is not a valid descriptor (mediaType, digest, size)`);
    }
    validateDigest(d.digest);
    return d;
  };
  const list = (v: unknown, where: string) => {
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw badRequest('MANIFEST_INVALID', `${where} must be an array`);
    return v.map((x, i) => desc(x, `${where}[${i}]`));
  };
  const isIndex = INDEX_TYPES.has(mediaType);
  const parsed: ParsedManifest = {
    mediaType,
    config: isIndex ? undefined : desc(doc.config, 'config'),
    layers: isIndex ? [] : list(doc.layers, 'layers'),
    manifests: isIndex ? list(doc.manifests, 'manifests') : [],
    subject: doc.subject === undefined ? undefined : desc(doc.subject, 'subject'),
    artifactType: typeof doc.artifactType === 'string' ? doc.artifactType : undefined,
    annotations: isStringMap(doc.annotations) ? doc.annotations : undefined,
  };
  return parsed;
}

function isStringMap(v: unknown): v is Record<string, string> {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.values(v).every((x) => typeof x === 'string')
  );
}

export interface PushResult {
  result: ApiGatewayResult;
  pack?: PackVersionRecord;
}

/** PUT /v2/<name>/manifests/<ref>: validate, (for packs) re-lint and enforce immutability, then index. */
export async function putManifest(
  ctx: RegistryContext,
  repo: string,
  ref: string,
  body: Uint8Array,
  contentType: string | undefined,
  pushedBy: string,
  publisher?: PublisherIdentity,
): Promise<ApiGatewayResult> {
  const kind = validateReference(ref);
  if (body.length > ctx.config.maxManifestBytes) {
    throw new OciError(
      413,
      'SIZE_INVALID',
      `manifest is ${body.length} bytes; the limit is ${ctx.config.maxManifestBytes}`,
    );
  }
  const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
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
  if (pack && kind === 'tag') {
    // Refuse early what the tag write would refuse anyway, before storing anything or re-linting.
    const existing = await ctx.index.getTag(repo, ref);
    if (existing?.immutable && existing.digest !== digest)
      throw immutabilityError(repo, ref, existing.digest, digest);
  }
  const provenance = publisher ? provenanceFor(publisher, repo) : undefined;
  const packVersion =
    pack && kind === 'tag'
      ? await checkPack(ctx, repo, pack, ref, m, digest, pushedBy, provenance)
      : undefined;

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
      await ctx.index.putPackVersion(packVersion);
    } catch (err) {
      if (err instanceof ConflictError) throw immutabilityError(repo, ref, err.existingDigest, digest);
      throw err;
    }
    await ctx.index.putPackSummary({
      repository: repo,
      basePath: packVersion.basePath,
      name: packVersion.name,
      latestVersion: packVersion.version,
      latestVersionKey: packVersion.versionKey,
      displayName: packVersion.displayName,
      layer: packVersion.layer,
      addonType: packVersion.addonType,
      cloudTypes: packVersion.cloudTypes,
      updatedAt: now,
    });
  }
  await ctx.index.addRepository(repo);
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

const PACK_FILES = {
  values: 'values.yaml',
  readme: 'README.md',
  presets: 'presets.yaml',
  schema: 'schema.yaml',
} as const;

/** Reads the pack layer, re-lints it with core/, and checks pack.json against repository and tag. */
async function checkPack(
  ctx: RegistryContext,
  repo: string,
  pack: { basePath: string; name: string },
  tag: string,
  m: ParsedManifest,
  manifestDigest: string,
  pushedBy: string,
  provenance: Record<string, string> | undefined,
): Promise<PackVersionRecord | undefined> {
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
  const lint = lintPack(read.tree);
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
  await claimPackFiles(ctx, hex);
  for (const [key, file] of Object.entries(PACK_FILES) as [keyof typeof PACK_FILES, string][]) {
    if (!read.tree.entries.some((e) => e.path === file && e.type === 'file')) continue;
    const objectKey = `packs/${hex}/${file}`;
    await ctx.blobs.put(
      objectKey,
      read.tree.read(file, ctx.config.maxPackInflatedBytes),
      'text/plain; charset=utf-8',
    );
    files[key] = objectKey;
  }
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
    files,
    provenance,
  };
}

/** DELETE by digest removes the manifest and every tag on it; by tag removes only the tag. */
export async function deleteManifest(
  ctx: RegistryContext,
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
      await refreshSummary(ctx, repo);
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
  if (pack) await refreshSummary(ctx, repo);
  if (m.subject) await ctx.index.deleteReferrer(repo, m.subject, ref);
  await ctx.index.deleteManifest(repo, ref);
  return respond(202);
}

/** After a version is deleted, the pack's summary points at the newest remaining one not yanked (or goes). */
async function refreshSummary(ctx: RegistryContext, repo: string): Promise<void> {
  await refreshLatest(ctx, repo);
}
