/**
 * Per-file cache of lint results (raw reports and the loads the module graph
 * follows), keyed by what determines them: the
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
import { cacheKeyFrom, seal, unseal } from './cache-seal.js';
import type { LintResult } from './lint-file.js';
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

type Kind = 'reports' | 'sets' | 'lists';

function isLintResult(value: unknown): value is LintResult {
  return Boolean(value) && Array.isArray((value as LintResult).reports) && Array.isArray((value as LintResult).loads);
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

  private pathOf(kind: Kind, key: string): string {
    return join(this.dir, kind, key.slice(0, 2), `${key}.json`);
  }

  async get(key: string): Promise<LintResult | undefined> {
    const result = await this.read('reports', key);
    return isLintResult(result) ? result : undefined;
  }

  /** Best effort: a cache that cannot be written only costs speed next time. */
  async set(key: string, result: LintResult): Promise<void> {
    await this.write('reports', key, result);
  }

  /** Results by file path for a set of files stored under `setKey(…)`. */
  async getSet(key: string): Promise<Record<string, LintResult> | undefined> {
    const results = await this.read('sets', key);
    if (!results || typeof results !== 'object' || Array.isArray(results)) return undefined;
    return Object.values(results).every(isLintResult) ? (results as Record<string, LintResult>) : undefined;
  }

  async setSet(key: string, results: Record<string, LintResult>): Promise<void> {
    await this.write('sets', key, results);
  }

  /** What npm pack would ship from a folder, under the key of everything that decides it (files.ts). */
  readonly listings = {
    get: async (key: string): Promise<string[] | undefined> => {
      const files = await this.read('lists', key);
      return Array.isArray(files) && files.every((file) => typeof file === 'string') ? files : undefined;
    },
    set: (key: string, files: string[]): Promise<void> => this.write('lists', key, files),
  };

  private async read(kind: Kind, key: string): Promise<unknown> {
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

  private async write(kind: Kind, key: string, reports: unknown): Promise<void> {
    if (!this.#key) return;
    try {
      await mkdir(dirname(this.pathOf(kind, key)), { recursive: true });
      await writeFileAtomic(this.pathOf(kind, key), seal(this.#key, JSON.stringify({ key, reports })));
    } catch {
      // ignored on purpose
    }
  }
}
