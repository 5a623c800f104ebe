import { MANIFEST_MEDIA_TYPES, sha256Digest as sha256 } from '../core/oci.ts';
import { AuthSession, type BasicCredentials } from './auth.ts';
import { DEFAULT_RETRY, type Fetch, fetchWithRetry, type RetryOptions } from './http.ts';
import type { RegistryRef } from './reference.ts';

export interface ClientOptions {
  registry: RegistryRef;
  credentials?: BasicCredentials | (() => Promise<BasicCredentials | undefined>);
  fetch?: Fetch;
  retry?: RetryOptions;
  userAgent?: string;
}

/** An error answered by the registry, with its OCI error code when it sent one. */
export class RegistryError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
    readonly detail?: unknown,
  ) {
    super(message);
  }
}

export interface ManifestInfo {
  digest: string;
  mediaType: string;
  size: number;
}

const ACCEPT_MANIFESTS = MANIFEST_MEDIA_TYPES.join(', ');

/** Blobs up to this size are uploaded without asking whether the registry has them. */
const TINY_BLOB = 64;

/** Default chunk size when the registry does not say (fits Packyard's Lambda limit too). */
const DEFAULT_CHUNK = 4 * 1024 * 1024;

/** OCI distribution client: push and pull for any spec-following registry. */
export class RegistryClient {
  private readonly auth: AuthSession;
  private readonly fetchImpl: Fetch;
  private readonly retry: RetryOptions;
  private maxChunk = DEFAULT_CHUNK;

  constructor(private readonly opts: ClientOptions) {
    this.fetchImpl = opts.fetch ?? fetch;
    this.retry = opts.retry ?? DEFAULT_RETRY;
    this.auth = new AuthSession(opts.credentials, this.fetchImpl, this.retry);
  }

  get registry(): RegistryRef {
    return this.opts.registry;
  }

  /** How the registry asked to authenticate so far ('none' while it has not challenged). */
  get authScheme(): 'basic' | 'bearer' | 'none' {
    return this.auth.challengeScheme ?? 'none';
  }

  /** One request with auth: answers a 401 challenge once, then gives up with the registry's message. */
  private async request(
    method: string,
    path: string,
    scope: string,
    init: { body?: Uint8Array; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const url = path.startsWith('http') ? path : `${this.opts.registry.origin}${path}`;
    for (let attempt = 0; ; attempt++) {
      const authorization = await this.auth.header(scope);
      const res = await fetchWithRetry(
        this.fetchImpl,
        url,
        {
          method,
          body: init.body as RequestInit['body'],
          redirect: 'manual',
          headers: {
            'user-agent': this.opts.userAgent ?? 'packyard',
            ...(authorization ? { authorization } : {}),
            ...init.headers,
          },
        },
        this.retry,
      );
      if (res.status !== 401 || attempt > 0 || !(await this.auth.onUnauthorized(res, scope))) return res;
      await res.body?.cancel();
    }
  }

  private async fail(res: Response, what: string): Promise<never> {
    let code: string | undefined;
    let message = `${what}: ${res.status} ${res.statusText}`;
    let detail: unknown;
    try {
      const body = (await res.json()) as { errors?: { code?: string; message?: string; detail?: unknown }[] };
      const e = body.errors?.[0];
      if (e) {
        code = e.code;
        detail = e.detail;
        message = `${what}: ${e.message ?? e.code} (${res.status}${e.code ? ` ${e.code}` : ''})`;
      }
    } catch {
      // not a JSON error body
    }
    throw new RegistryError(message, res.status, code, detail);
  }

  private scope(repo: string, actions: string): string {
    return `repository:${repo}:${actions}`;
  }

  /** Checks the registry answers and the credentials work (GET /v2/). */
  async ping(): Promise<void> {
    const res = await this.request('GET', '/v2/', '');
    if (res.status === 401) await this.fail(res, 'login');
    if (!res.ok) await this.fail(res, `${this.opts.registry.host} is not an OCI registry`);
    await res.body?.cancel();
  }

  async hasBlob(repo: string, digest: string): Promise<boolean> {
    const res = await this.request('HEAD', `/v2/${repo}/blobs/${digest}`, this.scope(repo, 'pull'));
    if (res.status === 404) return false;
    if (!res.ok) await this.fail(res, `HEAD blob ${digest}`);
    return true;
  }

  /**
   * Uploads a blob unless the repository has it: mounts it from `mountFrom` repositories when the
   * registry allows, else a monolithic POST (small) or POST + PATCH chunks + PUT (large).
   * Returns how many bytes actually travelled; `onProgress` hears the bytes sent so far.
   */
  async pushBlob(
    repo: string,
    bytes: Uint8Array,
    mountFrom: string[] = [],
    onProgress?: (sent: number) => void,
  ): Promise<{ digest: string; uploaded: number }> {
    const digest = sha256(bytes);
    // A tiny blob (a pack's `{}` config) costs as much to look for as to upload: just upload it.
    const tiny = bytes.length <= TINY_BLOB;
    if (!tiny && (await this.hasBlob(repo, digest))) return { digest, uploaded: 0 };
    const scope = this.scope(repo, 'pull,push');
    for (const from of tiny ? [] : mountFrom) {
      if (from === repo) continue;
      const res = await this.request(
        'POST',
        `/v2/${repo}/blobs/uploads/?mount=${digest}&from=${encodeURIComponent(from)}`,
        `${scope} ${this.scope(from, 'pull')}`,
      );
      if (res.status === 201) {
        await res.body?.cancel();
        return { digest, uploaded: 0 };
      }
      if (res.status === 202) {
        // Not mountable: the registry opened an upload instead; finish it with our bytes.
        await this.upload(repo, res, bytes, digest, onProgress);
        return { digest, uploaded: bytes.length };
      }
      await res.body?.cancel();
    }
    if (bytes.length <= this.maxChunk) {
      const res = await this.request('POST', `/v2/${repo}/blobs/uploads/?digest=${digest}`, scope, {
        body: bytes,
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) },
      });
      if (res.status === 201) {
        await res.body?.cancel();
        onProgress?.(bytes.length);
        return { digest, uploaded: bytes.length };
      }
      if (res.status !== 202) await this.fail(res, `upload ${digest} to ${repo}`);
      await this.upload(repo, res, bytes, digest, onProgress); // registry without monolithic POST: it opened a session
      return { digest, uploaded: bytes.length };
    }
    const start = await this.request('POST', `/v2/${repo}/blobs/uploads/`, scope);
    if (start.status !== 202) await this.fail(start, `start upload to ${repo}`);
    await this.upload(repo, start, bytes, digest, onProgress);
    return { digest, uploaded: bytes.length };
  }

  private async upload(
    repo: string,
    started: Response,
    bytes: Uint8Array,
    digest: string,
    onProgress?: (sent: number) => void,
  ): Promise<void> {
    const scope = this.scope(repo, 'pull,push');
    const max = Number(started.headers.get('oci-chunk-max-length'));
    if (Number.isSafeInteger(max) && max > 0) this.maxChunk = max;
    let location = this.resolve(started.headers.get('location'), 'upload location');
    await started.body?.cancel();
    let offset = 0;
    while (bytes.length - offset > this.maxChunk) {
      const chunk = bytes.subarray(offset, offset + this.maxChunk);
      const res = await this.request('PATCH', location, scope, {
        body: chunk,
        headers: {
          'content-type': 'application/octet-stream',
          'content-range': `${offset}-${offset + chunk.length - 1}`,
          'content-length': String(chunk.length),
        },
      });
      if (res.status !== 202)
        await this.fail(res, `upload chunk ${offset}-${offset + chunk.length - 1} of ${digest}`);
      location = this.resolve(res.headers.get('location'), 'upload location');
      await res.body?.cancel();
      offset += chunk.length;
      onProgress?.(offset);
    }
    const last = bytes.subarray(offset);
    const url = new URL(location);
    url.searchParams.set('digest', digest);
    const headers: Record<string, string> = {
      'content-type': 'application/octet-stream',
      'content-length': String(last.length),
    };
    if (last.length > 0) headers['content-range'] = `${offset}-${bytes.length - 1}`;
    const res = await this.request('PUT', url.toString(), scope, { body: last, headers });
    if (res.status !== 201) await this.fail(res, `finish upload of ${digest}`);
    await res.body?.cancel();
    onProgress?.(bytes.length);
  }

  private resolve(location: string | null, what: string): string {
    if (!location) throw new RegistryError(`the registry sent no ${what}`, 0);
    return new URL(location, this.opts.registry.origin).toString();
  }

  /**
   * The manifest's digest, media type and size, or undefined when absent. A caller about to push
   * asks with `pull,push`: one token then serves the whole publish (the registry grants what the
   * credentials allow, so read-only credentials still get their answer).
   */
  async headManifest(
    repo: string,
    ref: string,
    actions: 'pull' | 'pull,push' = 'pull',
  ): Promise<ManifestInfo | undefined> {
    const res = await this.request('HEAD', `/v2/${repo}/manifests/${ref}`, this.scope(repo, actions), {
      headers: { accept: ACCEPT_MANIFESTS },
    });
    if (res.status === 404) return undefined;
    if (!res.ok) await this.fail(res, `HEAD ${repo}:${ref}`);
    const digest = res.headers.get('docker-content-digest');
    if (!digest) {
      // Some registries omit the digest on HEAD: GET tells.
      const m = await this.getManifest(repo, ref);
      return m && { digest: m.digest, mediaType: m.mediaType, size: m.bytes.length };
    }
    return {
      digest,
      mediaType: res.headers.get('content-type') ?? '',
      size: Number(res.headers.get('content-length') ?? 0),
    };
  }

  async getManifest(
    repo: string,
    ref: string,
  ): Promise<{ bytes: Uint8Array; mediaType: string; digest: string } | undefined> {
    const res = await this.request('GET', `/v2/${repo}/manifests/${ref}`, this.scope(repo, 'pull'), {
      headers: { accept: ACCEPT_MANIFESTS },
    });
    if (res.status === 404) return undefined;
    if (!res.ok) await this.fail(res, `GET ${repo}:${ref}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const digest = sha256(bytes);
    const declared = res.headers.get('docker-content-digest');
    if (declared?.startsWith('sha256:') && declared !== digest) {
      throw new RegistryError(
        `manifest ${repo}:${ref} arrived with digest ${digest}, not the ${declared} the registry declared`,
        0,
        'DIGEST_INVALID',
      );
    }
    if (ref.startsWith('sha256:') && ref !== digest)
      throw new RegistryError(`manifest ${ref} arrived with digest ${digest}`, 0, 'DIGEST_INVALID');
    return { bytes, mediaType: res.headers.get('content-type') ?? '', digest };
  }

  async putManifest(repo: string, ref: string, bytes: Uint8Array, mediaType: string): Promise<string> {
    const res = await this.request('PUT', `/v2/${repo}/manifests/${ref}`, this.scope(repo, 'pull,push'), {
      body: bytes,
      headers: { 'content-type': mediaType, 'content-length': String(bytes.length) },
    });
    if (res.status !== 201) await this.fail(res, `push manifest ${repo}:${ref}`);
    await res.body?.cancel();
    return res.headers.get('docker-content-digest') ?? sha256(bytes);
  }

  /** Downloads a blob (following redirects without leaking credentials to other hosts) and verifies it. */
  async getBlob(repo: string, digest: string, maxBytes: number): Promise<Uint8Array> {
    let res = await this.request('GET', `/v2/${repo}/blobs/${digest}`, this.scope(repo, 'pull'));
    for (let hops = 0; res.status >= 300 && res.status < 400 && hops < 5; hops++) {
      const next = this.resolve(res.headers.get('location'), 'redirect location');
      await res.body?.cancel();
      const sameHost = new URL(next).host === this.opts.registry.host;
      res = sameHost
        ? await this.request('GET', next, this.scope(repo, 'pull'))
        : await fetchWithRetry(this.fetchImpl, next, { redirect: 'manual' }, this.retry);
    }
    if (!res.ok) await this.fail(res, `GET blob ${digest}`);
    const declared = Number(res.headers.get('content-length'));
    if (declared > maxBytes)
      throw new RegistryError(`blob ${digest} is ${declared} bytes, over the ${maxBytes}-byte limit`, 0);
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.length > maxBytes)
      throw new RegistryError(`blob ${digest} is over the ${maxBytes}-byte limit`, 0);
    const actual = sha256(bytes);
    if (actual !== digest)
      throw new RegistryError(`blob ${digest} arrived with digest ${actual}`, 0, 'DIGEST_INVALID');
    return bytes;
  }

  /** All tags (following `Link` pagination). */
  async listTags(repo: string): Promise<string[]> {
    const tags: string[] = [];
    let next: string | undefined = `/v2/${repo}/tags/list?n=1000`;
    for (let pages = 0; next && pages < 10_000; pages++) {
      const res = await this.request('GET', next, this.scope(repo, 'pull'));
      if (res.status === 404) return tags;
      if (!res.ok) await this.fail(res, `list tags of ${repo}`);
      const body = (await res.json()) as { tags?: string[] | null };
      tags.push(...(body.tags ?? []));
      next = nextLink(res.headers.get('link'));
    }
    return tags;
  }

  async deleteManifest(repo: string, ref: string): Promise<void> {
    const res = await this.request('DELETE', `/v2/${repo}/manifests/${ref}`, this.scope(repo, 'delete'));
    if (res.status !== 202 && res.status !== 200) await this.fail(res, `delete ${repo}:${ref}`);
    await res.body?.cancel();
  }

  /**
   * GET on the registry's own JSON API (Packyard registries only); undefined where it does not
   * exist (404, or an answer that is not JSON). Sends Basic credentials up front: a bearer token
   * is scoped to one repository, and the API spans many.
   */
  async getJson<T>(path: string): Promise<T | undefined> {
    return this.json<T>('GET', path);
  }

  /**
   * GET of a text file on Packyard's JSON API (a version's values, readme, …), at most `maxBytes`;
   * undefined on 404 or 405. A redirect (a large file served by storage) is followed without
   * credentials: the presigned URL is the credential.
   */
  async getText(path: string, maxBytes: number): Promise<string | undefined> {
    const basic = await this.auth.basic();
    let res = await this.request('GET', path, '', { headers: basic ? { authorization: basic } : {} });
    const location = res.status >= 300 && res.status < 400 ? res.headers.get('location') : null;
    if (location) {
      await res.body?.cancel();
      res = await fetchWithRetry(
        this.fetchImpl,
        new URL(location, this.opts.registry.origin).href,
        {},
        this.retry,
      );
    }
    if (res.status === 404 || res.status === 405) {
      await res.body?.cancel();
      return undefined;
    }
    if (!res.ok) await this.fail(res, `GET ${path}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.length > maxBytes) throw new RegistryError(`${path} is over the ${maxBytes}-byte limit`, 0);
    return Buffer.from(bytes).toString('utf8');
  }

  /** POSTs a JSON body to a Packyard API endpoint; undefined where the registry has none. */
  async postJson<T>(path: string, body: unknown): Promise<T | undefined> {
    return this.json<T>('POST', path, Buffer.from(JSON.stringify(body)));
  }

  /**
   * A Packyard admin API call (credentials, yank): Basic auth, JSON in and out. Any status but 2xx
   * is a RegistryError carrying the registry's message; 204 gives undefined.
   */
  async adminJson<T>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<T | undefined> {
    const basic = await this.auth.basic();
    const headers: Record<string, string> = basic ? { authorization: basic } : {};
    const bytes = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    if (bytes) headers['content-type'] = 'application/json';
    const res = await this.request(method, path, '', { body: bytes, headers });
    if (!res.ok) await this.fail(res, `${method} ${path.split('?')[0]}`);
    if (res.status === 204 || !/json/i.test(res.headers.get('content-type') ?? '')) {
      await res.body?.cancel();
      return undefined;
    }
    return (await res.json()) as T;
  }

  /** Packyard's JSON API (Basic auth when known); undefined on 404, 405 or an answer that is not JSON. */
  private async json<T>(method: 'GET' | 'POST', path: string, body?: Uint8Array): Promise<T | undefined> {
    const basic = await this.auth.basic();
    const headers: Record<string, string> = basic ? { authorization: basic } : {};
    if (body) headers['content-type'] = 'application/json';
    const res = await this.request(method, path, '', { body, headers });
    if (res.status === 404 || res.status === 405) {
      await res.body?.cancel();
      return undefined;
    }
    if (!res.ok) await this.fail(res, `${method} ${path}`);
    if (!/json/i.test(res.headers.get('content-type') ?? '')) {
      await res.body?.cancel();
      return undefined;
    }
    return (await res.json()) as T;
  }

  /** Every repository `_catalog` lists (following `Link` pagination); a RegistryError when refused. */
  async listCatalog(): Promise<string[]> {
    const repos: string[] = [];
    let next: string | undefined = '/v2/_catalog?n=1000';
    for (let pages = 0; next && pages < 10_000; pages++) {
      const res = await this.request('GET', next, 'registry:catalog:*');
      if (!res.ok) await this.fail(res, 'list repositories (_catalog)');
      const body = (await res.json()) as { repositories?: string[] | null };
      repos.push(...(body.repositories ?? []));
      next = nextLink(res.headers.get('link'));
    }
    return repos;
  }
}

/** `<…/tags/list?n=…&last=…>; rel="next"` → the path. */
export function nextLink(header: string | null): string | undefined {
  const m = header ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(header) : null;
  return m ? (m[1] as string) : undefined;
}
