import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/packs.ts';

const DIST = path.join(ROOT, 'dist');

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

describe('checked-in Action bundle (dist/)', () => {
  it('is what scripts/build-action.mjs builds from the current sources; run `npm run build:action`', () => {
    const fresh = tempDir('dist-');
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-action.mjs'), fresh], { cwd: ROOT });
    expect(files(DIST)).toEqual(files(fresh));
    expect(files(DIST)).toEqual(['gzip-worker.js', 'index.js', 'licenses.txt', 'package.json']);
    const stale = files(fresh).filter(
      (f) => !readFileSync(path.join(DIST, f)).equals(readFileSync(path.join(fresh, f))),
    );
    expect(stale, 'dist/ is stale: run `npm run build:action` and commit dist/').toEqual([]);
  });
});
