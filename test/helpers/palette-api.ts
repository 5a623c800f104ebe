import http from 'node:http';
import { afterAll } from 'vitest';

/**
 * A contract stand-in for the Palette endpoints Packyard calls (the documented paths and the
 * fields it reads; no substitute for Palette):
 * - POST /v1/registries/oci/{uid}/basic/sync         starts a sync (202)
 * - GET  /v1/registries/oci/{uid}/basic/sync/status  {status, message, lastSyncedTime, lastRunTime}
 * - GET  /v1/packs/{name}/registries/{uid}           {name, tags: [{tag, version, packUid}]}
 * A sync does what Palette does with the registry: signs in with Basic auth and reads `_catalog`
 * and each pack repository's `tags/list` from the real registry. Header `ApiKey` must match.
 */
export interface PaletteStandIn {
  url: string;
  uid: string;
  /** `stuck`: syncs never finish (for timeouts). */
  mode: 'normal' | 'stuck';
  requests: string[];
  /** Repositories read from `_catalog` by the last sync. */
  catalog: string[];
  close(): Promise<void>;
}

const running: PaletteStandIn[] = [];
afterAll(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

export async function startPaletteStandIn(opts: {
  apiKey: string;
  uid: string;
  registry: string;
  username: string;
  password: string;
}): Promise<PaletteStandIn> {
  const auth = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;
  const packs = new Map<string, string[]>();
  let status: { status: string; message: string; lastRunTime?: string; lastSyncedTime?: string } = {
    status: 'Success',
    message: '',
  };
  const read = async (path: string) => {
    const res = await fetch(`${opts.registry}${path}`, { headers: { authorization: auth } });
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    return res.json();
  };
  const sync = async () => {
    const started = new Date().toISOString();
    status = { status: 'InProgress', message: '', lastRunTime: started };
    if (standIn.mode === 'stuck') return;
    try {
      const { repositories } = (await read('/v2/_catalog')) as { repositories: string[] };
      standIn.catalog = repositories;
      for (const repo of repositories) {
        const m = /(?:^|\/)spectro-packs\/archive\/([^/]+)$/.exec(repo);
        if (!m) continue;
        const { tags } = (await read(`/v2/${repo}/tags/list`)) as { tags: string[] };
        packs.set(m[1] as string, tags);
      }
      status = {
        status: 'Success',
        message: '',
        lastRunTime: started,
        lastSyncedTime: new Date().toISOString(),
      };
    } catch (err) {
      status = { status: 'Failed', message: (err as Error).message, lastRunTime: started };
    }
  };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      standIn.requests.push(`${req.method} ${req.url}`);
      const send = (code: number, body?: unknown) => {
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(body === undefined ? '' : JSON.stringify(body));
      };
      if (req.headers.apikey !== opts.apiKey)
        return send(401, { code: 'Unauthorized', message: 'Invalid API key' });
      const path = (req.url ?? '').split('?')[0] as string;
      const reg = /^\/v1\/registries\/oci\/([^/]+)\/basic\/sync(\/status)?$/.exec(path);
      if (reg) {
        if (reg[1] !== opts.uid)
          return send(404, { code: 'ResourceNotFound', message: `registry ${reg[1]} not found` });
        if (reg[2] && req.method === 'GET') return send(200, { isSyncSupported: true, ...status });
        if (!reg[2] && req.method === 'POST') {
          // Palette answers at once and syncs in the background.
          setTimeout(() => void sync(), 300);
          return send(202);
        }
      }
      const pack = /^\/v1\/packs\/([^/]+)\/registries\/([^/]+)$/.exec(path);
      if (pack && req.method === 'GET') {
        const tags = pack[2] === opts.uid ? packs.get(decodeURIComponent(pack[1] as string)) : undefined;
        if (!tags) return send(404, { code: 'PackNotFound', message: 'pack not found' });
        return send(200, {
          name: pack[1],
          registryUid: opts.uid,
          tags: tags.map((t, i) => ({ tag: t, version: t, packUid: `pk-${i}`, parentTags: [] })),
        });
      }
      return send(404, { code: 'NotFound', message: `no route ${path}` });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const standIn: PaletteStandIn = {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    uid: opts.uid,
    mode: 'normal',
    requests: [],
    catalog: [],
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  running.push(standIn);
  return standIn;
}
