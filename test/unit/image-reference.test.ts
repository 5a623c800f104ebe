import { describe, expect, it } from 'vitest';
import { ImageChecker } from '../../client/image-check.ts';
import { ImageReferenceError, parseImageReference, registryHost } from '../../core/pack-images.ts';

describe('parseImageReference (Docker reference grammar)', () => {
  it.each([
    ['nginx', 'docker.io', 'library/nginx', 'latest', 'docker.io/library/nginx:latest'],
    ['nginx:1.27', 'docker.io', 'library/nginx', '1.27', 'docker.io/library/nginx:1.27'],
    ['bitnami/redis:7.2', 'docker.io', 'bitnami/redis', '7.2', 'docker.io/bitnami/redis:7.2'],
    ['docker.io/nginx', 'docker.io', 'library/nginx', 'latest', 'docker.io/library/nginx:latest'],
    ['index.docker.io/library/nginx:1', 'docker.io', 'library/nginx', '1', 'docker.io/library/nginx:1'],
    ['ghcr.io/Example', undefined, undefined, undefined, undefined],
    ['ghcr.io/example/demo:1.0.0', 'ghcr.io', 'example/demo', '1.0.0', 'ghcr.io/example/demo:1.0.0'],
    ['localhost/app', 'localhost', 'app', 'latest', 'localhost/app:latest'],
    ['127.0.0.1:5000/a/b:v1', '127.0.0.1:5000', 'a/b', 'v1', '127.0.0.1:5000/a/b:v1'],
    [
      'registry.k8s.io/sig-storage/csi-provisioner:v5.1.0',
      'registry.k8s.io',
      'sig-storage/csi-provisioner',
      'v5.1.0',
      'registry.k8s.io/sig-storage/csi-provisioner:v5.1.0',
    ],
  ])('%s', (input, domain, repository, reference, canonical) => {
    if (domain === undefined) {
      expect(() => parseImageReference(input)).toThrow(ImageReferenceError);
      return;
    }
    expect(parseImageReference(input)).toMatchObject({ domain, repository, reference, canonical });
  });

  it('fetches by digest when one is given, keeping the tag in the key', () => {
    const d = `sha256:${'a'.repeat(64)}`;
    expect(parseImageReference(`quay.io/x/y:1.0@${d}`)).toMatchObject({
      domain: 'quay.io',
      repository: 'x/y',
      tag: '1.0',
      digest: d,
      reference: d,
      canonical: `quay.io/x/y:1.0@${d}`,
    });
    expect(parseImageReference(`quay.io/x/y@${d}`).canonical).toBe(`quay.io/x/y@${d}`);
  });

  it.each(['', 'nginx:', 'nginx:-bad', 'a b', 'nginx@sha256', 'UPPER/case', 'host..io/x', '/abs'])(
    'refuses %j with a reason',
    (input) => {
      expect(() => parseImageReference(input)).toThrow(ImageReferenceError);
    },
  );

  it('talks to Docker Hub through its API host', () => {
    expect(registryHost('docker.io')).toBe('registry-1.docker.io');
    expect(registryHost('ghcr.io')).toBe('ghcr.io');
  });
});

describe('ImageChecker without a registry', () => {
  it('answers unchecked for references it cannot parse, and never asks the network', async () => {
    let calls = 0;
    const checker = new ImageChecker({
      fetch: (async () => {
        calls++;
        throw new Error('no network in this test');
      }) as typeof fetch,
    });
    const [r] = await checker.checkAll(['Not A Reference']);
    expect(r).toMatchObject({ status: 'unchecked', image: 'Not A Reference' });
    expect(r?.detail).toMatch(/whitespace/);
    expect(calls).toBe(0);
  });
});
