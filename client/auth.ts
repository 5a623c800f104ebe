import { DEFAULT_RETRY, type Fetch, fetchWithRetry, type RetryOptions } from './http.ts';

export interface BasicCredentials {
  username: string;
  password: string;
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses a WWW-Authenticate header: `Bearer realm="…",service="…",scope="…"` (quoted commas kept). */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined;
  const m = /^\s*([A-Za-z]+)\s*(.*)$/s.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = Object.create(null); // parameter names come from the server
  const re = /([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?/g;
  for (let p = re.exec(m[2] ?? ''); p; p = re.exec(m[2] ?? '')) {
    params[(p[1] as string).toLowerCase()] = (p[2] ?? p[3] ?? '').replace(/\\(.)/g, '$1');
  }
  return { scheme: (m[1] as string).toLowerCase(), params };
}

export class AuthError extends Error {}

/**
 * Answers registry auth challenges: Basic, or the Docker token protocol (a bearer token per
 * scope, fetched with the Basic credentials and cached until shortly before it expires).
 * `credentials` may be a provider, so a short-lived secret (an OIDC exchange) is fetched lazily.
 */
export class AuthSession {
  private readonly tokens = new Map<string, { token: string; until: number }>();
  private scheme: 'basic' | 'bearer' | undefined;
  private bearerChallenge: Challenge | undefined;
  private resolved: BasicCredentials | undefined;

  constructor(
    private readonly credentials:
      | BasicCredentials
      | (() => Promise<BasicCredentials | undefined>)
      | undefined,
    private readonly fetchImpl: Fetch = fetch,
    private readonly retry: RetryOptions = DEFAULT_RETRY,
  ) {}

  private async creds(): Promise<BasicCredentials | undefined> {
    if (typeof this.credentials === 'function') {
      this.resolved ??= await this.credentials();
      return this.resolved;
    }
    return this.credentials;
  }

  /** The scheme the registry's challenges asked for (undefined until one arrives). */
  get challengeScheme(): 'basic' | 'bearer' | undefined {
    return this.scheme;
  }

  /** A Basic header for the configured credentials, whatever the registry's challenge (Packyard's JSON API takes it). */
  async basic(): Promise<string | undefined> {
    return basicHeader(await this.creds());
  }

  /** The Authorization header to send for `scope` (undefined until a challenge says what is needed). */
  async header(scope: string): Promise<string | undefined> {
    if (this.scheme === 'basic') return basicHeader(await this.creds());
    if (this.scheme === 'bearer') {
      const cached = this.cachedFor(scope);
      if (cached) return `Bearer ${cached}`;
      return `Bearer ${await this.fetchToken(scope)}`;
    }
    return undefined;
  }

  /**
   * A live token for `scope`, or for the same repository with push too: registries grant the
   * subset of actions the credentials hold, so that token carries pull whenever a pull-only one would.
   */
  private cachedFor(scope: string): string | undefined {
    const now = Date.now();
    const exact = this.tokens.get(scope);
    if (exact && exact.until > now) return exact.token;
    const wider = scope.endsWith(':pull') ? this.tokens.get(`${scope},push`) : undefined;
    return wider && wider.until > now ? wider.token : undefined;
  }

  /** Learns from a 401; returns true if retrying with new credentials can help. */
  async onUnauthorized(res: Response, scope: string): Promise<boolean> {
    const c = parseChallenge(res.headers.get('www-authenticate'));
    if (!c) return false;
    if (c.scheme === 'basic') {
      if (this.scheme === 'basic' || !(await this.creds())) return false;
      this.scheme = 'basic';
      return true;
    }
    if (c.scheme === 'bearer') {
      const insufficient = c.params.error === 'insufficient_scope';
      const used = [scope, `${scope},push`].filter((key) => this.tokens.has(key));
      if (this.scheme === 'bearer' && !insufficient && used.length > 0) {
        for (const key of used) this.tokens.delete(key); // expired or revoked: one fresh attempt
        return true;
      }
      if (this.scheme === 'bearer' && this.tokens.has(scope)) return false;
      this.scheme = 'bearer';
      this.bearerChallenge = c;
      return true;
    }
    return false;
  }

  private async fetchToken(scope: string): Promise<string> {
    const c = this.bearerChallenge;
    if (!c?.params.realm) throw new AuthError('the registry asked for a bearer token but named no realm');
    const url = new URL(c.params.realm);
    if (c.params.service) url.searchParams.set('service', c.params.service);
    if (scope) url.searchParams.set('scope', scope);
    const creds = await this.creds();
    const res = await fetchWithRetry(
      this.fetchImpl,
      url.toString(),
      { headers: creds ? { authorization: basicHeader(creds) as string } : {} },
      this.retry,
    );
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw new AuthError(
        creds
          ? `the registry refused the credentials for ${creds.username} (${res.status})`
          : 'the registry requires credentials',
      );
    }
    if (!res.ok) throw new AuthError(`token request to ${url.origin}${url.pathname} failed: ${res.status}`);
    const body = (await res.json()) as { token?: string; access_token?: string; expires_in?: number };
    const token = body.token ?? body.access_token;
    if (!token) throw new AuthError('the token endpoint answered without a token');
    const ttl = Math.max(30, body.expires_in ?? 60);
    this.tokens.set(scope, { token, until: Date.now() + (ttl - 10) * 1000 });
    return token;
  }
}

export function basicHeader(c: BasicCredentials | undefined): string | undefined {
  return c ? `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}` : undefined;
}
