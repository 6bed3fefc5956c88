/**
 * Where a plugin's files come from: a folder as it is, or an `npm pack`
 * tarball extracted into a private temporary folder. The user's archive is
 * read exactly once, into a copy in that folder; the copy is what gets hashed
 * (`digest`), checked and extracted, so bytes swapped in the user's file
 * meanwhile are never the ones vouched for. The copy is read twice: first
 * every header is checked (paths, link targets, entry types, counts and
 * sizes) and one bad entry refuses the whole archive before anything is
 * written; then it is extracted and every link is checked again on disk.
 * The temporary folder is removed by `close()`, and at once on any failure.
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, readSync } from 'node:fs';
import { lstat, mkdir, readdir, readlink, realpath, stat } from 'node:fs/promises';
import { join, posix, relative, sep, isAbsolute } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadEntry } from 'tar';
import { UsageError } from '../cli/errors.js';
import { openRegularFile } from './fast-fs.js';
import { DEFAULT_LIMITS, type Limits } from './limits.js';
import { makeTempDir, removeTempDir } from './temp-dirs.js';

export interface PackageSource {
  /** The plugin root: the folder, or the archive's `package/` folder. */
  root: string;
  /** How to name the input in messages: the path as the user gave it. */
  display: string;
  /** The files are a fresh extraction of an archive (new inodes and times every run), not a folder of the user's. */
  archive: boolean;
  /** For an archive: the sha256 and length of the very bytes that were checked and extracted. */
  digest?: { sha256: string; length: number };
  /** Removes whatever was extracted; a no-op for folders. */
  close(): Promise<void>;
}

export const TEMP_PREFIX = 'warden-extract-';

export function isArchivePath(path: string): boolean {
  return /\.(tgz|tar\.gz|tar)$/i.test(path);
}

export async function openPackage(path: string, limits: Limits = DEFAULT_LIMITS): Promise<PackageSource> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${path}: ${error.code === 'ENOENT' ? 'no such file or folder' : (error.code ?? error.message)}`);
  });
  if (info.isDirectory()) return { root: await realpath(path), display: path, archive: false, close: async () => undefined };
  if (!isArchivePath(path)) throw new UsageError(`cannot analyze ${path}: expected a plugin folder or an npm pack .tgz`);
  // A FIFO or a device named like an archive would be read forever, or wait for a writer.
  if (!info.isFile()) throw new UsageError(`cannot analyze ${path}: not a regular file`);
  return openArchive(path, limits);
}

async function openArchive(file: string, limits: Limits): Promise<PackageSource> {
  // npm's tar is loaded for archives only: a folder never pays for it.
  const { extract, Parser } = await import('tar');
  const dir = await makeTempDir(TEMP_PREFIX);
  const close = () => removeTempDir(dir);
  try {
    const copy = join(dir, 'archive');
    const digest = await copyOnce(file, copy, archiveByteLimit(limits));
    await checkEntries(copy, file, limits, Parser);
    const files = join(dir, 'files');
    await mkdir(files);
    await extract({ file: copy, cwd: files, strict: true, preserveOwner: false, noMtime: true, onwarn: () => undefined });
    const root = await packageRoot(files);
    await checkLinksOnDisk(files, root, file);
    return { root, display: file, archive: true, digest, close };
  } catch (error) {
    await close();
    if (error instanceof UsageError) throw error;
    throw new UsageError(`corrupt archive ${file}: ${(error as Error).message}`);
  }
}

/** An archive holding entries within the limits: their bytes, a 512-byte header and up to 511 bytes of padding each, the end blocks. */
function archiveByteLimit(limits: Limits): number {
  return limits.maxTotalBytes + limits.maxEntries * 1024 + 10_240;
}

/** Copies `file` to `copy` in one read, hashing the bytes on the way; refuses a file larger than any archive within the limits. */
async function copyOnce(file: string, copy: string, maxBytes: number): Promise<{ sha256: string; length: number }> {
  const hash = createHash('sha256');
  let length = 0;
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      length += chunk.length;
      if (length > maxBytes) return done(new UsageError(`refused archive ${file}: larger than ${maxBytes} bytes`));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  await pipeline(createReadStream(file), count, createWriteStream(copy, { flags: 'wx', mode: 0o600 }));
  return { sha256: hash.digest('hex'), length };
}

/**
 * `file`'s bytes, read again after the gate reviewed it (to sign and store them, say), and only if they are the ones
 * it reviewed (`digest`): a file swapped or changed meanwhile is refused, so nothing unreviewed goes further.
 */
export function reviewedBytes(file: string, digest: { sha256: string; length: number }): Buffer {
  let fd: number;
  try {
    // Only a regular file: one swapped for a FIFO would make the open wait for a writer.
    fd = openRegularFile(file);
  } catch {
    throw changedAfterReview(file);
  }
  try {
    // One byte more than reviewed, so a longer file is told apart without reading all of it.
    const buffer = Buffer.alloc(digest.length + 1);
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    const bytes = buffer.subarray(0, length);
    if (length !== digest.length || createHash('sha256').update(bytes).digest('hex') !== digest.sha256) throw changedAfterReview(file);
    return bytes;
  } finally {
    closeSync(fd);
  }
}

function changedAfterReview(file: string): UsageError {
  return new UsageError(`${file} changed after the gate reviewed it; nothing was done with it (run the command again)`);
}

/** Reads every header of `file` without writing anything; throws a UsageError naming the first bad entry (as `display`). */
async function checkEntries(archive: string, file: string, limits: Limits, Parser: typeof import('tar').Parser): Promise<void> {
  let entries = 0;
  let total = 0;
  let refusal: string | undefined;
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      entries++;
      total += entry.size;
      refusal ??= entryProblem(entry, entries, total, limits);
      entry.resume();
      if (refusal) parser.abort(new Error(refusal));
    },
  });
  try {
    await pipeline(createReadStream(archive), parser);
  } catch (error) {
    if (refusal) throw new UsageError(`refused archive ${file}: ${refusal}`);
    throw new UsageError(`corrupt archive ${file}: ${describe(error)}`);
  }
  if (refusal) throw new UsageError(`refused archive ${file}: ${refusal}`);
  if (entries === 0) throw new UsageError(`corrupt archive ${file}: no entries`);
}

const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory']);

function entryProblem(entry: ReadEntry, count: number, total: number, limits: Limits): string | undefined {
  const name = JSON.stringify(entry.path);
  if (count > limits.maxEntries) return `more than ${limits.maxEntries} entries`;
  if (entry.size > limits.maxEntryBytes) return `entry ${name} is ${entry.size} bytes, over the ${limits.maxEntryBytes}-byte limit`;
  if (total > limits.maxTotalBytes) return `entries total more than ${limits.maxTotalBytes} bytes`;
  if (escapes(entry.path)) return `entry ${name} is an absolute path or leaves the package folder`;
  if (entry.type === 'SymbolicLink') {
    const target = entry.linkpath ?? '';
    if (isAbsolute(target) || escapes(posix.join(posix.dirname(entry.path), target))) return `symlink ${name} points outside the package (${target})`;
    return undefined;
  }
  if (entry.type === 'Link') {
    if (escapes(entry.linkpath ?? '')) return `hard link ${name} points outside the package (${entry.linkpath})`;
    return undefined;
  }
  if (!FILE_TYPES.has(entry.type)) return `entry ${name} is a ${entry.type}, which a plugin package never needs`;
  return undefined;
}

/** Absolute (POSIX or Windows), or has a `..` segment anywhere (a normalised link target keeps them only in front). */
function escapes(path: string): boolean {
  return /^([/\\]|[a-zA-Z]:)/.test(path) || path.split(/[/\\]/).includes('..');
}

/** A chain of in-archive links can still leave the folder once on disk: check where each one really lands. */
async function checkLinksOnDisk(dir: string, root: string, file: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) {
      const target = await realpath(path).catch(() => undefined);
      // A link to nothing (or a loop) is no file a plugin can use, and nothing to copy at install.
      if (target === undefined) throw new UsageError(`refused archive ${file}: symlink ${JSON.stringify(relative(root, path))} points to nothing (${await readlink(path)})`);
      if (!isInside(root, target)) {
        throw new UsageError(`refused archive ${file}: symlink ${JSON.stringify(relative(root, path))} points outside the package (${await readlink(path)})`);
      }
    } else if (entry.isDirectory()) {
      await checkLinksOnDisk(path, root, file);
    }
  }
}

export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** npm tarballs keep everything under `package/`; other packers use one top folder or none. */
async function packageRoot(dir: string): Promise<string> {
  const top = await readdir(dir, { withFileTypes: true });
  if (top.some((entry) => entry.name === 'package' && entry.isDirectory())) return join(dir, 'package');
  if (top.length === 1 && top[0].isDirectory() && !(await lstat(join(dir, top[0].name))).isSymbolicLink()) return join(dir, top[0].name);
  return dir;
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0];
}
