/** fetch with bounded retries (network errors, 429, 5xx) and exponential backoff with jitter. */
export interface RetryOptions {
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { retries: 4, baseDelayMs: 200, maxDelayMs: 5000, timeoutMs: 60_000 };

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
      throw error;
    }
    const retryAfter = res ? Number(res.headers.get('retry-after')) : Number.NaN;
    const backoff = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** attempt);
    const delay = Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, opts.maxDelayMs) : backoff / 2 + Math.random() * (backoff / 2);
    await res?.body?.cancel().catch(() => {});
    attempt++;
    await sleep(delay);
  }
}
