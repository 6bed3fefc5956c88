/**
 * Per-file cache of raw lint reports, keyed by what determines them: the
 * file's bytes, the rules version, the source type and the analyzer version.
 * Entries are written atomically; one that cannot be read or parsed is
 * treated as a miss (and overwritten), never as an error.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { RULES_VERSION } from '../rules/version.js';
import type { RawReport } from '../rules/utils/report.js';
import type { SourceType } from './files.js';
import { WARDEN_VERSION } from './warden-package.js';

export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'warden');
}

export function cacheKey(contentHash: string, sourceType: SourceType): string {
  return createHash('sha256').update(`${contentHash}\0${RULES_VERSION}\0${sourceType}\0${WARDEN_VERSION}`).digest('hex');
}

export class ReportCache {
  constructor(readonly dir: string) {}

  private pathOf(key: string): string {
    return join(this.dir, 'reports', key.slice(0, 2), `${key}.json`);
  }

  async get(key: string): Promise<RawReport[] | undefined> {
    try {
      const entry = JSON.parse(await readFile(this.pathOf(key), 'utf8')) as { key?: unknown; reports?: unknown };
      return entry.key === key && Array.isArray(entry.reports) ? (entry.reports as RawReport[]) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Best effort: a cache that cannot be written only costs speed next time. */
  async set(key: string, reports: RawReport[]): Promise<void> {
    try {
      await mkdir(dirname(this.pathOf(key)), { recursive: true });
      await writeFileAtomic(this.pathOf(key), JSON.stringify({ key, reports }));
    } catch {
      // ignored on purpose
    }
  }
}
