import type { PackFileEntry } from '../../../core/pack-files.ts';
import type { PackTree } from '../../../core/pack-tree.ts';
import type { ApiGatewayResult } from '../http/apigw.ts';
import { json } from '../http/response.ts';
import { notFound } from '../oci/errors.ts';
import { isTag } from '../oci/names.ts';
import type { PackIndex, PackVersionRecord } from '../ports.ts';
import type { RegistryContext } from './context.ts';

/** The recorded file list is small JSON (about 100 bytes a file; a pack holds at most 20 000 entries). */
const MAX_FILE_LIST_BYTES = 4 * 1024 * 1024;

/**
 * Records the digest of every file of a pack being indexed, as a JSON object in the blob store
 * next to its values and readme (not in the index item: DynamoDB items stop at 400 KB), and
 * returns its key for PackVersionRecord.fileDigestsKey. A plan compares them with a checkout to
 * list the files a pull request adds, removes and changes.
 */
export async function recordFileDigests(
  ctx: Pick<RegistryContext<unknown>, 'blobs'>,
  manifestHex: string,
  tree: PackTree,
): Promise<string> {
  const { packFileList } = await import('../../../core/pack-files.ts');
  const key = `packs/${manifestHex}/files.json`;
  const body = JSON.stringify({ files: packFileList(tree) });
  await ctx.blobs.put(key, Buffer.from(body), 'application/json');
  return key;
}

/**
 * GET /api/v1/packs/<name>/versions/<version>/files → `{name, version, files: [{path, size,
 * digest}]}` in path order (digest `sha256:<hex>`, null for a file too large to hash): the
 * catalog's file list and what a plan diffs against.
 */
export async function getVersionFiles(
  ctx: RegistryContext<PackIndex>,
  repo: string,
  version: string,
): Promise<ApiGatewayResult> {
  const v: PackVersionRecord | undefined = isTag(version)
    ? await ctx.index.getPackVersion(repo, version)
    : undefined;
  if (!v) throw notFound('MANIFEST_UNKNOWN', `version ${version.slice(0, 130)} of ${repo} is not published`);
  if (!v.fileDigestsKey)
    throw notFound(
      'BLOB_UNKNOWN',
      `${repo}:${version} was published before this registry recorded per-file digests; its file list is not known`,
    );
  const recorded = JSON.parse(
    Buffer.from(await ctx.blobs.get(v.fileDigestsKey, MAX_FILE_LIST_BYTES)).toString('utf8'),
  ) as { files: PackFileEntry[] };
  return json(200, { name: v.name, version: v.version, files: recorded.files });
}
