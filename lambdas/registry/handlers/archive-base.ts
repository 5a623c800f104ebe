import { parsePackRepository } from '../oci/names.ts';
import type { CatalogIndex } from '../ports.ts';
import type { RegistryContext } from './context.ts';

/**
 * Palette's docs have users create `<base>/spectro-packs/archive` on Harbor and ECR before
 * pushing packs, and Palette syncs from it: the base repository must exist as a repository
 * does. Here it is listed in `_catalog` as soon as a pack is pushed under it (with no extra
 * step), and its `tags/list` answers `{"name": …, "tags": []}` like any repository without tags.
 */
export function archiveBaseOf(repo: string): string | undefined {
  return parsePackRepository(repo) ? repo.slice(0, repo.lastIndexOf('/')) : undefined;
}

/** Adds the pack's base repository to the catalog (idempotent: a put of the same item). */
export async function addArchiveBase(ctx: RegistryContext<CatalogIndex>, repo: string): Promise<void> {
  const base = archiveBaseOf(repo);
  if (base) await ctx.index.addRepository(base);
}
