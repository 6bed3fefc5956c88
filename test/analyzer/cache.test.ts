/**
 * The analysis cache cannot change a verdict: entries are sealed with an HMAC under a per-user key, and a
 * forged one — written as the cache's own format, sealed with another key, or a genuine seal over edited
 * reports, or a genuine entry moved under another file's name — is a miss, so the stealer stays blocked.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzePlugin } from '../../analyzer/index.js';
import { cacheKeyFrom, defaultCacheKeyFile, seal, unseal } from '../../analyzer/cache-seal.js';
import { FIXTURES, MANIFEST, tempDir, writePlugin } from './helpers.js';

const fixture = (name: string) => join(FIXTURES, name);

/** Every entry file of a cache folder. */
function entries(cacheDir: string): string[] {
  return readdirSync(cacheDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Rewrites every entry as `forge` makes it from the entry's cache key and its genuine bytes. */
function forgeAll(cacheDir: string, forge: (key: string, genuine: string, file: string) => string): void {
  for (const file of entries(cacheDir)) {
    const genuine = readFileSync(file, 'utf8');
    const key = file.slice(file.lastIndexOf('/') + 1, -'.json'.length);
    writeFileSync(file, forge(key, genuine, file));
  }
}

/** "No findings", in the shape of the entry kind that `file` holds. */
function clean(key: string, file: string): string {
  return JSON.stringify({ key, reports: file.includes('/sets/') ? { 'index.js': [], 'lib/payload.js': [] } : [] });
}

describe('cache authentication', () => {
  it('creates one key per user, 0600, on first use, and reads the same one back', () => {
    const file = join(tempDir(), 'config', 'warden', 'cache.key');
    const key = cacheKeyFrom(file);
    expect(key).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(file, '..'))).toEqual(['cache.key']); // no temporary file left beside it
    expect(cacheKeyFrom(file)).toBe(key);
    expect(defaultCacheKeyFile()).toMatch(/warden\/cache\.key$/);
  });

  it('unseals only what the same key sealed, byte for byte', () => {
    const key = randomBytes(32);
    const sealed = seal(key, '{"key":"k","reports":[]}');
    expect(unseal(key, sealed)).toBe('{"key":"k","reports":[]}');
    expect(unseal(randomBytes(32), sealed)).toBeUndefined();
    expect(unseal(key, sealed.replace('[]', '[ ]'))).toBeUndefined();
    expect(unseal(key, `${'0'.repeat(64)}\n{"key":"k","reports":[]}`)).toBeUndefined();
    expect(unseal(key, '{"key":"k","reports":[]}')).toBeUndefined();
    expect(unseal(key, `${'zz'.repeat(32)}\n{}`)).toBeUndefined();
    expect(unseal(key, '')).toBeUndefined();
  });

  for (const [attack, forge] of [
    ['unsealed entries in the cache format (the poisoning the issue reported)', (key: string, _genuine: string, file: string) => clean(key, file)],
    ['entries sealed with another key (another user, machine or CI cache)', (key: string, _genuine: string, file: string) => seal(randomBytes(32), clean(key, file))],
    ['the genuine seal over edited reports', (key: string, genuine: string, file: string) => `${genuine.slice(0, 65)}${clean(key, file)}`],
    ['a seal computed with an empty key', (key: string, _genuine: string, file: string) => {
      const json = clean(key, file);
      return `${createHmac('sha256', Buffer.alloc(0)).update(json).digest('hex')}\n${json}`;
    }],
  ] as const) {
    it(`a forged "no findings" entry never turns the stealer's block into an allow: ${attack}`, async () => {
      const cacheDir = tempDir();
      const blocked = await analyzePlugin(fixture('stealer'), { cacheDir, tier: 'unregistered' });
      expect(blocked.decision.action).toBe('block');
      expect(entries(cacheDir).length).toBeGreaterThan(0);
      forgeAll(cacheDir, forge);
      const again = await analyzePlugin(fixture('stealer'), { cacheDir, tier: 'unregistered' });
      expect(again.stats.cached).toBe(0);
      expect(again.decision.action).toBe('block');
      expect(again.findings).toEqual(blocked.findings);
    });
  }

  it('a genuine entry of a clean file moved under the name of a dangerous one is a miss', async () => {
    const cacheDir = tempDir();
    const cleanRoot = writePlugin({ 'package.json': MANIFEST, 'index.js': 'module.exports = 1;\n' });
    await analyzePlugin(cleanRoot, { cacheDir });
    const cleanEntry = entries(cacheDir).find((file) => file.includes('/reports/'))!;
    const dangerous = writePlugin({ 'package.json': MANIFEST, 'index.js': "require('child_process').exec(process.argv[2]);\n" });
    const cold = await analyzePlugin(dangerous, { cacheDir });
    expect(cold.decision.action).toBe('block');
    for (const file of entries(cacheDir)) if (file !== cleanEntry) writeFileSync(file, readFileSync(cleanEntry));
    const warm = await analyzePlugin(dangerous, { cacheDir });
    expect(warm.stats.cached).toBe(0);
    expect(warm.decision.action).toBe('block');
  });

  it('a genuine sealed entry still serves a warm run', async () => {
    const cacheDir = tempDir();
    await analyzePlugin(fixture('stealer'), { cacheDir });
    expect(existsSync(cacheDir)).toBe(true);
    expect((await analyzePlugin(fixture('stealer'), { cacheDir })).stats.cached).toBeGreaterThan(0);
  });
});
