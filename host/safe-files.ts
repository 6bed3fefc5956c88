/**
 * The host's own files in a folder someone else may write: its data folder
 * (audit log, head, lock record, switches) and each plugin's data folder
 * (storage), where a plugin, another user sharing the folder or a tool may
 * have put a symlink, a FIFO, a folder or a huge file under the name the host
 * is about to use. Every open here:
 *
 * - never follows a link at the last component (O_NOFOLLOW), so a link
 *   planted at `audit.log.head` is refused, never written through;
 * - uses only a regular file (fstat after open: a FIFO, a device, a socket or
 *   a folder is refused), and opens with O_NONBLOCK so a FIFO cannot make the
 *   open itself wait for a writer that never comes;
 * - reads at most a stated number of bytes;
 * - turns every failure into a `DataFileError`: one line naming the file and
 *   what is wrong, for the CLI to print as it is (exit 2).
 *
 * A file created as root in a folder that belongs to another user is given to
 * that user (as npm does when run with sudo), so `sudo warden disable` never
 * leaves the user a file their own host cannot open.
 *
 * (Replacing a file is durable-file.ts's job: its temporary file must be new,
 * so a link planted under that name is never written through. write-file-atomic
 * does not fit: it resolves the target through `realpath`, so a symlinked store
 * makes the host replace the link's target, and opens its temporary without
 * O_EXCL.)
 */
import { closeSync, constants, fchownSync, fstatSync, linkSync, lstatSync, openSync, readSync, renameSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { makeFolders } from '../analyzer/folders.js';

const { O_RDONLY, O_RDWR, O_WRONLY, O_APPEND, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK } = constants;
/** O_NONBLOCK: opening a FIFO would otherwise wait for the other end; it changes nothing for a regular file. */
const SAFE = O_NOFOLLOW | O_NONBLOCK;

/** A host file that cannot be used as it is: the message is one line, naming the file and why. */
export class DataFileError extends Error {
  override readonly name = 'DataFileError';
  constructor(
    message: string,
    /** The errno code behind it, when there is one (ENOSPC, EROFS, EACCES…). */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** Plain words for the errno codes a data folder meets; the code itself for any other. */
const PLAIN: Record<string, string> = {
  ELOOP: 'is a symbolic link (or a loop of them)',
  EISDIR: 'is a folder',
  ENOTDIR: 'is below something that is not a folder',
  EACCES: 'is not accessible to this user',
  EPERM: 'is not accessible to this user',
  ENOSPC: 'cannot be written: no space left on the device',
  EDQUOT: 'cannot be written: the disk quota is exhausted',
  EROFS: 'cannot be written: the file system is read-only',
  EIO: 'cannot be used: input/output error (a failing disk?)',
  ENAMETOOLONG: 'has a name too long for the file system',
  EMFILE: 'cannot be opened: this process has too many files open',
  ENFILE: 'cannot be opened: the system has too many files open',
};

/** The one-line error for `error`, an errno error met using `path` (a DataFileError passes through). */
export function fileProblem(path: string, error: unknown): DataFileError {
  if (error instanceof DataFileError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const plain = code === undefined ? undefined : PLAIN[code];
  if (plain === undefined) return new DataFileError(`${path}: ${code ?? (error instanceof Error ? error.message : String(error))}`, code);
  return new DataFileError(`${path} ${plain}${code === 'EACCES' || code === 'EPERM' ? ownerOf(path) : ''} (${code})`, code);
}

/** ", owned by uid N with mode 0600", when that can be seen. */
function ownerOf(path: string): string {
  try {
    const stat = lstatSync(path);
    return `: owned by uid ${stat.uid} with mode ${(stat.mode & 0o7777).toString(8).padStart(4, '0')}`;
  } catch {
    return '';
  }
}

function notRegular(path: string, stat: Stats, verb: 'reads' | 'writes'): DataFileError {
  const what = stat.isDirectory() ? 'a folder' : stat.isFIFO() ? 'a FIFO' : stat.isSocket() ? 'a socket' : stat.isCharacterDevice() || stat.isBlockDevice() ? 'a device' : 'not a regular file';
  // EFTYPE ("inappropriate file type", BSD's errno) so callers can tell this refusal from the others.
  return new DataFileError(`${path} is ${what === 'not a regular file' ? what : `${what}, not a regular file`}; the host ${verb} only a regular file there`, 'EFTYPE');
}

function symlinkRefused(path: string, verb: 'reads' | 'writes'): DataFileError {
  return new DataFileError(`${path} is a symbolic link; the host ${verb} only a regular file there`, 'ELOOP');
}

function tooBig(path: string, size: number, maxBytes: number): DataFileError {
  return new DataFileError(`${path} holds ${size} bytes, more than the ${maxBytes} allowed`, 'EFBIG');
}

function openFailure(path: string, error: unknown, verb: 'reads' | 'writes'): DataFileError {
  return (error as NodeJS.ErrnoException).code === 'ELOOP' ? symlinkRefused(path, verb) : fileProblem(path, error);
}

/** The file's bytes, or undefined when there is none. Throws a DataFileError for anything but a regular file of at most `maxBytes`. */
export function readRegularFileSync(path: string, maxBytes: number): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, O_RDONLY | SAFE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw openFailure(path, error, 'reads');
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw notRegular(path, stat, 'reads');
    if (stat.size > maxBytes) throw tooBig(path, stat.size, maxBytes);
    // The size may change while it is read (a writer appending): never past the bound, whatever it does.
    const buffer = Buffer.alloc(stat.size);
    let filled = 0;
    while (filled < buffer.length) {
      const read = readSync(fd, buffer, filled, buffer.length - filled, filled);
      if (read === 0) break;
      filled += read;
    }
    return buffer.subarray(0, filled);
  } catch (error) {
    throw fileProblem(path, error);
  } finally {
    closeSync(fd);
  }
}

/** As `readRegularFileSync`, asynchronously and as text: for files a plugin can write, read while the host serves others. */
export async function readRegularFile(path: string, maxBytes: number): Promise<string | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, O_RDONLY | SAFE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw openFailure(path, error, 'reads');
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw notRegular(path, stat, 'reads');
    if (stat.size > maxBytes) throw tooBig(path, stat.size, maxBytes);
    return await handle.readFile('utf8');
  } catch (error) {
    throw fileProblem(path, error);
  } finally {
    await handle.close();
  }
}

export interface OpenedFile {
  fd: number;
  /** Whether this open created the file. */
  created: boolean;
}

/**
 * Opens a regular file for reading and writing (`append`: every write goes to its end), creating it with `mode` when
 * `create` and it is missing; undefined when it is missing and not to be created. Never through a link.
 */
export function openRegularFileSync(path: string, options: { append?: boolean; create: boolean; mode?: number }): OpenedFile | undefined {
  const flags = O_RDWR | SAFE | (options.append ? O_APPEND : 0);
  let fd: number;
  let created = false;
  try {
    try {
      fd = openSync(path, flags);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !options.create) throw error;
      // Created exclusively, so this open knows it made the file (and whose it should be); a racing creator's file is opened as found.
      try {
        fd = openSync(path, flags | O_CREAT | O_EXCL, options.mode ?? 0o600);
        created = true;
      } catch (raced) {
        if ((raced as NodeJS.ErrnoException).code !== 'EEXIST') throw raced;
        fd = openSync(path, flags);
      }
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw openFailure(path, error, 'writes');
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw notRegular(path, stat, 'writes');
    if (created) giveToFolderOwner(fd, path);
    return { fd, created };
  } catch (error) {
    closeSync(fd);
    if (created) unlinkQuietly(path);
    throw fileProblem(path, error);
  }
}

/**
 * Writes `data` to a new file at `path` (never an existing one, never through a link), all of it, or leaves nothing:
 * a write that fails (a full disk) removes the file again. Throws EEXIST as a plain error, for callers that pick
 * another name; anything else as a DataFileError.
 */
export function writeNewFileSync(path: string, data: Buffer | string, mode = 0o600): void {
  let fd: number;
  try {
    fd = openSync(path, O_WRONLY | O_CREAT | O_EXCL | SAFE, mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw error;
    throw openFailure(path, error, 'writes');
  }
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written, bytes.length - written);
    giveToFolderOwner(fd, path);
  } catch (error) {
    closeSync(fd);
    unlinkQuietly(path);
    throw fileProblem(path, error);
  }
  closeSync(fd);
}

/**
 * Moves `file` aside to `<file>.<what>-<time>[-n]`, a name nobody has taken: an earlier move in the same millisecond,
 * or after the clock stepped back, keeps its own evidence. Linked to the new name first (fails if it exists), then
 * unlinked; a folder, which cannot be linked, is renamed onto a name just seen free. Returns the new name.
 */
export function moveAsideSync(file: string, what: string): string {
  const stem = `${file}.${what}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  for (let n = 1; ; n += 1) {
    const aside = n === 1 ? stem : `${stem}-${n}`;
    try {
      linkSync(file, aside);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      if (code !== 'EPERM' && code !== 'EISDIR') throw error;
      if (lstatSync(aside, { throwIfNoEntry: false })) continue;
      renameSync(file, aside);
      return aside;
    }
    unlinkSync(file);
    return aside;
  }
}

/** Makes a folder the host needs and those missing above it (never hanging on a /proc path); throws a DataFileError. */
export function makeDataFolder(dir: string, mode?: number): void {
  try {
    makeFolders(dir, mode);
  } catch (error) {
    // ENOENT from mkdir when the folder above exists: a place that cannot hold folders (/proc, /sys).
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new DataFileError(`${dir} cannot be made there (ENOENT)`, 'ENOENT');
    throw fileProblem(dir, error);
  }
}

/** Who should own what the host creates in `path`'s folder: its owner, when we are root and it is not. */
export function folderOwner(path: string): { uid: number; gid: number } | undefined {
  if (process.geteuid?.() !== 0) return undefined;
  const { uid, gid } = statSync(dirname(path));
  return uid === 0 ? undefined : { uid, gid };
}

function giveToFolderOwner(fd: number, path: string): void {
  const owner = folderOwner(path);
  if (owner) fchownSync(fd, owner.uid, owner.gid);
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone: nothing left behind either way
  }
}
