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
 * the same way in analyze.ts.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync, stat as statCallback } from 'node:fs';
import { promisify } from 'node:util';

export const stat = promisify(statCallback);

export function readFile(path: string): Promise<Buffer>;
export function readFile(path: string, encoding: 'utf8'): Promise<string>;
export async function readFile(path: string, encoding?: 'utf8'): Promise<Buffer | string> {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw Object.assign(new Error(`${path} is not a regular file`), { code: 'EFTYPE' });
    return encoding ? readFileSync(fd, encoding) : readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}
