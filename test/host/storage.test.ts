/**
 * The plugin's key-value store on its own: reads answered from memory must
 * still see every write the plugin made before them, even one it did not
 * await, and bad keys are refused the same way on either path.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { PluginStorage, removeInterruptedWrites, STORAGE_FILE } from '../../host/storage.js';
import { mountSmallDisk } from '../fixtures/host/tmpfs.js';

const disk = mountSmallDisk(1024 * 1024);
if (typeof disk === 'string') console.warn(`skipping the full-disk storage test: ${disk}`);
afterAll(() => {
  if (typeof disk !== 'string') disk.unmount();
});

let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'warden-storage-'));
});

afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('PluginStorage', () => {
  it('answers a read issued right after an unawaited write with the written value', async () => {
    const storage = new PluginStorage(dataDir, 16_384);
    await storage.get('warm'); // loaded: later reads may be answered from memory
    const written = storage.set('k', 1);
    const read = storage.get('k');
    await written;
    expect(await read).toEqual({ found: true, value: 1 });
    expect(JSON.parse(readFileSync(join(dataDir, STORAGE_FILE), 'utf8'))).toEqual({ k: 1 });
  });

  it('answers from memory once loaded, and sees a value written by an earlier run', async () => {
    await new PluginStorage(dataDir, 16_384).set('kept', { n: 2 });
    const storage = new PluginStorage(dataDir, 16_384);
    expect(await storage.get('kept')).toEqual({ found: true, value: { n: 2 } });
    expect(await storage.get('kept')).toEqual({ found: true, value: { n: 2 } });
    expect(await storage.get('missing')).toEqual({ found: false });
  });

  it('refuses a bad key with a rejection, before and after loading', async () => {
    const storage = new PluginStorage(dataDir, 16_384);
    await expect(storage.get('')).rejects.toThrow(/storage key must be a non-empty string/);
    await storage.get('warm');
    await expect(storage.get('x'.repeat(300))).rejects.toThrow(/at most 256 characters/);
  });

  it('keeps serving reads after a write over the quota fails, with the store unchanged', async () => {
    const storage = new PluginStorage(dataDir, 64);
    await storage.set('a', 1);
    await expect(storage.set('big', 'x'.repeat(100))).rejects.toThrow(/storage quota exceeded/);
    expect(await storage.get('big')).toEqual({ found: false });
    expect(await storage.keys()).toEqual(['a']);
  });

  it('moves a damaged store aside, reports it, starts empty, and never writes over the damaged bytes', async () => {
    for (const [bytes, reason] of [
      ['{"half": "a fi', 'storage.json is not JSON (14 characters, damaged or cut short)'],
      ['garbage', 'storage.json is not JSON (7 characters, damaged or cut short)'],
      ['[]', 'storage.json holds an array, not a record of keys'],
      ['', 'storage.json is empty'],
      ['  \n', 'storage.json is empty'],
      ['null', 'storage.json holds null, not a record of keys'],
      ['42', 'storage.json holds a number, not a record of keys'],
      ['"text"', 'storage.json holds a string, not a record of keys'],
    ]) {
      const dir = mkdtempSync(join(dataDir, 'corrupt-'));
      writeFileSync(join(dir, STORAGE_FILE), bytes);
      const reports: [string, string][] = [];
      const storage = new PluginStorage(dir, 16_384, (file, why) => reports.push([file, why]));
      expect(await storage.keys()).toEqual([]);
      await storage.set('fresh', 1);
      const aside = readdirSync(dir).filter((name) => name.startsWith(`${STORAGE_FILE}.corrupt-`));
      expect(aside).toHaveLength(1);
      expect(reports).toEqual([[join(dir, aside[0]!), reason]]);
      expect(readFileSync(join(dir, aside[0]!), 'utf8')).toBe(bytes);
      expect(JSON.parse(readFileSync(join(dir, STORAGE_FILE), 'utf8'))).toEqual({ fresh: 1 });
    }
  });

  it('keeps every damaged store it moves aside, even two in one millisecond or after the clock stepped back', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    onTestFinished(() => void vi.useRealTimers());
    vi.setSystemTime(new Date('2026-01-01T00:00:00.000Z'));
    for (const bytes of ['first damage', 'second damage', 'third damage']) {
      writeFileSync(join(dataDir, STORAGE_FILE), bytes);
      expect(await new PluginStorage(dataDir, 1024).get('k')).toEqual({ found: false });
    }
    const aside = readdirSync(dataDir).filter((name) => name.startsWith(`${STORAGE_FILE}.corrupt-`)).sort();
    expect(aside).toEqual(['storage.json.corrupt-2026-01-01T00-00-00-000Z', 'storage.json.corrupt-2026-01-01T00-00-00-000Z-2', 'storage.json.corrupt-2026-01-01T00-00-00-000Z-3']);
    expect(aside.map((name) => readFileSync(join(dataDir, name), 'utf8')).sort()).toEqual(['first damage', 'second damage', 'third damage']);
  });

  it('removes the temporary files of unfinished writes and nothing else', () => {
    const names = [STORAGE_FILE, 'storage.json.tmp-123-4', 'storage.json.3735928559', 'storage.json.corrupt-2026-01-01T00-00-00-000Z', 'storage.json.bak', 'notes.json.tmp-1-1', 'storage.json.tmp-x-1'];
    for (const name of names) writeFileSync(join(dataDir, name), 'x');
    mkdirSync(join(dataDir, 'sub'));
    symlinkSync('/etc/hostname', join(dataDir, 'storage.json.tmp-9-9')); // a link is removed, never followed
    expect(removeInterruptedWrites(dataDir).removed.sort()).toEqual(['storage.json.3735928559', 'storage.json.tmp-123-4', 'storage.json.tmp-9-9']);
    expect(readdirSync(dataDir).sort()).toEqual([...names.filter((n) => !['storage.json.tmp-123-4', 'storage.json.3735928559'].includes(n)), 'sub'].sort());
    expect(readFileSync('/etc/hostname', 'utf8').length).toBeGreaterThan(0);
    expect(removeInterruptedWrites(join(dataDir, 'missing'))).toEqual({ removed: [], left: [] });
  });

  it('leaves a folder planted under a temporary file\'s name, and names it, instead of failing', () => {
    mkdirSync(join(dataDir, 'storage.json.tmp-1-1'));
    writeFileSync(join(dataDir, 'storage.json.tmp-1-1', 'inside'), 'x');
    writeFileSync(join(dataDir, 'storage.json.tmp-2-2'), 'x');
    expect(removeInterruptedWrites(dataDir)).toEqual({ removed: ['storage.json.tmp-2-2'], left: [{ name: 'storage.json.tmp-1-1', reason: 'not a file the host wrote' }] });
    expect(readFileSync(join(dataDir, 'storage.json.tmp-1-1', 'inside'), 'utf8')).toBe('x');
  });

  it.skipIf(typeof disk === 'string')('on a full disk (a real tmpfs) a write fails and the store on disk keeps its old value whole, with no temporary file left', async () => {
    if (typeof disk === 'string') return;
    const dir = mkdtempSync(join(disk.dir, 'store-'));
    const storage = new PluginStorage(dir, 1 << 20);
    await storage.set('kept', 'old');
    disk.fill(12 * 1024);
    // 40 KB does not fit: write(2) writes what fits, short, before ENOSPC; that part must never replace the store.
    await expect(storage.set('big', 'x'.repeat(40_000))).rejects.toThrow(/ENOSPC/);
    expect(JSON.parse(readFileSync(join(dir, STORAGE_FILE), 'utf8'))).toEqual({ kept: 'old' });
    expect(readdirSync(dir)).toEqual([STORAGE_FILE]);
    expect(await storage.get('big')).toEqual({ found: false });
    disk.free();
    await storage.set('big', 'y');
    expect(JSON.parse(readFileSync(join(dir, STORAGE_FILE), 'utf8'))).toEqual({ kept: 'old', big: 'y' });
  });
});
