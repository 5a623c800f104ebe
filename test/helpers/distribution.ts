import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from './packs.ts';
import { freePort } from './publish.ts';

/** Whether Debian's `docker-registry` (the CNCF distribution registry) is installed. */
export const hasDistribution = spawnSync('docker-registry', ['--version']).status === 0;

export interface Distribution {
  /** `127.0.0.1:port` */
  ref: string;
  stop(): void;
}

/** Starts `docker-registry serve` (filesystem storage, deletes enabled, no auth) on a free port. */
export async function startDistribution(): Promise<Distribution> {
  const dir = tempDir('distribution-');
  const port = await freePort();
  const config = path.join(dir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: error',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${path.join(dir, 'data')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '',
    ].join('\n'),
  );
  const proc: ChildProcess = spawn('docker-registry', ['serve', config], { stdio: 'ignore' });
  const ref = `127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`http://${ref}/v2/`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { ref, stop: () => proc.kill() };
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill();
  throw new Error('docker-registry did not start');
}
