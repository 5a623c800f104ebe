import { packRepository } from '../core/oci.ts';
import { compareVersions, OCI_NAME_COMPONENT, OCI_TAG } from '../core/version.ts';
import { mapLimit } from './publish.ts';
import { type RegistryClient, RegistryError } from './registry-client.ts';

/**
 * What a registry holds under `<base>/spectro-packs/archive/`: from Packyard's JSON API when the
 * registry serves it (with pack metadata), else from the OCI distribution API any registry has.
 */
export type ListingSource = 'packyard-api' | 'oci';

export interface PackListing {
  name: string;
  repository: string;
  latestVersion: string | null;
  displayName?: string;
  layer?: string;
  updatedAt?: string;
}

export interface VersionListing {
  name: string;
  version: string;
  repository: string;
  digest?: string;
  size?: number;
  pushedAt?: string;
  pushedBy?: string;
  /** The push's message (`push --message`), on a Packyard registry. */
  message?: string;
}

/** `_catalog` is refused or missing: the registry cannot be listed without naming a pack. */
export class CatalogUnavailableError extends Error {}

export class PackNotFoundError extends Error {}

export function checkPackName(name: string): void {
  if (!OCI_NAME_COMPONENT.test(name)) {
    throw new PackNotFoundError(`"${name}" is not a pack name (lowercase letters, digits, ".", "_", "-")`);
  }
}

export function checkVersion(version: string): void {
  if (!OCI_TAG.test(version)) throw new PackNotFoundError(`"${version}" is not a pack version (an OCI tag)`);
}

const PAGE = 100;
const MAX_PAGES = 10_000;

/** A page of Packyard's JSON API: `{packs|versions: [...], next}`. */
type ApiPage = { next?: string | null } & Record<string, unknown>;

async function apiPages<T>(
  client: RegistryClient,
  path: string,
  key: 'packs' | 'versions',
): Promise<T[] | undefined> {
  const out: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const url = `${path}${sep}limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const body = await client.getJson<ApiPage>(url);
    if (!body || !Array.isArray(body[key])) return page === 0 ? undefined : out;
    out.push(...(body[key] as T[]));
    if (typeof body.next !== 'string' || !body.next) return out;
    cursor = body.next;
  }
  return out;
}

export async function listPacks(
  client: RegistryClient,
): Promise<{ source: ListingSource; packs: PackListing[] }> {
  const base = client.registry.basePath;
  const api = await apiPages<{
    name: string;
    repository: string;
    latestVersion: string;
    displayName?: string;
    layer?: string;
    updatedAt?: string;
  }>(client, `/api/v1/packs?base=${encodeURIComponent(base)}`, 'packs');
  if (api) {
    return {
      source: 'packyard-api',
      packs: api.map((p) => ({
        name: p.name,
        repository: p.repository,
        latestVersion: p.latestVersion ?? null,
        displayName: p.displayName,
        layer: p.layer,
        updatedAt: p.updatedAt,
      })),
    };
  }
  const prefix = packRepository('', base);
  let repos: string[];
  try {
    repos = await client.listCatalog();
  } catch (err) {
    if (err instanceof RegistryError && [401, 403, 404, 405].includes(err.status)) {
      throw new CatalogUnavailableError(
        `${client.registry.host} has no Packyard pack API and does not let this client list its repositories (${err.message}); name a pack to list its versions`,
      );
    }
    throw err;
  }
  const names = repos
    .filter((r) => r.startsWith(prefix) && !r.slice(prefix.length).includes('/'))
    .map((r) => r.slice(prefix.length))
    .sort();
  const packs = await mapLimit(names, 8, async (name) => {
    const repository = packRepository(name, base);
    const tags = (await client.listTags(repository)).sort(compareVersions);
    return { name, repository, latestVersion: tags.at(-1) ?? null };
  });
  return { source: 'oci', packs };
}

/** A pack's versions, newest first (semver order). */
export async function listVersions(
  client: RegistryClient,
  name: string,
): Promise<{ source: ListingSource; versions: VersionListing[] }> {
  checkPackName(name);
  const base = client.registry.basePath;
  const repository = packRepository(name, base);
  const api = await apiPages<{
    version: string;
    digest?: string;
    size?: number;
    pushedAt?: string;
    pushedBy?: string;
    message?: string | null;
  }>(client, `/api/v1/packs/${name}/versions?base=${encodeURIComponent(base)}`, 'versions');
  if (api && api.length > 0) {
    return {
      source: 'packyard-api',
      versions: api.map((v) => ({
        name,
        version: v.version,
        repository,
        digest: v.digest,
        size: v.size,
        pushedAt: v.pushedAt,
        pushedBy: v.pushedBy,
        ...(v.message ? { message: v.message } : {}),
      })),
    };
  }
  const tags = (await client.listTags(repository)).sort((a, b) => compareVersions(b, a));
  if (tags.length === 0)
    throw new PackNotFoundError(`no pack "${name}" in ${client.registry.host}/${repository}`);
  return { source: 'oci', versions: tags.map((version) => ({ name, version, repository })) };
}

/** The version to pull: the one asked for, else the newest by semver. */
export async function resolveVersion(
  client: RegistryClient,
  name: string,
  version?: string,
): Promise<string> {
  checkPackName(name);
  if (version) {
    checkVersion(version);
    return version;
  }
  const { versions } = await listVersions(client, name);
  return (versions[0] as VersionListing).version;
}
