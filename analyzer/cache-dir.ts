/**
 * Makes sure the cache folder exists and can be written, before any work
 * (folders.ts makes it without Node's recursive mkdir, which hangs on /proc).
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { makeFolders } from './folders.js';

/** Resolves when `dir` is a writable folder (created if need be); rejects with the reason otherwise. */
export async function prepareCacheDir(dir: string): Promise<void> {
  makeFolders(dir);
  await access(dir, constants.W_OK);
}
