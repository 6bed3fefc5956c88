/**
 * Making a folder and the missing ones above it. Node's `mkdir(…, { recursive:
 * true })` never returns for some paths it cannot create (`/proc/nope` loops
 * at 100 % CPU, measured on Node 20: each mkdir says ENOENT for a parent that
 * exists), so the missing folders are made one at a time from the nearest one
 * that exists, and a failure is an error with the path and its code. Used for
 * every folder Warden makes on a user's word: cache, data and plugin folders.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Makes `dir` (and what is missing above it) with `mode`; throws the errno error of the first mkdir that fails. */
export function makeFolders(dir: string, mode?: number): void {
  const missing: string[] = [];
  let existing = resolve(dir);
  while (!isPresent(existing)) {
    missing.unshift(existing);
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder, mode === undefined ? undefined : { mode });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error; // another process made it meanwhile
    }
  }
  if (!statSync(dir).isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a folder, mkdir '${dir}'`), { code: 'ENOTDIR', path: dir });
}

function isPresent(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
