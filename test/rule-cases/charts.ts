import { gzipSync } from 'node:zlib';
import { chartTgz, makePack, tgzOf } from '../helpers/packs.ts';
import { at, CHART, chartPack, lines, packJson, type RuleCases, whole } from '../helpers/rule-cases.ts';

export const CHARTS_CASES: RuleCases = {
  'chart/path': [
    {
      name: 'a charts entry climbing out with ".."',
      setup: async () =>
        makePack(
          await chartPack({
            'pack.json': packJson({
              name: 'demo-chart',
              kubeManifests: undefined,
              charts: ['../mychart-1.0.0.tgz'],
            }),
          }),
        ),
      findings: [
        at('chart/path', 'pack.json', 11, 5, '"../mychart-1.0.0.tgz"', 'climbs out of the pack'),
        whole('file/unreferenced', CHART, 'no charts entry'),
      ],
    },
  ],

  'chart/missing': [
    {
      name: 'a charts entry naming a file not in the pack',
      setup: async () =>
        makePack(
          await chartPack({
            'pack.json': packJson({
              name: 'demo-chart',
              kubeManifests: undefined,
              charts: ['charts/mychart-2.0.0.tgz'],
            }),
          }),
        ),
      findings: [
        at('chart/missing', 'pack.json', 11, 5, '"charts/mychart-2.0.0.tgz"', 'is not in the pack'),
        whole('file/unreferenced', CHART, 'no charts entry'),
      ],
    },
  ],

  'chart/archive': [
    {
      name: 'not gzip at all',
      setup: async () => makePack(await chartPack({ [CHART]: 'this is not an archive\n' })),
      findings: [whole('chart/archive', CHART, 'is not gzip-compressed')],
    },
    {
      name: 'gzip of garbage',
      setup: async () =>
        makePack(await chartPack({ [CHART]: gzipSync(Buffer.from('not a tar '.repeat(100))) })),
      findings: [whole('chart/archive', CHART, 'is not a chart archive Helm can load')],
    },
    {
      name: 'a truncated gzip stream',
      setup: async () => {
        const tgz = await chartTgz();
        return makePack(await chartPack({ [CHART]: tgz.subarray(0, tgz.length - 20) }));
      },
      findings: [whole('chart/archive', CHART, 'corrupt gzip stream')],
    },
    {
      name: 'an empty tar',
      setup: async () => makePack(await chartPack({ [CHART]: await tgzOf({}) })),
      findings: [whole('chart/archive', CHART, 'has no files', 'no files in chart archive')],
    },
    {
      name: 'an entry escaping the archive',
      setup: async () =>
        makePack(
          await chartPack({
            [CHART]: await tgzOf({ 'mychart/../../evil.txt': 'x', 'mychart/Chart.yaml': 'x' }),
          }),
        ),
      findings: [whole('chart/archive', CHART, 'entry "mychart/../../evil.txt" climbs out with ".."')],
    },
  ],

  'chart/chart-yaml': [
    {
      name: 'a version that is not semver',
      setup: async () =>
        makePack(
          await chartPack({
            [CHART]: await chartTgz({
              'mychart/Chart.yaml': lines('apiVersion: v2', 'name: mychart', 'version: one'),
            }),
          }),
        ),
      findings: [
        whole(
          'chart/chart-yaml',
          CHART,
          'mychart/Chart.yaml version "one" is not a version Helm parses',
          'Helm refuses to load',
        ),
      ],
    },
    {
      name: 'no Chart.yaml',
      setup: async () =>
        makePack(await chartPack({ [CHART]: await chartTgz({ 'mychart/Chart.yaml': undefined }) })),
      findings: [whole('chart/chart-yaml', CHART, 'has no mychart/Chart.yaml')],
    },
    {
      name: 'no name and an unknown apiVersion',
      setup: async () =>
        makePack(
          await chartPack({
            [CHART]: await chartTgz({ 'mychart/Chart.yaml': lines('apiVersion: v3', 'version: 1.0.0') }),
          }),
        ),
      findings: [
        whole('chart/chart-yaml', CHART, 'mychart/Chart.yaml has no name'),
        whole('chart/api-version', CHART, 'apiVersion "v3" is not "v1" or "v2"', "Helm's loader accepts it"),
      ],
    },
    {
      name: 'Chart.yaml that is not YAML',
      setup: async () =>
        makePack(
          await chartPack({ [CHART]: await chartTgz({ 'mychart/Chart.yaml': lines('name: a', 'name: b') }) }),
        ),
      findings: [whole('chart/chart-yaml', CHART, 'mychart/Chart.yaml is not valid YAML (line 2', 'unique')],
    },
  ],

  'chart/values-schema': [
    {
      name: 'chart values that break the chart schema',
      setup: async () =>
        makePack(
          await chartPack({
            [CHART]: await chartTgz({
              'mychart/values.yaml': 'replicaCount: 1\nmode: fast\n',
              'mychart/values.schema.json': JSON.stringify({
                type: 'object',
                properties: { replicaCount: { type: 'integer' }, mode: { enum: ['safe', 'quick'] } },
              }),
            }),
          }),
        ),
      findings: [
        whole(
          'chart/values-schema',
          CHART,
          "mychart/values.yaml with the pack's values at /mode must be equal to one of the allowed values",
          'Helm refuses to install',
        ),
      ],
    },
    {
      name: "the pack's charts.<name> values break the chart schema",
      setup: async () =>
        makePack(
          await chartPack({
            [CHART]: await chartTgz({
              'mychart/values.schema.json': JSON.stringify({
                properties: { replicaCount: { type: 'integer', minimum: 2 } },
              }),
            }),
          }),
        ),
      findings: [whole('chart/values-schema', CHART, "with the pack's values at /replicaCount must be >= 2")],
    },
    {
      name: 'a values.schema.json that is not JSON',
      setup: async () =>
        makePack(
          await chartPack({ [CHART]: await chartTgz({ 'mychart/values.schema.json': '{ type: object }' }) }),
        ),
      findings: [
        whole(
          'chart/values-schema',
          CHART,
          'mychart/values.schema.json is not valid JSON (line 1',
          'InvalidSymbol',
        ),
      ],
    },
    {
      name: 'a values.schema.json that does not compile (the documented warning)',
      setup: async () =>
        makePack(
          await chartPack({
            [CHART]: await chartTgz({ 'mychart/values.schema.json': '{"type": "nonsense"}' }),
          }),
        ),
      findings: [
        {
          ...whole('chart/values-schema', CHART, 'values.schema.json cannot be compiled', 'nonsense'),
          severity: 'warning',
        },
      ],
    },
  ],

  'chart/archive-layout': [
    {
      name: 'an archive with two top-level folders',
      setup: async () =>
        makePack(
          await chartPack({
            [CHART]: await tgzOf({
              'mychart/Chart.yaml': 'apiVersion: v2\nname: mychart\nversion: 1.0.0\n',
              'extra/notes.txt': 'x',
            }),
          }),
        ),
      findings: [
        whole(
          'chart/archive-layout',
          CHART,
          'has 2 top-level entries',
          'mychart, extra',
          'merges them into one chart',
        ),
      ],
    },
  ],

  'chart/api-version': [
    {
      name: 'a Chart.yaml without apiVersion (Helm loads it as v1)',
      setup: async () =>
        makePack(
          await chartPack({
            [CHART]: await chartTgz({ 'mychart/Chart.yaml': lines('name: mychart', 'version: 1.0.0') }),
          }),
        ),
      findings: [whole('chart/api-version', CHART, 'has no apiVersion', 'as a v1 chart')],
    },
  ],

  'chart/values-awaiting-input': [
    {
      name: 'an empty required string the user fills in',
      setup: async () =>
        makePack(
          await chartPack({
            [CHART]: await chartTgz({
              'mychart/values.yaml': "replicaCount: 1\napiKey: ''\n",
              'mychart/values.schema.json': JSON.stringify({
                required: ['apiKey'],
                properties: { apiKey: { type: 'string', minLength: 1 } },
              }),
            }),
          }),
        ),
      findings: [whole('chart/values-awaiting-input', CHART, 'leaves /apiKey empty', 'fills it in')],
    },
  ],
};
