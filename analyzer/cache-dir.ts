/**
 * Makes sure the cache folder exists and can be written, before any work.
 * Node's `mkdir(…, { recursive: true })` never returns for some paths it
 * cannot create (`/proc/nope` loops forever, measured on Node 20), so the
 * missing folders are made one at a time from the nearest one that exists.
 */
import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** Resolves when `dir` is a writable folder (created if need be); rejects with the reason otherwise. */
export async function prepareCacheDir(dir: string): Promise<void> {
  const missing: string[] = [];
  let existing = resolve(dir);
  while (!(await isPresent(existing))) {
    missing.unshift(existing);
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  for (const folder of missing) await mkdir(folder);
  const info = await stat(dir);
  if (!info.isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
  await access(dir, constants.W_OK);
}

async function isPresent(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw error;
    },
  );
}
