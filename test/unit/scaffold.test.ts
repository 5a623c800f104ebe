import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readPngHeader } from '../../core/png.ts';
import { crc32, encodePng, placeholderLogo } from '../../core/png-encode.ts';
import { imagesFromTemplate, imagesFromValues, uniqueImages } from '../../core/scaffold/images.ts';
import {
  namespaceFor,
  renderPackJson,
  renderValuesYaml,
  type ScaffoldInput,
} from '../../core/scaffold/pack-files.ts';

describe('images found where they are literal', () => {
  it('reads image strings and repository/tag maps from values, tagless ones taking appVersion', () => {
    const values = parse(`
image:
  registry: ghcr.io
  repository: acme/app
  tag: ""
sidecar:
  image: docker.io/library/busybox:1.36
pinned:
  repository: quay.io/acme/pinned
  digest: sha256:${'a'.repeat(64)}
init:
  repository: "{{ .Values.global.registry }}/x"
  tag: 1.0.0
notAnImage:
  image: "just words"
list:
  - image: registry.k8s.io/pause:3.9
`);
    expect(imagesFromValues(values, '2.4.0')).toEqual([
      'ghcr.io/acme/app:2.4.0',
      'docker.io/library/busybox:1.36',
      `quay.io/acme/pinned@sha256:${'a'.repeat(64)}`,
      'registry.k8s.io/pause:3.9',
    ]);
    // Without an appVersion a tagless map names no image.
    expect(imagesFromValues({ image: { repository: 'acme/app' } })).toEqual([]);
  });

  it('reads image: lines without template actions, ignoring comments and host:port names', () => {
    const text = `containers:
  - name: a
    image: "ghcr.io/acme/a:1.0"
  - name: b
    image: {{ .Values.image }}
    # image: ghcr.io/acme/commented:1.0
  - image: localhost:5000/acme/untagged
  - image: nginx:1.27  # pinned
`;
    expect(imagesFromTemplate(text)).toEqual(['ghcr.io/acme/a:1.0', 'nginx:1.27']);
    expect(uniqueImages(['a:1', 'b:1'], ['a:1'])).toEqual(['a:1', 'b:1']);
  });
});

describe('pack files', () => {
  const input: ScaffoldInput = {
    pack: {
      name: 'demo',
      version: '1.0.0',
      displayName: 'Demo',
      layer: 'addon',
      addonType: 'monitoring',
      cloudTypes: ['all'],
    },
    namespace: namespaceFor('Demo_Pack.v2'),
    images: ['ghcr.io/acme/demo:1.0.0'],
    chart: {
      name: 'demo',
      version: '0.3.0',
      valuesText:
        '---\n# replicas\nreplicaCount: 2\nconfig: |\n  line one\n\n  line three\nlist:\n- a\n- b\n',
    },
  };

  it("nests the chart's values under charts.<chart>, comments and block scalars kept", () => {
    const text = renderValuesYaml(input);
    expect(text).toContain('    # replicas\n    replicaCount: 2\n');
    expect(parse(text)).toEqual({
      pack: { namespace: 'demo-pack-v2', content: { images: [{ image: 'ghcr.io/acme/demo:1.0.0' }] } },
      charts: { demo: { replicaCount: 2, config: 'line one\n\nline three\n', list: ['a', 'b'] } },
    });
    expect(
      parse(
        renderValuesYaml({
          ...input,
          chart: { name: 'demo', version: '0.3.0', valuesText: '# only comments\n' },
        }),
      ).charts,
    ).toEqual({ demo: {} });
  });

  it('writes pack.json with the chart entry, and addonType only for the addon layer', () => {
    expect(JSON.parse(renderPackJson(input)).charts).toEqual(['charts/demo-0.3.0.tgz']);
    const os = JSON.parse(renderPackJson({ ...input, pack: { ...input.pack, layer: 'os' } }));
    expect(os.addonType).toBeUndefined();
  });
});

describe('PNG encoding', () => {
  it('computes the PNG CRC-32 (the IEND chunk has the well-known 0xAE426082)', () => {
    expect(crc32(Buffer.from('IEND'))).toBe(0xae426082);
  });

  it('writes a PNG whose header and pixels read back', () => {
    const png = encodePng(3, 2, (x, y) => [x * 10, y * 20, 0, 255]);
    expect(readPngHeader(png)).toEqual({ ok: true, width: 3, height: 2 });
    const buf = Buffer.from(png);
    const at = buf.indexOf('IDAT');
    const raw = zlib.inflateSync(buf.subarray(at + 4, at + 4 + buf.readUInt32BE(at - 4)));
    expect([...raw.subarray(0, 13)]).toEqual([0, 0, 0, 0, 255, 10, 0, 0, 255, 20, 0, 0, 255]);
    expect(readPngHeader(placeholderLogo())).toEqual({ ok: true, width: 128, height: 128 });
  });
});
