/**
 * Private temporary folders (an extracted archive, an install's download)
 * that must not outlive the command, even one interrupted by Ctrl-C or a
 * SIGTERM: each is tracked from creation until removed, and a command that
 * makes them removes whatever is still tracked before it exits on a signal.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const live = new Set<string>();

export async function makeTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  live.add(dir);
  return dir;
}

export function makeTempDirSync(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  live.add(dir);
  return dir;
}

export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  live.delete(dir);
}

export function removeTempDirSync(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  live.delete(dir);
}

/** Removes every tracked folder, synchronously (a signal handler cannot wait). */
export function removeTempDirsSync(): void {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
  live.clear();
}

/** For a command that makes temporary folders: on SIGINT or SIGTERM, remove them and exit as the signal would. */
export function removeTempDirsOnSignal(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      removeTempDirsSync();
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    });
  }
}
