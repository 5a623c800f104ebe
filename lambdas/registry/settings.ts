import { readFileSync } from 'node:fs';
import { parseBoolean, parseChoice, parseWholeNumber } from '../../core/setting-values.ts';
import type { RegistryConfig } from './config.ts';

/**
 * The registry's settings, each defined once: the Lambda's environment variable, the
 * `packyard serve` flag, the CDK prop of the PackRegistry construct (and `packyard:<prop>`
 * context key of the app), the default and the validation. config.ts reads the Lambda's
 * environment from it, cli/main.ts builds the serve flags from it, infra/ writes the Lambda's
 * environment and checks the app's context with it. docs/deploy.md's settings table and
 * docs/registry.md's variables are tested against it.
 */
export interface Setting<T> {
  /** The Lambda's environment variable. */
  env: string;
  /** `packyard serve`'s flag, with its value placeholder (none for a boolean switch). */
  flag?: string;
  /** The flag falls back to `env` when not given (commander's `.env()`). */
  flagReadsEnv?: boolean;
  /** The PackRegistry prop and `packyard:<name>` context key that set it in a deployment. */
  deploy?: string;
  describe: string;
  /** undefined: derived from other settings (see config.ts). */
  default: T | undefined;
  choices?: readonly string[];
  /** Text → value; throws an Error naming `name` (the variable, flag or context key given). */
  parse(raw: string, name: string): T;
}

/** GitHub Actions' OIDC issuer. */
export const GITHUB_OIDC_ISSUER = 'https://token.actions.githubusercontent.com';
/** Longest lifetime of any bearer token the registry issues. */
export const MAX_TTL_SECONDS = 15 * 60;

const LINT_POLICIES = ['enforce', 'warn'] as const;

/**
 * What each setting holds: RegistryConfig's fields, with the login throttle's three limits as
 * settings of their own, and the web catalog's folder (wiring, not configuration).
 */
export type SettingValues = Omit<RegistryConfig, 'loginThrottle'> & {
  loginFailuresPerUser: number;
  loginFailuresPerSource: number;
  loginFailureWindowSeconds: number;
  webDir: string;
};

/** A lint configuration given as a file path rather than the YAML itself. */
export const isLintConfigPath = (source: string): boolean =>
  source.startsWith('/') || source.startsWith('./');

/**
 * PACKYARD_LINT_CONFIG: the YAML itself, or a file path (`/…`, `./…`) that must be readable now.
 * Its content is checked where the linter is loaded anyway (lint-config.ts: `packyard serve`'s
 * start, the synth, the Lambda's first push), so the Lambda's cold start does not load it.
 */
function lintConfigSource(raw: string, name: string): string {
  const source = raw.trim();
  if (source === '')
    throw new Error(`${name} is empty: give the YAML itself, or a file path starting with / or ./`);
  if (isLintConfigPath(source)) {
    try {
      readFileSync(source, 'utf8');
    } catch (err) {
      throw new Error(
        `${name}: cannot read ${source} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      );
    }
  }
  return source;
}

/**
 * An issuer must be an https URL (http only on the loopback interface, for `packyard serve` and
 * tests): its JWKS decides who may publish, so it must not be fetched over plain http.
 */
export function validateIssuer(value: string, name = 'PACKYARD_OIDC_ISSUER'): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name} must be an absolute URL (got "${value}")`);
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    throw new Error(`${name} must be an https URL (http only on localhost; got "${value}")`);
  if (url.search || url.hash) throw new Error(`${name} must not have a query or fragment (got "${value}")`);
  // Issuers are compared as strings with the token's `iss`: keep exactly what was configured,
  // minus a trailing slash (GitHub's `iss` has none).
  return value.replace(/\/+$/, '');
}

const text = (raw: string) => raw;

export const SETTINGS = {
  service: {
    env: 'PACKYARD_SERVICE',
    describe: 'token audience and the `service` of the Bearer challenge',
    default: 'packyard',
    parse: text,
  },
  publicUrl: {
    env: 'PACKYARD_PUBLIC_URL',
    flag: '--public-url <url>',
    describe: 'base URL clients reach the registry at (token realm, Location headers)',
    default: undefined,
    parse: text,
  },
  anonymousPull: {
    env: 'PACKYARD_ANONYMOUS_PULL',
    flag: '--anonymous-pull',
    deploy: 'anonymousPull',
    describe: 'let requests without credentials pull',
    default: false,
    parse: (raw, name) => parseBoolean(name, raw),
  },
  lintPolicy: {
    env: 'PACKYARD_LINT_POLICY',
    flag: '--lint-policy <policy>',
    deploy: 'lintPolicy',
    describe: 'what a pushed pack with lint errors gets',
    default: 'enforce',
    choices: LINT_POLICIES,
    parse: (raw, name) => parseChoice(name, raw, LINT_POLICIES),
  },
  allowOverwrite: {
    env: 'PACKYARD_ALLOW_OVERWRITE',
    flag: '--allow-overwrite',
    deploy: 'allowOverwrite',
    describe:
      'let "push --force --message" replace the content of a pack version (otherwise versions are immutable)',
    default: false,
    parse: (raw, name) => parseBoolean(name, raw),
  },
  tokenTtlSeconds: {
    env: 'PACKYARD_TOKEN_TTL_SECONDS',
    deploy: 'tokenTtlSeconds',
    describe: 'bearer token lifetime in seconds',
    default: 300,
    parse: (raw, name) => parseWholeNumber(name, raw, { min: 30, max: MAX_TTL_SECONDS }),
  },
  oidcIssuer: {
    env: 'PACKYARD_OIDC_ISSUER',
    flag: '--oidc-issuer <url>',
    flagReadsEnv: true,
    deploy: 'oidcIssuer',
    describe: 'OIDC issuer whose ID tokens trusted publishers present',
    default: GITHUB_OIDC_ISSUER,
    parse: (raw, name) => validateIssuer(raw, name),
  },
  oidcAudience: {
    env: 'PACKYARD_OIDC_AUDIENCE',
    flag: '--oidc-audience <aud>',
    flagReadsEnv: true,
    deploy: 'oidcAudience',
    describe: 'audience those ID tokens must carry (default: --public-url, else "packyard")',
    default: undefined,
    parse: (raw, name) => {
      if (raw.length > 256 || /\s/.test(raw))
        throw new Error(`${name} must be at most 256 characters without spaces`);
      return raw;
    },
  },
  oidcTokenTtlSeconds: {
    env: 'PACKYARD_OIDC_TOKEN_TTL_SECONDS',
    describe: 'lifetime of the push token a trusted-publishing exchange mints',
    default: MAX_TTL_SECONDS,
    parse: (raw, name) => parseWholeNumber(name, raw, { min: 60, max: MAX_TTL_SECONDS }),
  },
  lintConfig: {
    env: 'PACKYARD_LINT_CONFIG',
    flag: '--lint-config <yaml|file>',
    flagReadsEnv: true,
    deploy: 'lintConfig',
    describe:
      'rule severities for re-linting pushed packs, in the .packyard.yaml format: the YAML, or a file path starting with / or ./',
    default: undefined,
    parse: lintConfigSource,
  },
  loginFailuresPerUser: {
    env: 'PACKYARD_LOGIN_FAILURES_PER_USER',
    flag: '--login-failures-per-user <n>',
    deploy: 'loginFailuresPerUser',
    describe: 'failed logins allowed per user name within a window; then 429 until it closes',
    default: 10,
    parse: (raw, name) => parseWholeNumber(name, raw, { min: 1, max: 1_000_000 }),
  },
  loginFailuresPerSource: {
    env: 'PACKYARD_LOGIN_FAILURES_PER_SOURCE',
    flag: '--login-failures-per-source <n>',
    deploy: 'loginFailuresPerSource',
    describe: 'failed logins allowed per source address within a window; then 429 until it closes',
    default: 100,
    parse: (raw, name) => parseWholeNumber(name, raw, { min: 1, max: 1_000_000 }),
  },
  loginFailureWindowSeconds: {
    env: 'PACKYARD_LOGIN_FAILURE_WINDOW_SECONDS',
    flag: '--login-failure-window <seconds>',
    deploy: 'loginFailureWindowSeconds',
    describe: 'length of a failed-login window in seconds',
    default: 15 * 60,
    parse: (raw, name) => parseWholeNumber(name, raw, { min: 60, max: 24 * 3600 }),
  },
  webDir: {
    env: 'PACKYARD_WEB_DIR',
    describe:
      'the built web catalog (index.html, assets/); the CDK stack sets /opt/web (its layer), bin/packyard.js build/catalog/web',
    default: undefined,
    parse: text,
  },
} satisfies { [K in keyof SettingValues]?: Setting<SettingValues[K]> };

export type SettingKey = keyof typeof SETTINGS;

/** The value of a setting from an environment: its default when unset or empty. */
export function fromEnv<K extends SettingKey>(env: NodeJS.ProcessEnv, key: K): SettingValues[K] | undefined {
  const s: Setting<SettingValues[K]> = SETTINGS[key] as Setting<SettingValues[K]>;
  const raw = env[s.env];
  return raw === undefined || raw === '' ? s.default : s.parse(raw, s.env);
}

/**
 * A typed value (a CDK prop) checked by the same rules as its text form, and written as the
 * Lambda's variable would carry it.
 */
export function checked<K extends SettingKey>(key: K, value: SettingValues[K], name: string): string {
  const s: Setting<SettingValues[K]> = SETTINGS[key] as Setting<SettingValues[K]>;
  const raw = String(value);
  s.parse(raw, name);
  return raw;
}
