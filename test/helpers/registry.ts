import http from 'node:http';
import { afterAll } from 'vitest';
import { type BuiltPack, buildPack } from '../../core/build-pack.ts';
import { EMPTY_CONFIG, sha256Digest as sha256 } from '../../core/oci.ts';
import { readPackTree } from '../../core/pack-tree.ts';
import {
  type LocalRegistry,
  type LocalRegistryOptions,
  startLocalRegistry,
} from '../../lambdas/local/serve.ts';
import type { RegistryConfig } from '../../lambdas/registry/config.ts';
import { makePack, type PackFiles, tempDir } from './packs.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export const ADMIN = { username: 'admin', password: 'admin-password-123', scope: 'admin' as const };
export const WRITER = { username: 'ci', password: 'ci-password-123', scope: 'write' as const };
export const READER = { username: 'palette', password: 'palette-password-123', scope: 'read' as const };
export const TEAM_A = {
  username: 'team-a',
  password: 'team-a-password-123',
  scope: 'write' as const,
  prefix: 'team-a/',
};

const running: LocalRegistry[] = [];
afterAll(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});

/** `packyard serve`'s stack (handler + API Gateway adapter + s3rver + dynalite) on a free port. */
export async function startTestRegistry(
  opts: { config?: Partial<RegistryConfig>; dataDir?: string; users?: LocalRegistryOptions['users'] } = {},
): Promise<LocalRegistry> {
  const reg = await startLocalRegistry({
    dataDir: opts.dataDir ?? tempDir('registry-'),
    users: opts.users ?? [ADMIN, WRITER, READER, TEAM_A],
    // Protocol tests send many bad credentials from one address; registry-edges.test.ts tests the
    // failed-login throttle itself with its own limits.
    config: {
      loginThrottle: { credentialFailures: 1000, sourceFailures: 10_000, windowSeconds: 900 },
      ...opts.config,
    },
    accessLog: () => {},
  });
  running.push(reg);
  return reg;
}

/** A registry access log kept as "METHOD /path status" lines (timings cut): what clients sent. */
export function requestRecorder(): {
  requests: string[];
  accessLog: NonNullable<LocalRegistryOptions['accessLog']>;
} {
  const requests: string[] = [];
  return {
    requests,
    accessLog: (e) => {
      if (e.level === 'info') requests.push(e.message.replace(/ \d+ms$/, ''));
    },
  };
}

/** The lookup is a POST that reads; every other POST, PUT, PATCH or DELETE writes. */
export const isWrite = (r: string): boolean =>
  /^(PUT|PATCH|DELETE) |^POST (?!\/api\/v1\/packs\/lookup )/.test(r);

export function basic(user: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
}

export { sha256 };

/** A tiny OCI client over fetch, for protocol tests (the real client lives in client/). */
export function oci(base: string, auth?: string) {
  const req = (
    method: string,
    path: string,
    init: { body?: Uint8Array | string; headers?: Record<string, string> } = {},
  ) =>
    fetch(`${base}${path}`, {
      method,
      redirect: 'manual',
      body: init.body as string | undefined,
      headers: { ...(auth ? { authorization: auth } : {}), ...init.headers },
    });
  return {
    req,
    /** Monolithic blob upload (POST ?digest=). */
    async pushBlob(repo: string, bytes: Uint8Array | string) {
      const digest = sha256(bytes);
      const res = await req('POST', `/v2/${repo}/blobs/uploads/?digest=${digest}`, {
        body: bytes,
        headers: { 'content-type': 'application/octet-stream' },
      });
      if (res.status !== 201) throw new Error(`push blob: ${res.status} ${await res.text()}`);
      return { digest, size: typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length };
    },
    /** Pushes a built pack like `oras push`: config `{}`, the archive, then the manifest bytes as built. */
    async pushPack(repo: string, pack: BuiltPack, tag = pack.version) {
      await this.pushBlob(repo, EMPTY_CONFIG);
      await this.pushBlob(repo, pack.archive);
      return this.putManifest(repo, tag, Buffer.from(pack.manifest).toString('utf8'));
    },
    async putManifest(
      repo: string,
      ref: string,
      manifest: unknown,
      mediaType = 'application/vnd.oci.image.manifest.v1+json',
    ) {
      const body = typeof manifest === 'string' ? manifest : JSON.stringify(manifest);
      return req('PUT', `/v2/${repo}/manifests/${ref}`, { body, headers: { 'content-type': mediaType } });
    },
  };
}

/** A real pack archive and its oras-shaped manifest, built by core/ from `files`. */
export function buildTestPack(files: PackFiles, name: string, version: string): Promise<BuiltPack> {
  return buildPack(readPackTree(makePack(files)), name, version);
}

/**
 * A request whose target is sent exactly as given (fetch would normalise "../" and "%2e%2e"),
 * for path traversal tests. Resolves to status, headers and body text.
 */
export function rawRequest(
  base: string,
  method: string,
  target: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method, path: target, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
