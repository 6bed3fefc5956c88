/**
 * The plugin's key-value store on its own: reads answered from memory must
 * still see every write the plugin made before them, even one it did not
 * await, and bad keys are refused the same way on either path.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PluginStorage, STORAGE_FILE } from '../../host/storage.js';

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
});
