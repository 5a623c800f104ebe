import { describe, expect, it } from 'vitest';
import { createLimit } from '../../client/publish.ts';
import { type PublishedVersion, unchangedPacks } from '../../client/unchanged.ts';
import type { ReadPack } from '../../core/pack-identity.ts';

const tree = { entries: [], problems: [], read: () => new Uint8Array() };
const pack = (dir: string, name?: string, version?: string, contentDigest?: string): ReadPack => ({
  dir,
  tree,
  name,
  version,
  contentDigest: () => contentDigest,
});
const published = (name: string, version: string, contentDigest: string | null): PublishedVersion => ({
  name,
  version,
  digest: `sha256:manifest-of-${name}`,
  contentDigest,
  lint: { errors: 0, warnings: 0 },
  pushedAt: '2026-11-22T00:00:00.000Z',
  pushedBy: 'ci',
  provenance: null,
});

describe('unchangedPacks', () => {
  it('matches name, version and content digest, and nothing else', () => {
    const packs = [
      pack('a', 'a', '1.0.0', 'sha256:A'),
      pack('b', 'b', '1.0.0', 'sha256:B'), // changed since published
      pack('c', 'c', '2.0.0', 'sha256:C'), // another version is published
      pack('d', 'd', '1.0.0', 'sha256:D'), // published before digests were recorded
      pack('e', undefined, undefined, 'sha256:E'), // pack.json unreadable
      pack('f', 'f', '1.0.0', undefined), // no digest (file over the limit)
    ];
    const registry = new Map(
      [
        published('a', '1.0.0', 'sha256:A'),
        published('b', '1.0.0', 'sha256:B-old'),
        published('c', '1.0.0', 'sha256:C'),
        published('d', '1.0.0', null),
        published('f', '1.0.0', 'sha256:F'),
      ].map((v) => [`${v.name}@${v.version}`, v]),
    );
    expect([...unchangedPacks(packs, registry).keys()]).toEqual(['a']);
  });

  it('hashes a pack only when the registry holds its name and version with a content digest', () => {
    let hashed = 0;
    const spy = {
      ...pack('s', 's', '1.0.0'),
      contentDigest: () => {
        hashed++;
        return 'sha256:S';
      },
    };
    expect(unchangedPacks([spy], new Map()).size).toBe(0);
    expect(unchangedPacks([spy], new Map([['s@1.0.0', published('s', '1.0.0', null)]])).size).toBe(0);
    expect(hashed).toBe(0);
    expect(unchangedPacks([spy], new Map([['s@1.0.0', published('s', '1.0.0', 'sha256:S')]])).size).toBe(1);
    expect(hashed).toBe(1);
  });

  it('leaves out every folder of a duplicated name@version (linting must flag it)', () => {
    const packs = [pack('x1', 'x', '1.0.0', 'sha256:X'), pack('x2', 'x', '1.0.0', 'sha256:Y')];
    const registry = new Map([['x@1.0.0', published('x', '1.0.0', 'sha256:X')]]);
    expect(unchangedPacks(packs, registry).size).toBe(0);
  });

  it('stands in for linting only when the recorded lint passes the gate', () => {
    const packs = [pack('w', 'w', '1.0.0', 'sha256:W'), pack('e', 'e', '1.0.0', 'sha256:E')];
    const withWarnings = { ...published('w', '1.0.0', 'sha256:W'), lint: { errors: 0, warnings: 2 } };
    const withErrors = { ...published('e', '1.0.0', 'sha256:E'), lint: { errors: 1, warnings: 0 } };
    const registry = new Map([
      ['w@1.0.0', withWarnings],
      ['e@1.0.0', withErrors],
    ]);
    expect([...unchangedPacks(packs, registry).keys()]).toEqual(['w']);
    expect(unchangedPacks(packs, registry, (lint) => lint.errors + lint.warnings === 0).size).toBe(0);
  });
});

describe('createLimit', () => {
  it('never runs more than the limit at once, and runs everything in order', async () => {
    const limit = createLimit(3);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limit(async () => {
          started.push(i);
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 1 + (i % 4)));
          running--;
          return i * 2;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(started).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
  });

  it('frees the slot when a task fails', async () => {
    const limit = createLimit(1);
    await expect(limit(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limit(async () => 'next')).toBe('next');
  });
});
