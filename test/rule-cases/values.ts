import { chartTgz, goodPack, makePack } from '../helpers/packs.ts';
import {
  at,
  CHART,
  chartPack,
  GOOD_PRESETS,
  GOOD_VALUES,
  lines,
  type RuleCases,
  whole,
} from '../helpers/rule-cases.ts';

export const VALUES_CASES: RuleCases = {
  'values/missing': [
    {
      name: 'no values.yaml',
      setup: () => makePack(goodPack({ 'values.yaml': undefined })),
      findings: [whole('values/missing', 'values.yaml', 'no values.yaml')],
    },
  ],

  'values/yaml-syntax': [
    {
      name: 'a duplicate key',
      setup: () =>
        makePack(goodPack({ 'values.yaml': lines('pack:', '  namespace: demo', '  namespace: other') })),
      findings: [at('values/yaml-syntax', 'values.yaml', 3, 3, 'Map keys must be unique')],
    },
    {
      name: 'a YAML bomb',
      setup: () =>
        makePack(
          goodPack({
            'values.yaml': lines(
              'a: &a [x, x, x, x, x, x, x, x, x]',
              'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
              'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
              'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
              'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
            ),
          }),
        ),
      findings: [
        at('values/yaml-syntax', 'values.yaml', 1, 1, 'too many alias expansions', 'billion laughs'),
      ],
    },
  ],

  'values/shape': [
    {
      name: 'manifests: is a string',
      setup: () =>
        makePack(goodPack({ 'values.yaml': lines(...GOOD_VALUES.slice(0, 5), 'manifests: demo-app') })),
      findings: [at('values/shape', 'values.yaml', 6, 12, '"manifests" must be a mapping')],
    },
    {
      name: 'pack.content.images is a mapping',
      setup: () =>
        makePack(
          goodPack({
            'values.yaml': lines(
              'pack:',
              '  content:',
              '    images:',
              '      image: ghcr.io/example/demo:1.0.0',
            ),
          }),
        ),
      findings: [at('values/shape', 'values.yaml', 4, 7, '"pack.content.images" must be a list')],
    },
    {
      name: 'two YAML documents',
      setup: () => makePack(goodPack({ 'values.yaml': lines(...GOOD_VALUES, '---', 'pack: {}') })),
      findings: [at('values/shape', 'values.yaml', 10, 1, 'holds 2 YAML documents')],
    },
    {
      name: 'a list at the top',
      setup: () => makePack(goodPack({ 'values.yaml': lines('- pack') })),
      findings: [at('values/shape', 'values.yaml', 1, 1, 'must be a mapping')],
    },
  ],

  'values/unknown-manifest': [
    {
      name: 'a typo in a manifests key',
      setup: () =>
        makePack(goodPack({ 'values.yaml': lines(...GOOD_VALUES, '  demo-ap:', '    replicas: 2') })),
      findings: [
        at(
          'values/unknown-manifest',
          'values.yaml',
          9,
          3,
          'manifests.demo-ap matches no',
          'known: "demo-app"',
        ),
      ],
    },
  ],

  'values/unknown-chart': [
    {
      name: 'a charts key naming no chart of a chart pack',
      setup: async () => {
        const files = await chartPack();
        return makePack({ ...files, 'values.yaml': `${files['values.yaml']}  otherchart: {}\n` });
      },
      findings: [
        at('values/unknown-chart', 'values.yaml', 9, 3, 'charts.otherchart matches no chart', '"mychart"'),
      ],
    },
    {
      name: 'a charts section in a manifest pack',
      setup: () => makePack(goodPack({ 'values.yaml': lines(...GOOD_VALUES, 'charts:', '  mychart: {}') })),
      findings: [
        at('values/unknown-chart', 'values.yaml', 10, 3, 'charts.mychart matches no chart', 'known: none'),
      ],
    },
  ],

  'values/namespace': [
    {
      name: 'uppercase and underscore',
      setup: () =>
        makePack(
          goodPack({ 'values.yaml': lines('pack:', '  namespace: Demo_NS', ...GOOD_VALUES.slice(2)) }),
        ),
      findings: [at('values/namespace', 'values.yaml', 2, 14, 'pack.namespace "Demo_NS" is not a DNS label')],
    },
  ],

  'values/images': [
    {
      name: 'no images for an add-on',
      setup: () =>
        makePack(goodPack({ 'values.yaml': lines('pack:', '  namespace: demo', ...GOOD_VALUES.slice(5)) })),
      findings: [at('values/images', 'values.yaml', 1, 1, 'pack.content.images is empty', 'addon pack')],
    },
    {
      name: 'an images entry without "image"',
      setup: () =>
        makePack(
          goodPack({
            'values.yaml': lines(
              ...GOOD_VALUES.slice(0, 4),
              '      - name: ghcr.io/example/demo:1.0.0',
              ...GOOD_VALUES.slice(5),
            ),
          }),
        ),
      findings: [at('values/images', 'values.yaml', 5, 9, 'images[0] has no "image" key', '"name"')],
    },
  ],

  'values/enabled-presets': [
    {
      name: 'a preset presets.yaml does not define',
      setup: () =>
        makePack(
          goodPack({
            'values.yaml': lines('# spectrocloud.com/enabled-presets: Size:large', ...GOOD_VALUES),
            'presets.yaml': lines(...GOOD_PRESETS),
          }),
        ),
      findings: [
        at('values/enabled-presets', 'values.yaml', 1, 37, '"Size:large" is not defined in presets.yaml'),
      ],
    },
    {
      name: 'a preset without presets.yaml',
      setup: () =>
        makePack(
          goodPack({
            'values.yaml': lines('# spectrocloud.com/enabled-presets: Size:small', ...GOOD_VALUES),
          }),
        ),
      findings: [
        at(
          'values/enabled-presets',
          'values.yaml',
          1,
          37,
          '"Size:small" is named but the pack has no presets.yaml',
        ),
      ],
    },
    {
      name: 'a preset without its group',
      setup: () =>
        makePack(
          goodPack({
            'values.yaml': lines('# spectrocloud.com/enabled-presets: Size:small, large', ...GOOD_VALUES),
            'presets.yaml': lines(...GOOD_PRESETS),
          }),
        ),
      findings: [
        at('values/enabled-presets', 'values.yaml', 1, 49, '"large" must be written Group:preset-name'),
      ],
    },
  ],

  'values/misplaced-keys': [
    {
      name: 'chart values one level too shallow under charts:',
      setup: async () =>
        makePack(
          await chartPack({
            'values.yaml': lines(
              'pack:',
              '  content:',
              '    images:',
              '      - image: ghcr.io/example/mychart:1.0.0',
              'charts:',
              '  mychart:',
              '    replicaCount: 1',
              '  image: ghcr.io/example/mychart:1.0.0',
              '  service: {}',
            ),
            [CHART]: await chartTgz({
              'mychart/values.yaml': 'replicaCount: 1\nimage: ghcr.io/example/mychart:1.0.0\nservice: {}\n',
            }),
          }),
        ),
      findings: [
        at(
          'values/misplaced-keys',
          'values.yaml',
          8,
          3,
          '2 keys image, service under "charts:" are values of chart "mychart"',
          'move them under charts.mychart',
        ),
      ],
    },
  ],

  'values/image-not-listed': [
    {
      name: 'a container image missing from pack.content.images',
      setup: () =>
        makePack(
          goodPack({
            'manifests/demo-app.yaml': lines(
              'apiVersion: v1',
              'kind: Pod',
              'metadata:',
              '  name: demo',
              'spec:',
              '  containers:',
              '    - name: app',
              '      image: ghcr.io/example/demo:1.0.0',
              '    - name: sidecar',
              '      image: docker.io/library/busybox:1.36',
              '    - name: templated',
              '      image: {{ .Values.image }}',
            ),
          }),
        ),
      findings: [
        at(
          'values/image-not-listed',
          'manifests/demo-app.yaml',
          10,
          14,
          '"docker.io/library/busybox:1.36"',
          'air-gapped',
        ),
      ],
    },
    {
      name: "an image named in a chart's values",
      setup: async () =>
        makePack(
          await chartPack({
            [CHART]: await chartTgz({
              'mychart/values.yaml':
                'replicaCount: 1\nmetrics:\n  image:\n    repository: bitnami/exporter\n    tag: "2.0"\n',
            }),
          }),
        ),
      findings: [
        at(
          'values/image-not-listed',
          'values.yaml',
          4,
          5,
          'chart "mychart" deploys image "bitnami/exporter:2.0"',
          'metrics.image',
        ),
      ],
    },
  ],
};
