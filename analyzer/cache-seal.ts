/**
 * Authenticates analysis-cache entries, so that whoever can write the cache
 * folder but cannot read the user's key cannot change a verdict: an entry
 * says "these files have no findings" only if this user's Warden wrote it.
 *
 * Each entry is sealed with HMAC-SHA256 under a per-user key of 32 random
 * bytes, kept apart from the cache (`$XDG_CONFIG_HOME/warden/cache.key`,
 * else `~/.config/warden/cache.key`) and created 0600 on first use. An entry
 * whose seal does not verify (forged, edited, copied from another user's or
 * another machine's cache, or written before entries were sealed) is a miss:
 * the files are analyzed again. Where there is no key and none can be created,
 * the cache is not used at all; a key file that is there but unusable (not
 * 0600, not this user's, a FIFO or a folder, not a key) is refused with one
 * line (CacheKeyError), never silently worked around.
 *
 * Kept apart from the cache's layout (cache.ts) so a change of layout keeps
 * the same seal.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, constants, fstatSync, linkSync, openSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { makeFolders } from './folders.js';

const KEY_BYTES = 32;
const MAC_HEX = 64;

export function defaultCacheKeyFile(): string {
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'warden', 'cache.key');
}

/**
 * A key file that exists but cannot be trusted or used: readable or writable by others (whoever can read it can seal
 * a verdict), not this user's, not a regular file, or not a key. One line for the user; nothing is analyzed with it.
 */
export class CacheKeyError extends Error {
  override readonly name = 'CacheKeyError';
}

const keys = new Map<string, Buffer | undefined>();

/**
 * The key in `file`, created on first use; undefined when there is none and none can be created (the cache is then
 * not used). Throws a CacheKeyError for a key file that is there but unusable. Read once per process.
 */
export function cacheKeyFrom(file: string = defaultCacheKeyFile()): Buffer | undefined {
  if (!keys.has(file)) keys.set(file, readOrCreateKey(file));
  return keys.get(file);
}

function readOrCreateKey(file: string): Buffer | undefined {
  const existing = readKey(file);
  if (existing !== 'missing') return existing;
  try {
    makeFolders(dirname(file), 0o700);
    // Written in full under a private name, then linked into place: a process racing this one reads a whole key
    // (its own link fails and it reads this one), never a half-written file.
    const temporary = `${file}.${process.pid}-${randomBytes(4).toString('hex')}`;
    writeFileSync(temporary, randomBytes(KEY_BYTES).toString('hex'), { mode: 0o600, flag: 'wx' });
    try {
      linkSync(temporary, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(temporary);
    }
  } catch {
    return undefined; // no key and no way to make one (a read-only home): no cache
  }
  const created = readKey(file);
  return created === 'missing' ? undefined : created;
}

/**
 * The key, or 'missing'. The file may be a link (a dotfiles manager's): what it points to is checked. Opened without
 * waiting (a FIFO would block the open) and used only as a regular file of this user's, mode 0600 or tighter.
 */
function readKey(file: string): Buffer | 'missing' {
  const refuse = (why: string): never => {
    throw new CacheKeyError(`the analysis cache key ${file} ${why}`);
  };
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'missing';
    return refuse(`cannot be read (${code ?? String(error)}): if it is another user's (HOME or XDG_CONFIG_HOME naming theirs, as sudo -u may leave it), point them at your own; if it is yours, chmod 600 it`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) refuse(`is not a regular file (${stat.isDirectory() ? 'a folder' : stat.isFIFO() ? 'a FIFO' : 'a special file'}): delete it to have a new one made`);
    const uid = process.geteuid?.();
    if (uid !== undefined && stat.uid !== uid) refuse(`belongs to uid ${stat.uid}, not this user (uid ${uid}): whoever owns it can seal a verdict; point HOME or XDG_CONFIG_HOME at your own folder (a new key is made there)`);
    if ((stat.mode & 0o077) !== 0) {
      refuse(`has mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')}: others can read or change it, and whoever reads it can seal a verdict; delete it to have a new one made (chmod 600 alone keeps a key others may have copied)`);
    }
    const text = stat.size > KEY_BYTES * 4 ? '' : readFileSync(fd, 'utf8').trim();
    const key = Buffer.from(text, 'hex');
    if (key.length !== KEY_BYTES || key.toString('hex') !== text.toLowerCase()) refuse(`is not a key (${KEY_BYTES} bytes in hex): delete it to have a new one made`);
    return key;
  } finally {
    closeSync(fd);
  }
}

function mac(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(text).digest('hex');
}

/** The entry's bytes: its seal, a newline, its JSON. */
export function seal(key: Buffer, json: string): string {
  return `${mac(key, json)}\n${json}`;
}

/** The JSON of a sealed entry, or undefined when its seal does not verify under `key`. */
export function unseal(key: Buffer, sealed: string): string | undefined {
  if (sealed.length <= MAC_HEX || sealed[MAC_HEX] !== '\n') return undefined;
  const json = sealed.slice(MAC_HEX + 1);
  const expected = Buffer.from(mac(key, json), 'hex');
  const given = Buffer.from(sealed.slice(0, MAC_HEX), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? json : undefined;
}
