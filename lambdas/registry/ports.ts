/**
 * The registry's storage ports. Use-cases depend on these interfaces only; adapters implement
 * them over S3 (BlobStore) and one DynamoDB table (RegistryIndex). See docs/storage.md for the
 * key design and the write orderings that keep every multi-step write crash-safe.
 */

/** Bytes, content-addressed: `blobs/sha256/<hex>`; upload chunks under `uploads/<id>/`. */
export interface BlobStore {
  /** Stores bytes under a key (overwrites). */
  put(key: string, bytes: Uint8Array, contentType?: string): Promise<void>;
  /** Reads a whole object; throws BlobTooLargeError past maxBytes, NotFoundError if absent. */
  get(key: string, maxBytes: number): Promise<Uint8Array>;
  /** Size of an object, or undefined if absent. */
  size(key: string): Promise<number | undefined>;
  /** A short-lived URL that GETs the object directly from storage (bytes never pass through Lambda). */
  presignGet(key: string, ttlSeconds: number, filename?: string): Promise<string>;
  delete(keys: string[]): Promise<void>;
  /**
   * Concatenates objects (in order) into `dest`, hashing on the way; returns the sha256 digest
   * ("sha256:<hex>") and size. Large results are written with multipart upload.
   */
  concat(sources: string[], dest: string): Promise<{ digest: string; size: number }>;
  /** Server-side copy. */
  copy(source: string, dest: string): Promise<void>;
}

export class NotFoundError extends Error {}
export class BlobTooLargeError extends Error {}
/** A conditional write lost: the item exists with other content, or changed since it was read. */
export class ConflictError extends Error {
  constructor(
    message: string,
    /** The digest the existing item holds, when the conflict is about one. */
    readonly existingDigest?: string,
  ) {
    super(message);
  }
}

export interface BlobRecord {
  digest: string;
  size: number;
  createdAt: string;
  /**
   * Garbage collection's mark (docs/storage.md, "Garbage collection"): `condemned` blobs are
   * still whole and any use revives them; `deleting` blobs must not be used or rewritten.
   * Absent on live blobs. Links never carry it.
   */
  gcState?: GcState;
  /** When `gcState` was set (ISO time). */
  gcAt?: string;
}

export type GcState = 'condemned' | 'deleting';

export interface UploadSession {
  id: string;
  repository: string;
  /** Bytes received so far (the next chunk must start here). */
  offset: number;
  /** Chunks stored so far. */
  chunks: number;
  /**
   * Keys of the stored chunk objects, in order. Each chunk gets a fresh key
   * (`uploads/<id>/<seq>-<random>`), so a request that loses the race for an offset can never
   * overwrite the winner's bytes.
   */
  parts: string[];
  /** Set by the request completing the upload (PUT ?digest=); concurrent completions wait for it. */
  completing?: boolean;
  createdAt: string;
  /** Epoch seconds after which the session is abandoned (DynamoDB TTL). */
  expiresAt: number;
}

export interface ManifestRecord {
  repository: string;
  digest: string;
  mediaType: string;
  size: number;
  /** The manifest bytes, when small enough to live in the index; else in the blob store. */
  bytes?: Uint8Array;
  /** Blob-store key holding the bytes when not inline. */
  blobKey?: string;
  /** The `subject` digest, for the referrers API. */
  subject?: string;
  artifactType?: string;
  annotations?: Record<string, string>;
  createdAt: string;
}

export interface TagRecord {
  repository: string;
  tag: string;
  digest: string;
  mediaType: string;
  /** An immutable tag (a pack version) can never point elsewhere once written. */
  immutable: boolean;
  updatedAt: string;
  /** The manifest's size: HEAD by tag needs no other read. Absent on tags written before it was kept. */
  size?: number;
  /** A copy of a small manifest's bytes (it never changes: content-addressed), so GET by tag is one read. */
  bytes?: Uint8Array;
  /** A yanked pack version: hidden from tags/list and the pack API's listings, still pullable. */
  yanked?: boolean;
}

export interface ReferrerRecord {
  repository: string;
  subject: string;
  digest: string;
  mediaType: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

/** A pack version as indexed on push (metadata extracted from pack.json and the lint run). */
export interface PackVersionRecord {
  /** OCI repository, e.g. `team-a/spectro-packs/archive/hello-universe`. */
  repository: string;
  /** Base content path before `spectro-packs/` ('' for none). */
  basePath: string;
  name: string;
  version: string;
  /** Sortable encoding of the version: newest-first listing is a key-ordered Query. */
  versionKey: string;
  displayName: string;
  layer: string;
  addonType?: string;
  cloudTypes: string[];
  manifestDigest: string;
  layerDigest: string;
  size: number;
  pushedAt: string;
  pushedBy: string;
  lint: { errors: number; warnings: number };
  /**
   * packContentDigest of the pack's files (core/pack-identity.ts): lets a client tell an unchanged
   * pack without re-packaging it. Absent on versions indexed before it was recorded.
   */
  contentDigest?: string;
  /**
   * Blob-store key of the JSON list of every file (path, size, digest; handlers/version-files.ts):
   * the catalog's file list, and what a plan diffs a checkout against. Absent on versions indexed
   * before it was recorded.
   */
  fileDigestsKey?: string;
  /** Blob-store keys of the pack's files the JSON API serves (text files, logo.png, pack.json). */
  files: Partial<Record<PackFileKind, string>>;
  /** Normalised name, display name and README text that `q=` search matches (packs/search-text.ts). */
  searchText?: string;
  /** Who published it with a short-lived OIDC token (trusted publishing), when that is the case. */
  provenance?: Record<string, string>;
  /** The push's message (`push --message`: the manifest's org.opencontainers.image.description). */
  message?: string;
  /** The manifest this version held before an allowed overwrite (`push --force`). */
  replacedDigest?: string;
  /** Set while the version is yanked (hidden from listings, still pullable by exact version or digest). */
  yanked?: YankRecord;
}

export interface YankRecord {
  at: string;
  by: string;
  reason?: string;
}

export type PackFileKind = 'values' | 'readme' | 'presets' | 'schema' | 'logo' | 'pack';

/** The latest version of each pack, for listing and search. */
export interface PackSummaryRecord {
  repository: string;
  basePath: string;
  name: string;
  latestVersion: string;
  latestVersionKey: string;
  displayName: string;
  layer: string;
  addonType?: string;
  cloudTypes: string[];
  updatedAt: string;
  /** The latest version's searchText (absent on packs indexed before it was kept: `q=` skips them). */
  searchText?: string;
}

export type Scope = 'read' | 'write' | 'admin';

export interface CredentialRecord {
  username: string;
  /** `scrypt$N$r$p$<salt b64>$<hash b64>`; never the password. */
  passwordHash: string;
  scope: Scope;
  /** Repository prefix the credential may touch ('' = all), e.g. `team-a/`. */
  prefix: string;
  createdAt: string;
  /** ISO time after which the credential is refused; absent: never expires. */
  expiresAt?: string;
  /** Last successful authentication, kept to the hour (auth/authenticate.ts). */
  lastUsedAt?: string;
  /** Who created it ('' or absent for the CLI on a local folder or table). */
  createdBy?: string;
}

/**
 * A trusted publisher: which GitHub workflow may exchange its OIDC ID token for a short-lived
 * push token limited to `prefix`. Matching rules: auth/publishers.ts and docs/registry.md.
 */
export interface PublisherBinding {
  /** Derived from the binding's content (auth/publishers.ts bindingId): adding it twice is a no-op. */
  id: string;
  /** Repository prefix the minted token may pull and push in, e.g. `team-a/` (never empty). */
  prefix: string;
  /** `owner/name` as GitHub spells it (compared case-insensitively with the `repository` claim). */
  repository: string;
  /** GitHub's numeric ids (claims `repository_id`, `repository_owner_id`), as decimal strings. */
  repositoryId: string;
  repositoryOwnerId: string;
  /**
   * The workflow file that defines the job, `owner/repo/.github/workflows/<file>`, compared with
   * the `job_workflow_ref` claim without its `@<ref>`.
   */
  workflow: string;
  /** GitHub deployment environment the job must run in (claim `environment`), exact. */
  environment?: string;
  /** Glob on the `ref` claim, e.g. `refs/tags/v*` (`*` stops at `/`, `**` does not). */
  ref?: string;
  createdAt: string;
  createdBy: string;
}

/** One trusted-publishing event: an ID token exchanged, or a push made with the minted token. */
export interface PublisherAuditRecord {
  event: 'exchange' | 'push';
  bindingId: string;
  /** ISO time; the sort key starts with it, so a binding's audit reads in time order. */
  at: string;
  /** The workflow run's identity (the provenance fields, see auth/publishers.ts provenanceOf). */
  provenance: Record<string, string>;
  /** exchange: the minted token's expiry and the ID token's `jti`. */
  tokenExpiresAt?: string;
  jti?: string;
  /** push: what was pushed. */
  ociRepository?: string;
  reference?: string;
  digest?: string;
}

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page, absent on the last page. */
  next?: string;
}

export interface PackQuery {
  /** Name prefix, matched against the pack name (not the base path). */
  prefix?: string;
  basePath?: string;
  layer?: string;
  addonType?: string;
  cloudType?: string;
  /** Words that must all occur in the pack's searchText (already normalised). */
  words?: string[];
  limit: number;
  cursor?: string;
  /**
   * Only repositories this answers true for are listed, and counted toward `limit`; the cursor
   * then never names another one (it would leak a hidden pack's repository), so a filtered page
   * that kept nothing within its Query budget reads on. Absent: every pack is visible, and the
   * budget bounds every page.
   */
  visible?: (repository: string) => boolean;
}

/*
 * The index, one interface per record family (adapters/dynamo/*-records.ts), so a use-case's
 * signature names the storage it touches. Each operation is one Query, GetItem or single-item
 * write.
 */

/** Blobs: one global record per digest, and a link per repository that may read it. */
export interface BlobIndex {
  getBlob(digest: string): Promise<BlobRecord | undefined>;
  putBlob(blob: BlobRecord): Promise<void>;
  linkBlob(repository: string, blob: BlobRecord): Promise<void>;
  getBlobLink(repository: string, digest: string): Promise<BlobRecord | undefined>;
  unlinkBlob(repository: string, digest: string): Promise<void>;
  /**
   * Clears a `condemned` mark (the blob is in use again). False when the record is absent or
   * `deleting`: the caller must treat the blob as unknown. See docs/storage.md.
   */
  reviveBlob(digest: string): Promise<boolean>;
  /**
   * The GC mark on a pack version's extracted files (`packs/<hex>/…`), keyed by the manifest's hex
   * digest; undefined when unmarked.
   */
  getPackFilesState(hex: string): Promise<GcState | undefined>;
  /** Clears a `condemned` mark on pack files; false when they are being deleted. */
  revivePackFiles(hex: string): Promise<boolean>;
}

/** Upload sessions (expire through TTL). */
export interface UploadIndex {
  createUpload(upload: UploadSession): Promise<void>;
  getUpload(id: string): Promise<UploadSession | undefined>;
  /** Records the next chunk (its object key) only if the session is still at `expectedOffset`; ConflictError otherwise. */
  advanceUpload(id: string, expectedOffset: number, offset: number, parts: string[]): Promise<void>;
  deleteUpload(id: string): Promise<void>;
  /** Marks a session at `expectedOffset` as completing: of concurrent completions, exactly one gets true. */
  claimUpload(id: string, expectedOffset: number): Promise<boolean>;
}

/** Manifests, addressed by digest within a repository. */
export interface ManifestIndex {
  putManifest(manifest: ManifestRecord): Promise<void>;
  getManifest(repository: string, digest: string): Promise<ManifestRecord | undefined>;
  deleteManifest(repository: string, digest: string): Promise<void>;
  /** Refreshes `createdAt` if the manifest still exists (an index push keeps its children from GC); false if gone. */
  touchManifest(repository: string, digest: string, at: string): Promise<boolean>;
}

export interface TagIndex {
  getTag(repository: string, tag: string): Promise<TagRecord | undefined>;
  /**
   * Points a tag at a digest. For an immutable tag, succeeds only if the tag is new or already
   * points at the same digest; otherwise throws ConflictError with the existing digest.
   */
  putTag(tag: TagRecord): Promise<void>;
  deleteTag(repository: string, tag: string): Promise<void>;
  /** Sets or clears a tag's `yanked` flag (no other attribute changes); false if the tag is gone. */
  setTagYanked(repository: string, tag: string, yanked: boolean): Promise<boolean>;
  /** Tags in lexical order after `last`, at most n. */
  listTags(repository: string, n: number, last?: string): Promise<{ tags: TagRecord[]; more: boolean }>;
}

/** The repository catalog. */
export interface CatalogIndex {
  addRepository(repository: string): Promise<void>;
  listRepositories(n: number, last?: string): Promise<{ repositories: string[]; more: boolean }>;
}

/** Referrers (manifests with a subject). */
export interface ReferrerIndex {
  putReferrer(referrer: ReferrerRecord): Promise<void>;
  listReferrers(repository: string, subject: string): Promise<ReferrerRecord[]>;
  deleteReferrer(repository: string, subject: string, digest: string): Promise<void>;
}

/** Pack versions and summaries (listing and search). */
export interface PackIndex {
  /** Idempotent for the same manifest digest; ConflictError if the version exists with another. */
  putPackVersion(version: PackVersionRecord): Promise<void>;
  getPackVersion(repository: string, version: string): Promise<PackVersionRecord | undefined>;
  /** Several versions at once (BatchGetItem), in the order asked; undefined where none is published. */
  getPackVersions(
    keys: readonly { repository: string; version: string }[],
  ): Promise<(PackVersionRecord | undefined)[]>;
  deletePackVersion(repository: string, version: string): Promise<void>;
  /** Sets (or, with undefined, clears) a version's yank; false if the version is gone. */
  setPackVersionYank(repository: string, version: string, yank: YankRecord | undefined): Promise<boolean>;
  /** Newest first (semver order). */
  listPackVersions(repository: string, limit: number, cursor?: string): Promise<Page<PackVersionRecord>>;
  /** Upserts the pack's summary if `summary` is at least as new as the stored one. */
  putPackSummary(summary: PackSummaryRecord): Promise<void>;
  deletePackSummary(repository: string): Promise<void>;
  listPacks(query: PackQuery): Promise<Page<PackSummaryRecord>>;
}

export interface CredentialIndex {
  getCredential(username: string): Promise<CredentialRecord | undefined>;
  /** Creates or replaces. */
  putCredential(credential: CredentialRecord): Promise<void>;
  deleteCredential(username: string): Promise<boolean>;
  listCredentials(): Promise<CredentialRecord[]>;
  /** Creates only: false when the name is taken. */
  createCredential(credential: CredentialRecord): Promise<boolean>;
  /** Records a successful authentication (one UpdateItem; callers throttle it). */
  touchCredential(username: string, at: string): Promise<void>;
}

/** Trusted publishing (GitHub OIDC): bindings, seen ID token ids, audit. */
export interface PublisherIndex {
  /** Creates or replaces (the id is derived from the content, so a replace rewrites the same binding). */
  putPublisher(binding: PublisherBinding): Promise<void>;
  /** Bindings for one GitHub repository name (case-insensitive): what an exchange matches against. */
  listPublishersFor(repository: string): Promise<PublisherBinding[]>;
  listPublishers(): Promise<PublisherBinding[]>;
  /** Returns the removed binding, or undefined when there is none with that id. */
  deletePublisher(id: string): Promise<PublisherBinding | undefined>;
  /**
   * Records an ID token's `jti` until `expiresAt` (epoch seconds); false if it was already
   * recorded (a replay). One conditional PutItem.
   */
  claimTokenId(issuer: string, jti: string, expiresAt: number): Promise<boolean>;
  putPublisherAudit(record: PublisherAuditRecord): Promise<void>;
  /** A binding's audit records, newest first. */
  listPublisherAudit(bindingId: string, limit: number, cursor?: string): Promise<Page<PublisherAuditRecord>>;
}

/**
 * Failed logins counted in a fixed window per key (a credential or a source address). The key is
 * stored hashed, never as given: a user name field sometimes holds a mistyped password.
 */
export interface LoginFailureRecord {
  failures: number;
  /** Epoch seconds the window closes (the item's TTL too). */
  windowEndsAt: number;
}

export interface LoginFailureIndex {
  getLoginFailures(keys: readonly string[]): Promise<(LoginFailureRecord | undefined)[]>;
  /** Counts one failure: into the open window, or a new one of `windowSeconds` when none is open. */
  addLoginFailure(key: string, windowSeconds: number): Promise<LoginFailureRecord>;
}

/** Every index operation the registry needs. */
export interface RegistryIndex
  extends LoginFailureIndex,
    BlobIndex,
    UploadIndex,
    ManifestIndex,
    TagIndex,
    CatalogIndex,
    ReferrerIndex,
    PackIndex,
    CredentialIndex,
    PublisherIndex {}
