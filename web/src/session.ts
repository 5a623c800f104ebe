/**
 * The signed-in session: the registry's short-lived, pull-only token (POST /api/v1/session),
 * kept in sessionStorage (this tab only, gone when it closes). The password is never stored:
 * it lives in the form field until the exchange, then the field is cleared.
 */
export interface Session {
  token: string;
  subject: string;
  prefix: string;
  /** Epoch ms. */
  expiresAt: number;
}

const KEY = 'packyard.session';

export function currentSession(): Session | undefined {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return undefined;
    const s = JSON.parse(raw) as Session;
    if (typeof s.token !== 'string' || !(s.expiresAt > Date.now())) {
      sessionStorage.removeItem(KEY);
      return undefined;
    }
    return s;
  } catch {
    return undefined;
  }
}

export function saveSession(s: Session): void {
  sessionStorage.setItem(KEY, JSON.stringify(s));
}

export function endSession(): void {
  sessionStorage.removeItem(KEY);
}
