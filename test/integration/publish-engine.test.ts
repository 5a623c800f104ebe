/**
 * One publish engine behind both front ends: `packyard push` (the CLI bundle) and the bundled
 * Action (dist/index.js, run as the runner runs it), one after the other against the same
 * `packyard serve` process and the same checkout. Each sees what the other published, gates
 * "unchanged" the same way, and reports the packs in the same (discovery) order.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pack, result, runAction, workspace } from '../helpers/action.ts';
import { runCli, tempDir } from '../helpers/packs.ts';
import { type Served, serve } from '../helpers/serve.ts';

const ADMIN = { username: 'admin', password: 'engine-admin-password-1' };

let served: Served;
let host: string;

beforeAll(async () => {
  served = await serve(['--data', tempDir('engine-serve-')], {
    PACKYARD_USERNAME: ADMIN.username,
    PACKYARD_PASSWORD: ADMIN.password,
  });
  host = new URL(served.url).host;
});
afterAll(async () => {
  await served?.stop();
});

interface Row {
  name: string;
  version: string;
  status: string;
  digest: string;
  path: string;
  uploaded: number;
  message?: string;
}

async function push(ws: string) {
  const r = await runCli(['push', 'packs', '--registry', host, '--format', 'json'], {
    cwd: ws,
    env: {
      PACKYARD_CONFIG_DIR: tempDir('engine-config-'),
      PACKYARD_USERNAME: ADMIN.username,
      PACKYARD_PASSWORD: ADMIN.password,
      PACKYARD_RETRIES: '1',
      PACKYARD_REGISTRY: '',
      SOURCE_DATE_EPOCH: '',
    },
  });
  return { ...r, rows: JSON.parse(r.stdout || '[]') as Row[] };
}

const action = (ws: string, inputs: Record<string, string> = {}) =>
  runAction(ws, {
    path: 'packs',
    registry: host,
    username: ADMIN.username,
    password: ADMIN.password,
    ...inputs,
  });

describe('the publish engine behind packyard push and the Action', () => {
  // Discovery order is folder order: a-alpha, b-broken, c-warned.
  const ws = workspace({
    'a-alpha': pack('alpha'),
    'b-broken': pack('broken', { 'pack.json': JSON.stringify({ layer: 'no-such-layer' }) }),
    'c-warned': pack('warned', { 'README.md': undefined }), // readme/missing: a warning
  });

  it('push publishes; the Action then finds both packs unchanged, in the same order', async () => {
    const first = await push(ws);
    expect(first.code, first.stderr).toBe(1); // the broken pack
    expect(first.rows.map((r) => [r.path, r.name, r.status])).toEqual([
      ['packs/a-alpha', 'alpha', 'published'],
      ['packs/b-broken', 'broken', 'invalid'],
      ['packs/c-warned', 'warned', 'published'],
    ]);
    expect(first.stderr).toContain('1 pack with lint errors will not be pushed');

    const run = await action(ws);
    expect(run.code).toBe(1);
    const entries = result(run);
    expect(entries.map((e) => [e.path, e.status])).toEqual([
      ['packs/a-alpha', 'skipped'],
      ['packs/b-broken', 'invalid'],
      ['packs/c-warned', 'skipped'],
    ]);
    // The digests the CLI published are the ones the registry recorded and the Action reports.
    expect(entries[0]?.digest).toBe(first.rows[0]?.digest);
    expect(entries[2]?.digest).toBe(first.rows[2]?.digest);
    expect(entries[0]?.message).toMatch(/^unchanged since published .* by admin/);
    expect(run.stdout).toContain('2 packs of 3 unchanged since published: not linted or packaged again');
    expect(run.stdout).toContain('Linting 1 pack under packs');
    expect(run.outputs).toMatchObject({ published: '0', skipped: '2', invalid: '1', failed: '0' });
  });

  it('gates unchanged on the recorded lint: fail-on warning lints the warned pack again', async () => {
    const strict = await action(ws, { 'fail-on': 'warning' });
    expect(
      result(strict).map((e) => [e.path, e.status, e.message?.replace(/^unchanged.*/, 'unchanged')]),
    ).toEqual([
      ['packs/a-alpha', 'skipped', 'unchanged'],
      ['packs/b-broken', 'invalid', expect.stringMatching(/lint errors?$/)],
      ['packs/c-warned', 'invalid', '1 lint warning (fail-on: warning)'],
    ]);
    expect(strict.stdout).toContain('Linting 2 packs under packs');
    // The CLI refuses lint errors only, so a recorded warning still stands in for its lint.
    const again = await push(ws);
    expect(again.rows.map((r) => [r.path, r.status, r.uploaded])).toEqual([
      ['packs/a-alpha', 'skipped', 0],
      ['packs/b-broken', 'invalid', 0],
      ['packs/c-warned', 'skipped', 0],
    ]);
    expect(again.rows[0]?.message).toContain('(same content digest): not linted or packaged again');
  });

  it('both refuse a changed pack whose version was not bumped, naming the published digest', async () => {
    writeFileSync(path.join(ws, 'packs', 'a-alpha', 'README.md'), '# Alpha, changed\n');
    const cli = await push(ws);
    const row = cli.rows[0] as Row;
    expect(row.status).toBe('failed');
    expect(row.message).toMatch(/already holds sha256:[0-9a-f]{64}, but this build is/);
    const run = await action(ws);
    const entry = result(run)[0];
    expect(entry?.status).toBe('failed');
    expect(entry?.message).toBe(row.message);
    expect(entry?.digest).toBe(row.digest);
    expect(run.stdout).toContain('✖ failed alpha@1.0.0 → spectro-packs/archive/alpha:1.0.0');
  });
});
