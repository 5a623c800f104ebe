import { goodPack, makePack, tempDir } from '../helpers/packs.ts';
import { at, packJson, type RuleCases, whole } from '../helpers/rule-cases.ts';

export const PACK_JSON_CASES: RuleCases = {
  'pack-json/missing': [
    {
      name: 'no pack.json',
      setup: () => makePack(goodPack({ 'pack.json': undefined })),
      findings: [
        whole('pack-json/missing', 'pack.json', 'no pack.json', 'name, displayName, version and layer'),
      ],
    },
  ],

  'pack-json/syntax': [
    {
      name: 'a missing comma',
      setup: () => makePack(goodPack({ 'pack.json': packJson().replace('"demo-app",', '"demo-app"') })),
      findings: [at('pack-json/syntax', 'pack.json', 3, 3, 'CommaExpected', 'add a comma')],
    },
    {
      name: 'a trailing comma',
      setup: () => makePack(goodPack({ 'pack.json': packJson().replace('"all"\n  ],', '"all",\n  ],') })),
      findings: [at('pack-json/syntax', 'pack.json', 9, 3, 'ValueExpected', 'trailing commas')],
    },
  ],

  'pack-json/schema': [
    {
      name: 'an unknown layer',
      setup: () => makePack(goodPack({ 'pack.json': packJson({ layer: 'addons' }) })),
      findings: [
        at('pack-json/schema', 'pack.json', 5, 12, '"layer" (is "addons") must be one of', '"addon"'),
      ],
    },
    {
      name: 'no displayName',
      setup: () => makePack(goodPack({ 'pack.json': packJson({ displayName: undefined }) })),
      findings: [at('pack-json/schema', 'pack.json', 1, 1, 'missing the required property "displayName"')],
    },
    {
      name: 'a cloudType of the wrong type',
      setup: () => makePack(goodPack({ 'pack.json': packJson({ cloudTypes: ['all', 7] }) })),
      findings: [at('pack-json/schema', 'pack.json', 9, 5, '"cloudTypes.1" (is 7) must be one of', '"aws"')],
    },
    {
      name: 'pack.json is an array',
      setup: () => makePack(goodPack({ 'pack.json': '[]\n' })),
      findings: [at('pack-json/schema', 'pack.json', 1, 1, 'must be a JSON object')],
    },
  ],

  'pack-json/name': [
    {
      name: 'uppercase and underscore',
      setup: () => makePack(goodPack({ 'pack.json': packJson({ name: 'Demo_App' }) })),
      findings: [at('pack-json/name', 'pack.json', 2, 11, 'name "Demo_App"', 'OCI repository name')],
    },
  ],

  'pack-json/version': [
    {
      name: 'not a version at all (error)',
      setup: () => makePack(goodPack({ 'pack.json': packJson({ version: 'one.two' }) })),
      findings: [at('pack-json/version', 'pack.json', 4, 14, 'version "one.two"', 'not a semantic version')],
    },
    {
      name: 'semver with build metadata, which OCI tags cannot hold (error)',
      setup: () => makePack(goodPack({ 'pack.json': packJson({ version: '1.0.0+build.1' }) })),
      findings: [
        at('pack-json/version', 'pack.json', 4, 14, 'version "1.0.0+build.1"', '"+" build metadata'),
      ],
    },
    {
      name: 'a leading "v" (the documented warning)',
      setup: () => makePack(goodPack({ 'pack.json': packJson({ version: 'v1.0.0' }) })),
      findings: [
        {
          ...at(
            'pack-json/version',
            'pack.json',
            4,
            14,
            'version "v1.0.0"',
            'starts with "v"',
            '(use "1.0.0")',
          ),
          severity: 'warning',
        },
      ],
    },
  ],

  'pack-json/addon-type': [
    {
      name: 'a near miss, with a suggestion',
      setup: () => makePack(goodPack({ 'pack.json': packJson({ addonType: 'App-Services' }) })),
      findings: [
        at('pack-json/addon-type', 'pack.json', 6, 16, '"App-Services"', 'did you mean "app services"?'),
      ],
    },
    {
      name: 'an unknown type',
      setup: () => makePack(goodPack({ 'pack.json': packJson({ addonType: 'gizmos' }) })),
      findings: [
        at('pack-json/addon-type', 'pack.json', 6, 16, '"gizmos" is not one Palette knows', 'ingress'),
      ],
    },
  ],

  'pack-json/duplicate': [
    {
      name: 'two packs with the same name@version',
      setup: () => {
        const parent = tempDir();
        return [makePack(goodPack(), parent, 'a'), makePack(goodPack(), parent, 'b')];
      },
      findings: [at('pack-json/duplicate', 'pack.json', 4, 14, 'demo-app@1.0.0 is also defined by', '/b')],
    },
  ],

  'pack-json/unknown-key': [
    {
      name: 'kubemanifests in the wrong case (so no manifest is deployed)',
      setup: () =>
        makePack(
          goodPack({
            'pack.json': packJson({ kubeManifests: undefined, kubemanifests: ['manifests/demo-app.yaml'] }),
          }),
        ),
      findings: [
        at('pack-json/unknown-key', 'pack.json', 10, 3, '"kubemanifests"', 'did you mean "kubeManifests"'),
        at('pack-json/no-content', 'pack.json', 5, 12, 'neither kubeManifests nor charts'),
        whole('file/unreferenced', 'manifests/demo-app.yaml', 'no kubeManifests entry'),
        at(
          'values/unknown-manifest',
          'values.yaml',
          7,
          3,
          'manifests.demo-app matches no kubeManifests file',
        ),
      ],
    },
    {
      name: 'dispayName (and so no displayName)',
      setup: () =>
        makePack(goodPack({ 'pack.json': packJson({ displayName: undefined, dispayName: 'Demo App' }) })),
      findings: [
        at('pack-json/unknown-key', 'pack.json', 12, 3, '"dispayName"', 'did you mean "displayName"'),
        at('pack-json/schema', 'pack.json', 1, 1, 'displayName'),
      ],
    },
  ],

  'pack-json/no-content': [
    {
      name: 'an addon pack with neither kubeManifests nor charts',
      setup: () =>
        makePack(
          goodPack({
            'pack.json': packJson({ kubeManifests: undefined }),
            'manifests/demo-app.yaml': undefined,
            'values.yaml': 'pack:\n  content:\n    images:\n      - image: ghcr.io/example/demo:1.0.0\n',
          }),
        ),
      findings: [at('pack-json/no-content', 'pack.json', 5, 12, 'neither kubeManifests nor charts')],
    },
  ],
};
