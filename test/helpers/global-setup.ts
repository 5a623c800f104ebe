import { execFileSync } from 'node:child_process';

/** CLI tests run the real bundle (build/cli.js), so build it once before any test. */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
