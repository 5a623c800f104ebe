import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { type BlobStore, BlobTooLargeError, NotFoundError } from '../ports.ts';

/** `concat` writes a single PutObject below this size and a multipart upload from it on. */
export const MULTIPART_THRESHOLD = 8 * 1024 * 1024;
/** Multipart part size (S3's minimum is 5 MiB for every part but the last). */
export const PART_SIZE = 8 * 1024 * 1024;
/** DeleteObjects takes at most 1000 keys per request. */
const DELETE_BATCH = 1000;

type ByteStream = AsyncIterable<Uint8Array> & { destroy?: (error?: Error) => void };

/**
 * BlobStore over one S3 bucket. Every key is stored under `prefix` (e.g. `registry/`), so one
 * bucket can hold several registries. Content stays in S3: `presignGet` hands out direct URLs.
 */
export class S3BlobStore implements BlobStore {
  private readonly prefix: string;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    prefix = '',
    /** Signs download URLs for another endpoint than `client` uses (the local mode's second host name). */
    private readonly presignClient: S3Client = client,
  ) {
    this.prefix = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
  }

  async put(key: string, bytes: Uint8Array, contentType?: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.key(key),
        Body: bytes,
        ContentLength: bytes.byteLength,
        ContentType: contentType ?? 'application/octet-stream',
      }),
    );
  }

  async get(key: string, maxBytes: number): Promise<Uint8Array> {
    const { body, length } = await this.open(key);
    // The size is known from the response headers before any byte of the body is read.
    if (length !== undefined && length > maxBytes) {
      body.destroy?.();
      throw new BlobTooLargeError(`object ${key} is ${length} bytes, more than the ${maxBytes} allowed`);
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    // Also counted while reading, in case a server omits Content-Length.
    for await (const chunk of body) {
      total += chunk.byteLength;
      if (total > maxBytes) throw new BlobTooLargeError(`object ${key} is more than the ${maxBytes} allowed`);
      chunks.push(chunk);
    }
    return Buffer.concat(chunks, total);
  }

  async size(key: string): Promise<number | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      return head.ContentLength ?? 0;
    } catch (error) {
      if (isMissingObject(error)) return undefined;
      throw error;
    }
  }

  presignGet(key: string, ttlSeconds: number, filename?: string): Promise<string> {
    return getSignedUrl(
      this.presignClient,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: this.key(key),
        ResponseContentDisposition: filename === undefined ? undefined : contentDisposition(filename),
      }),
      { expiresIn: ttlSeconds },
    );
  }

  /** One page (up to 1000) of the objects under `prefix`, for garbage collection (never a request path). */
  async list(
    prefix: string,
    cursor?: string,
  ): Promise<{ objects: { key: string; size: number; lastModified: Date }[]; next?: string }> {
    const out = await this.client.send(
      new ListObjectsV2Command({
        Bucket: this.bucket,
        Prefix: this.key(prefix),
        ContinuationToken: cursor,
      }),
    );
    return {
      objects: (out.Contents ?? []).map((o) => ({
        key: (o.Key ?? '').slice(this.prefix.length),
        size: o.Size ?? 0,
        lastModified: o.LastModified ?? new Date(0),
      })),
      next: out.IsTruncated ? out.NextContinuationToken : undefined,
    };
  }

  async delete(keys: string[]): Promise<void> {
    const unique = [...new Set(keys)];
    for (let i = 0; i < unique.length; i += DELETE_BATCH) {
      const batch = unique.slice(i, i + DELETE_BATCH);
      const out = await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: batch.map((key) => ({ Key: this.key(key) })), Quiet: true },
        }),
      );
      const failed = out.Errors ?? [];
      if (failed.length > 0) {
        const first = failed[0];
        throw new Error(
          `could not delete ${failed.length} of ${batch.length} objects (first: ${first?.Key}: ${first?.Code} ${first?.Message})`,
        );
      }
    }
  }

  /**
   * Streams the sources, in order, through a sha256 hash into `dest`. Below MULTIPART_THRESHOLD
   * the bytes go up in one PutObject; from it on, as a multipart upload whose parts (PART_SIZE,
   * the last one smaller) are cut from the stream while the previous part uploads, so at most
   * about two parts are in memory. Any failure aborts the multipart upload.
   */
  async concat(sources: string[], dest: string): Promise<{ digest: string; size: number }> {
    const destKey = this.key(dest);
    const hash = createHash('sha256');
    let size = 0;
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    let uploadId: string | undefined;
    const parts: CompletedPart[] = [];
    let inFlight: Promise<void> | undefined;

    const uploadPart = async (id: string, partNumber: number, body: Buffer): Promise<void> => {
      const out = await this.client.send(
        new UploadPartCommand({
          Bucket: this.bucket,
          Key: destKey,
          UploadId: id,
          PartNumber: partNumber,
          Body: body,
          ContentLength: body.byteLength,
        }),
      );
      if (!out.ETag) throw new Error(`S3 returned no ETag for part ${partNumber} of ${dest}`);
      // Echo any part checksum back in CompleteMultipartUpload, as @aws-sdk/lib-storage does.
      parts[partNumber - 1] = {
        PartNumber: partNumber,
        ETag: out.ETag,
        ...(out.ChecksumCRC32 && { ChecksumCRC32: out.ChecksumCRC32 }),
        ...(out.ChecksumCRC32C && { ChecksumCRC32C: out.ChecksumCRC32C }),
        ...(out.ChecksumCRC64NVME && { ChecksumCRC64NVME: out.ChecksumCRC64NVME }),
        ...(out.ChecksumSHA1 && { ChecksumSHA1: out.ChecksumSHA1 }),
        ...(out.ChecksumSHA256 && { ChecksumSHA256: out.ChecksumSHA256 }),
      };
    };
    const takePending = (): Buffer => {
      const body = Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      return body;
    };

    try {
      let partNumber = 0;
      for (const source of sources) {
        const { body } = await this.open(source);
        for await (const chunk of body) {
          hash.update(chunk);
          size += chunk.byteLength;
          pending.push(chunk);
          pendingBytes += chunk.byteLength;
          if (pendingBytes >= PART_SIZE) {
            const part = takePending();
            uploadId ??= await this.createMultipartUpload(destKey);
            await inFlight; // one part uploads while the next one fills
            inFlight = uploadPart(uploadId, ++partNumber, part);
            // Observed here so a failure is not an unhandled rejection; re-raised by the next await.
            inFlight.catch(() => {});
          }
        }
      }
      await inFlight;
      inFlight = undefined;
      const rest = takePending();
      if (uploadId === undefined) {
        await this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: destKey,
            Body: rest,
            ContentLength: rest.byteLength,
            ContentType: 'application/octet-stream',
          }),
        );
      } else {
        if (rest.byteLength > 0) await uploadPart(uploadId, ++partNumber, rest);
        await this.client.send(
          new CompleteMultipartUploadCommand({
            Bucket: this.bucket,
            Key: destKey,
            UploadId: uploadId,
            MultipartUpload: { Parts: parts },
          }),
        );
      }
    } catch (error) {
      await inFlight?.catch(() => {});
      if (uploadId !== undefined) {
        // Best effort: the error that matters is the original one. s3rver does not implement
        // AbortMultipartUpload; on S3 the bucket's lifecycle rule reaps what an abort misses.
        await this.client
          .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: destKey, UploadId: uploadId }))
          .catch(() => {});
      }
      throw error;
    }
    return { digest: `sha256:${hash.digest('hex')}`, size };
  }

  /** Server-side copy (single CopyObject: sources up to 5 GiB, far above any pack). */
  async copy(source: string, dest: string): Promise<void> {
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: this.key(dest),
          CopySource: `${this.bucket}/${this.key(source).split('/').map(encodeURIComponent).join('/')}`,
        }),
      );
    } catch (error) {
      if (isMissingObject(error)) throw new NotFoundError(`no object ${source}`);
      throw error;
    }
  }

  private key(key: string): string {
    return this.prefix + key;
  }

  private async open(key: string): Promise<{ body: ByteStream; length: number | undefined }> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      if (!out.Body) throw new Error(`S3 returned no body for ${key}`);
      return { body: out.Body as unknown as ByteStream, length: out.ContentLength };
    } catch (error) {
      if (isMissingObject(error)) throw new NotFoundError(`no object ${key}`);
      throw error;
    }
  }

  private async createMultipartUpload(key: string): Promise<string> {
    const out = await this.client.send(
      new CreateMultipartUploadCommand({
        Bucket: this.bucket,
        Key: key,
        ContentType: 'application/octet-stream',
      }),
    );
    if (!out.UploadId) throw new Error(`S3 returned no UploadId for ${key}`);
    return out.UploadId;
  }
}

/** A missing object (not a missing bucket, which is a configuration error worth surfacing). */
function isMissingObject(error: unknown): boolean {
  if (!(error instanceof S3ServiceException)) return false;
  if (error.name === 'NoSuchBucket') return false;
  return error.name === 'NoSuchKey' || error.name === 'NotFound' || error.$metadata.httpStatusCode === 404;
}

/** `attachment` with an ASCII fallback name and the exact name as RFC 5987 `filename*`. */
function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return ascii === filename
    ? `attachment; filename="${filename}"`
    : `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
