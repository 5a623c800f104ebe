/**
 * Names that are object prototype members (`__proto__`, `constructor`, `toString`, …) given by a
 * user, a file or a server are plain keys: never an inherited property, never a new prototype.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { credentialsPath, readCredentialFile, removeCredentials } from '../../cli/credentials.ts';
import { parseChallenge } from '../../client/auth.ts';
import { tempDir } from '../helpers/packs.ts';

describe('the credential file', () => {
  it('keeps a host named "__proto__" as a key: its credentials never answer for other hosts', async () => {
    const env = {
      PACKYARD_CONFIG_DIR: tempDir('cfg-'),
      XDG_CONFIG_HOME: tempDir('xdg-'),
      HOME: tempDir('home-'),
    };
    const file = credentialsPath(env);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '{"auths":{"__proto__":{"username":"u","password":"p"}}}', { mode: 0o600 });
    const { file: loaded } = await readCredentialFile(env);
    expect(Object.keys(loaded.auths)).toEqual(['__proto__']);
    expect((loaded.auths as Record<string, unknown>)['registry.example.com']).toBeUndefined();
    expect(Object.getPrototypeOf(loaded.auths)).toBeNull();
  });

  it('does not remove an inherited member as if it were a saved host', async () => {
    const env = {
      PACKYARD_CONFIG_DIR: tempDir('cfg-'),
      XDG_CONFIG_HOME: tempDir('xdg-'),
      HOME: tempDir('home-'),
    };
    expect(await removeCredentials(env, 'constructor')).toBe(false);
    expect(await removeCredentials(env, 'toString')).toBe(false);
  });
});

describe('WWW-Authenticate parameters', () => {
  it('are own keys only', () => {
    const c = parseChallenge('Bearer __proto__="x",constructor="y",realm="https://r/t"');
    expect(c?.params.realm).toBe('https://r/t');
    expect(c?.params.constructor).toBe('y');
    expect(c?.params.service).toBeUndefined();
    expect(c?.params.toString).toBeUndefined();
  });
});
