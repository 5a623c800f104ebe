/** Shared by the registry-packs*.test.ts files: test packs, their push and the JSON API's shapes. */
import { expect } from 'vitest';
import type { LocalRegistry } from '../../lambdas/local/serve.ts';
import { goodPack, type PackFiles } from './packs.ts';
import { ADMIN, basic, buildTestPack, oci, startTestRegistry, WRITER } from './registry.ts';

export const ARCHIVE = 'spectro-packs/archive';

/** A test registry with an admin and a read-write client. */
export async function packRegistry(): Promise<{
  reg: LocalRegistry;
  admin: ReturnType<typeof oci>;
  writer: ReturnType<typeof oci>;
}> {
  const reg = await startTestRegistry();
  return { reg, admin: oci(reg.url, basic(ADMIN)), writer: oci(reg.url, basic(WRITER)) };
}

export interface PackMeta {
  name: string;
  version: string;
  layer?: string;
  addonType?: string;
  cloudTypes?: string[];
  displayName?: string;
}

/** goodPack() with pack.json set from `meta`; other files overridable. */
export function packFiles(meta: PackMeta, over: Record<string, string | undefined> = {}): PackFiles {
  const packJson: Record<string, unknown> = {
    name: meta.name,
    displayName: meta.displayName ?? meta.name,
    version: meta.version,
    layer: meta.layer ?? 'addon',
    cloudTypes: meta.cloudTypes ?? ['all'],
    kubeManifests: ['manifests/demo-app.yaml'],
  };
  if ((meta.layer ?? 'addon') === 'addon') packJson.addonType = meta.addonType ?? 'app services';
  return goodPack({ 'pack.json': JSON.stringify(packJson, null, 2), ...over });
}

export const build = (meta: PackMeta, over: Record<string, string | undefined> = {}) =>
  buildTestPack(packFiles(meta, over), meta.name, meta.version);

export async function expectPushed(res: Response): Promise<void> {
  expect(res.status, await res.clone().text()).toBe(201);
}

export async function errorOf(res: Response, status: number, code: string) {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  const err = (JSON.parse(text) as { errors: { code: string; message: string; detail?: unknown }[] })
    .errors[0];
  expect(err?.code).toBe(code);
  return err as { code: string; message: string; detail?: unknown };
}

export async function api<T>(client: ReturnType<typeof oci>, p: string): Promise<T> {
  const res = await client.req('GET', p);
  expect(res.status, `${p}: ${await res.clone().text()}`).toBe(200);
  return (await res.json()) as T;
}

export interface VersionJson {
  name: string;
  version: string;
  basePath: string;
  repository: string;
  displayName: string;
  layer: string;
  addonType: string | null;
  cloudTypes: string[];
  digest: string;
  layerDigest: string;
  size: number;
  pushedAt: string;
  pushedBy: string;
  lint: { errors: number; warnings: number };
  files: string[];
}
export interface PackJson {
  name: string;
  basePath: string;
  repository: string;
  latestVersion: string;
  layer: string;
  addonType: string | null;
  cloudTypes: string[];
}
