/**
 * How the gate reads the small files a plugin controls besides its sources
 * (manifests, ignore files, a binding.gyp, a WASM module) and the cache
 * record: only a regular file is read. It is opened with O_NONBLOCK, so a
 * FIFO planted under such a name cannot make the open wait for a writer — in
 * the thread pool, which Node joins at exit (measured: the process then hung
 * past SIGTERM) — and refused when fstat says it is not a regular file (a
 * device would never end). The reads are synchronous underneath: small
 * files, and no thread-pool round trips (on Node 20, `fs/promises.readFile`
 * reads in chunks through several of them). The sources themselves are read
 * the same way in analyze.ts, and so are the host's reads at load: the hash
 * of every file the gate read, and a WASM module's bytes where it runs (a
 * file swapped for a FIFO after the gate read it held the host's thread, or
 * its thread pool, for good).
 */
import { closeSync, constants, fstatSync, openSync, readFileSync, stat as statCallback } from 'node:fs';
import { promisify } from 'node:util';

export const stat = promisify(statCallback);

export function readFile(path: string): Promise<Buffer>;
export function readFile(path: string, encoding: 'utf8'): Promise<string>;
export async function readFile(path: string, encoding?: 'utf8'): Promise<Buffer | string> {
  const bytes = readRegularFileSync(path);
  return encoding ? bytes.toString(encoding) : bytes;
}

/**
 * The bytes of a regular file, read on this thread; anything else (a FIFO, a device, a folder) throws `EFTYPE` at once.
 * `followLinks: false` for a file whose name others may plant a link under (a cache record): a link throws `ELOOP`.
 */
export function readRegularFileSync(path: string, options: { followLinks?: boolean } = {}): Buffer {
  const fd = openRegularFile(path, options);
  try {
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** `: not a regular file` when that is why a read failed (for a one-line error naming the file), else nothing. */
export function notRegular(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'EFTYPE' ? ': not a regular file' : '';
}

/** A descriptor of `path` if it is a regular file, opened without waiting (the caller closes it); otherwise `EFTYPE`. */
export function openRegularFile(path: string, { followLinks = true }: { followLinks?: boolean } = {}): number {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | (followLinks ? 0 : constants.O_NOFOLLOW));
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    throw Object.assign(new Error(`${path} is not a regular file`), { code: 'EFTYPE' });
  }
  return fd;
}
