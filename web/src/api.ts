import { currentSession, endSession, type Session, saveSession } from './session.ts';

export const BASE = document.querySelector<HTMLMetaElement>('meta[name="packyard-base"]')?.content ?? '';

export interface PackSummary {
  name: string;
  basePath: string;
  repository: string;
  displayName: string;
  latestVersion: string;
  layer: string;
  addonType: string | null;
  cloudTypes: string[];
  updatedAt: string;
}

export interface PackVersion {
  name: string;
  version: string;
  basePath: string;
  repository: string;
  displayName: string;
  layer: string;
  addonType: string | null;
  cloudTypes: string[];
  digest: string;
  layerDigest: string;
  size: number;
  pushedAt: string;
  pushedBy: string;
  lint: { errors: number; warnings: number };
  contentDigest: string | null;
  files: string[];
  provenance: Record<string, string> | null;
}

/** The registry answered 401: sign in (again). */
export class SignInNeeded extends Error {}
export class NotFound extends Error {}

async function call(path: string, init: RequestInit = {}): Promise<Response> {
  const s = currentSession();
  const headers = new Headers(init.headers);
  if (s) headers.set('authorization', `Bearer ${s.token}`);
  const res = await fetch(`${BASE}${path}`, { ...init, headers, credentials: 'omit' });
  // A valid session without access to this pack: like a missing one (the session stays).
  if (res.status === 401 && s && res.headers.get('www-authenticate')?.includes('insufficient_scope'))
    throw new NotFound(`${path.split('?')[0]} is not published, or not visible to ${s.subject}`);
  if (res.status === 401) {
    if (s) endSession();
    throw new SignInNeeded(
      s ? 'Your session has expired; sign in again.' : 'Sign in to see this registry’s packs.',
    );
  }
  if (res.status === 404) throw new NotFound(await errorText(res));
  if (!res.ok) throw new Error(await errorText(res));
  return res;
}

async function errorText(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { errors?: { message?: string }[] };
    return body.errors?.[0]?.message ?? `HTTP ${res.status}`;
  } catch {
    return `HTTP ${res.status}`;
  }
}

const q = (params: Record<string, string | undefined>) => {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) u.set(k, v);
  const s = u.toString();
  return s ? `?${s}` : '';
};

/**
 * Without a session, may this registry be read anonymously? (`GET /v2/` answers 401 when not:
 * the pack API would answer an empty list, which would look like an empty registry.)
 */
export async function requireReadable(): Promise<void> {
  if (!currentSession()) await call('/v2/');
}

export async function searchPacks(
  params: Record<string, string | undefined>,
): Promise<{ packs: PackSummary[]; next: string | null }> {
  return (await call(`/api/v1/packs${q({ limit: '100', ...params })}`)).json();
}

const packPath = (name: string) => `/api/v1/packs/${encodeURIComponent(name)}/versions`;

export async function listVersions(name: string, base: string): Promise<PackVersion[]> {
  const out: PackVersion[] = [];
  let cursor: string | undefined;
  do {
    const page = (await (await call(`${packPath(name)}${q({ base, limit: '100', cursor })}`)).json()) as {
      versions: PackVersion[];
      next: string | null;
    };
    out.push(...page.versions);
    cursor = page.next ?? undefined;
  } while (cursor && out.length < 500);
  return out;
}

export async function versionText(
  name: string,
  version: string,
  base: string,
  file: string,
): Promise<string | undefined> {
  try {
    return await (
      await call(`${packPath(name)}/${encodeURIComponent(version)}/${file}${q({ base })}`)
    ).text();
  } catch (err) {
    if (err instanceof NotFound) return undefined;
    throw err;
  }
}

export async function versionFiles(
  name: string,
  version: string,
  base: string,
): Promise<{ path: string; size: number }[] | undefined> {
  try {
    const res = await call(`${packPath(name)}/${encodeURIComponent(version)}/files${q({ base })}`);
    return ((await res.json()) as { files: { path: string; size: number }[] }).files;
  } catch (err) {
    if (err instanceof NotFound) return undefined;
    throw err;
  }
}

/** The logo as a blob: URL (an <img src> could not carry the session's token). */
export async function logoUrl(name: string, version: string, base: string): Promise<string | undefined> {
  try {
    const res = await call(`${packPath(name)}/${encodeURIComponent(version)}/logo${q({ base })}`);
    const blob = await res.blob();
    return blob.type === 'image/png' ? URL.createObjectURL(blob) : undefined;
  } catch {
    return undefined;
  }
}

export async function signIn(username: string, password: string): Promise<Session> {
  const res = await fetch(`${BASE}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
    credentials: 'omit',
  });
  if (!res.ok) throw new Error(res.status === 401 ? 'Wrong username or password.' : await errorText(res));
  const body = (await res.json()) as { token: string; expires_in: number; subject: string; prefix: string };
  const s = {
    token: body.token,
    subject: body.subject,
    prefix: body.prefix,
    expiresAt: Date.now() + (body.expires_in - 10) * 1000,
  };
  saveSession(s);
  return s;
}
