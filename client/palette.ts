/**
 * Palette's API for one OCI pack registry (Basic auth kind), as Spectro Cloud documents it:
 * - POST /v1/registries/oci/{uid}/basic/sync          trigger a sync (header ApiKey)
 * - GET  /v1/registries/oci/{uid}/basic/sync/status   {status, message, lastSyncedTime, …}
 * - GET  /v1/packs/{name}/registries/{uid}            the pack's versions there, in `tags`
 * Palette re-syncs every 24 hours on its own; after a publish this asks now and waits until
 * each published name:version is listed.
 */

/** Palette SaaS's API host (self-hosted Palette and VerteX have their own). */
export const PALETTE_SAAS_ENDPOINT = 'https://api.spectrocloud.com';

export interface PaletteOptions {
  /** API origin, e.g. https://api.spectrocloud.com (no path). */
  endpoint: string;
  apiKey: string;
  /** The registry's uid in Palette (Tenant Settings → Registries → OCI Registries, or the API). */
  registryUid: string;
  userAgent?: string;
  fetch?: typeof fetch;
  /** Per request; Palette's API answers in well under this. */
  requestTimeoutMs?: number;
}

export type PaletteProblem =
  | 'unauthorized'
  | 'not-found'
  | 'timeout'
  | 'unreachable'
  | 'sync-failed'
  | 'http';

export class PaletteError extends Error {
  constructor(
    readonly problem: PaletteProblem,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface SyncStatus {
  status: string;
  message?: string;
  lastSyncedTime?: string;
  lastRunTime?: string;
  isSyncSupported?: boolean;
}

export interface PackVisibility {
  name: string;
  version: string;
  visible: boolean;
}

export interface SyncOutcome {
  packs: PackVisibility[];
  /** The last sync status Palette gave. */
  status?: SyncStatus;
  /** How long triggering and waiting took. */
  elapsedMs: number;
}

/** A Palette API client bound to one registry. */
export class PaletteClient {
  private readonly fetchImpl: typeof fetch;
  readonly endpoint: string;

  constructor(private readonly opts: PaletteOptions) {
    this.fetchImpl = opts.fetch ?? fetch;
    this.endpoint = opts.endpoint.replace(/\/+$/, '');
  }

  /** Asks Palette to sync the registry now. A sync already running counts as triggered. */
  async triggerSync(): Promise<void> {
    const res = await this.call('POST', `/v1/registries/oci/${this.uid}/basic/sync`);
    await res.body?.cancel();
  }

  async syncStatus(): Promise<SyncStatus> {
    const res = await this.call('GET', `/v1/registries/oci/${this.uid}/basic/sync/status`);
    const body = (await readJson(res)) as Partial<SyncStatus> | undefined;
    return { ...body, status: typeof body?.status === 'string' ? body.status : 'Unknown' };
  }

  /** The versions Palette lists for a pack in this registry; [] while it has not synced the pack. */
  async packVersions(name: string): Promise<string[]> {
    const res = await this.call('GET', `/v1/packs/${encodeURIComponent(name)}/registries/${this.uid}`, true);
    if (res.status === 404) {
      await res.body?.cancel();
      return [];
    }
    const body = (await readJson(res)) as { tags?: unknown } | undefined;
    return tagVersions(body?.tags);
  }

  /**
   * Triggers a sync, then polls the sync status and each pack's versions until every one of
   * `packs` is listed, or `timeoutMs` passes (a PaletteError 'timeout' naming the missing ones).
   * A sync Palette reports as failed ends the wait with its message.
   */
  async syncUntilVisible(
    packs: readonly { name: string; version: string }[],
    opts: {
      timeoutMs: number;
      pollMs?: number;
      onPoll?: (visible: PackVisibility[], status?: SyncStatus) => void;
    },
  ): Promise<SyncOutcome> {
    const started = Date.now();
    const pollMs = opts.pollMs ?? 5000;
    await this.triggerSync();
    const result: PackVisibility[] = packs.map((p) => ({ ...p, visible: false }));
    let status: SyncStatus | undefined;
    // Right after the trigger the status may still be the previous run's: a failure counts when
    // it is newer than the trigger, or still reported on the next poll.
    let failedPolls = 0;
    for (;;) {
      status = await this.syncStatus();
      for (const p of result.filter((r) => !r.visible))
        p.visible = (await this.packVersions(p.name)).includes(p.version);
      opts.onPoll?.(result, status);
      if (result.every((p) => p.visible)) return { packs: result, status, elapsedMs: Date.now() - started };
      const failed = /fail|error/i.test(status.status);
      failedPolls = failed ? failedPolls + 1 : 0;
      const lastRun = status.lastRunTime ? Date.parse(status.lastRunTime) : Number.NaN;
      if (failed && (failedPolls >= 2 || lastRun >= started))
        throw new PaletteError(
          'sync-failed',
          `Palette's sync of registry ${this.uid} failed: ${status.message || status.status}`,
        );
      const left = opts.timeoutMs - (Date.now() - started);
      if (left <= 0) {
        const missing = result.filter((p) => !p.visible).map((p) => `${p.name}:${p.version}`);
        throw Object.assign(
          new PaletteError(
            'timeout',
            `Palette did not list ${missing.join(', ')} within ${Math.round(opts.timeoutMs / 1000)} s (sync status: ${status.status}${status.message ? `, ${status.message}` : ''}); it re-syncs on its own every 24 hours, or raise palette-timeout`,
          ),
          { packs: result },
        );
      }
      await new Promise((r) => setTimeout(r, Math.min(pollMs, left)));
    }
  }

  private get uid(): string {
    return encodeURIComponent(this.opts.registryUid);
  }

  /** One API call; 401/403/404 and other failures become PaletteErrors that say what to check. */
  private async call(method: string, path: string, allow404 = false): Promise<Response> {
    const url = `${this.endpoint}${path}`;
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        method,
        headers: {
          ApiKey: this.opts.apiKey,
          accept: 'application/json',
          'user-agent': this.opts.userAgent ?? 'packyard',
        },
        signal: AbortSignal.timeout(this.opts.requestTimeoutMs ?? 30_000),
      });
    } catch (err) {
      const e = err as Error;
      if (e.name === 'TimeoutError')
        throw new PaletteError(
          'timeout',
          `Palette at ${this.endpoint} did not answer ${method} ${path} in time`,
        );
      throw new PaletteError(
        'unreachable',
        `Palette at ${this.endpoint} did not answer: ${e.message === 'fetch failed' ? 'no connection' : e.message}; check palette-endpoint`,
      );
    }
    if (res.ok || (allow404 && res.status === 404)) return res;
    const detail = await errorMessage(res);
    if (res.status === 401 || res.status === 403)
      throw new PaletteError(
        'unauthorized',
        `Palette refused the API key (${res.status}${detail ? `: ${detail}` : ''}); check palette-api-key (a tenant admin's key, Tenant Settings → API Keys, not expired)`,
        res.status,
      );
    if (res.status === 404)
      throw new PaletteError(
        'not-found',
        `Palette has no OCI registry with uid ${this.opts.registryUid} (404${detail ? `: ${detail}` : ''}); check palette-registry-uid (Tenant Settings → Registries → OCI Registries; see docs/palette.md)`,
        404,
      );
    if (res.status === 409 && method === 'POST') return res; // a sync is already running
    throw new PaletteError(
      'http',
      `Palette answered ${method} ${path} with ${res.status}${detail ? `: ${detail}` : ''}`,
      res.status,
    );
  }
}

/** `tags` as Palette lists them: objects with `tag` (and `version`), tolerating plain strings. */
export function tagVersions(tags: unknown): string[] {
  if (!Array.isArray(tags)) return [];
  const out: string[] = [];
  for (const t of tags) {
    if (typeof t === 'string') out.push(t);
    else if (t && typeof t === 'object') {
      const { tag, version } = t as { tag?: unknown; version?: unknown };
      if (typeof tag === 'string') out.push(tag);
      if (typeof version === 'string' && version !== tag) out.push(version);
    }
  }
  return out;
}

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Palette's error body `{code, message}`, shortened; never echoes headers. */
async function errorMessage(res: Response): Promise<string> {
  const body = (await readJson(res).catch(() => undefined)) as
    | { message?: unknown; code?: unknown }
    | undefined;
  const msg =
    typeof body?.message === 'string' ? body.message : typeof body?.code === 'string' ? body.code : '';
  return msg.replace(/\s+/g, ' ').slice(0, 200);
}
