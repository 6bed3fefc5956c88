/**
 * The analysis cache: one record per plugin, holding for each file read as
 * code its content hash, source type and lint result (the rules' raw reports
 * and the loads the module graph follows), and npm-packlist's answer for the
 * folder under the key of everything it depends on (files.ts). A warm run
 * reads one file, however many the plugin has; a file whose hash (or, where
 * safe, whose stat stamp) matches its entry is served from it, any other is
 * linted again.
 *
 * Records are sealed (cache-seal.ts: an HMAC under a per-user key) and
 * written atomically; one that cannot be read, parsed or authenticated, or
 * that was written by another version of the rules or of Warden, or for
 * another plugin, is treated as empty (and overwritten), never as an error,
 * and never as a verdict.
 */
import { createHash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { RULES_VERSION } from '../rules/version.js';
import { cacheKeyFrom, seal, unseal } from './cache-seal.js';
import { readRegularFileSync } from './fast-fs.js';
import type { Excerpt } from './excerpts.js';
import type { ListingCache, SourceType } from './files.js';
import type { LintResult } from './lint-file.js';
import { WARDEN_VERSION } from './warden-package.js';

export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'warden');
}

/** What the cache knows of one source file. */
export interface FileEntry {
  sourceType: SourceType;
  /** sha256 of the file's bytes: the truth the entry answers for. */
  hash: string;
  /** Where present, a file whose stat gives the same stamp has these bytes without being read (see statStamp). */
  stamp?: string;
  result: LintResult;
  /** For a file with reports: the lines around them, so a warm run shows code frames without reading the file. */
  excerpt?: Excerpt;
}

export interface PluginRecord {
  /** Which plugin the record is for (pluginLocator), so a record copied under another plugin's name is refused. */
  locator: string;
  /** The rules and Warden versions whose reports these are. */
  version: string;
  /** By path relative to the plugin root, in the order the files were read. */
  files: Record<string, FileEntry>;
  /** What npm pack would ship from the folder, and the key (files.ts's tree signature) it answers for. */
  listing?: { key: string; files: string[] };
}

/** The record's layout, the rules' and Warden's versions: a record written under any other is a miss. */
const VERSION = `plugin-record-3 ${RULES_VERSION} ${WARDEN_VERSION}`;

/**
 * The record's name for a plugin: its folder (real path), or for a tarball
 * the archive file, whose contents are extracted afresh every run.
 */
export function pluginLocator(kind: 'folder' | 'archive', realPath: string): string {
  return createHash('sha256').update(`${kind}\0${realPath}`).digest('hex');
}

export function emptyRecord(locator: string): PluginRecord {
  return { locator, version: VERSION, files: {} };
}

/** The record's listing as files.ts asks for it; `changed` is called when a new answer is kept, to be written with the record. */
export function recordListing(record: PluginRecord, changed: () => void): ListingCache {
  return {
    get: async (key) => (record.listing?.key === key ? record.listing.files : undefined),
    set: async (key, files) => {
      record.listing = { key, files };
      changed();
    },
  };
}

/**
 * A file changed within the file system's timestamp granularity of the
 * moment it was stat'ed can keep every stat field through a second edit
 * (one-second stamps on ext3 and HFS+, a few milliseconds on others): such
 * a file gets no stamp, and is read again next time.
 */
export const RACY_WINDOW_MS = 2000;

/**
 * The stamp of a file's stat: device, inode, size, and modification and
 * change times to the nanosecond. An edit that keeps size and mtime (the
 * `touch -r` or `utimes` trick) still moves ctime, which only the kernel
 * sets. `undefined` when the file changed less than RACY_WINDOW_MS before
 * `statedAt` (the wall clock just before the stat), or when the file system
 * keeps no change time: then only its hash can vouch for it.
 */
export function statStamp(stats: BigIntStats, statedAt: number): string | undefined {
  // A file system that keeps no change time (it reads as 0) cannot tell an edit from no edit.
  if (stats.ctimeNs === 0n || Number(stats.ctimeNs / 1_000_000n) > statedAt - RACY_WINDOW_MS) return undefined;
  return currentStamp(stats);
}

/** The stamp a file's stat gives now, compared with a recorded one. */
export function currentStamp(stats: BigIntStats): string {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`;
}

export class PluginCache {
  /** Undefined when the key can be neither read nor created: then nothing is read from or written to the cache. */
  readonly #key: Buffer | undefined;

  constructor(
    readonly dir: string,
    keyFile?: string,
  ) {
    this.#key = cacheKeyFrom(keyFile);
  }

  private pathOf(locator: string): string {
    return join(this.dir, 'plugins', `${locator}.json`);
  }

  /** The plugin's record, or an empty one when there is none it can trust. */
  async read(locator: string): Promise<PluginRecord> {
    if (!this.#key) return emptyRecord(locator);
    try {
      // Never through a link, never waiting on a FIFO planted under a record's name: its name is computable, and the
      // cache may sit in a folder others can write.
      const json = unseal(this.#key, readRegularFileSync(this.pathOf(locator), { followLinks: false }).toString('utf8'));
      const record = json === undefined ? undefined : (JSON.parse(json) as Partial<PluginRecord>);
      if (record?.locator === locator && record.version === VERSION && record.files && typeof record.files === 'object') return record as PluginRecord;
    } catch {
      // missing, unreadable or not JSON: a miss
    }
    return emptyRecord(locator);
  }

  /** Best effort: a cache that cannot be written only costs speed next time. */
  async write(record: PluginRecord): Promise<void> {
    if (!this.#key) return;
    try {
      // Loaded on the first write: a warm run writes nothing.
      const { default: writeFileAtomic } = await import('write-file-atomic');
      await mkdir(join(this.dir, 'plugins'), { recursive: true });
      // Atomic (a reader sees the old record or the new one) but not fsynced: a record lost or cut short by a crash
      // fails its seal and is a miss, so durability would only cost every cold run a flush of the disk.
      await writeFileAtomic(this.pathOf(record.locator), seal(this.#key, JSON.stringify(record)), { fsync: false });
    } catch {
      // ignored on purpose
    }
  }
}
