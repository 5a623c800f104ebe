import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  envInput,
  type GetInput,
  INPUT_DEFAULTS,
  InputError,
  type InputName,
  parseInputs,
  splitList,
} from '../../action/inputs.ts';
import { planAuth, prefixesCover, pullRequestFork } from '../../action/oidc.ts';
import { ROOT } from '../helpers/packs.ts';

const SECRET = 's3cr3t-Pa55word';

function inputs(values: Partial<Record<InputName, string>>): GetInput {
  return (name) => values[name] ?? '';
}

function problems(values: Partial<Record<InputName, string>>): string {
  try {
    parseInputs(inputs(values));
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as Error).message;
  }
  throw new Error('expected an InputError');
}

describe('action inputs', () => {
  it('applies the defaults and parses a registry with credentials', () => {
    const parsed = parseInputs(
      inputs({ registry: 'registry.example.com/team-a', username: 'ci', password: SECRET }),
    );
    expect(parsed).toEqual({
      paths: ['.'],
      registry: { origin: 'https://registry.example.com', host: 'registry.example.com', basePath: 'team-a' },
      credentials: { username: 'ci', password: SECRET },
      dryRun: false,
      failOn: 'error',
      checkImages: false,
      concurrency: 4,
      insecure: false,
      oidc: 'auto',
      oidcAudience: undefined,
      annotationsLimit: 10,
      comment: true,
      githubToken: '',
      palette: undefined,
    });
  });

  it('masks the Palette key and the GitHub token, and checks the Palette inputs together', () => {
    const masked: string[] = [];
    const parsed = parseInputs(
      inputs({
        'dry-run': 'true',
        'palette-api-key': 'pk-secret',
        'palette-registry-uid': '5ee9c5adc172449eeb9c30cf',
        'github-token': 'ghs_token',
      }),
      (s) => masked.push(s),
    );
    expect(masked).toEqual(['pk-secret', 'ghs_token']);
    expect(parsed.palette).toEqual({
      apiKey: 'pk-secret',
      registryUid: '5ee9c5adc172449eeb9c30cf',
      endpoint: 'https://api.spectrocloud.com',
      timeoutSeconds: 300,
      required: false,
    });
    expect(parsed.githubToken).toBe('ghs_token');
    const bad = problems({
      'dry-run': 'true',
      'palette-registry-uid': 'uid 1',
      'palette-timeout': '0',
      'palette-endpoint': 'http://palette.example.com',
    });
    expect(bad).toContain('palette-registry-uid is set but palette-api-key is not');
    expect(bad).toContain("palette-registry-uid must be the registry's uid");
    expect(bad).toContain('palette-timeout must be a whole number from 1 to 3600');
    expect(bad).toContain('palette-endpoint must use https');
    expect(bad).not.toContain('pk-secret');
    expect(problems({ 'dry-run': 'true', 'palette-required': 'true' })).toContain(
      'palette-required is true, but palette-api-key and palette-registry-uid are not set',
    );
  });

  it('lets a pull request run without the password secret (forks get none)', () => {
    const parsed = parseInputs(inputs({ registry: 'r.example.com', username: 'ci' }), undefined, {
      pullRequest: true,
    });
    expect(parsed.credentials).toBeUndefined();
    expect(problems({ registry: 'r.example.com', username: 'ci' })).toContain('password is empty');
  });

  it('reads INPUT_<NAME> as the runner sets it (upper case, hyphens kept)', () => {
    const get = envInput({ 'INPUT_DRY-RUN': ' true ', INPUT_PATH: 'packs', 'INPUT_FAIL-ON': 'warning' });
    const parsed = parseInputs(get);
    expect(parsed).toMatchObject({ dryRun: true, paths: ['packs'], failOn: 'warning', registry: undefined });
  });

  it('splits path on newlines and commas, dropping blanks', () => {
    expect(splitList('packs/a\n packs/b , packs/c,,\n\n')).toEqual(['packs/a', 'packs/b', 'packs/c']);
    expect(parseInputs(inputs({ path: 'a,b\nc', 'dry-run': 'true' })).paths).toEqual(['a', 'b', 'c']);
    expect(problems({ path: ' , \n', 'dry-run': 'true' })).toContain('path lists no folder');
  });

  it('masks the password before reading anything else, and never quotes it', () => {
    const calls: string[] = [];
    const get: GetInput = (name) => {
      calls.push(name);
      return name === 'password' ? SECRET : name === 'oidc' ? 'sometimes' : name === 'fail-on' ? 'loud' : '';
    };
    const masked: string[] = [];
    let err: Error | undefined;
    try {
      parseInputs(get, (s) => {
        masked.push(s);
        calls.push('<masked>');
      });
    } catch (e) {
      err = e as Error;
    }
    expect(calls.slice(0, 2)).toEqual(['password', '<masked>']);
    expect(masked).toEqual([SECRET]);
    expect(err?.message).toContain('username is not');
    expect(err?.message).not.toContain(SECRET);
  });

  it('lists every problem at once', () => {
    const message = problems({
      'dry-run': 'yes',
      'fail-on': 'info',
      concurrency: '0',
      'annotations-limit': '50',
      oidc: 'sometimes',
    });
    expect(message).toContain('dry-run must be true or false (got "yes")');
    expect(message).toContain('fail-on must be "error" or "warning" (got "info")');
    expect(message).toContain('concurrency must be a whole number from 1 to 32 (got "0")');
    expect(message).toContain('annotations-limit must be a whole number from 0 to 10 (got "50")');
    expect(message).toContain('oidc must be "false", "auto" or "true" (got "sometimes")');
    expect(message).toContain('registry is required');
    expect(message.split('\n- ').length).toBe(7);
  });

  it('accepts the YAML booleans the runner passes', () => {
    for (const v of ['true', 'True', 'TRUE'])
      expect(parseInputs(inputs({ 'dry-run': v, insecure: v })).dryRun).toBe(true);
    expect(parseInputs(inputs({ 'dry-run': 'true', insecure: 'FALSE' })).insecure).toBe(false);
  });

  it('requires a registry unless dry-run, and credentials in pairs', () => {
    expect(problems({})).toContain('registry is required');
    expect(parseInputs(inputs({ 'dry-run': 'true' })).registry).toBeUndefined();
    expect(problems({ registry: 'r.example.com', username: 'ci' })).toMatch(/password is empty.*secrets/);
    expect(problems({ registry: 'r.example.com', password: SECRET })).toContain('username is not');
    // Anonymous is allowed (some registries take anonymous pushes); the registry says no otherwise.
    expect(parseInputs(inputs({ registry: 'r.example.com' })).credentials).toBeUndefined();
    // A dry run needs no secret (pull requests from forks get none).
    expect(parseInputs(inputs({ 'dry-run': 'true', username: 'ci' })).credentials).toBeUndefined();
  });

  it('refuses plain http to a remote registry unless insecure, in Action terms', () => {
    const message = problems({ registry: 'http://r.example.com', username: 'ci', password: SECRET });
    expect(message).toContain('refusing plain http');
    expect(message).toContain('set the insecure input to true');
    expect(message).not.toContain('--insecure');
    const ok = parseInputs(inputs({ registry: 'http://r.example.com', insecure: 'true' }));
    expect(ok.registry?.origin).toBe('http://r.example.com');
    expect(parseInputs(inputs({ registry: '127.0.0.1:5000' })).registry?.origin).toBe(
      'http://127.0.0.1:5000',
    );
  });

  it('refuses credentials inside the registry reference without echoing them', () => {
    const message = problems({ registry: `https://ci:${SECRET}@r.example.com`, 'dry-run': 'true' });
    expect(message).toContain('use the username and password inputs');
    expect(message).not.toContain(SECRET);
  });

  it('takes the base path from the registry or base-path, not conflicting ones', () => {
    expect(parseInputs(inputs({ registry: 'r.example.com', 'base-path': '/team-b/' })).registry).toEqual({
      origin: 'https://r.example.com',
      host: 'r.example.com',
      basePath: 'team-b',
    });
    expect(parseInputs(inputs({ registry: 'r.example.com/a', 'base-path': 'a' })).registry?.basePath).toBe(
      'a',
    );
    expect(problems({ registry: 'r.example.com/a', 'base-path': 'b' })).toContain('give it in one place');
    expect(problems({ registry: 'r.example.com', 'base-path': 'Team A' })).toContain('base-path');
    expect(problems({ 'dry-run': 'true', 'base-path': 'a' })).toContain(
      'base-path is set but registry is not',
    );
  });

  it('takes oidc: true without a username or password, and an oidc-audience', () => {
    expect(parseInputs(inputs({ registry: 'r.example.com', oidc: 'true' }))).toMatchObject({
      oidc: 'true',
      credentials: undefined,
      oidcAudience: undefined,
    });
    expect(problems({ registry: 'r.example.com', oidc: 'true', username: 'ci', password: SECRET })).toContain(
      'oidc is true (trusted publishing, no stored secret) but username or password is set too',
    );
    expect(
      parseInputs(inputs({ registry: 'r.example.com', 'oidc-audience': 'packs-prod' })).oidcAudience,
    ).toBe('packs-prod');
    expect(problems({ registry: 'r.example.com', 'oidc-audience': 'a b' })).toContain('oidc-audience');
    expect(parseInputs(inputs({ registry: 'r.example.com', oidc: 'FALSE' })).oidc).toBe('false');
  });

  describe('planAuth', () => {
    const ID_TOKEN_ENV = {
      ACTIONS_ID_TOKEN_REQUEST_URL: 'https://runner/idtoken?x=1',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 't',
    };
    const creds = { username: 'ci', password: SECRET };

    it('auto: a password wins, else an ID token when the job can get one, else anonymous with a hint', () => {
      expect(planAuth({ oidc: 'auto', credentials: creds }, ID_TOKEN_ENV)).toEqual({
        kind: 'password',
        credentials: creds,
      });
      expect(planAuth({ oidc: 'auto', credentials: undefined }, ID_TOKEN_ENV)).toEqual({ kind: 'oidc' });
      const anonymous = planAuth({ oidc: 'auto', credentials: undefined }, {});
      expect(anonymous.kind).toBe('anonymous');
      expect(anonymous.kind === 'anonymous' && anonymous.note).toContain('permissions: id-token: write');
    });

    it('true: requires an ID token, explaining permissions and forks; false: never uses one', () => {
      expect(planAuth({ oidc: 'true', credentials: undefined }, ID_TOKEN_ENV)).toEqual({ kind: 'oidc' });
      expect(() =>
        planAuth({ oidc: 'true', credentials: undefined }, { ACTIONS_ID_TOKEN_REQUEST_URL: 'x' }),
      ).toThrow(
        /add `permissions: id-token: write` to the job.*pull requests from forks never get an ID token/,
      );
      expect(() => planAuth({ oidc: 'true', credentials: undefined }, {}, 'mallory/packs')).toThrow(
        'this run is a pull request from the fork mallory/packs',
      );
      expect(planAuth({ oidc: 'false', credentials: undefined }, ID_TOKEN_ENV)).toEqual({
        kind: 'anonymous',
        note: undefined,
      });
    });

    it('checks the registry path against the granted prefixes as the registry does', () => {
      expect(prefixesCover(['team-a/'], 'team-a')).toBe(true);
      expect(prefixesCover(['team-a/'], 'team-a/sub')).toBe(true);
      expect(prefixesCover(['team-a/'], 'team-ab')).toBe(false);
      expect(prefixesCover(['spectro-packs/'], '')).toBe(true);
      expect(prefixesCover(['team-b/', 'team-a'], 'team-a')).toBe(true);
    });

    it('finds the fork of a pull_request run in the event payload', () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'event-'));
      const event = path.join(dir, 'event.json');
      writeFileSync(
        event,
        JSON.stringify({ pull_request: { head: { repo: { full_name: 'mallory/packs' } } } }),
      );
      const env = {
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: event,
        GITHUB_REPOSITORY: 'acme/packs',
      };
      expect(pullRequestFork(env)).toBe('mallory/packs');
      expect(pullRequestFork({ ...env, GITHUB_REPOSITORY: 'Mallory/Packs' })).toBeUndefined();
      expect(pullRequestFork({ ...env, GITHUB_EVENT_NAME: 'push' })).toBeUndefined();
      rmSync(dir, { recursive: true });
    });
  });

  it('declares the same inputs and defaults in action.yml', () => {
    const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as {
      inputs: Record<string, { default?: string }>;
      runs: { using: string; main: string };
    };
    const declared = Object.fromEntries(
      Object.entries(action.inputs).map(([k, v]) => [k, String(v.default ?? '')]),
    );
    expect(declared).toEqual(INPUT_DEFAULTS);
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });
});
