import {
  type BlobIndex,
  type BlobRecord,
  ConflictError,
  type GcState,
  type UploadIndex,
  type UploadSession,
} from '../../ports.ts';
import type { DynamoTable } from './items.ts';
import { type Key, keys, TTL_ATTRIBUTE } from './table.ts';

/** REMOVE the GC mark if it is `condemned` (or absent); false if the item is gone or `deleting`. */
function clearCondemned(table: DynamoTable, key: Key): Promise<boolean> {
  return table.updateIf(key, (e) => ({
    update: `REMOVE ${e.name('gcState')}, ${e.name('gcAt')}`,
    condition: `attribute_exists(${e.name('pk')}) AND (attribute_not_exists(${e.name('gcState')}) OR ${e.name('gcState')} = ${e.value('condemned')})`,
  }));
}

/** Blob records (global, and a link per repository that may read the blob) and upload sessions. */
export function blobRecords(table: DynamoTable): BlobIndex & UploadIndex {
  return {
    getBlob: (digest) => table.get<BlobRecord>(keys.blob(digest)),
    // Overwriting clears a `condemned` mark; a blob garbage collection is deleting is refused.
    async putBlob(blob) {
      const { gcState: _s, gcAt: _a, ...plain } = blob;
      const put = await table.putIf(
        { ...keys.blob(blob.digest), kind: 'blob', ...plain },
        (e) => `attribute_not_exists(${e.name('gcState')}) OR ${e.name('gcState')} = ${e.value('condemned')}`,
      );
      if (!put) throw new ConflictError(`blob ${blob.digest} is being garbage-collected`);
    },
    linkBlob(repository, blob) {
      const { gcState: _s, gcAt: _a, ...plain } = blob;
      return table.put({ ...keys.blobLink(repository, blob.digest), kind: 'blob-link', ...plain });
    },
    reviveBlob: (digest) => clearCondemned(table, keys.blob(digest)),
    getPackFilesState: async (hex) => (await table.get<{ gcState?: GcState }>(keys.packFiles(hex)))?.gcState,
    revivePackFiles: (hex) => clearCondemned(table, keys.packFiles(hex)),
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
        condition: `attribute_exists(${e.name('pk')}) AND ${e.name('offset')} = ${e.value(expectedOffset)} AND attribute_not_exists(${e.name('completing')}) AND ${e.name('expiresAt')} > ${e.value(table.now())}`,
      }));
      if (!advanced) {
        throw new ConflictError(
          `upload ${id} is no longer at offset ${expectedOffset} (or is gone or expired)`,
        );
      }
    },

    deleteUpload: (id) => table.delete(keys.upload(id)),
    claimUpload: (id, expectedOffset) =>
      table.updateIf(keys.upload(id), (e) => ({
        update: `SET ${e.name('completing')} = ${e.value(true)}`,
        condition: `attribute_exists(${e.name('pk')}) AND ${e.name('offset')} = ${e.value(expectedOffset)} AND attribute_not_exists(${e.name('completing')}) AND ${e.name('expiresAt')} > ${e.value(table.now())}`,
      })),
  };
}
