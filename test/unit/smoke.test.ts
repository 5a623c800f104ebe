import { describe, expect, it } from 'vitest';
import { lintPackDirs } from '../../core/lint-packs.ts';
import { goodPack, makePack } from '../helpers/packs.ts';

describe('good pack', () => {
  it('lints with zero findings', async () => {
    const dir = makePack(goodPack());
    const run = await lintPackDirs([dir]);
    expect(run.findings).toEqual([]);
    expect(run.packs[0]?.name).toBe('demo-app');
  });
});
