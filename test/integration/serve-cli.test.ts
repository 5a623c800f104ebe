import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/packs.ts';
import { basic } from '../helpers/registry.ts';
import { serve } from '../helpers/serve.ts';

describe('packyard serve and packyard user', () => {
  it('serves the registry, keeps data across restarts, and stops cleanly on SIGTERM', async () => {
    const data = tempDir('serve-');
    const creds = { username: 'root', password: 'root-password-1234' };
    const first = await serve(['--data', data], {
      PACKYARD_USERNAME: creds.username,
      PACKYARD_PASSWORD: creds.password,
    });
    expect(await (await fetch(`${first.url}/health`)).json()).toEqual({ status: 'UP' });
    expect((await fetch(`${first.url}/v2/`)).status).toBe(401);
    expect((await fetch(`${first.url}/v2/`, { headers: { authorization: basic(creds) } })).status).toBe(200);
    const blob = await fetch(
      `${first.url}/v2/demo/blobs/uploads/?digest=sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a`,
      {
        method: 'POST',
        body: '{}',
        headers: { authorization: basic(creds) },
      },
    );
    expect(blob.status).toBe(201);
    expect(await first.stop()).toBe(0);
    expect(first.stderr()).not.toContain(creds.password);

    const second = await serve(['--data', data]);
    const head = await fetch(
      `${second.url}/v2/demo/blobs/sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a`,
      {
        method: 'HEAD',
        headers: { authorization: basic(creds) },
      },
    );
    expect(head.status).toBe(200);
    await second.stop();
  });

  it('checks --lint-config and the login-throttle flags before starting, and applies them', async () => {
    const data = tempDir('serve-');
    const badConfig = await runCli([
      'serve',
      '--data',
      data,
      '--lint-config',
      'rules:\n  manifest/mising: off\n',
    ]);
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toContain('--lint-config (or PACKYARD_LINT_CONFIG)');
    expect(badConfig.stderr).toContain('PACKYARD_LINT_CONFIG:2:3: unknown rule "manifest/mising"');
    const fromEnv = await runCli(['serve', '--data', data], {
      env: { PACKYARD_LINT_CONFIG: './no-such.yaml' },
    });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toContain('--lint-config (or PACKYARD_LINT_CONFIG): cannot read ./no-such.yaml');
    const badWindow = await runCli(['serve', '--data', data, '--login-failure-window', '5']);
    expect(badWindow.code).toBe(2);
    expect(badWindow.stderr).toContain('--login-failure-window must be 60–86400 (got 5)');

    const creds = { username: 'root', password: 'root-password-1234' };
    const s = await serve(['--data', data, '--login-failures-per-user', '2', '--lint-config', 'rules: {}'], {
      PACKYARD_USERNAME: creds.username,
      PACKYARD_PASSWORD: creds.password,
    });
    const login = (password: string) =>
      fetch(`${s.url}/v2/`, { headers: { authorization: basic({ username: creds.username, password }) } });
    expect((await login('wrong-1')).status).toBe(401);
    expect((await login('wrong-2')).status).toBe(401);
    expect((await login(creds.password)).status).toBe(429);
    await s.stop();
  });

  it('creates an admin with a generated password on first start when none is given', async () => {
    const data = tempDir('serve-');
    const s = await serve(['--data', data]);
    const m = /credential "admin" with password (\S+)/.exec(s.stderr());
    expect(m).not.toBeNull();
    const res = await fetch(`${s.url}/v2/`, {
      headers: { authorization: basic({ username: 'admin', password: m?.[1] as string }) },
    });
    expect(res.status).toBe(200);
    await s.stop();
  });

  it('manages credentials in a data folder: add (generated or stdin password), list, remove', async () => {
    const data = tempDir('users-');
    const added = await runCli(['user', 'add', 'palette', '--scope', 'read', '--data', data]);
    expect(added.code).toBe(0);
    const password = added.stdout.trim();
    expect(password.length).toBeGreaterThanOrEqual(20);
    expect(added.stderr).toContain('saved credential "palette" (read, all repositories)');

    const list = await runCli(['user', 'list', '--data', data, '--format', 'json']);
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({ username: 'palette', scope: 'read', prefix: '' }),
    ]);
    expect(list.stdout).not.toContain(password);

    const s = await serve(['--data', data]);
    const ok = await fetch(`${s.url}/v2/`, {
      headers: { authorization: basic({ username: 'palette', password }) },
    });
    expect(ok.status).toBe(200);
    await s.stop();

    const piped = await runCli(
      ['user', 'add', 'ci', '--scope', 'write', '--prefix', 'team-a', '--password-stdin', '--data', data],
      {
        input: 'a-password-from-stdin\n',
      },
    );
    expect(piped.code).toBe(0);
    expect(piped.stdout).toBe('');
    expect(piped.stderr).toContain('saved credential "ci" (write, team-a/*)');
    const s2 = await serve(['--data', data]);
    const viaStdin = await fetch(`${s2.url}/v2/`, {
      headers: { authorization: basic({ username: 'ci', password: 'a-password-from-stdin' }) },
    });
    expect(viaStdin.status).toBe(200);
    await s2.stop();

    expect((await runCli(['user', 'remove', 'palette', '--data', data])).code).toBe(0);
    expect((await runCli(['user', 'remove', 'palette', '--data', data])).code).toBe(1);
    const bad = await runCli(['user', 'add', 'x', '--scope', 'owner', '--data', data]);
    expect(bad.code).toBe(2);
  });
});
