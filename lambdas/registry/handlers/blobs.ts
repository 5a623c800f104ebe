import { randomUUID } from 'node:crypto';
import { sha256Digest } from '../../../core/oci.ts';
import type { ApiGatewayResult } from '../http/apigw.ts';
import { respond } from '../http/response.ts';
import { badRequest, notFound, OciError } from '../oci/errors.ts';
import { blobKey, isName, validateDigest } from '../oci/names.ts';
import {
  type BlobIndex,
  type BlobRecord,
  ConflictError,
  type UploadIndex,
  type UploadSession,
} from '../ports.ts';
import type { RegistryContext } from './context.ts';
import { beingCollected, useBlob } from './gc-guard.ts';

/** A fresh key per chunk: a request losing the race for an offset never overwrites the winner. */
const chunkKey = (id: string, seq: number) =>
  `uploads/${id}/${String(seq).padStart(6, '0')}-${randomUUID().slice(0, 8)}`;
const assembledKey = (id: string) => `uploads/${id}/assembled`;
const uploadLocation = (repo: string, id: string) => `/v2/${repo}/blobs/uploads/${id}`;
const blobLocation = (repo: string, digest: string) => `/v2/${repo}/blobs/${digest}`;

export async function headBlob(
  ctx: RegistryContext<BlobIndex>,
  repo: string,
  digest: string,
): Promise<ApiGatewayResult> {
  const blob = await requireBlob(ctx, repo, digest);
  return respond(200, {
    'content-type': 'application/octet-stream',
    'content-length': String(blob.size),
    'docker-content-digest': blob.digest,
  });
}

/** Blob bytes never pass through Lambda: a short-lived presigned URL serves them. */
export async function getBlob(
  ctx: RegistryContext<BlobIndex>,
  repo: string,
  digest: string,
): Promise<ApiGatewayResult> {
  const blob = await requireBlob(ctx, repo, digest);
  const url = await ctx.blobs.presignGet(blobKey(blob.digest), ctx.config.presignTtlSeconds);
  return respond(307, { location: url, 'docker-content-digest': blob.digest });
}

export async function deleteBlob(
  ctx: RegistryContext<BlobIndex>,
  repo: string,
  digest: string,
): Promise<ApiGatewayResult> {
  await requireBlob(ctx, repo, digest);
  // Unlinks the blob from this repository; the content-addressed object may be shared by others.
  await ctx.index.unlinkBlob(repo, digest);
  return respond(202);
}

async function requireBlob(
  ctx: RegistryContext<BlobIndex>,
  repo: string,
  digest: string,
): Promise<BlobRecord> {
  validateDigest(digest);
  const blob = await ctx.index.getBlobLink(repo, digest);
  if (!blob) throw notFound('BLOB_UNKNOWN', `blob ${digest} is not in repository ${repo}`, { digest });
  return blob;
}

/** POST /v2/<name>/blobs/uploads/: monolithic (?digest=), mount (?mount=&from=), or a new session. */
export async function startUpload(
  ctx: RegistryContext<BlobIndex & UploadIndex>,
  repo: string,
  query: URLSearchParams,
  body: Uint8Array,
  canPullFrom: (repo: string) => boolean,
): Promise<ApiGatewayResult> {
  const mount = query.get('mount');
  const from = query.get('from');
  if (mount && from) {
    validateDigest(mount);
    const source = isName(from) && canPullFrom(from) ? await ctx.index.getBlobLink(from, mount) : undefined;
    // A blob garbage collection is deleting is not mountable (the client uploads it instead).
    if (source && (await useBlob(ctx, mount)) === 'live') {
      await ctx.index.linkBlob(repo, source);
      return respond(201, { location: blobLocation(repo, mount), 'docker-content-digest': mount });
    }
    // Not mountable (or not visible to the caller): fall through to a regular upload, as the spec says.
  }
  const digest = query.get('digest');
  if (digest) {
    validateDigest(digest);
    checkChunk(ctx, body.length);
    await storeVerified(ctx, repo, digest, body);
    return respond(201, { location: blobLocation(repo, digest), 'docker-content-digest': digest });
  }
  const now = ctx.now();
  const session: UploadSession = {
    id: randomUUID(),
    repository: repo,
    offset: 0,
    chunks: 0,
    parts: [],
    createdAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + ctx.config.uploadTtlSeconds,
  };
  await ctx.index.createUpload(session);
  return respond(202, uploadHeaders(ctx, repo, session));
}

function uploadHeaders(
  ctx: RegistryContext<unknown>,
  repo: string,
  s: UploadSession,
): Record<string, string> {
  return {
    location: uploadLocation(repo, s.id),
    range: `0-${Math.max(0, s.offset - 1)}`,
    'docker-upload-uuid': s.id,
    'oci-chunk-min-length': String(ctx.config.minChunkBytes),
    // Not in the spec: the largest request body this deployment accepts (Lambda's payload limit).
    'oci-chunk-max-length': String(ctx.config.maxChunkBytes),
  };
}

function checkChunk(ctx: RegistryContext<unknown>, length: number): void {
  if (length > ctx.config.maxChunkBytes) {
    throw new OciError(
      413,
      'SIZE_INVALID',
      `request body is ${length} bytes; this registry accepts at most ${ctx.config.maxChunkBytes} bytes per request (Lambda payload limit). Upload in chunks: POST, then PATCH with Content-Range, then PUT ?digest=`,
      { maxChunkBytes: ctx.config.maxChunkBytes },
    );
  }
}

async function requireUpload(
  ctx: RegistryContext<UploadIndex>,
  repo: string,
  id: string,
): Promise<UploadSession> {
  const s = /^[0-9a-f-]{36}$/.test(id) ? await ctx.index.getUpload(id) : undefined;
  if (!s || s.repository !== repo || s.expiresAt * 1000 < ctx.now().getTime()) {
    throw notFound(
      'BLOB_UPLOAD_UNKNOWN',
      `upload ${id.slice(0, 64)} is unknown or expired in ${repo}; start a new one`,
    );
  }
  return s;
}

export async function getUpload(
  ctx: RegistryContext<UploadIndex>,
  repo: string,
  id: string,
): Promise<ApiGatewayResult> {
  const s = await requireUpload(ctx, repo, id);
  return respond(204, uploadHeaders(ctx, repo, s));
}

export async function cancelUpload(
  ctx: RegistryContext<UploadIndex>,
  repo: string,
  id: string,
): Promise<ApiGatewayResult> {
  const s = await requireUpload(ctx, repo, id);
  await ctx.index.deleteUpload(s.id);
  await ctx.blobs.delete(s.parts ?? []);
  return respond(204);
}

/** Appends a chunk. Content-Range (if sent) must start where the session is; else 416. */
export async function patchUpload(
  ctx: RegistryContext<UploadIndex>,
  repo: string,
  id: string,
  body: Uint8Array,
  contentRange: string | undefined,
): Promise<ApiGatewayResult> {
  checkChunk(ctx, body.length);
  const s = await requireUpload(ctx, repo, id);
  await appendChunk(ctx, repo, s, body, contentRange);
  return respond(202, uploadHeaders(ctx, repo, s));
}

async function appendChunk(
  ctx: RegistryContext<UploadIndex>,
  repo: string,
  s: UploadSession,
  body: Uint8Array,
  contentRange: string | undefined,
): Promise<void> {
  if (contentRange !== undefined) {
    const m = /^(?:bytes[ =])?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(contentRange.trim());
    const start = m ? Number(m[1]) : Number.NaN;
    const end = m ? Number(m[2]) : Number.NaN;
    if (!m || start !== s.offset || end - start + 1 !== body.length) {
      throw new OciError(
        416,
        'BLOB_UPLOAD_INVALID',
        `Content-Range "${contentRange.slice(0, 60)}" does not continue the upload: the next chunk must start at byte ${s.offset} and match the body length (${body.length})`,
        undefined,
        { ...uploadHeaders(ctx, repo, s) },
      );
    }
  }
  if (body.length === 0) return;
  if (s.offset + body.length > ctx.config.maxBlobBytes) {
    throw new OciError(
      413,
      'SIZE_INVALID',
      `blob would exceed ${ctx.config.maxBlobBytes} bytes, the most this registry stores`,
    );
  }
  // Chunk object first, then the session: a crash leaves an orphan object (expired by lifecycle), never a session pointing at nothing.
  const key = chunkKey(s.id, s.chunks);
  await ctx.blobs.put(key, body);
  const parts = [...(s.parts ?? []), key];
  try {
    await ctx.index.advanceUpload(s.id, s.offset, s.offset + body.length, parts);
  } catch (err) {
    if (err instanceof ConflictError) {
      await ctx.blobs.delete([key]);
      throw new OciError(
        416,
        'BLOB_UPLOAD_INVALID',
        'another request changed this upload concurrently; GET the upload to see its range and resume',
        undefined,
        uploadHeaders(ctx, repo, s),
      );
    }
    throw err;
  }
  s.offset += body.length;
  s.chunks += 1;
  s.parts = parts;
}

/** Completes an upload (optionally with a last chunk) and verifies the digest before storing. */
export async function putUpload(
  ctx: RegistryContext<BlobIndex & UploadIndex>,
  repo: string,
  id: string,
  query: URLSearchParams,
  body: Uint8Array,
  contentRange: string | undefined,
): Promise<ApiGatewayResult> {
  const digest = query.get('digest');
  if (!digest) throw badRequest('DIGEST_INVALID', 'PUT to complete an upload needs ?digest=sha256:<hex>');
  validateDigest(digest);
  checkChunk(ctx, body.length);
  let s: UploadSession;
  try {
    s = await requireUpload(ctx, repo, id);
  } catch (err) {
    // Completed a moment ago by a concurrent PUT of the same upload: the answer that one got.
    if (err instanceof OciError && (await ctx.index.getBlobLink(repo, digest)))
      return respond(201, { location: blobLocation(repo, digest), 'docker-content-digest': digest });
    throw err;
  }
  const chunkKeys = [...(s.parts ?? [])];
  const cleanup = async () => {
    await ctx.index.deleteUpload(s.id);
    await ctx.blobs.delete([...chunkKeys, assembledKey(s.id)]);
  };
  if (s.chunks === 0) {
    // Everything in this one request: verify in memory.
    try {
      await storeVerified(ctx, repo, digest, body);
    } finally {
      await cleanup();
    }
    return respond(201, { location: blobLocation(repo, digest), 'docker-content-digest': digest });
  }
  // Claim the session before assembling: of concurrent completions, one assembles and stores; the
  // others wait for its blob (or learn the upload is gone) instead of racing on the same objects.
  if (s.completing) return completedElsewhere(ctx, repo, s.id, digest);
  await appendChunk(ctx, repo, s, body, contentRange);
  if (!(await ctx.index.claimUpload(s.id, s.offset))) return completedElsewhere(ctx, repo, s.id, digest);
  const keys = [...s.parts];
  try {
    const assembled = await ctx.blobs.concat(keys, assembledKey(s.id));
    if (assembled.digest !== digest) {
      throw badRequest(
        'DIGEST_INVALID',
        `uploaded content has digest ${assembled.digest}, not ${digest}; nothing was stored`,
        {
          expected: digest,
          actual: assembled.digest,
        },
      );
    }
    // Object before index: the index never names a blob that is not stored.
    const use = await useBlob(ctx, digest);
    if (use === 'deleting') throw beingCollected(`blob ${digest}`);
    if (use === 'absent') await ctx.blobs.copy(assembledKey(s.id), blobKey(digest));
    await recordBlob(ctx, repo, digest, assembled.size, use === 'live');
  } finally {
    await ctx.blobs.delete([...keys, assembledKey(s.id)]);
    await ctx.index.deleteUpload(s.id);
  }
  return respond(201, { location: blobLocation(repo, digest), 'docker-content-digest': digest });
}

const COMPLETION_WAIT_MS = 5_000;

/**
 * Another request is completing this upload: answer what it stored (201 once the blob is linked to
 * the repository), or 404 BLOB_UPLOAD_UNKNOWN when it stored nothing (a digest mismatch).
 */
async function completedElsewhere(
  ctx: RegistryContext<BlobIndex>,
  repo: string,
  id: string,
  digest: string,
): Promise<ApiGatewayResult> {
  for (let waited = 0; ; waited += 100) {
    if (await ctx.index.getBlobLink(repo, digest))
      return respond(201, { location: blobLocation(repo, digest), 'docker-content-digest': digest });
    if (waited >= COMPLETION_WAIT_MS) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw notFound(
    'BLOB_UPLOAD_UNKNOWN',
    `upload ${id.slice(0, 80)} was completed or cancelled by another request without storing ${digest}; start a new upload`,
  );
}

async function storeVerified(
  ctx: RegistryContext<BlobIndex>,
  repo: string,
  digest: string,
  body: Uint8Array,
): Promise<void> {
  const actual = sha256Digest(body);
  if (actual !== digest) {
    throw badRequest(
      'DIGEST_INVALID',
      `uploaded content has digest ${actual}, not ${digest}; nothing was stored`,
      {
        expected: digest,
        actual,
      },
    );
  }
  const use = await useBlob(ctx, digest);
  if (use === 'deleting') throw beingCollected(`blob ${digest}`);
  if (use === 'absent') await ctx.blobs.put(blobKey(digest), body);
  ctx.recent?.remember(digest, body);
  await recordBlob(ctx, repo, digest, body.length, use === 'live');
}

/** Indexes a stored blob (the global record only if new) and links it to the repository. */
async function recordBlob(
  ctx: RegistryContext<BlobIndex>,
  repo: string,
  digest: string,
  size: number,
  known: boolean,
): Promise<void> {
  const rec: BlobRecord = { digest, size, createdAt: ctx.now().toISOString() };
  if (!known) {
    try {
      await ctx.index.putBlob(rec);
    } catch (err) {
      // The collector began deleting this digest since it was looked at (putBlob refuses then).
      if (err instanceof ConflictError) throw beingCollected(`blob ${digest}`);
      throw err;
    }
  }
  await ctx.index.linkBlob(repo, rec);
}
