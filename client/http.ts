/** fetch with bounded retries (network errors, 429, 5xx) and exponential backoff with jitter. */
export interface RetryOptions {
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryOptions = {
  retries: 4,
  baseDelayMs: 200,
  maxDelayMs: 5000,
  timeoutMs: 60_000,
};

export type Fetch = typeof fetch;

const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);

export async function fetchWithRetry(
  f: Fetch,
  url: string,
  init: RequestInit,
  opts: RetryOptions = DEFAULT_RETRY,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<Response> {
  let attempt = 0;
  for (;;) {
    let res: Response | undefined;
    let error: unknown;
    try {
      res = await f(url, { ...init, signal: AbortSignal.timeout(opts.timeoutMs) });
    } catch (err) {
      error = err;
    }
    if (res && !RETRY_STATUS.has(res.status)) return res;
    if (attempt >= opts.retries) {
      if (res) return res;
      throw new NetworkError(url, error);
    }
    const retryAfter = res ? Number(res.headers.get('retry-after')) : Number.NaN;
    const backoff = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** attempt);
    const delay =
      Number.isFinite(retryAfter) && retryAfter > 0
        ? Math.min(retryAfter * 1000, opts.maxDelayMs)
        : backoff / 2 + Math.random() * (backoff / 2);
    await res?.body?.cancel().catch(() => {});
    attempt++;
    await sleep(delay);
  }
}

/** A request that never got an answer (connection refused, DNS, TLS, timeout), after the retries. */
export class NetworkError extends Error {
  constructor(url: string, cause: unknown) {
    super(`cannot reach ${new URL(url).host}: ${describeNetworkError(cause)}`, { cause });
  }
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is the registry running, and is the port right?)',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed (temporary DNS failure)',
  ECONNRESET: 'connection reset by the server',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_SOCKET: 'the connection closed unexpectedly',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed and not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'its TLS certificate chain is not trusted (self-signed root)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate cannot be verified',
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its TLS certificate does not match the host name',
};

/** Node's fetch says only "fetch failed"; the reason is in `cause` (or an AggregateError's errors). */
export function describeNetworkError(err: unknown): string {
  const seen = new Set<unknown>();
  let e: unknown = err;
  while (e && typeof e === 'object' && !seen.has(e)) {
    seen.add(e);
    const { name, code, message } = e as { name?: string; code?: string; message?: string };
    if (name === 'TimeoutError') return 'no answer before the request timed out';
    if (code && NETWORK_CODES[code]) return NETWORK_CODES[code];
    if (code) return `${message ?? code} (${code})`;
    const errors = (e as { errors?: unknown[] }).errors;
    e = (e as { cause?: unknown }).cause ?? (Array.isArray(errors) ? errors[0] : undefined);
  }
  return err instanceof Error ? err.message : String(err);
}
