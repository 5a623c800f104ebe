import { describe, expect, it } from 'vitest';
import { newMark } from '../../lambdas/registry/gc/mark.ts';
import { planGc } from '../../lambdas/registry/gc/plan.ts';
import { evaluateRetention } from '../../lambdas/registry/gc/retention.ts';
import { parseRetention } from '../../lambdas/registry/gc/retention-settings.ts';

const S = new Date('2026-12-01T12:00:00Z');
const old = '2026-11-01T00:00:00.000Z';
const d = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;

describe('planGc', () => {
  it('keeps what tags, index children and referrers of kept manifests reach; condemns the rest past the grace', () => {
    const m = newMark(S);
    m.manifests.r = {
      [d(1)]: { createdAt: old, size: 1, blobs: [d(5)], children: [], large: false },
      [d(2)]: { createdAt: old, size: 1, blobs: [d(6)], children: [], large: false },
      [d(3)]: { createdAt: old, size: 1, blobs: [], children: [d(2)], large: false },
      [d(4)]: { createdAt: old, size: 1, blobs: [d(7)], children: [], subject: d(3), large: false },
      [d(8)]: { createdAt: old, size: 1, blobs: [d(9)], children: [], large: false },
    };
    m.tags.r = { v1: d(1), idx: d(3) };
    for (const b of [5, 6, 7, 9]) m.blobs[d(b)] = { size: 10 * b, createdAt: old };
    m.objects = { blobs: {}, packs: {} };
    const plan = planGc(m, { graceMs: 3600_000, fenceMs: 60_000 });
    expect(plan.deleteManifests.map((x) => x.digest)).toEqual([d(8)]);
    expect(plan.condemnBlobs.map((x) => x.digest)).toEqual([d(9)]);
  });

  it('deletes condemned blobs only past the fence, resumes deleting ones, revives referenced ones, spares fresh ones', () => {
    const m = newMark(S);
    m.manifests.r = { [d(1)]: { createdAt: old, size: 1, blobs: [d(2)], children: [], large: false } };
    m.tags.r = { v: d(1) };
    m.blobs[d(2)] = { size: 1, createdAt: old, gcState: 'condemned', gcAt: old };
    m.blobs[d(3)] = { size: 3, createdAt: old, gcState: 'condemned', gcAt: '2026-12-01T11:59:30.000Z' };
    m.blobs[d(4)] = { size: 4, createdAt: old, gcState: 'condemned', gcAt: '2026-12-01T11:00:00.000Z' };
    m.blobs[d(5)] = { size: 5, createdAt: old, gcState: 'deleting', gcAt: old };
    m.blobs[d(6)] = { size: 6, createdAt: '2026-12-01T11:59:00.000Z' };
    m.links[d(4)] = { r: old, other: old };
    m.objects = { blobs: { [d(7)]: { size: 7, lastModified: old } }, packs: {} };
    const plan = planGc(m, { graceMs: 3600_000, fenceMs: 60_000 });
    expect(plan.reviveBlobs).toEqual([d(2)]);
    expect(plan.waiting).toBe(1);
    expect(plan.deleteBlobs.map((b) => [b.digest, b.resume, b.repositories])).toEqual([
      [d(4), false, ['r', 'other']],
      [d(5), true, []],
    ]);
    // The object without a record is condemned by creating its record (seenCreatedAt undefined).
    expect(plan.condemnBlobs).toEqual([{ digest: d(7), seenCreatedAt: undefined, size: 7 }]);
  });
});

describe('retention', () => {
  const mark = () => {
    const m = newMark(S);
    m.versions['a/spectro-packs/archive/x'] = ['1.0.0', '1.9.0', '1.10.0', '2.0.0'].map((v, i) => ({
      version: v,
      versionKey: ['00001.00000.00000', '00001.00009.00000', '00001.00010.00000', '00002.00000.00000'][
        i
      ] as string,
      pushedAt: `2026-0${i + 1}-01T00:00:00.000Z`,
      manifestDigest: d(i + 1),
      yanked: false,
    }));
    m.tags['a/spectro-packs/archive/x'] = { stable: d(1) };
    return m;
  };
  it('keeps the newest N in version order, newer-than dates and protected tags; longest prefix wins', () => {
    const out = evaluateRetention(
      mark(),
      [
        { prefix: '', keepLast: 3 },
        { prefix: 'a/', keepLast: 1, protectTags: ['stable'] },
      ],
      S,
    );
    expect(out.map((v) => v.version)).toEqual(['1.10.0', '1.9.0']);
    const dated = evaluateRetention(mark(), [{ prefix: 'a', keepNewerThan: '2026-03-01T00:00:00.000Z' }], S);
    expect(dated.map((v) => v.version)).toEqual(['1.9.0', '1.0.0']);
    expect(evaluateRetention(mark(), [{ prefix: 'b/', keepLast: 1 }], S)).toEqual([]);
    expect(evaluateRetention(mark(), [{ prefix: '', protectTags: ['stable'] }], S)).toEqual([]);
  });
  it('parses rules strictly', () => {
    expect(parseRetention('[{"prefix":"a/","keepLast":2,"keepNewerThan":"2026-01-01"}]', 'x')).toEqual([
      { prefix: 'a/', keepLast: 2, keepNewerThan: '2026-01-01T00:00:00.000Z' },
    ]);
    expect(() => parseRetention('{"prefix":""}', 'x')).toThrow(/array/);
    expect(() => parseRetention('[{"prefix":"","keeplast":2}]', 'x')).toThrow(/unknown key "keeplast"/);
    expect(() => parseRetention('[{"prefix":"","keepLast":0}]', 'x')).toThrow(/keepLast/);
    expect(() => parseRetention('[{"keepLast":1}]', 'x')).toThrow(/prefix/);
    expect(() => parseRetention('[{"prefix":"","keepNewerThan":"soon"}]', 'x')).toThrow(/ISO date/);
  });
});
