/**
 * What the garbage collector needs beyond the request-path ports. Only the collection job uses
 * these: a paginated Scan of the table and a listing of the bucket (both are forbidden on request
 * paths), and the conditional writes that move content through `condemned` → `deleting` → gone.
 * The protocol is in docs/storage.md, "Garbage collection".
 */

/** One table item as the collector sees it: its keys and its record attributes. */
export interface ScannedItem {
  pk: string;
  sk: string;
  record: Record<string, unknown>;
}

export interface StoredObject {
  key: string;
  size: number;
  lastModified: Date;
}

export interface ObjectLister {
  list(prefix: string, cursor?: string): Promise<{ objects: StoredObject[]; next?: string }>;
}

export interface GcIndex {
  /** One page of a Scan (strongly consistent), with a cursor to continue. */
  scan(limit: number, cursor?: string): Promise<{ items: ScannedItem[]; next?: string }>;
  /**
   * Marks a blob `condemned` at `at`: only if its record is unchanged since the mark read it
   * (`seenCreatedAt`) and unmarked, or, for an object without a record, only if there is still
   * none (the record is created, condemned). False when the condition fails.
   */
  condemnBlob(digest: string, seenCreatedAt: string | undefined, size: number, at: string): Promise<boolean>;
  /** `condemned` (at exactly `gcAt`) → `deleting`; false if it was revived or re-marked meanwhile. */
  markBlobDeleting(digest: string, gcAt: string): Promise<boolean>;
  /** Deletes a blob record that is `deleting` (after its links and object are gone). */
  deleteBlobRecord(digest: string): Promise<void>;
  condemnPackFiles(hex: string, at: string): Promise<boolean>;
  markPackFilesDeleting(hex: string, gcAt: string): Promise<boolean>;
  deletePackFilesMarker(hex: string): Promise<void>;
  /** Deletes a manifest only if `createdAt` is still what the mark saw (a re-push refreshes it). */
  deleteManifestIf(repository: string, digest: string, createdAt: string): Promise<boolean>;
}
