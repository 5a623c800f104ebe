import { OciError } from '../oci/errors.ts';
import type { LoginFailureIndex } from '../ports.ts';

/**
 * How many failed logins a window allows, per credential (user name) and per source address
 * (settings.ts: loginFailuresPerUser, loginFailuresPerSource, loginFailureWindowSeconds).
 */
export interface LoginThrottleConfig {
  credentialFailures: number;
  sourceFailures: number;
  windowSeconds: number;
}

export interface LoginThrottle {
  /** Throws 429 (with Retry-After) while the credential or the source has used up its window. */
  check(username: string, sourceIp: string): Promise<void>;
  /** Counts a failed login against both. */
  failed(username: string, sourceIp: string): Promise<void>;
}

/**
 * Failed-login throttling over the index (fixed windows, stored with a TTL). A window opens at the
 * first failure and allows `credentialFailures` / `sourceFailures`; past that, logins for the
 * credential (or from the source) answer 429 until the window closes — also with the right
 * password, or the throttle would test guesses — and then start afresh: no lockout outlives its
 * window, and refused attempts are not counted, so an attacker holding a user off must keep
 * spending failures. Good logins cost two GetItems, read alongside the credential.
 */
export function loginThrottle(
  index: LoginFailureIndex,
  config: LoginThrottleConfig,
  now: () => number = () => Math.floor(Date.now() / 1000),
): LoginThrottle {
  const keysOf = (username: string, sourceIp: string) => {
    const out = [{ key: `user\0${username}`, limit: config.credentialFailures, what: 'this user name' }];
    if (sourceIp)
      out.push({ key: `source\0${sourceIp}`, limit: config.sourceFailures, what: 'this address' });
    return out;
  };
  return {
    async check(username, sourceIp) {
      const keys = keysOf(username, sourceIp);
      const found = await index.getLoginFailures(keys.map((k) => k.key));
      const t = now();
      let wait = 0;
      let what = '';
      for (const [i, rec] of found.entries()) {
        const k = keys[i];
        if (!rec || !k || rec.windowEndsAt <= t || rec.failures < k.limit) continue;
        if (rec.windowEndsAt - t > wait) {
          wait = rec.windowEndsAt - t;
          what = k.what;
        }
      }
      if (wait > 0) {
        throw new OciError(
          429,
          'TOOMANYREQUESTS',
          `too many failed logins for ${what}; try again in ${wait} s`,
          undefined,
          { 'retry-after': String(wait) },
        );
      }
    },
    async failed(username, sourceIp) {
      await Promise.all(
        keysOf(username, sourceIp).map((k) => index.addLoginFailure(k.key, config.windowSeconds)),
      );
    },
  };
}
