import { statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type PushRow, summaryText } from '../../cli/commands/push.ts';
import { parsePackRef } from '../../cli/commands/tag.ts';
import { configDir, readCredentialFile, removeCredentials, saveCredentials } from '../../cli/credentials.ts';
import type { Io } from '../../cli/io.ts';
import { bar, LiveBoard } from '../../cli/progress.ts';
import { explainError, resolveCredentials, retryOptions } from '../../cli/registry-access.ts';
import { describeNetworkError } from '../../client/http.ts';
import { parseRegistryRef } from '../../client/reference.ts';
import { RegistryError } from '../../client/registry-client.ts';
import { tempDir } from '../helpers/packs.ts';

function captureIo(env: NodeJS.ProcessEnv = {}): Io & { errText: () => string } {
  let err = '';
  return {
    out: () => {},
    err: (t) => {
      err += t;
    },
    isTty: false,
    errIsTty: true,
    columns: 40,
    env,
    cwd: '/',
    errText: () => err,
  };
}

const row = (over: Partial<PushRow>): PushRow => ({
  name: 'demo',
  version: '1.0.0',
  repository: 'spectro-packs/archive/demo',
  digest: `sha256:${'a'.repeat(64)}`,
  status: 'published',
  uploaded: 2048,
  path: 'packs/demo',
  ...over,
});

describe('push output', () => {
  it('renders the summary table, problems and totals', () => {
    const text = summaryText(
      [
        row({}),
        row({ name: 'other', status: 'skipped', uploaded: 0 }),
        row({
          name: 'broken',
          version: '',
          digest: '',
          status: 'invalid',
          uploaded: 0,
          message: '1 lint error',
        }),
      ],
      'registry.example.com',
      false,
    );
    expect(text).toBe(
      [
        'PACK    VERSION  STATUS     UPLOADED  DIGEST',
        `demo    1.0.0    published  2.0 KiB   sha256:${'a'.repeat(64)}`,
        `other   1.0.0    skipped    0 bytes   sha256:${'a'.repeat(64)}`,
        'broken  -        invalid    0 bytes   -',
        '',
        'invalid broken (packs/demo): 1 lint error',
        '',
        '1 published, 1 skipped, 1 invalid, 0 failed; 2.0 KiB uploaded to registry.example.com',
        '',
      ].join('\n'),
    );
  });

  it('draws a live region that finished lines scroll above', () => {
    const io = captureIo();
    const board = new LiveBoard(io, 1_000_000);
    board.start('a', 'a: starting');
    board.start('b', 'b: a line far too long for a forty-column terminal');
    board.render();
    board.update('a', `a: ${bar(1, 2, 4)}`);
    board.finish('b', 'b: done');
    board.render();
    board.close();
    expect(io.errText()).toBe(
      [
        'a: starting\n',
        'b: a line far too long for a forty-col…\n',
        '\u001b[2F\u001b[J', // back over the two live lines
        'b: done\n',
        'a: [##..]\n',
        '\u001b[1F\u001b[J',
      ].join(''),
    );
  });
});

describe('credentials', () => {
  it('saves per host in a 0600 file inside a 0700 folder, and removes them', async () => {
    const env = { PACKYARD_CONFIG_DIR: path.join(tempDir(), 'cfg') };
    const file = await saveCredentials(env, 'r.example.com', { username: 'u', password: 'p' });
    await saveCredentials(env, 'localhost:5000', { username: 'v', password: 'q' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(configDir(env)).mode & 0o777).toBe(0o700);
    expect((await readCredentialFile(env)).file.auths).toEqual({
      'r.example.com': { username: 'u', password: 'p' },
      'localhost:5000': { username: 'v', password: 'q' },
    });
    expect(await removeCredentials(env, 'r.example.com')).toBe(true);
    expect(await removeCredentials(env, 'r.example.com')).toBe(false);
    expect(Object.keys((await readCredentialFile(env)).file.auths)).toEqual(['localhost:5000']);
  });

  it('uses the XDG config folder by default', () => {
    expect(configDir({ XDG_CONFIG_HOME: '/x/config' })).toBe('/x/config/packyard');
  });

  it('takes flags, then env, then the login file', async () => {
    const ref = parseRegistryRef('localhost:5000');
    const env = { PACKYARD_CONFIG_DIR: path.join(tempDir(), 'cfg') };
    await saveCredentials(env, 'localhost:5000', { username: 'saved', password: 'saved-pw' });
    const stdin = async () => 'from-stdin\n';
    const io = captureIo({ ...env, PACKYARD_USERNAME: 'envuser', PACKYARD_PASSWORD: 'env-pw' });
    expect(await resolveCredentials(ref, { username: 'flag', passwordStdin: true }, io, stdin)).toMatchObject(
      {
        source: 'flags',
        credentials: { username: 'flag', password: 'from-stdin' },
      },
    );
    expect(await resolveCredentials(ref, {}, io, stdin)).toMatchObject({
      source: 'env',
      credentials: { username: 'envuser', password: 'env-pw' },
    });
    expect(await resolveCredentials(ref, {}, captureIo(env), stdin)).toMatchObject({
      source: 'file',
      credentials: { username: 'saved', password: 'saved-pw' },
    });
    expect(
      await resolveCredentials(parseRegistryRef('localhost:6000'), {}, captureIo(env), stdin),
    ).toMatchObject({
      source: 'none',
    });
    await expect(resolveCredentials(ref, { username: 'flag' }, captureIo(env), stdin)).rejects.toThrow(
      /needs --password-stdin/,
    );
  });
});

describe('errors and parsing', () => {
  it('explains network, auth and permission errors without secrets', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(describeNetworkError(new TypeError('fetch failed', { cause }))).toMatch(/^connection refused/);
    const ref = parseRegistryRef('localhost:5000');
    const creds = { source: 'env' as const, described: 'user ci (PACKYARD_USERNAME, PACKYARD_PASSWORD)' };
    const unauthorized = new RegistryError('login: nope (401 UNAUTHORIZED)', 401, 'UNAUTHORIZED');
    expect(explainError(unauthorized, ref, creds).message).toBe(
      'localhost:5000 refused the credentials of user ci (PACKYARD_USERNAME, PACKYARD_PASSWORD): check the user name and password',
    );
    expect(explainError(unauthorized, ref, creds, true).message).toContain('lacks the permission');
    expect(explainError(unauthorized, ref, { source: 'none', described: '' }).message).toContain(
      'requires credentials',
    );
  });

  it('parses NAME[:VERSION] and PACKYARD_RETRIES', () => {
    expect(parsePackRef('hello')).toEqual({ name: 'hello', version: undefined });
    expect(parsePackRef('hello:1.2.3-rc.1')).toEqual({ name: 'hello', version: '1.2.3-rc.1' });
    expect(() => parsePackRef('Hello')).toThrow(/not a pack name/);
    expect(() => parsePackRef('hello:1.0.0+build')).toThrow(/not a pack version/);
    expect(retryOptions({ PACKYARD_RETRIES: '0' }).retries).toBe(0);
    expect(() => retryOptions({ PACKYARD_RETRIES: 'many' })).toThrow(/PACKYARD_RETRIES/);
  });
});
