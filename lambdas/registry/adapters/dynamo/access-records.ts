import type {
  CredentialIndex,
  CredentialRecord,
  PublisherAuditRecord,
  PublisherBinding,
  PublisherIndex,
} from '../../ports.ts';
import { type DynamoTable, decodeCursor, record } from './items.ts';
import { auditPk, CREDENTIALS_PK, keys, PUBLISHERS_PK, SK, TTL_ATTRIBUTE } from './table.ts';

/** Who may use the registry: credentials, trusted publishers, seen ID token ids and the audit trail. */
export function accessRecords(table: DynamoTable): CredentialIndex & PublisherIndex {
  const publishers = async (skPrefix?: string) =>
    (
      await table.queryAll((e) => ({
        KeyConditionExpression: e.partition(PUBLISHERS_PK, skPrefix),
        ConsistentRead: true,
      }))
    ).map((item) => record<PublisherBinding>(item));

  return {
    getCredential: (username) => table.get<CredentialRecord>(keys.credential(username)),
    putCredential: (credential) =>
      table.put({ ...keys.credential(credential.username), kind: 'credential', ...credential }),
    deleteCredential: async (username) => (await table.take(keys.credential(username))) !== undefined,
    createCredential: (credential) =>
      table.putIf(
        { ...keys.credential(credential.username), kind: 'credential', ...credential },
        (e) => `attribute_not_exists(${e.name('pk')})`,
      ),
    touchCredential: async (username, at) => {
      await table.updateExisting(keys.credential(username), { lastUsedAt: at });
    },
    async listCredentials() {
      const items = await table.queryAll((e) => ({
        KeyConditionExpression: e.partition(CREDENTIALS_PK),
        ConsistentRead: true,
      }));
      return items.map((item) => record<CredentialRecord>(item));
    },

    putPublisher: (binding) =>
      table.put({ ...keys.publisher(binding.repository, binding.id), kind: 'publisher', ...binding }),
    listPublishersFor: (repository) => publishers(SK.publishersOf(repository)),
    listPublishers: () => publishers(),

    /** The id alone does not give the sort key (it starts with the repository): one Query finds it. */
    async deletePublisher(id) {
      const found = (await publishers()).find((b) => b.id === id);
      if (!found) return undefined;
      return table.take<PublisherBinding>(keys.publisher(found.repository, found.id));
    },

    /**
     * A conditional PutItem that only succeeds for a `jti` not seen before (or seen, but past the
     * expiry it was recorded with: TTL deletes lazily, so an expired item must not block a reuse —
     * though an expired token is refused before it gets here anyway).
     */
    claimTokenId: (issuer, jti, expiresAt) =>
      table.putIf(
        { ...keys.tokenId(issuer, jti), kind: 'oidc-jti', issuer, expiresAt, [TTL_ATTRIBUTE]: expiresAt },
        (e) => `attribute_not_exists(${e.name('pk')}) OR ${e.name('expiresAt')} < ${e.value(table.now())}`,
      ),

    putPublisherAudit: (audit) => table.put({ ...keys.audit(audit), kind: 'publisher-audit', ...audit }),

    async listPublisherAudit(bindingId, limit, cursor) {
      const pk = auditPk(bindingId);
      const page = await table.queryPage(
        (e) => ({ KeyConditionExpression: e.partition(pk), ScanIndexForward: false, ConsistentRead: true }),
        limit,
        cursor === undefined ? undefined : decodeCursor(cursor, { pk }),
      );
      return { items: page.items.map((item) => record<PublisherAuditRecord>(item)), next: page.next };
    },
  };
}
