/**
 * `packyard push/ls/pull/tag delete` against the CNCF distribution registry (`docker-registry`,
 * registry:2), a registry with no Packyard API: what "works with any OCI registry" means.
 * Skipped where docker-registry is not installed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Distribution, hasDistribution, startDistribution } from '../helpers/distribution.ts';
import { makePack, runCli, tempDir } from '../helpers/packs.ts';
import { namedPack } from '../helpers/publish.ts';

let registry: Distribution | undefined;
let ref: string;

const env = () => ({
  PACKYARD_CONFIG_DIR: tempDir('packyard-config-'),
  PACKYARD_USERNAME: '',
  PACKYARD_PASSWORD: '',
  PACKYARD_RETRIES: '1',
  SOURCE_DATE_EPOCH: '',
});

describe.runIf(hasDistribution)('packyard against the CNCF distribution registry', () => {
  beforeAll(async () => {
    registry = await startDistribution();
    ref = registry.ref;
  });

  afterAll(() => {
    registry?.stop();
  });

  it('pushes, skips, lists, pulls and deletes', async () => {
    const root = tempDir();
    const src = makePack(namedPack('phi', '1.0.0'), root, 'phi');
    makePack(namedPack('chi', '0.9.0'), root, 'chi');
    const push = await runCli(['push', root, '--registry', ref, '--format', 'json'], { env: env() });
    expect(push.code, push.stderr).toBe(0);
    expect(JSON.parse(push.stdout).map((r: { status: string }) => r.status)).toEqual([
      'published',
      'published',
    ]);

    const [again, ls, versions] = await Promise.all([
      runCli(['push', root, '--registry', ref, '--format', 'json'], { env: env() }),
      runCli(['ls', '--registry', ref, '--format', 'json'], { env: env() }),
      runCli(['ls', 'phi', '--registry', ref, '--format', 'json'], { env: env() }),
    ]);
    expect(
      JSON.parse(again.stdout).map((r: { status: string; uploaded: number }) => [r.status, r.uploaded]),
    ).toEqual([
      ['skipped', 0],
      ['skipped', 0],
    ]);
    expect(
      JSON.parse(ls.stdout).map((p: { name: string; latestVersion: string }) => [p.name, p.latestVersion]),
    ).toEqual([
      ['chi', '0.9.0'],
      ['phi', '1.0.0'],
    ]);
    expect(ls.stderr).toContain('listed with _catalog');
    expect(JSON.parse(versions.stdout).map((v: { version: string }) => v.version)).toEqual(['1.0.0']);

    const dir = path.join(tempDir(), 'phi');
    const pull = await runCli(['pull', 'phi', dir, '--registry', ref], { env: env() });
    expect(pull.code, pull.stderr).toBe(0);
    for (const f of ['pack.json', 'values.yaml', 'manifests/demo-app.yaml', 'logo.png']) {
      expect(readFileSync(path.join(dir, f)).equals(readFileSync(path.join(src, f)))).toBe(true);
    }

    // distribution cannot delete a tag alone: packyard deletes the manifest, which only this tag names.
    const del = await runCli(['tag', 'delete', 'phi:1.0.0', '--registry', ref], { env: env() });
    expect(del.code, del.stderr).toBe(0);
    expect(del.stderr).toContain('this registry deletes manifests, not tags');
    const gone = await runCli(['pull', 'phi:1.0.0', path.join(tempDir(), 'x'), '--registry', ref], {
      env: env(),
    });
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('phi:1.0.0 is not in');
  });
});
