import http from 'node:http';
import net from 'node:net';
import { afterAll } from 'vitest';
import { goodPack, type PackFiles, tempDir } from './packs.ts';

/** A clean pack named `name` at `version` (goodPack's content otherwise; override files with `extra`). */
export function namedPack(
  name: string,
  version = '1.0.0',
  extra: Record<string, string | Buffer | undefined> = {},
): PackFiles {
  return goodPack({
    'pack.json': JSON.stringify(
      {
        name,
        displayName: `Pack ${name}`,
        version,
        layer: 'addon',
        addonType: 'app services',
        cloudTypes: ['all'],
        kubeManifests: ['manifests/demo-app.yaml'],
      },
      null,
      2,
    ),
    ...extra,
  });
}

/** A port nothing listens on (bound, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const proxies: http.Server[] = [];
afterAll(async () => {
  await Promise.all(proxies.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/**
 * A reverse proxy in front of `target` that makes it look like a plain OCI registry: `/api/*`
 * answers 404 (no Packyard JSON API), and with `refuseCatalog` so does `/v2/_catalog`.
 * The Host header is passed through, so the registry's token realm points at the proxy.
 */
export async function plainRegistryProxy(
  target: string,
  opts: { refuseCatalog?: boolean } = {},
): Promise<{ url: string; host: string }> {
  const t = new URL(target);
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (url.startsWith('/api/') || (opts.refuseCatalog && url.startsWith('/v2/_catalog'))) {
      req.resume();
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"NOT_FOUND","message":"no such endpoint"}]}');
      return;
    }
    const upstream = http.request(
      { host: t.hostname, port: t.port, method: req.method, path: url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  proxies.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { url: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}` };
}

/**
 * Environment of a CLI run as a CI job would have it: credentials in env (none for `null`), a
 * private config folder, few retries, no registry or build date inherited from the caller.
 */
export function cliEnv(
  user: { username: string; password: string } | null,
  extra: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  return {
    PACKYARD_CONFIG_DIR: tempDir('packyard-config-'),
    PACKYARD_USERNAME: user?.username ?? '',
    PACKYARD_PASSWORD: user?.password ?? '',
    PACKYARD_RETRIES: '1',
    PACKYARD_REGISTRY: '',
    SOURCE_DATE_EPOCH: '',
    ...extra,
  };
}
