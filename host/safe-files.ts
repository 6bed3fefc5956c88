/**
 * Reading and replacing a file in a folder someone else can write: a plugin's
 * data folder, where the plugin may have put a symlink, a FIFO or a huge file
 * under the name the host is about to use. Nothing here follows a link at the
 * last component or opens anything but a regular file, and the temporary file
 * of a replacement has an unguessable name and must be new.
 *
 * write-file-atomic does not fit there: it resolves the target through
 * `realpath` (so a symlinked store makes the host replace the link's target,
 * with that file's owner and mode copied over), and names its temporary file
 * from the pid and a counter, opened without O_EXCL, so a link planted under
 * that name is written through.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { type FileHandle, open, rename, unlink } from 'node:fs/promises';

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK } = constants;

/**
 * The file's text, or undefined when there is none. Throws with a one-line reason when the name holds a symlink, a
 * directory, a FIFO, a device or a socket, or more than `maxBytes`.
 */
export async function readRegularFile(path: string, maxBytes: number): Promise<string | undefined> {
  let handle: FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer that never comes.
    handle = await open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new Error(`${path} is a symbolic link; the host reads only a regular file there`);
    throw error;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new Error(`${path} is not a regular file; the host reads only a regular file there`);
    if (stat.size > maxBytes) throw new Error(`${path} holds ${stat.size} bytes, more than the ${maxBytes} allowed`);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `path` with `text`: written to a new file with a random name beside it (O_EXCL|O_NOFOLLOW, 0600),
 * flushed to disk, then renamed over `path` — which replaces whatever is at that name, a link included, never
 * what a link points to.
 */
export async function replaceFile(path: string, text: string): Promise<void> {
  const temporary = `${path}.${randomBytes(8).toString('hex')}.tmp`;
  const handle = await open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
  try {
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}
