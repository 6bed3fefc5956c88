/**
 * Per-file cache of raw lint reports, keyed by what determines them: the
 * file's bytes, the rules version, the source type and the analyzer version.
 * Entries are written atomically and sealed (cache-seal.ts: an HMAC under a
 * per-user key); one that cannot be read, parsed or authenticated is treated
 * as a miss (and overwritten), never as an error, and never as a verdict.
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { RULES_VERSION } from '../rules/version.js';
import type { RawReport } from '../rules/utils/report.js';
import { cacheKeyFrom, seal, unseal } from './cache-seal.js';
import { readFile } from './fast-fs.js';
import type { SourceType } from './files.js';
import { WARDEN_VERSION } from './warden-package.js';

export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'warden');
}

export function cacheKey(contentHash: string, sourceType: SourceType): string {
  return createHash('sha256').update(`${contentHash}\0${RULES_VERSION}\0${sourceType}\0${WARDEN_VERSION}`).digest('hex');
}

/**
 * The key of a whole set of files (a plugin's sources): one entry serves an
 * unchanged plugin in a single read instead of one per file.
 */
export function setKey(fileKeys: Iterable<[path: string, key: string]>): string {
  const hash = createHash('sha256');
  for (const [path, key] of [...fileKeys].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) hash.update(`${path}\0${key}\n`);
  return hash.digest('hex');
}

export class ReportCache {
  /** Undefined when the key can be neither read nor created: then nothing is read from or written to the cache. */
  readonly #key: Buffer | undefined;

  constructor(
    readonly dir: string,
    keyFile?: string,
  ) {
    this.#key = cacheKeyFrom(keyFile);
  }

  private pathOf(kind: 'reports' | 'sets', key: string): string {
    return join(this.dir, kind, key.slice(0, 2), `${key}.json`);
  }

  async get(key: string): Promise<RawReport[] | undefined> {
    const reports = await this.read('reports', key);
    return Array.isArray(reports) ? (reports as RawReport[]) : undefined;
  }

  /** Best effort: a cache that cannot be written only costs speed next time. */
  async set(key: string, reports: RawReport[]): Promise<void> {
    await this.write('reports', key, reports);
  }

  /** Reports by file path for a set of files stored under `setKey(…)`. */
  async getSet(key: string): Promise<Record<string, RawReport[]> | undefined> {
    const reports = await this.read('sets', key);
    return reports && typeof reports === 'object' && !Array.isArray(reports) ? (reports as Record<string, RawReport[]>) : undefined;
  }

  async setSet(key: string, reports: Record<string, RawReport[]>): Promise<void> {
    await this.write('sets', key, reports);
  }

  private async read(kind: 'reports' | 'sets', key: string): Promise<unknown> {
    if (!this.#key) return undefined;
    try {
      const json = unseal(this.#key, await readFile(this.pathOf(kind, key), 'utf8'));
      if (json === undefined) return undefined;
      const entry = JSON.parse(json) as { key?: unknown; reports?: unknown };
      return entry.key === key ? entry.reports : undefined;
    } catch {
      return undefined;
    }
  }

  private async write(kind: 'reports' | 'sets', key: string, reports: unknown): Promise<void> {
    if (!this.#key) return;
    try {
      await mkdir(dirname(this.pathOf(kind, key)), { recursive: true });
      await writeFileAtomic(this.pathOf(kind, key), seal(this.#key, JSON.stringify({ key, reports })));
    } catch {
      // ignored on purpose
    }
  }
}
