import {
  type CatalogIndex,
  ConflictError,
  type ManifestIndex,
  type ManifestRecord,
  type ReferrerIndex,
  type ReferrerRecord,
  type TagIndex,
  type TagRecord,
} from '../../ports.ts';
import { type DynamoTable, record, toItem } from './items.ts';
import { CATALOG_PK, keys, repoPk, SK } from './table.ts';

/** What listing tags reads: never the manifest copies. */
const TAG_LISTING = [
  'pk',
  'sk',
  'repository',
  'tag',
  'digest',
  'mediaType',
  'immutable',
  'updatedAt',
  'size',
  'yanked',
];

/** Manifests, tags, referrers and the repository catalog. */
export function manifestRecords(table: DynamoTable): ManifestIndex & TagIndex & CatalogIndex & ReferrerIndex {
  return {
    putManifest: (manifest) =>
      table.put({ ...keys.manifest(manifest.repository, manifest.digest), kind: 'manifest', ...manifest }),
    getManifest: (repository, digest) => table.get<ManifestRecord>(keys.manifest(repository, digest)),
    deleteManifest: (repository, digest) => table.delete(keys.manifest(repository, digest)),
    touchManifest: (repository, digest, at) =>
      table.updateExisting(keys.manifest(repository, digest), { createdAt: at }),
    setTagYanked: (repository, tag, yanked) =>
      yanked
        ? table.updateExisting(keys.tag(repository, tag), { yanked: true })
        : table.updateExisting(keys.tag(repository, tag), {}, ['yanked']),

    getTag: (repository, tag) => table.get<TagRecord>(keys.tag(repository, tag)),

    /**
     * One conditional UpdateItem. An immutable tag may only be created or re-pointed at the digest
     * it already holds; a mutable put may not move a tag that is immutable, and never clears the
     * immutable flag (if_not_exists keeps it).
     */
    async putTag(tag) {
      const key = keys.tag(tag.repository, tag.tag);
      const write = () =>
        table.updateIf(key, (e) => {
          const digest = e.value(tag.digest);
          const immutable = e.name('immutable');
          const sets = [
            `${e.name('kind')} = ${e.value('tag')}`,
            `${e.name('repository')} = ${e.value(tag.repository)}`,
            `${e.name('tag')} = ${e.value(tag.tag)}`,
            `${e.name('digest')} = ${digest}`,
            `${e.name('mediaType')} = ${e.value(tag.mediaType)}`,
            `${e.name('updatedAt')} = ${e.value(tag.updatedAt)}`,
            tag.immutable
              ? `${immutable} = ${e.value(true)}`
              : `${immutable} = if_not_exists(${immutable}, ${e.value(false)})`,
          ];
          if (tag.size !== undefined) sets.push(`${e.name('size')} = ${e.value(tag.size)}`);
          if (tag.bytes) sets.push(`${e.name('bytes')} = ${e.value(tag.bytes)}`);
          // A tag moved to a manifest kept out of line must not keep the old copy.
          const remove = tag.bytes ? '' : ` REMOVE ${e.name('bytes')}`;
          return {
            update: `SET ${sets.join(', ')}${remove}`,
            condition: tag.immutable
              ? `attribute_not_exists(${e.name('pk')}) OR ${e.name('digest')} = ${digest}`
              : `attribute_not_exists(${e.name('pk')}) OR ${immutable} = ${e.value(false)} OR ${e.name('digest')} = ${digest}`,
          };
        });
      await table.writeUnlessConflict<TagRecord>(
        key,
        write,
        // Deleted or re-pointed at our digest since the write failed: the write can now succeed.
        (existing) =>
          existing && existing.digest !== tag.digest
            ? new ConflictError(
                `tag ${tag.repository}:${tag.tag} is immutable and points at ${existing.digest}`,
                existing.digest,
              )
            : undefined,
        `tag ${tag.repository}:${tag.tag}`,
      );
    },

    deleteTag: (repository, tag) => table.delete(keys.tag(repository, tag)),

    async listTags(repository, n, last) {
      const page = await table.queryPage(
        (e) => ({
          KeyConditionExpression: e.partition(repoPk(repository), SK.tag),
          ProjectionExpression: TAG_LISTING.map((a) => e.name(a)).join(', '),
          ConsistentRead: true,
        }),
        n,
        last ? toItem(keys.tag(repository, last)) : undefined,
      );
      return { tags: page.items.map((item) => record<TagRecord>(item)), more: page.next !== undefined };
    },

    addRepository: (repository) => table.put({ ...keys.catalog(repository), kind: 'repository', repository }),

    async listRepositories(n, last) {
      const page = await table.queryPage(
        (e) => ({ KeyConditionExpression: e.partition(CATALOG_PK), ConsistentRead: true }),
        n,
        last ? toItem(keys.catalog(last)) : undefined,
      );
      return {
        repositories: page.items.map((item) => record<{ repository: string }>(item).repository),
        more: page.next !== undefined,
      };
    },

    putReferrer: (referrer) =>
      table.put({
        ...keys.referrer(referrer.repository, referrer.subject, referrer.digest),
        kind: 'referrer',
        ...referrer,
      }),

    async listReferrers(repository, subject) {
      const items = await table.queryAll((e) => ({
        KeyConditionExpression: e.partition(repoPk(repository), SK.referrer(subject)),
        ConsistentRead: true,
      }));
      return items.map((item) => record<ReferrerRecord>(item));
    },

    deleteReferrer: (repository, subject, digest) => table.delete(keys.referrer(repository, subject, digest)),
  };
}
