/** Shared by the registry-oci*.test.ts files: media types, the spec's error format, a test image push. */
import { expect } from 'vitest';
import type { LocalRegistry } from '../../lambdas/local/serve.ts';
import { ADMIN, basic, oci, sha256, startTestRegistry } from './registry.ts';

export const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const INDEX = 'application/vnd.oci.image.index.v1+json';
export const EMPTY = 'application/vnd.oci.empty.v1+json';
export const MAX_CHUNK = 4 * 1024 * 1024;

/** A test registry and an admin client of it. */
export async function adminRegistry(): Promise<{ reg: LocalRegistry; c: ReturnType<typeof oci> }> {
  const reg = await startTestRegistry();
  return { reg, c: oci(reg.url, basic(ADMIN)) };
}

/** Asserts the spec's JSON error format and returns the first error. */
export async function expectError(
  res: Response,
  status: number,
  code: string,
): Promise<{ code: string; message: string; detail?: unknown }> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = JSON.parse(text) as { errors: { code: string; message: string; detail?: unknown }[] };
  expect(Array.isArray(body.errors)).toBe(true);
  expect(body.errors[0]?.code).toBe(code);
  expect(typeof body.errors[0]?.message).toBe('string');
  return body.errors[0] as { code: string; message: string; detail?: unknown };
}

/** Pushes `{}` as config and `layer` as the only layer, then the manifest under `ref`. */
export async function pushImage(
  c: ReturnType<typeof oci>,
  repo: string,
  ref: string,
  layer: string | Uint8Array,
  extra: object = {},
) {
  const config = await c.pushBlob(repo, '{}');
  const l = await c.pushBlob(repo, layer);
  const manifest = {
    schemaVersion: 2,
    mediaType: MANIFEST,
    config: { mediaType: 'application/vnd.unknown.config.v1+json', ...config },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...l }],
    ...extra,
  };
  const body = JSON.stringify(manifest);
  const res = await c.putManifest(repo, ref, body);
  expect(res.status, await res.clone().text()).toBe(201);
  return { manifest, body, digest: sha256(body), layer: l, config };
}
