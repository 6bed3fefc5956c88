/**
 * What was installed is what runs: an install copies every file of the
 * plugin and records its sha256; before every start the folder is hashed
 * again, and a changed, added or removed file (or anything that is not a
 * plain file) refuses the plugin.
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, realpathSync, writeSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { UsageError } from '../../cli/errors.js';
import { isInside } from '../../analyzer/package-source.js';

type Walked = { path: string; kind: 'file' | 'other' };

/** Every entry below `root` except directories (and `.git`), relative with forward slashes, sorted. */
function walk(root: string): Walked[] {
  const found: Walked[] = [];
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === '.git') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else found.push({ path: relative(root, path).split(sep).join('/'), kind: entry.isFile() ? 'file' : 'other' });
    }
  };
  visit(root);
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Copies a plugin's files into `dest` and returns the sha256 of each, as written. Links are copied as the
 * file they point at, when that stays inside the plugin; each file is flushed to disk before the record that
 * names it is written.
 */
export function copyPlugin(source: string, dest: string): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const { path, target } of copyableFiles(source)) {
    const bytes = readFileSync(target);
    const to = join(dest, path);
    mkdirSync(dirname(to), { recursive: true });
    const fd = openSync(to, 'wx', 0o644);
    try {
      writeSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    hashes[path] = sha256(bytes);
  }
  return hashes;
}

/**
 * Every file `copyPlugin` would copy, with the plain file each path really is; throws a UsageError for the first
 * that cannot be copied (a link to nothing or to outside the plugin, a link to a folder, a device), so an install
 * can refuse before it writes anything.
 */
export function copyableFiles(source: string): { path: string; target: string }[] {
  const realSource = realpathSync(source);
  return walk(source).map(({ path }) => {
    const target = realTarget(join(source, path), path);
    if (!isInside(realSource, target)) throw new UsageError(`cannot install: ${path} links outside the plugin (${target})`);
    if (!lstatSync(target).isFile()) throw new UsageError(`cannot install: ${path} is not a plain file`);
    return { path, target };
  });
}

/** Where a link really lands; a link to nothing is the user's problem, said in one line. */
function realTarget(from: string, path: string): string {
  try {
    return realpathSync(from);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ELOOP') throw new UsageError(`cannot install: ${path} is a link to nothing (${readlinkSync(from)})`);
    throw error;
  }
}

/** Files that differ from the record: changed, added, removed, or no longer plain files. Empty when intact. */
export function modifiedFiles(root: string, recorded: Record<string, string>): string[] {
  const modified: string[] = [];
  const seen = new Set<string>();
  let entries: Walked[];
  try {
    entries = walk(root);
  } catch {
    return ['(the plugin folder is gone)'];
  }
  for (const { path, kind } of entries) {
    seen.add(path);
    if (kind !== 'file' || !(path in recorded) || sha256(readFileSync(join(root, path))) !== recorded[path]) modified.push(path);
  }
  for (const path of Object.keys(recorded)) if (!seen.has(path)) modified.push(path);
  return modified;
}
