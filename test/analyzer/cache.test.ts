/**
 * The analysis cache cannot change a verdict: records are sealed with an HMAC under a per-user key, and a
 * forged one — written as the cache's own format, sealed with another key, or a genuine seal over edited
 * reports, or a genuine record moved under another plugin's name — is a miss, so the stealer stays blocked.
 * A file is served without being read only under a stat stamp no edit can keep.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { create as createTarball } from 'tar';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { analyzePlugin } from '../../analyzer/index.js';
import { currentStamp, RACY_WINDOW_MS, statStamp } from '../../analyzer/cache.js';
import { CacheKeyError, cacheKeyFrom, defaultCacheKeyFile, seal, unseal } from '../../analyzer/cache-seal.js';
import { CLI, FIXTURES, MANIFEST, tempDir, writePlugin } from './helpers.js';

const fixture = (name: string) => join(FIXTURES, name);

/** Every entry file of a cache folder. */
function entries(cacheDir: string): string[] {
  return readdirSync(cacheDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Rewrites every record as `forge` makes it from its genuine bytes. */
function forgeAll(cacheDir: string, forge: (genuine: string) => string): void {
  for (const file of entries(cacheDir)) writeFileSync(file, forge(readFileSync(file, 'utf8')));
}

/** The genuine record with every file's reports emptied: "no findings", in the cache's own format. */
function clean(genuine: string): string {
  const record = JSON.parse(genuine.slice(65)) as { files: Record<string, { reports: unknown[] }> };
  for (const entry of Object.values(record.files)) entry.reports = [];
  return JSON.stringify(record);
}

/** The one record of a cache folder, unsealed. */
function recordOf(cacheDir: string): { files: Record<string, { hash: string; stamp?: string }> } {
  const [file] = entries(cacheDir);
  return JSON.parse(readFileSync(file, 'utf8').slice(65));
}

/** Pretends the files were written long before the run, so their stat stamps are recorded (see RACY_WINDOW_MS). */
function clockAhead(): void {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.now() + 60_000);
  onTestFinished(() => void vi.useRealTimers());
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

  it('refuses a key file others could read or change, or that is not this user\'s, a regular file or a key, in one line', () => {
    const dir = tempDir();
    const key = (name: string, text = randomBytes(32).toString('hex'), mode = 0o600) => {
      const file = join(dir, name);
      writeFileSync(file, text, { mode });
      chmodSync(file, mode);
      return file;
    };
    expect(() => cacheKeyFrom(key('world-readable', undefined, 0o644))).toThrow(/^the analysis cache key .*world-readable has mode 0644: others can read or change it/);
    expect(() => cacheKeyFrom(key('group-writable', undefined, 0o620))).toThrow(/has mode 0620/);
    expect(() => cacheKeyFrom(key('garbage', 'not a key'))).toThrow(/is not a key \(32 bytes in hex\)/);
    expect(() => cacheKeyFrom(key('short', 'ab'.repeat(16)))).toThrow(/is not a key/);
    mkdirSync(join(dir, 'folder'));
    expect(() => cacheKeyFrom(join(dir, 'folder'))).toThrow(/is not a regular file \(a folder\)/);
    // A FIFO would block a plain open until a writer came: refused at once instead.
    expect(spawnSync('mkfifo', [join(dir, 'fifo')]).status).toBe(0);
    expect(() => cacheKeyFrom(join(dir, 'fifo'))).toThrow(CacheKeyError);
    expect(() => cacheKeyFrom(join(dir, 'fifo'))).toThrow(/is not a regular file \(a FIFO\)/);
    // A link to a good key (a dotfiles manager's) is used.
    const good = key('good');
    symlinkSync(good, join(dir, 'linked'));
    expect(cacheKeyFrom(join(dir, 'linked'))).toEqual(Buffer.from(readFileSync(good, 'utf8'), 'hex'));
  });

  it.skipIf(process.geteuid?.() !== 0)('refuses a key another user owns (needs root to make one)', () => {
    const file = join(tempDir(), 'theirs');
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
    chownSync(file, 12345, 12345);
    expect(() => cacheKeyFrom(file)).toThrow(/belongs to uid 12345, not this user/);
  });

  it('`warden analyze` with a key left 0644 exits 2 with one line, and writes no cache', () => {
    const config = tempDir();
    mkdirSync(join(config, 'warden'));
    writeFileSync(join(config, 'warden', 'cache.key'), randomBytes(32).toString('hex'), { mode: 0o644 });
    chmodSync(join(config, 'warden', 'cache.key'), 0o644);
    const cacheDir = join(tempDir(), 'cache');
    const run = spawnSync(process.execPath, [CLI, 'analyze', fixture('stealer'), '--cache-dir', cacheDir], { encoding: 'utf8', env: { ...process.env, XDG_CONFIG_HOME: config } });
    expect(run.stderr).toMatch(/^warden: the analysis cache key .*cache\.key has mode 0644: [^\n]*\n$/);
    expect(run.status).toBe(2);
    expect(existsSync(join(cacheDir, 'plugins'))).toBe(false);
  });

  it('unseals only what the same key sealed, byte for byte', () => {
    const key = randomBytes(32);
    const sealed = seal(key, '{"locator":"k","files":{}}');
    expect(unseal(key, sealed)).toBe('{"locator":"k","files":{}}');
    expect(unseal(randomBytes(32), sealed)).toBeUndefined();
    expect(unseal(key, sealed.replace('{}', '{ }'))).toBeUndefined();
    expect(unseal(key, `${'0'.repeat(64)}\n{"locator":"k","files":{}}`)).toBeUndefined();
    expect(unseal(key, '{"locator":"k","files":{}}')).toBeUndefined();
    expect(unseal(key, `${'zz'.repeat(32)}\n{}`)).toBeUndefined();
    expect(unseal(key, '')).toBeUndefined();
  });

  for (const [attack, forge] of [
    ['unsealed records in the cache format (the poisoning the issue reported)', (genuine: string) => clean(genuine)],
    ['records sealed with another key (another user, machine or CI cache)', (genuine: string) => seal(randomBytes(32), clean(genuine))],
    ['the genuine seal over edited reports', (genuine: string) => `${genuine.slice(0, 65)}${clean(genuine)}`],
    ['a seal computed with an empty key', (genuine: string) => {
      const json = clean(genuine);
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

  it('a genuine record of a clean plugin moved under the name of a dangerous one is a miss', async () => {
    const cacheDir = tempDir();
    const cleanRoot = writePlugin({ 'package.json': MANIFEST, 'index.js': 'module.exports = 1;\n' });
    await analyzePlugin(cleanRoot, { cacheDir });
    const [cleanRecord] = entries(cacheDir);
    const dangerous = writePlugin({ 'package.json': MANIFEST, 'index.js': "require('child_process').exec(process.argv[2]);\n" });
    const cold = await analyzePlugin(dangerous, { cacheDir });
    expect(cold.decision.action).toBe('block');
    for (const file of entries(cacheDir)) if (file !== cleanRecord) writeFileSync(file, readFileSync(cleanRecord));
    const warm = await analyzePlugin(dangerous, { cacheDir });
    expect(warm.stats.cached).toBe(0);
    expect(warm.decision.action).toBe('block');
  });

  it('a FIFO or a link planted under a record\'s name is a miss, read without waiting on it', async () => {
    const cacheDir = tempDir();
    await analyzePlugin(fixture('stealer'), { cacheDir });
    const [record] = entries(cacheDir);
    const genuine = join(tempDir(), 'genuine.json');
    writeFileSync(genuine, readFileSync(record));
    for (const plant of [() => symlinkSync(genuine, record), () => expect(spawnSync('mkfifo', [record]).status).toBe(0)]) {
      rmSync(record);
      plant();
      const again = await analyzePlugin(fixture('stealer'), { cacheDir });
      expect(again.stats.cached).toBe(0);
      expect(again.decision.action).toBe('block');
    }
  });

  it('a genuine sealed entry still serves a warm run', async () => {
    const cacheDir = tempDir();
    await analyzePlugin(fixture('stealer'), { cacheDir });
    expect(existsSync(cacheDir)).toBe(true);
    expect((await analyzePlugin(fixture('stealer'), { cacheDir })).stats.cached).toBeGreaterThan(0);
  });
});

describe('stat stamps: a file served without being read', () => {
  it('stamps a file only when it last changed outside the racy window before the stat', () => {
    const file = join(tempDir(), 'a.js');
    writeFileSync(file, '1;\n');
    const stats = statSync(file, { bigint: true });
    const changedAt = Number(stats.ctimeNs / 1_000_000n);
    expect(statStamp(stats, changedAt + 10)).toBeUndefined();
    expect(statStamp(stats, changedAt + RACY_WINDOW_MS - 1)).toBeUndefined();
    expect(statStamp(stats, changedAt + RACY_WINDOW_MS + 1)).toBe(currentStamp(stats));
    // A file system without change times (ctime reads as 0) never gets a stamp.
    expect(statStamp({ ...stats, ctimeNs: 0n } as typeof stats, changedAt + RACY_WINDOW_MS + 1)).toBeUndefined();
  });

  it('catches an edit that keeps the size and puts the modification time back (ctime moves)', async () => {
    clockAhead();
    const cacheDir = tempDir();
    const root = writePlugin({ 'package.json': MANIFEST, 'index.js': 'module.exports = 1;\n' });
    const index = join(root, 'index.js');
    utimesSync(index, 1_000_000_000, 1_000_000_000);
    const before = statSync(index, { bigint: true });
    expect((await analyzePlugin(root, { cacheDir })).findings).toEqual([]);
    expect((await analyzePlugin(root, { cacheDir })).stats.cached).toBe(1);
    writeFileSync(index, "require('net');    \n"); // the same 20 bytes
    utimesSync(index, 1_000_000_000, 1_000_000_000);
    const after = statSync(index, { bigint: true });
    expect([after.size, after.mtimeNs, after.ino]).toEqual([before.size, before.mtimeNs, before.ino]);
    const edited = await analyzePlugin(root, { cacheDir });
    expect(edited.stats.cached).toBe(0);
    expect(edited.findings.map((f) => f.ruleId)).toEqual(['no-network']);
  });

  it('catches a file replaced by another of the same size and times (a new inode)', async () => {
    clockAhead();
    const cacheDir = tempDir();
    const root = writePlugin({ 'package.json': MANIFEST, 'index.js': 'module.exports = 1;\n', 'spare.js': "require('net');    \n" });
    await analyzePlugin(root, { cacheDir });
    writeFileSync(join(root, 'index.js'), readFileSync(join(root, 'spare.js')));
    const replaced = await analyzePlugin(root, { cacheDir });
    expect(replaced.findings.map((f) => `${f.file} ${f.ruleId}`)).toEqual(['index.js no-network', 'spare.js no-network']);
  });

  it('records no stamp for a file changed just before the run: only its hash vouches for it then', async () => {
    const cacheDir = tempDir();
    const root = writePlugin({ 'package.json': MANIFEST, 'index.js': "require('net');\n" });
    await analyzePlugin(root, { cacheDir });
    expect(recordOf(cacheDir).files['index.js'].stamp).toBeUndefined();
    clockAhead();
    expect((await analyzePlugin(root, { cacheDir })).stats.cached).toBe(1); // served by its hash, and now stamped
    expect(recordOf(cacheDir).files['index.js'].stamp).toBe(currentStamp(statSync(join(root, 'index.js'), { bigint: true })));
  });

  it('a warm run shows the cold run\'s code frames: from the excerpt the record keeps, or by reading the file for a finding it lacks', async () => {
    clockAhead();
    const cacheDir = tempDir();
    const filler = Array.from({ length: 40 }, (_, i) => `const filler${i} = ${i};`);
    const root = writePlugin({
      'package.json': { ...MANIFEST, devDependencies: { helper: '*' } },
      // A lint report at line 3; the devDependency check's finding at line 45, far from it.
      'index.js': ['// a', '// b', "require('net');", ...filler, '// c', "require('helper');", '// d'].join('\n'),
      'lib/other.js': ["'use strict';", ...filler, "require('child_process').exec('id');", '// tail'].join('\n'),
    });
    const cold = await analyzePlugin(root, { cacheDir });
    expect(cold.findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`)).toEqual(['index.js:3 no-network', 'index.js:45 dev-dependency', 'lib/other.js:42 no-child-process']);
    const excerpt = (recordOf(cacheDir).files['lib/other.js'] as { excerpt?: { lineCount: number; lines: Record<string, string> } }).excerpt;
    expect(excerpt).toEqual({ lineCount: 43, lines: { 40: 'const filler38 = 38;', 41: 'const filler39 = 39;', 42: "require('child_process').exec('id');", 43: '// tail' } });
    const warm = await analyzePlugin(root, { cacheDir });
    expect(warm.stats.cached).toBe(2);
    expect(warm.sourceLines).toEqual(cold.sourceLines);
    expect(warm.sourceLines['index.js'][45]).toBe("require('helper');"); // not in the excerpt: read for it
  });

  it('serves the code a lifecycle script gives `node -e` from the record while it is the same, and lints it again once edited', async () => {
    const cacheDir = tempDir();
    const script = (code: string) => ({ ...MANIFEST, scripts: { postinstall: `node -e "${code}"` } });
    const root = writePlugin({ 'package.json': script("require('./setup')"), 'index.js': '', 'setup.js': "console.log('ready');", 'steal.js': "require('child_process').exec('id');" });
    const verdict = async () => (await analyzePlugin(root, { cacheDir })).findings.map((f) => `${f.file} ${f.ruleId}`);
    const cold = await verdict();
    expect(Object.keys(recordOf(cacheDir).files).filter((key) => key.startsWith('package.json#postinstall@'))).toHaveLength(1);
    expect(await verdict()).toEqual(cold);
    writeFileSync(join(root, 'package.json'), JSON.stringify(script("require('./steal')")));
    expect(await verdict()).toContain('steal.js no-child-process');
    expect(Object.keys(recordOf(cacheDir).files).filter((key) => key.startsWith('package.json#postinstall@'))).toHaveLength(1);
  });

  it('never stamps the files of an archive, extracted afresh every run, and serves them by hash', async () => {
    clockAhead();
    const cacheDir = tempDir();
    const root = writePlugin({ 'package.json': MANIFEST, 'index.js': "require('net');\n" });
    const tarball = join(tempDir(), 'plugin.tgz');
    await createTarball({ gzip: true, file: tarball, cwd: root, prefix: 'package' }, ['package.json', 'index.js']);
    await analyzePlugin(tarball, { cacheDir });
    expect(recordOf(cacheDir).files['index.js']).toMatchObject({ hash: expect.any(String) });
    expect(recordOf(cacheDir).files['index.js'].stamp).toBeUndefined();
    const again = await analyzePlugin(tarball, { cacheDir });
    expect(again.stats.cached).toBe(1);
    expect(again.findings.map((f) => f.ruleId)).toEqual(['no-network']);
  });
});
