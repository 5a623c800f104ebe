import { describe, expect, it } from 'vitest';
import { diffFiles, packFileDigests } from '../../core/pack-files.ts';
import { readPackTree } from '../../core/pack-tree.ts';
import { classifyPack, nextPatch, planFinding } from '../../core/publish-plan.ts';
import { boundedUnifiedDiff } from '../../core/values-diff.ts';
import { goodPack, tempDir, writeFiles } from '../helpers/packs.ts';

describe('classifyPack', () => {
  it('calls a pack with no published version new', () => {
    expect(classifyPack('1.0.0', { versions: [] })).toMatchObject({ kind: 'new-pack' });
  });
  it('calls an unpublished version above the newest a new version', () => {
    const v = classifyPack('1.10.0', { versions: ['1.2.0', '1.9.0'] });
    expect(v).toMatchObject({ kind: 'new-version', newest: '1.9.0' });
    expect(v.reason).toBe('new version: 1.9.0 → 1.10.0');
  });
  it('calls a published version with the same content unchanged', () => {
    expect(classifyPack('1.0.0', { versions: ['1.0.0'], thisVersion: 'same' })).toMatchObject({
      kind: 'unchanged',
    });
  });
  it('catches content changed without a bump and suggests the patch after the newest', () => {
    const v = classifyPack('1.0.0', { versions: ['1.0.0', '1.1.0', '1.0.1'], thisVersion: 'different' });
    expect(v).toMatchObject({ kind: 'changed-without-bump', newest: '1.1.0', suggestedVersion: '1.1.1' });
    expect(v.reason).toContain('bump "version" in pack.json to 1.1.1');
  });
  it('catches a version lower than the newest published (semver order, not text order)', () => {
    const v = classifyPack('1.9.0', { versions: ['1.10.0'] });
    expect(v).toMatchObject({ kind: 'version-lower', newest: '1.10.0', suggestedVersion: '1.10.1' });
    expect(v.reason).toBe(
      'version 1.9.0 is lower than the newest published 1.10.0; bump "version" in pack.json to 1.10.1',
    );
  });
  it('says unknown when a published version has no recorded digest to compare', () => {
    expect(classifyPack('1.0.0', { versions: ['1.0.0'], thisVersion: 'unknown' }).kind).toBe('unknown');
  });
});

describe('nextPatch', () => {
  it('bumps the patch, releases a prerelease, tolerates a leading v', () => {
    expect(nextPatch('1.2.3')).toBe('1.2.4');
    expect(nextPatch('1.2.3-rc.1')).toBe('1.2.3');
    expect(nextPatch('v2.0.0')).toBe('2.0.1');
    expect(nextPatch('latest')).toBeUndefined();
  });
});

describe('planFinding', () => {
  const text =
    '{\n  "name": "alpha",\n  "displayName": "Alpha",\n    "version": "1.0.0",\n  "layer": "addon"\n}\n';
  it('annotates the "version" value of pack.json', () => {
    const f = planFinding(classifyPack('1.0.0', { versions: ['1.0.0'], thisVersion: 'different' }), text);
    expect(f).toEqual({
      rule: 'plan/version-not-bumped',
      severity: 'error',
      file: 'pack.json',
      line: 4,
      column: 16,
      message: expect.stringContaining('to 1.0.1'),
    });
  });
  it('falls back to line 1 when pack.json does not parse, and gives nothing for good verdicts', () => {
    const lower = classifyPack('0.1.0', { versions: ['1.0.0'] });
    expect(planFinding(lower, '{ nope')).toMatchObject({ rule: 'plan/version-lower', line: 1 });
    expect(planFinding(classifyPack('2.0.0', { versions: ['1.0.0'] }), text)).toBeUndefined();
  });
});

describe('file-level diff', () => {
  it('digests every file and lists what was added, removed and changed', () => {
    const dir = tempDir('plan-diff-');
    writeFiles(dir, goodPack({ 'manifests/extra.yaml': 'a: 1\n' }));
    const local = packFileDigests(readPackTree(dir));
    expect(local['pack.json']).toMatch(/^sha256:[0-9a-f]{64}$/);
    const published: Record<string, string | null> = {
      ...local,
      'old.txt': 'sha256:00',
      'values.yaml': 'sha256:11',
    };
    delete published['manifests/extra.yaml'];
    expect(diffFiles(local, published)).toEqual({
      added: ['manifests/extra.yaml'],
      removed: ['old.txt'],
      changed: ['values.yaml'],
    });
  });
});

describe('boundedUnifiedDiff', () => {
  it('is empty for equal texts and a unified diff otherwise', () => {
    expect(boundedUnifiedDiff('values.yaml', 'a: 1\n', 'a: 1\n').text).toBe('');
    const d = boundedUnifiedDiff('values.yaml', 'pack:\n  namespace: a\n', 'pack:\n  namespace: b\n');
    expect(d.text.split('\n')).toEqual([
      '--- a/values.yaml',
      '+++ b/values.yaml',
      '@@ -1,2 +1,2 @@',
      ' pack:',
      '-  namespace: a',
      '+  namespace: b',
    ]);
    expect(d).toMatchObject({ truncated: false, additions: 1, deletions: 1 });
  });
  it('cuts a long diff at the line and byte bounds and says how much is left out', () => {
    const before = Array.from({ length: 500 }, (_, i) => `k${i}: ${i}`).join('\n');
    const after = Array.from({ length: 500 }, (_, i) => `k${i}: ${i + 1}`).join('\n');
    const byLines = boundedUnifiedDiff('values.yaml', before, after, { lines: 20, bytes: 1e6 });
    expect(byLines.truncated).toBe(true);
    expect(byLines.text.split('\n')).toHaveLength(21);
    expect(byLines.text).toMatch(/… \d+ more diff lines not shown$/);
    expect(byLines).toMatchObject({ additions: 500, deletions: 500 });
    const byBytes = boundedUnifiedDiff('values.yaml', before, after, { lines: 1e6, bytes: 300 });
    expect(Buffer.byteLength(byBytes.text)).toBeLessThan(400);
    expect(byBytes.truncated).toBe(true);
  });
});
