import {
  type BlobIndex,
  type BlobRecord,
  ConflictError,
  type UploadIndex,
  type UploadSession,
} from '../../ports.ts';
import type { DynamoTable } from './items.ts';
import { keys, TTL_ATTRIBUTE } from './table.ts';

/** Blob records (global, and a link per repository that may read the blob) and upload sessions. */
export function blobRecords(table: DynamoTable): BlobIndex & UploadIndex {
  return {
    getBlob: (digest) => table.get<BlobRecord>(keys.blob(digest)),
    putBlob: (blob) => table.put({ ...keys.blob(blob.digest), kind: 'blob', ...blob }),
    linkBlob: (repository, blob) =>
      table.put({ ...keys.blobLink(repository, blob.digest), kind: 'blob-link', ...blob }),
    getBlobLink: (repository, digest) => table.get<BlobRecord>(keys.blobLink(repository, digest)),
    unlinkBlob: (repository, digest) => table.delete(keys.blobLink(repository, digest)),

    async createUpload(upload) {
      const created = await table.putIf(
        { ...keys.upload(upload.id), kind: 'upload', ...upload, [TTL_ATTRIBUTE]: upload.expiresAt },
        (e) => `attribute_not_exists(${e.name('pk')})`,
      );
      if (!created) throw new ConflictError(`upload ${upload.id} already exists`);
    },

    /** The session, unless absent or expired (TTL deletes lazily, up to days late: check here). */
    async getUpload(id) {
      const upload = await table.get<UploadSession>(keys.upload(id));
      return upload && upload.expiresAt > table.now() ? upload : undefined;
    },

    async advanceUpload(id, expectedOffset, offset, parts) {
      const advanced = await table.updateIf(keys.upload(id), (e) => ({
        update: `SET ${e.name('offset')} = ${e.value(offset)}, ${e.name('chunks')} = ${e.value(parts.length)}, ${e.name('parts')} = ${e.value(parts)}`,
        condition: `attribute_exists(${e.name('pk')}) AND ${e.name('offset')} = ${e.value(expectedOffset)} AND ${e.name('expiresAt')} > ${e.value(table.now())}`,
      }));
      if (!advanced) {
        throw new ConflictError(
          `upload ${id} is no longer at offset ${expectedOffset} (or is gone or expired)`,
        );
      }
    },

    deleteUpload: (id) => table.delete(keys.upload(id)),
  };
}
