import { OciError } from '../oci/errors.ts';
import type { PackIndex, TagIndex } from '../ports.ts';
import type { RegistryContext } from './context.ts';

/**
 * A push's message: Spectro's `spectro pack push --message`, carried as the manifest annotation
 * `org.opencontainers.image.description` (what `oras push --annotation` would write), so the
 * manifest keeps oras v1.0.0's shape and any OCI registry keeps the message with the version.
 */
export const ANNOTATION_DESCRIPTION = 'org.opencontainers.image.description';
const MAX_MESSAGE = 1024;

export function pushMessage(annotations: Record<string, string> | undefined): string | undefined {
  const m = annotations?.[ANNOTATION_DESCRIPTION]?.trim();
  if (!m) return undefined;
  if (m.length > MAX_MESSAGE)
    throw new OciError(
      400,
      'MANIFEST_INVALID',
      `the push message is ${m.length} characters; at most ${MAX_MESSAGE}`,
    );
  return m;
}

/**
 * A push to a version tag that already holds other content. Spectro's rules: overwriting needs
 * the registry's consent (setting allowOverwrite, off by default) and a message saying why.
 * Returns when the overwrite may go ahead; throws the refusal otherwise.
 */
export function checkOverwrite(
  ctx: RegistryContext<unknown>,
  repo: string,
  tag: string,
  existing: string,
  pushed: string,
  message: string | undefined,
): void {
  if (!ctx.config.allowOverwrite) {
    throw new OciError(
      409,
      'DENIED',
      `${repo}:${tag} is an immutable pack version: it already holds ${existing}, and this push is ${pushed}. Publish the change as a new version (this registry does not allow overwriting: setting PACKYARD_ALLOW_OVERWRITE / serve --allow-overwrite).`,
      { existing, pushed },
    );
  }
  if (!message) {
    throw new OciError(
      409,
      'DENIED',
      `${repo}:${tag} already holds ${existing}; overwriting it with ${pushed} needs a message saying why (push --force --message TEXT, i.e. the manifest annotation ${ANNOTATION_DESCRIPTION})`,
      { existing, pushed },
    );
  }
}

/**
 * Clears the version's tag and index entry so the normal conditional writes can record the new
 * content. The old manifest stays addressable by digest; the new version records it as replaced.
 * A crash in between leaves the version absent (never half-written); pushing again completes it.
 */
export async function clearForOverwrite(
  ctx: RegistryContext<PackIndex & TagIndex>,
  repo: string,
  tag: string,
): Promise<void> {
  await ctx.index.deletePackVersion(repo, tag);
  await ctx.index.deleteTag(repo, tag);
}
