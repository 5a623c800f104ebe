import {
  ConflictError,
  type PackIndex,
  type PackSummaryRecord,
  type PackVersionRecord,
} from '../../ports.ts';
import { type DynamoTable, decodeCursor, type Expr, type Item, record, str } from './items.ts';
import { GSI1, keys, repoPk, SK } from './table.ts';

/** Pack versions, pack summaries and their search facets (gsi1). */
export function packRecords(table: DynamoTable): PackIndex {
  const packFacets = (repository: string): Promise<Item[]> =>
    table.queryAll((e) => ({
      KeyConditionExpression: e.partition(repoPk(repository), SK.facet),
      ConsistentRead: true,
    }));

  return {
    /**
     * Conditional PutItem: creates the version, or rewrites it when it already holds the same
     * manifest digest (an idempotent retry); otherwise ConflictError with the existing digest.
     * The item's sort key is always derived from `version` (versionSortKey), so getPackVersion can
     * address it by version alone.
     */
    async putPackVersion(version) {
      const key = keys.packVersion(version.repository, version.version);
      await table.writeUnlessConflict<PackVersionRecord>(
        key,
        () =>
          table.putIf(
            { ...key, kind: 'pack-version', ...version },
            (e) =>
              `attribute_not_exists(${e.name('pk')}) OR ${e.name('manifestDigest')} = ${e.value(version.manifestDigest)}`,
          ),
        (existing) =>
          existing && existing.manifestDigest !== version.manifestDigest
            ? new ConflictError(
                `${version.repository} ${version.version} already exists with manifest ${existing.manifestDigest}`,
                existing.manifestDigest,
              )
            : undefined,
        `${version.repository} ${version.version}`,
      );
    },

    getPackVersion: (repository, version) =>
      table.get<PackVersionRecord>(keys.packVersion(repository, version)),

    getPackVersions: (wanted) =>
      table.getMany<PackVersionRecord>(
        wanted.map(({ repository, version }) => keys.packVersion(repository, version)),
      ),

    deletePackVersion: (repository, version) => table.delete(keys.packVersion(repository, version)),
    setPackVersionYank: (repository, version, yank) =>
      yank
        ? table.updateExisting(keys.packVersion(repository, version), { yanked: yank })
        : table.updateExisting(keys.packVersion(repository, version), {}, ['yanked']),

    async listPackVersions(repository, limit, cursor) {
      const pk = repoPk(repository);
      const page = await table.queryPage(
        (e) => ({
          KeyConditionExpression: e.partition(pk, SK.version),
          ScanIndexForward: false,
          ConsistentRead: true,
        }),
        limit,
        cursor === undefined ? undefined : decodeCursor(cursor, { pk }),
      );
      return { items: page.items.map((item) => record<PackVersionRecord>(item)), next: page.next };
    },

    /**
     * Write order (each step a single-item conditional write, the whole sequence idempotent):
     * 1. the summary item (gsi1 `PACKS`), only if no newer version's summary is stored — if one
     *    is, stop: that writer owns the facets;
     * 2. every facet item the summary needs (base path, layer, addon type, one per cloud type),
     *    each guarded the same way, so a slower writer of an older version cannot overwrite them;
     * 3. facets the summary no longer has (found with a Query of the pack's `PACK#` items) become
     *    tombstones without gsi1 keys — invisible to search, and still guarding against an older
     *    writer re-creating them.
     * A crash after 1 leaves the summary listed and some facets stale (pointing at the previous
     * version of the same pack, never at a missing one); the retry rewrites them.
     */
    async putPackSummary(summary) {
      const { repository, latestVersionKey } = summary;
      const sortKey = `${summary.name}#${summary.basePath}`;
      // False when a newer version got there first.
      const guarded = (item: Record<string, unknown>) =>
        table.putIf(
          item,
          (e) =>
            `attribute_not_exists(${e.name('pk')}) OR ${e.name('latestVersionKey')} <= ${e.value(latestVersionKey)}`,
        );
      const written = await guarded({
        ...keys.packSummary(repository),
        kind: 'pack',
        ...summary,
        gsi1pk: 'PACKS',
        gsi1sk: sortKey,
      });
      if (!written) return;

      const wanted = new Map<string, string>([
        ['BASE', `PACKS#BASE#${summary.basePath}`],
        ['LAYER', `PACKS#LAYER#${summary.layer}`],
      ]);
      if (summary.addonType) wanted.set('ADDON', `PACKS#ADDON#${summary.addonType}`);
      for (const cloudType of new Set(summary.cloudTypes))
        wanted.set(`CLOUD#${cloudType}`, `PACKS#CLOUD#${cloudType}`);
      const existing = (await packFacets(repository)).map((item) => str(item.sk).slice(SK.facet.length));

      await Promise.all([
        ...[...wanted].map(([facet, gsi1pk]) =>
          guarded({
            ...keys.packFacet(repository, facet),
            kind: 'pack-facet',
            ...summary,
            gsi1pk,
            gsi1sk: sortKey,
          }),
        ),
        ...existing
          .filter((facet) => !wanted.has(facet))
          .map((facet) =>
            guarded({
              ...keys.packFacet(repository, facet),
              kind: 'pack-facet',
              repository,
              latestVersionKey,
            }),
          ),
      ]);
    },

    /**
     * Facets first, summary last: a crash in between leaves the pack listed (the summary, whose
     * facets are partly gone) and the retry finishes. Nothing is left that names a deleted pack.
     */
    async deletePackSummary(repository) {
      const facets = await packFacets(repository);
      await Promise.all(facets.map((item) => table.delete({ pk: str(item.pk), sk: str(item.sk) })));
      await table.delete(keys.packSummary(repository));
    },

    /**
     * One gsi1 partition per page: the most selective filter given (basePath, addonType,
     * cloudType, layer, in that order) picks the partition, the name prefix is a begins_with on
     * gsi1sk, and any other filters become a FilterExpression. A filtered page stops after
     * MAX_FILTERED_QUERIES calls even if short, and returns a cursor to continue (with
     * `visible`, only once it has kept a pack: PackQuery.visible).
     */
    async listPacks(query) {
      // The facets the query asks for, most selective first: the first picks the partition.
      const facets: [partition: string, filter: (e: Expr) => string][] = [];
      const { basePath, addonType, cloudType, layer, visible } = query;
      if (basePath !== undefined)
        facets.push([`PACKS#BASE#${basePath}`, (e) => `${e.name('basePath')} = ${e.value(basePath)}`]);
      if (addonType)
        facets.push([`PACKS#ADDON#${addonType}`, (e) => `${e.name('addonType')} = ${e.value(addonType)}`]);
      if (cloudType)
        facets.push([
          `PACKS#CLOUD#${cloudType}`,
          (e) => `contains(${e.name('cloudTypes')}, ${e.value(cloudType)})`,
        ]);
      if (layer) facets.push([`PACKS#LAYER#${layer}`, (e) => `${e.name('layer')} = ${e.value(layer)}`]);
      const partition = facets[0]?.[0] ?? 'PACKS';
      const page = await table.queryPage(
        (e) => {
          let keyCondition = `${e.name('gsi1pk')} = ${e.value(partition)}`;
          if (query.prefix) keyCondition += ` AND begins_with(${e.name('gsi1sk')}, ${e.value(query.prefix)})`;
          const filters = facets.slice(1).map(([, filter]) => filter(e));
          // Free text: every word must start a word of the summary's searchText (packs/search-text.ts).
          for (const word of query.words ?? [])
            filters.push(`contains(${e.name('searchText')}, ${e.value(` ${word}`)})`);
          return {
            IndexName: GSI1,
            KeyConditionExpression: keyCondition,
            FilterExpression: filters.length > 0 ? filters.join(' AND ') : undefined,
          };
        },
        query.limit,
        query.cursor === undefined ? undefined : decodeCursor(query.cursor, { gsi1pk: partition }, true),
        // The repository attribute alone: unmarshalling every candidate costs more than the check.
        visible && ((item) => visible(str(item.repository))),
      );
      return { items: page.items.map((item) => record<PackSummaryRecord>(item)), next: page.next };
    },
  };
}
