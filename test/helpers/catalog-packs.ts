import { cpSync } from 'node:fs';
import path from 'node:path';
import { goodPack, makePack, ROOT, tempDir } from './packs.ts';

/** A window flag any injected script would set; the XSS test asserts it never appears. */
export const PWNED = '__packyardPwned';

const presets = [
  'presets:',
  '  - name: small',
  '    displayName: Small',
  '    group: Size',
  '    remove: []',
  '    add: |',
  '      manifests:',
  '        demo-app:',
  '          replicas: 1',
  '  - name: large',
  '    displayName: Large',
  '    group: Size',
  '    remove: []',
  '    add: |',
  '      manifests:',
  '        demo-app:',
  '          replicas: 5',
  '  - name: public',
  '    displayName: Public ingress',
  '    group: Exposure',
  '    remove: []',
  '    add: |',
  '      manifests:',
  '        demo-app:',
  '          ingress: true',
  '',
].join('\n');

const schema = [
  'manifests.demo-app.replicas:',
  `  schema: '{{ required | format "\${number}" | hints "How many pods" }}'`,
  '',
].join('\n');

function demoApp(version: string, readme: string) {
  return goodPack({
    'pack.json': JSON.stringify({
      name: 'demo-app',
      displayName: 'Demo App',
      version,
      layer: 'addon',
      addonType: 'app services',
      cloudTypes: ['aws', 'edge-native'],
      kubeManifests: ['manifests/demo-app.yaml'],
    }),
    'values.yaml': [
      '# spectrocloud.com/enabled-presets: Size:small',
      'pack:',
      '  namespace: demo # where it runs',
      '  content:',
      '    images:',
      '      - image: ghcr.io/example/demo:1.0.0',
      'manifests:',
      '  demo-app:',
      `    replicas: 1`,
      `    greeting: "hello from ${version}"`,
      '',
    ].join('\n'),
    'README.md': readme,
    'presets.yaml': presets,
    'schema.yaml': schema,
  });
}

function simplePack(name: string, displayName: string, layer: string, readme: string, extra: object = {}) {
  return goodPack({
    'pack.json': JSON.stringify({
      name,
      displayName,
      version: '0.3.0',
      layer: 'addon',
      addonType: layer,
      cloudTypes: ['all'],
      kubeManifests: ['manifests/demo-app.yaml'],
      ...extra,
    }),
    'README.md': readme,
  });
}

/**
 * A hostile author's pack: README and values carry script tags, event handlers and
 * javascript: links, each of which would set window[PWNED] if it ever ran.
 */
export function xssPack() {
  return goodPack({
    'pack.json': JSON.stringify({
      name: 'xss-pack',
      displayName: `Evil <img src=x onerror="window.${PWNED}='displayName'">`,
      version: '6.6.6',
      layer: 'addon',
      addonType: 'monitoring',
      cloudTypes: ['all'],
      kubeManifests: ['manifests/demo-app.yaml'],
    }),
    'README.md': [
      '# Totally safe',
      '',
      `<script>window.${PWNED}='script'</script>`,
      '',
      `<img src="x" onerror="window.${PWNED}='onerror'">`,
      '',
      `[click me](javascript:window.${PWNED}='link')`,
      '',
      `[data link](data:text/html,<script>window.${PWNED}='data'</script>)`,
      '',
      `![pic](javascript:window.${PWNED}='img')`,
      '',
      `<a href="javascript:window.${PWNED}='rawlink'">raw</a>`,
      '',
      `<iframe src="javascript:window.${PWNED}='iframe'"></iframe>`,
      '',
      'A plain [safe link](https://example.com/docs) stays.',
      '',
    ].join('\n'),
    'values.yaml': [
      'pack:',
      '  namespace: xss',
      '  content:',
      '    images:',
      '      - image: ghcr.io/example/demo:1.0.0',
      'manifests:',
      '  demo-app:',
      `    banner: "<script>window.${PWNED}='values'</script>"`,
      `    img: <img src=x onerror="window.${PWNED}='values-img'">`,
      '',
    ].join('\n'),
  });
}

/** Folders to push: `root` at the registry root, `teamA` under base team-a, `teamB` under team-b. */
export function catalogFixtures(): { root: string; teamAv1: string; teamAv2: string; teamB: string } {
  const root = tempDir('packyard-catalog-');
  cpSync(path.join(ROOT, 'examples', 'packs'), path.join(root, 'examples'), { recursive: true });
  makePack(xssPack(), root, 'xss-pack');
  makePack(
    simplePack(
      'log-shipper',
      'Log Shipper',
      'logging',
      'Ships logs with **Fluent Bit** to a zebrafish backend.',
    ),
    root,
    'log-shipper',
  );
  const teamAv1 = makePack(
    demoApp('1.0.0', '# Demo App\n\nThe first release.\n'),
    tempDir('packyard-team-a-'),
  );
  const teamAv2 = makePack(
    demoApp(
      '1.1.0',
      [
        '# Demo App',
        '',
        'Deploys the **demo** service. See the [docs](https://example.com/demo).',
        '',
        '| Setting | Default |',
        '| --- | --- |',
        '| replicas | 1 |',
        '',
        '```yaml',
        'replicas: 3',
        '```',
        '',
      ].join('\n'),
    ),
    tempDir('packyard-team-a-'),
  );
  const teamB = makePack(
    simplePack('secret-tool', 'Secret Tool', 'security', 'Team B only.'),
    tempDir('packyard-team-b-'),
  );
  return { root, teamAv1, teamAv2, teamB };
}
