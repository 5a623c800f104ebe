/**
 * What a plan and Palette need from the registry: per-file digests per version
 * (GET /api/v1/packs/<name>/versions/<v>/files) and the `<base>/spectro-packs/archive` base
 * repository answering like one that exists (Palette's docs have users create it on Harbor/ECR).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { packFileList } from '../../core/pack-files.ts';
import { readPackTree } from '../../core/pack-tree.ts';
import type { LocalRegistry } from '../../lambdas/local/serve.ts';
import { goodPack, makePack } from '../helpers/packs.ts';
import {
  ADMIN,
  basic,
  buildTestPack,
  oci,
  READER,
  startTestRegistry,
  TEAM_A,
  WRITER,
} from '../helpers/registry.ts';

let reg: LocalRegistry;
beforeAll(async () => {
  reg = await startTestRegistry();
});

const files = goodPack({ 'manifests/extra.yaml': 'kind: ConfigMap\n' });

describe('per-file digests of a published version', () => {
  it('records every file digest on push and serves them as JSON', async () => {
    const pack = await buildTestPack(files, 'demo-app', '1.0.0');
    const res = await oci(reg.url, basic(WRITER)).pushPack('spectro-packs/archive/demo-app', pack);
    expect(res.status).toBe(201);
    const got = await oci(reg.url, basic(READER)).req('GET', '/api/v1/packs/demo-app/versions/1.0.0/files');
    expect(got.status).toBe(200);
    const body = (await got.json()) as {
      name: string;
      version: string;
      files: { path: string; size: number; digest: string | null }[];
    };
    expect(body.name).toBe('demo-app');
    expect(body.version).toBe('1.0.0');
    expect(body.files).toEqual(packFileList(readPackTree(makePack(files))));
    expect(body.files.map((f) => f.path)).toContain('manifests/extra.yaml');
  });

  it('answers 404 for an unknown version and needs pull rights', async () => {
    const missing = await oci(reg.url, basic(READER)).req(
      'GET',
      '/api/v1/packs/demo-app/versions/9.9.9/files',
    );
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { errors: { code: string }[] }).errors[0]?.code).toBe(
      'MANIFEST_UNKNOWN',
    );
    const anonymous = await oci(reg.url).req('GET', '/api/v1/packs/demo-app/versions/1.0.0/files');
    expect(anonymous.status).toBe(401);
  });
});

describe('the <base>/spectro-packs/archive base repository', () => {
  beforeAll(async () => {
    const pack = await buildTestPack(goodPack(), 'demo-app', '1.0.0');
    const res = await oci(reg.url, basic(TEAM_A)).pushPack('team-a/spectro-packs/archive/demo-app', pack);
    expect(res.status).toBe(201);
  });

  it('is listed in _catalog next to its packs, with no step to create it', async () => {
    const res = await oci(reg.url, basic(ADMIN)).req('GET', '/v2/_catalog');
    const { repositories } = (await res.json()) as { repositories: string[] };
    expect(repositories).toEqual(
      expect.arrayContaining([
        'spectro-packs/archive',
        'spectro-packs/archive/demo-app',
        'team-a/spectro-packs/archive',
        'team-a/spectro-packs/archive/demo-app',
      ]),
    );
    // Lexical order holds: the base sorts right before its packs.
    expect(repositories).toEqual([...repositories].sort());
    // A credential limited to team-a/ sees its own base and packs only.
    const team = await oci(reg.url, basic(TEAM_A)).req('GET', '/v2/_catalog');
    expect(((await team.json()) as { repositories: string[] }).repositories).toEqual([
      'team-a/spectro-packs/archive',
      'team-a/spectro-packs/archive/demo-app',
    ]);
  });

  it('answers tags/list with an empty tag list, not NAME_UNKNOWN', async () => {
    for (const [who, repo] of [
      [READER, 'spectro-packs/archive'],
      [TEAM_A, 'team-a/spectro-packs/archive'],
    ] as const) {
      const res = await oci(reg.url, basic(who)).req('GET', `/v2/${repo}/tags/list`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ name: repo, tags: [] });
    }
  });
});
