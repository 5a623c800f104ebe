import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * `packyard serve` owns its data folder: dynalite holds LevelDB's lock, and a second process
 * opening it fails half-way ("Database is closed"). Serve writes `serve.pid` (pid and URL); the
 * commands that open a folder directly check it first and say who holds it.
 */
export const PID_FILE = 'serve.pid';

export interface ServeLock {
  pid: number;
  url: string;
  startedAt: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live `packyard serve` using `dataDir`, if any (a stale pid file is ignored). */
export function serveLock(dataDir: string): ServeLock | undefined {
  try {
    const lock = JSON.parse(readFileSync(path.join(dataDir, PID_FILE), 'utf8')) as ServeLock;
    return Number.isSafeInteger(lock.pid) && lock.pid !== process.pid && alive(lock.pid) ? lock : undefined;
  } catch {
    return undefined;
  }
}

export function folderInUseMessage(dataDir: string, lock: ServeLock | undefined, use = '--registry'): string {
  const who = lock
    ? `"packyard serve" (pid ${lock.pid}, ${lock.url})`
    : 'another process (its LevelDB lock is held)';
  const hint = lock ? ` ${use} ${lock.url}` : ` ${use} URL`;
  return `${dataDir} is in use by ${who}; go through the running registry with${hint}, or stop it first`;
}

/** Throws the message above when a live serve holds the folder. */
export function assertFolderFree(dataDir: string, use = '--registry'): void {
  const lock = serveLock(dataDir);
  if (lock) throw new Error(folderInUseMessage(dataDir, lock, use));
}

export function writeServeLock(dataDir: string, url: string): () => void {
  const file = path.join(dataDir, PID_FILE);
  writeFileSync(file, `${JSON.stringify({ pid: process.pid, url, startedAt: new Date().toISOString() })}\n`);
  return () => rmSync(file, { force: true });
}
