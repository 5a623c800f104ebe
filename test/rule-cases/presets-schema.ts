import { goodPack, makePack } from '../helpers/packs.ts';
import {
  at,
  GOOD_MANIFEST_HEAD,
  GOOD_PRESETS,
  GOOD_SCHEMA,
  lines,
  type RuleCases,
} from '../helpers/rule-cases.ts';

export const PRESETS_SCHEMA_CASES: RuleCases = {
  'presets/yaml-syntax': [
    {
      name: 'a duplicate key',
      setup: () =>
        makePack(goodPack({ 'presets.yaml': lines('presets:', '  - name: small', '    name: again') })),
      findings: [at('presets/yaml-syntax', 'presets.yaml', 3, 5, 'Map keys must be unique')],
    },
  ],

  'presets/shape': [
    {
      name: 'presets: is a mapping',
      setup: () => makePack(goodPack({ 'presets.yaml': lines('presets:', '  name: small') })),
      findings: [at('presets/shape', 'presets.yaml', 2, 3, 'must be a mapping with a "presets:" list')],
    },
    {
      name: 'a preset without displayName',
      setup: () =>
        makePack(goodPack({ 'presets.yaml': lines('presets:', '  - name: small', '    group: Size') })),
      findings: [
        at('presets/shape', 'presets.yaml', 2, 5, 'presets[0] needs a non-empty string "displayName"'),
      ],
    },
    {
      name: 'add is a mapping, not a block string',
      setup: () =>
        makePack(
          goodPack({ 'presets.yaml': lines(...GOOD_PRESETS.slice(0, 6), '    add:', '      manifests: {}') }),
        ),
      findings: [at('presets/shape', 'presets.yaml', 8, 7, 'presets[0].add must be a YAML block string')],
    },
  ],

  'presets/duplicate-name': [
    {
      name: 'two presets named small',
      setup: () =>
        makePack(
          goodPack({
            'presets.yaml': lines(
              ...GOOD_PRESETS,
              '  - name: small',
              '    displayName: Small again',
              '    group: Size',
            ),
          }),
        ),
      findings: [
        at(
          'presets/duplicate-name',
          'presets.yaml',
          11,
          11,
          'preset name "small" is already used by presets[0]',
        ),
      ],
    },
  ],

  'presets/add-yaml': [
    {
      name: 'a broken line inside the add block',
      setup: () =>
        makePack(
          goodPack({ 'presets.yaml': lines(...GOOD_PRESETS.slice(0, 9), '          replicas: 1: 2') }),
        ),
      // Line 10 of presets.yaml, at the "1" of "replicas: 1: 2" (column 21): inside the block.
      findings: [
        at(
          'presets/add-yaml',
          'presets.yaml',
          10,
          21,
          'presets[0] ("small") add block is invalid YAML',
          'Nested',
        ),
      ],
    },
    {
      name: 'a broken line after a blank line inside the add block',
      setup: () =>
        makePack(
          goodPack({
            'presets.yaml': lines(
              ...GOOD_PRESETS.slice(0, 7),
              '',
              '      manifests:',
              '      \tdemo-app: {}',
            ),
          }),
        ),
      findings: [at('presets/add-yaml', 'presets.yaml', 10, 7, 'add block is invalid YAML', 'Tabs')],
    },
    {
      name: 'an add block that is a list',
      setup: () =>
        makePack(goodPack({ 'presets.yaml': lines(...GOOD_PRESETS.slice(0, 7), '      - a', '      - b') })),
      findings: [at('presets/add-yaml', 'presets.yaml', 7, 10, 'add block must be a mapping')],
    },
  ],

  'presets/remove': [
    {
      name: 'an empty path segment',
      setup: () =>
        makePack(
          goodPack({
            'presets.yaml': lines(
              ...GOOD_PRESETS.slice(0, 5),
              '      - manifests..demo-app',
              ...GOOD_PRESETS.slice(6),
            ),
          }),
        ),
      findings: [
        at(
          'presets/remove',
          'presets.yaml',
          6,
          9,
          'remove[0] "manifests..demo-app" is not a dotted values path',
        ),
      ],
    },
  ],

  'schema/yaml-syntax': [
    {
      name: 'a duplicate key',
      setup: () => makePack(goodPack({ 'schema.yaml': lines(...GOOD_SCHEMA, ...GOOD_SCHEMA) })),
      findings: [at('schema/yaml-syntax', 'schema.yaml', 3, 1, 'Map keys must be unique')],
    },
  ],

  'schema/shape': [
    {
      name: 'an entry without schema:',
      setup: () =>
        makePack(goodPack({ 'schema.yaml': lines(...GOOD_SCHEMA, "pack.replicas: '{{ required }}'") })),
      findings: [
        at('schema/shape', 'schema.yaml', 3, 1, '"pack.replicas" must be a mapping with a "schema" string'),
      ],
    },
    {
      name: 'an unknown function',
      setup: () =>
        makePack(goodPack({ 'schema.yaml': lines('pack.namespace:', "  schema: '{{ requird }}'") })),
      findings: [at('schema/shape', 'schema.yaml', 2, 11, 'unknown function "requird"')],
    },
    {
      name: 'not a pipeline',
      setup: () => makePack(goodPack({ 'schema.yaml': lines('pack.namespace:', '  schema: required') })),
      findings: [
        at('schema/shape', 'schema.yaml', 2, 11, '"pack.namespace".schema must be a "{{ … }}" pipeline'),
      ],
    },
  ],

  'schema/format-type': [
    {
      name: 'a misspelt type',
      setup: () =>
        makePack(
          goodPack({
            'schema.yaml': lines('pack.namespace:', `  schema: '{{ required | format "\${strng}" }}'`),
          }),
        ),
      findings: [at('schema/format-type', 'schema.yaml', 2, 11, `unknown format type "\${strng}"`)],
    },
    {
      name: 'no placeholder',
      setup: () =>
        makePack(goodPack({ 'schema.yaml': lines('pack.namespace:', `  schema: '{{ format "string" }}'`) })),
      findings: [
        at('schema/format-type', 'schema.yaml', 2, 11, `format "string" has no \${TYPE} placeholder`),
      ],
    },
  ],

  'yaml/go-only': [
    {
      name: 'a quoted string continued at column 1 (go-yaml accepts it)',
      setup: () =>
        makePack(
          goodPack({
            'manifests/demo-app.yaml': lines(
              ...GOOD_MANIFEST_HEAD,
              'data:',
              '  motd: "Welcome to',
              'the demo"',
            ),
          }),
        ),
      findings: [
        at('yaml/go-only', 'manifests/demo-app.yaml', 7, 1, 'line 7', "Go's YAML parser", 'accepts it'),
      ],
    },
  ],
};
