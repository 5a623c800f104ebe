/**
 * The publish engine against a fake registry port: which packs it looks up, lints, packages and
 * publishes, the events it emits and the order of its outcomes. Real packs on disk, real lint
 * and packaging; only the registry is a stand-in (the integration tests use `packyard serve`).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PublishResult } from '../../client/publish.ts';
import type { PublishedVersion } from '../../client/unchanged.ts';
import type { BuiltPack } from '../../core/build-pack.ts';
import { readPack } from '../../core/pack-identity.ts';
import { type EngineEvent, type RegistryPort, runEngine } from '../../publish/engine.ts';
import { makePack, tempDir } from '../helpers/packs.ts';
import { namedPack } from '../helpers/publish.ts';

/** A registry holding `held` (name@version → recorded version); publishes succeed unless told. */
function fakeRegistry(
  held: Map<string, PublishedVersion> | undefined = new Map(),
  answer: (pack: BuiltPack) => Partial<PublishResult> = () => ({}),
) {
  const looked: string[][] = [];
  const published: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const port: RegistryPort = {
    basePath: 'team',
    async lookup(ids) {
      looked.push(ids.map((i) => `${i.name}@${i.version}`));
      return held;
    },
    async publish(pack, opts) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      opts.onProgress({ phase: 'checking', sent: 0, total: pack.archive.length });
      await new Promise((r) => setTimeout(r, 5));
      opts.onProgress({ phase: 'uploading', sent: pack.archive.length, total: pack.archive.length });
      inFlight--;
      published.push(`${pack.name}@${pack.version}`);
      return {
        name: pack.name,
        version: pack.version,
        repository: `team/spectro-packs/archive/${pack.name}`,
        digest: pack.manifestDigest,
        status: 'published',
        uploaded: pack.archive.length,
        ...answer(pack),
      };
    },
  };
  return { port, looked, published, maxInFlight: () => maxInFlight };
}

function recorded(dir: string, lint = { errors: 0, warnings: 0 }): PublishedVersion {
  const p = readPack(dir);
  return {
    name: p.name as string,
    version: p.version as string,
    digest: 'sha256:recorded',
    contentDigest: p.contentDigest() ?? null,
    lint,
    pushedAt: '2026-11-30T00:00:00.000Z',
    pushedBy: 'ci',
    provenance: null,
  };
}

/** Packs in folders a…: discovery order is folder order. */
function workspace(packs: Record<string, Record<string, string | Buffer>>): string {
  const root = tempDir('packyard-engine-');
  for (const [dir, files] of Object.entries(packs)) makePack(files, root, dir);
  return root;
}

const broken = namedPack('broken', '1.0.0', {
  'pack.json': JSON.stringify({ name: 'broken', version: '1.0.0' }),
});
const warned = (name: string) => namedPack(name, '1.0.0', { 'README.md': undefined }); // readme/missing

describe('the publish engine', () => {
  it('publishes every clean pack, refuses the broken one, and answers in discovery order', async () => {
    const root = workspace({ a: namedPack('alpha'), b: broken, c: namedPack('gamma', '2.0.0') });
    const reg = fakeRegistry(undefined); // no Packyard API: nothing can be known unchanged
    const events: EngineEvent[] = [];
    const { outcomes, lint } = await runEngine({
      roots: [root],
      registry: reg.port,
      failOn: 'error',
      concurrency: 1,
      onEvent: (e) => events.push(e),
    });
    expect(outcomes.map((o) => [path.basename(o.dir), o.status, o.reason])).toEqual([
      ['a', 'published', 'published'],
      ['b', 'invalid', 'refused'],
      ['c', 'published', 'published'],
    ]);
    expect(outcomes[1]?.message).toMatch(/^\d+ lint errors?$/);
    expect(outcomes[0]).toMatchObject({
      repository: 'team/spectro-packs/archive/alpha',
      uploaded: expect.any(Number),
    });
    expect(reg.published.sort()).toEqual(['alpha@1.0.0', 'gamma@2.0.0']);
    expect(lint.packs).toHaveLength(3);
    expect(reg.maxInFlight()).toBe(1);

    // found first; looked-up before linted; per pack: publishing, progress…, then one terminal event.
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('found');
    expect(types.indexOf('looked-up')).toBeLessThan(types.indexOf('linted'));
    const terminal = events.filter((e) => ['published', 'skipped', 'invalid', 'failed'].includes(e.type));
    expect(terminal).toHaveLength(3);
    for (const name of ['alpha', 'gamma']) {
      const mine = events.filter(
        (e) => ('pack' in e && e.pack.name === name) || ('outcome' in e && e.outcome.name === name),
      );
      expect(mine.map((e) => e.type)).toEqual(['publishing', 'progress', 'progress', 'published']);
    }
    const linted = events.find((e) => e.type === 'linted');
    expect(linted?.type === 'linted' && linted.refused.map((p) => p.name)).toEqual(['broken']);
  });

  it('skips unchanged packs before linting, where the recorded lint passes fail-on', async () => {
    const root = workspace({ a: namedPack('alpha'), w: warned('warned') });
    const held = new Map([
      ['alpha@1.0.0', recorded(path.join(root, 'a'))],
      ['warned@1.0.0', recorded(path.join(root, 'w'), { errors: 0, warnings: 1 })],
    ]);
    const lenient = fakeRegistry(held);
    const first = await runEngine({ roots: [root], registry: lenient.port, failOn: 'error', concurrency: 2 });
    expect(lenient.looked).toEqual([['alpha@1.0.0', 'warned@1.0.0']]);
    expect(first.outcomes.map((o) => [o.status, o.reason, o.digest])).toEqual([
      ['skipped', 'unchanged', 'sha256:recorded'],
      ['skipped', 'unchanged', 'sha256:recorded'],
    ]);
    expect(first.lint.packs).toEqual([]);
    expect(lenient.published).toEqual([]);

    // fail-on: warning: the recorded warning cannot stand in; linted again, and refused.
    const strict = fakeRegistry(held);
    const second = await runEngine({
      roots: [root],
      registry: strict.port,
      failOn: 'warning',
      concurrency: 2,
    });
    expect(second.outcomes.map((o) => [o.status, o.reason])).toEqual([
      ['skipped', 'unchanged'],
      ['invalid', 'refused'],
    ]);
    expect(second.outcomes[1]?.message).toBe('1 lint warning (fail-on: warning)');
    expect(second.lint.packs.map((p) => p.name)).toEqual(['warned']);
  });

  it('never looks up or publishes packs whose name@version two folders claim', async () => {
    const root = workspace({
      a: namedPack('twin'),
      b: namedPack('twin', '1.0.0', { 'README.md': '# other\n' }),
    });
    const reg = fakeRegistry();
    const { outcomes } = await runEngine({
      roots: [root],
      registry: reg.port,
      failOn: 'error',
      concurrency: 4,
    });
    expect(reg.looked).toEqual([]);
    expect(reg.published).toEqual([]);
    expect(outcomes.map((o) => [o.status, o.reason])).toEqual([
      ['invalid', 'refused'],
      ['invalid', 'refused'],
    ]);
  });

  it('reports what the registry answered: present, conflicts, rejections', async () => {
    const root = workspace({ a: namedPack('alpha'), b: namedPack('beta') });
    const reg = fakeRegistry(new Map(), (pack) =>
      pack.name === 'alpha'
        ? { status: 'skipped', uploaded: 0, message: 'already published' }
        : { status: 'failed', uploaded: 0, message: 'already holds sha256:other' },
    );
    const { outcomes } = await runEngine({
      roots: [root],
      registry: reg.port,
      failOn: 'error',
      concurrency: 4,
    });
    expect(outcomes.map((o) => [o.status, o.reason, o.message])).toEqual([
      ['skipped', 'present', 'already published'],
      ['failed', 'registry', 'already holds sha256:other'],
    ]);
    expect(outcomes.every((o) => o.built?.manifestDigest === o.digest)).toBe(true);
  });

  it('without a registry packages only; packageInvalid packages packs with lint errors too', async () => {
    const root = workspace({ a: namedPack('alpha'), b: broken, c: { 'pack.json': '{}' } });
    const only = await runEngine({ roots: [root], failOn: 'error', concurrency: 1 });
    expect(only.outcomes.map((o) => [o.status, o.reason, Boolean(o.built)])).toEqual([
      ['skipped', 'packaged', true],
      ['invalid', 'refused', false],
      ['invalid', 'refused', false],
    ]);
    const forced = await runEngine({ roots: [root], failOn: 'error', packageInvalid: true, concurrency: 1 });
    expect(forced.outcomes.map((o) => [o.reason, o.built?.name])).toEqual([
      ['packaged', 'alpha'],
      ['packaged', 'broken'],
      ['refused', undefined],
    ]);
    expect(forced.outcomes[2]?.message).toBe('pack.json gives no name or version');
  });

  it('ends with the error when the registry is not ready, having published nothing', async () => {
    const root = workspace({ a: namedPack('alpha') });
    const reg = fakeRegistry();
    const ready = Promise.reject(new Error('registry.example.com refused the credentials'));
    ready.catch(() => {}); // as the CLI does: the engine awaits it after reading the packs
    await expect(
      runEngine({ roots: [root], registry: reg.port, ready, failOn: 'error', concurrency: 1 }),
    ).rejects.toThrow('refused the credentials');
    expect(reg.looked).toEqual([]);
    expect(reg.published).toEqual([]);
  });

  it('finds nothing in a folder without packs', async () => {
    const { packs, outcomes } = await runEngine({ roots: [tempDir()], failOn: 'error', concurrency: 1 });
    expect(packs).toEqual([]);
    expect(outcomes).toEqual([]);
  });
});
