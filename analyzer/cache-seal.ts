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
 * the files are analyzed again. Where the key cannot be read or created, the
 * cache is not used at all.
 *
 * Kept apart from the cache's layout (cache.ts) so a change of layout keeps
 * the same seal.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

const KEY_BYTES = 32;
const MAC_HEX = 64;

export function defaultCacheKeyFile(): string {
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'warden', 'cache.key');
}

const keys = new Map<string, Buffer | undefined>();

/** The key in `file`, created on first use; undefined when it can be neither read nor created. Read once per process. */
export function cacheKeyFrom(file: string = defaultCacheKeyFile()): Buffer | undefined {
  if (!keys.has(file)) keys.set(file, readOrCreateKey(file));
  return keys.get(file);
}

function readOrCreateKey(file: string): Buffer | undefined {
  try {
    return readKey(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return undefined;
  }
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
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
    return readKey(file);
  } catch {
    return undefined;
  }
}

function readKey(file: string): Buffer | undefined {
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  return key.length === KEY_BYTES ? key : undefined;
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
