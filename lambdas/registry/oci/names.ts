import { badRequest } from './errors.ts';

/** Repository name grammar from the distribution spec (path components joined by "/"). */
const NAME = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const MAX_NAME = 255;

export function validateName(name: string): string {
  if (name.length > MAX_NAME || !NAME.test(name)) {
    throw badRequest(
      'NAME_INVALID',
      `invalid repository name "${name.slice(0, 300)}": use lowercase path components of letters, digits and single ".", "_", "__" or "-" separators, at most ${MAX_NAME} characters`,
      { name: name.slice(0, 300) },
    );
  }
  return name;
}

export const isName = (name: string): boolean => name.length <= MAX_NAME && NAME.test(name);
export const isDigest = (ref: string): boolean => DIGEST.test(ref);
export const isTag = (ref: string): boolean => TAG.test(ref);

export function validateDigest(digest: string): string {
  if (!isDigest(digest)) {
    throw badRequest(
      'DIGEST_INVALID',
      `"${digest.slice(0, 200)}" is not a digest this registry accepts (sha256:<64 lowercase hex>; the only algorithm this registry stores)`,
    );
  }
  return digest;
}

/** Palette's layout: `[<base path>/]spectro-packs/archive/<pack name>`. */
const PACK_REPOSITORY = /^(?:(.+)\/)?spectro-packs\/archive\/([^/]+)$/;

export function parsePackRepository(repository: string): { basePath: string; name: string } | undefined {
  const m = PACK_REPOSITORY.exec(repository);
  return m ? { basePath: m[1] ?? '', name: m[2] as string } : undefined;
}

export function blobKey(digest: string): string {
  const [alg, hex] = digest.split(':');
  return `blobs/${alg}/${hex}`;
}
