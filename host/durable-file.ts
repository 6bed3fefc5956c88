/**
 * Replacing a file so that a crash, a kill or a full disk leaves either the
 * old bytes or the new ones, and the new ones are on disk when the promise
 * resolves: write a temporary file beside it (created exclusively, so no link
 * planted at that name is followed), all of it, fsync it, rename it over the
 * file, fsync the folder (the rename is an entry in the folder).
 *
 * Hand-written rather than write-file-atomic: that package issues a single
 * write(2) and ignores the count it returns (still so in 8.0.0), so on a
 * filling disk a short write is fsynced and renamed over the good file
 * (measured here on a 2 MiB tmpfs: storage.json cut at 12,288 bytes).
 * `FileHandle.writeFile` writes until every byte is written or throws.
 */
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { folderOwner } from './safe-files.js';

let writes = 0;

/** The name of an unfinished replacement of `file`; what `isUnfinishedWrite` recognises. */
function temporaryName(file: string): string {
  writes += 1;
  return join(dirname(file), `${basename(file)}.tmp-${process.pid}-${writes}`);
}

/** Whether `name` (in the same folder) is a temporary file a replacement of `file` left behind when killed. */
export function isUnfinishedWrite(file: string, name: string): boolean {
  const prefix = `${basename(file)}.`;
  // `<file>.tmp-<pid>-<n>` from here; `<file>.<n>` from write-file-atomic, which earlier versions used.
  return name.startsWith(prefix) && /^(tmp-\d+-\d+|\d+)$/.test(name.slice(prefix.length));
}

export async function replaceFileDurably(file: string, text: string): Promise<void> {
  const temporary = temporaryName(file);
  const handle = await open(temporary, 'wx', 0o600);
  try {
    // Root replacing a file in a user's folder (`sudo warden disable`) leaves it the user's, or their host cannot read it.
    const owner = folderOwner(file);
    if (owner) await handle.chown(owner.uid, owner.gid);
    await handle.writeFile(text);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await syncFolder(dirname(file));
}

async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
