import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitComment, MAX_COMMENT_CHARS, pullRequestOf } from '../../action/pr-comment.ts';
import { tagVersions } from '../../client/palette.ts';
import { tempDir } from '../helpers/packs.ts';

describe('tagVersions', () => {
  it("reads Palette's tags: objects with tag and version, tolerating plain strings", () => {
    expect(
      tagVersions([
        { tag: '1.0.0', version: '1.0.0', packUid: 'x' },
        { tag: '1.1.x', version: '1.1.2' },
        '2.0.0',
      ]),
    ).toEqual(['1.0.0', '1.1.x', '1.1.2', '2.0.0']);
    expect(tagVersions(undefined)).toEqual([]);
    expect(tagVersions({ tag: '1.0.0' })).toEqual([]);
  });
});

describe('pull-request comment helpers', () => {
  it('finds the pull request number in the event file of pull_request runs only', () => {
    const event = path.join(tempDir('event-'), 'event.json');
    writeFileSync(event, JSON.stringify({ pull_request: { number: 42 } }));
    const env = {
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: event,
      GITHUB_REPOSITORY: 'acme/packs',
    };
    expect(pullRequestOf(env)).toEqual({ owner: 'acme', repo: 'packs', number: 42 });
    expect(pullRequestOf({ ...env, GITHUB_EVENT_NAME: 'push' })).toBeUndefined();
    expect(pullRequestOf({ ...env, GITHUB_EVENT_PATH: '/no/such/file' })).toBeUndefined();
  });

  it("keeps a comment under GitHub's size limit and says the summary has the rest", () => {
    expect(fitComment('short')).toBe('short');
    const cut = fitComment('x'.repeat(100_000));
    expect(cut.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
    expect(cut).toContain('the job summary has all of it');
  });
});
