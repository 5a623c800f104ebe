import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** Whether skopeo is installed (CI installs it; tests that need it run when present or under CI). */
export const hasSkopeo = (() => {
  try {
    execFileSync('skopeo', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Runs skopeo with its caches and auth files in a private HOME; never throws. */
export async function runSkopeo(
  home: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileP(
      'skopeo',
      ['--insecure-policy', ...(process.env.SKOPEO_DEBUG ? ['--debug'] : []), ...args],
      {
        env: {
          ...process.env,
          HOME: home,
          XDG_RUNTIME_DIR: home,
          XDG_CONFIG_HOME: path.join(home, '.config'),
        },
        maxBuffer: 64 * 1024 * 1024,
        timeout: 60_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
