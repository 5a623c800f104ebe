/** The registry's deployment lint policy: the lintConfig setting (PACKYARD_LINT_CONFIG), in the .packyard.yaml format. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LINT_CONFIG_ENV } from '../../lambdas/registry/lint-config.ts';
import { goodPack, tempDir } from '../helpers/packs.ts';
import { basic, buildTestPack, oci, startTestRegistry, WRITER } from '../helpers/registry.ts';

const ARCHIVE = 'spectro-packs/archive';
/** A registry with this lint configuration, and a writer on it. */
const writerWith = async (lintConfig: string) =>
  oci((await startTestRegistry({ config: { lintConfig } })).url, basic(WRITER));

/** A pack whose kubeManifests entry is missing: a manifest/missing error by default. */
const broken = (name: string) =>
  buildTestPack(
    goodPack({
      'pack.json': JSON.stringify({
        name,
        displayName: name,
        version: '1.0.0',
        layer: 'addon',
        addonType: 'app services',
        cloudTypes: ['all'],
        kubeManifests: ['manifests/demo-app.yaml'],
      }),
      'manifests/demo-app.yaml': undefined,
    }),
    name,
    '1.0.0',
  );

describe('registry lint policy', () => {
  it('applies overrides by pack name from inline YAML or a file, and refuses pushes while the setting is invalid', async () => {
    const writer = await writerWith(
      'overrides:\n  - names: legacy-*\n    rules:\n      manifest/missing: warning\n',
    );
    const legacy = await writer.pushPack(`${ARCHIVE}/legacy-app`, await broken('legacy-app'));
    expect(legacy.status, await legacy.clone().text()).toBe(201);
    const v = (await (await writer.req('GET', '/api/v1/packs/legacy-app/versions/1.0.0')).json()) as {
      lint: unknown;
    };
    expect(v.lint).toEqual({ errors: 0, warnings: 1 });
    const other = await writer.pushPack(`${ARCHIVE}/other-app`, await broken('other-app'));
    expect(other.status).toBe(400);

    const file = path.join(tempDir(), 'policy.yaml');
    writeFileSync(file, 'rules:\n  manifest/missing: off\n');
    const viaFile = await (await writerWith(file)).pushPack(
      `${ARCHIVE}/other-app`,
      await broken('other-app'),
    );
    expect(viaFile.status, await viaFile.clone().text()).toBe(201);

    const refused = await (await writerWith('rules:\n  manifest/mising: off\n')).pushPack(
      `${ARCHIVE}/third-app`,
      await broken('third-app'),
    );
    expect(refused.status).toBe(500);
    expect(await refused.text()).toContain(
      `${LINT_CONFIG_ENV}:2:3: unknown rule \\"manifest/mising\\"; did you mean \\"manifest/missing\\"?`,
    );
  });
});
