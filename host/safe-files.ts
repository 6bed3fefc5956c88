/**
 * Reading a file in a folder someone else can write: a plugin's data folder,
 * where the plugin may have put a symlink, a FIFO or a huge file under the
 * name the host is about to read. Nothing here follows a link at the last
 * component or opens anything but a regular file. (Replacing such a file is
 * durable-file.ts's job: its temporary file must be new, so a link planted
 * under that name is never written through. write-file-atomic does not fit:
 * it resolves the target through `realpath`, so a symlinked store makes the
 * host replace the link's target, and opens its temporary without O_EXCL.)
 */
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';

const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = constants;

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
