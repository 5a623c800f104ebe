import { goodPack, makePack } from '../helpers/packs.ts';
import { at, GOOD_MANIFEST_HEAD, lines, packJson, type RuleCases, whole } from '../helpers/rule-cases.ts';

export const MANIFESTS_CASES: RuleCases = {
  'manifest/path': [
    {
      name: 'a kubeManifests entry climbing out with ".."',
      setup: () => makePack(goodPack({ 'pack.json': packJson({ kubeManifests: ['../demo-app.yaml'] }) })),
      findings: [
        at('manifest/path', 'pack.json', 11, 5, '"../demo-app.yaml"', 'climbs out of the pack'),
        whole('file/unreferenced', 'manifests/demo-app.yaml', 'no kubeManifests entry'),
      ],
    },
    {
      name: 'an absolute kubeManifests entry',
      setup: () => makePack(goodPack({ 'pack.json': packJson({ kubeManifests: ['/etc/demo-app.yaml'] }) })),
      findings: [
        at('manifest/path', 'pack.json', 11, 5, '"/etc/demo-app.yaml"', 'absolute path'),
        whole('file/unreferenced', 'manifests/demo-app.yaml', 'no kubeManifests entry'),
      ],
    },
  ],

  'manifest/missing': [
    {
      name: 'a kubeManifests entry with the wrong extension',
      setup: () =>
        makePack(goodPack({ 'pack.json': packJson({ kubeManifests: ['manifests/demo-app.yml'] }) })),
      findings: [
        at('manifest/missing', 'pack.json', 11, 5, '"manifests/demo-app.yml"', 'is not in the pack'),
        whole('file/unreferenced', 'manifests/demo-app.yaml', 'no kubeManifests entry'),
      ],
    },
  ],

  'manifest/yaml-syntax': [
    {
      name: 'a nested mapping on one line',
      setup: () =>
        makePack(
          goodPack({
            'manifests/demo-app.yaml': lines(...GOOD_MANIFEST_HEAD, 'data:', '  key: value: other'),
          }),
        ),
      findings: [at('manifest/yaml-syntax', 'manifests/demo-app.yaml', 6, 8, 'Nested mappings')],
    },
    {
      name: 'a duplicate key in an untemplated manifest',
      setup: () =>
        makePack(goodPack({ 'manifests/demo-app.yaml': lines(...GOOD_MANIFEST_HEAD, 'kind: Secret') })),
      findings: [at('manifest/yaml-syntax', 'manifests/demo-app.yaml', 5, 1, 'Map keys must be unique')],
    },
    {
      name: 'a tab-indented line in a templated manifest (actions masked)',
      setup: () =>
        makePack(
          goodPack({
            'manifests/demo-app.yaml': lines(
              ...GOOD_MANIFEST_HEAD,
              'data:',
              '  a: {{ .Values.a }}',
              '\tb: c',
            ),
          }),
        ),
      findings: [
        at(
          'manifest/yaml-syntax',
          'manifests/demo-app.yaml',
          7,
          1,
          'Tabs',
          'Go template actions were masked',
        ),
      ],
    },
  ],

  'manifest/template': [
    {
      name: 'an {{ if }} without {{ end }}',
      setup: () =>
        makePack(
          goodPack({
            'manifests/demo-app.yaml': lines(
              ...GOOD_MANIFEST_HEAD,
              'data:',
              '  {{- if .Values.on }}',
              '  on: "yes"',
              '  off: "no"',
            ),
          }),
        ),
      findings: [
        at('manifest/template', 'manifests/demo-app.yaml', 6, 3, '{{ if }} is never closed with {{ end }}'),
      ],
    },
    {
      name: 'a "-" in a field name (Go\'s lexer stops at it)',
      setup: () =>
        makePack(
          goodPack({
            'manifests/demo-app.yaml': lines(
              ...GOOD_MANIFEST_HEAD,
              'data:',
              '  level: {{ .Values.log-level }}',
            ),
          }),
        ),
      findings: [
        at(
          'manifest/template',
          'manifests/demo-app.yaml',
          6,
          10,
          'does not parse in Go',
          "bad character U+002D '-'",
          '{{ index .Values "log-level" }}',
        ),
      ],
    },
    {
      name: 'an unterminated quoted string inside an action',
      setup: () =>
        makePack(
          goodPack({
            'manifests/demo-app.yaml': lines(
              ...GOOD_MANIFEST_HEAD,
              'data:',
              '  level: {{ .Values.level | default "info }}',
            ),
          }),
        ),
      findings: [at('manifest/template', 'manifests/demo-app.yaml', 6, 10, 'unterminated quoted string')],
    },
    {
      name: 'an {{ end }} without an opener',
      setup: () =>
        makePack(
          goodPack({
            'manifests/demo-app.yaml': lines(...GOOD_MANIFEST_HEAD, 'data:', '  on: "yes"', '{{ end }}'),
          }),
        ),
      findings: [at('manifest/template', 'manifests/demo-app.yaml', 7, 1, '{{ end }} has no matching')],
    },
    {
      name: 'an unclosed "{{"',
      setup: () =>
        makePack(
          goodPack({
            'manifests/demo-app.yaml': lines(
              ...GOOD_MANIFEST_HEAD,
              'data:',
              '  on: {{ .Values.on',
              '  off: x',
            ),
          }),
        ),
      findings: [at('manifest/template', 'manifests/demo-app.yaml', 6, 7, '"{{" is never closed')],
    },
  ],

  'manifest/k8s-object': [
    {
      name: 'a document without kind',
      setup: () =>
        makePack(
          goodPack({
            'manifests/demo-app.yaml': lines('apiVersion: v1', 'metadata:', '  name: demo', 'data: {}'),
          }),
        ),
      findings: [at('manifest/k8s-object', 'manifests/demo-app.yaml', 1, 1, 'the document has no kind')],
    },
    {
      name: 'a second document without metadata.name',
      setup: () =>
        makePack(
          goodPack({
            'manifests/demo-app.yaml': lines(
              ...GOOD_MANIFEST_HEAD,
              '---',
              'apiVersion: v1',
              'kind: Secret',
              'metadata:',
              '  labels:',
              '    app: demo',
            ),
          }),
        ),
      findings: [
        at(
          'manifest/k8s-object',
          'manifests/demo-app.yaml',
          9,
          3,
          'document 2 (kind Secret) has no metadata.name',
        ),
      ],
    },
    {
      name: 'a document that is a list',
      setup: () => makePack(goodPack({ 'manifests/demo-app.yaml': lines('- a', '- b') })),
      findings: [at('manifest/k8s-object', 'manifests/demo-app.yaml', 1, 1, 'is not a Kubernetes object')],
    },
  ],
};
