/**
 * The plugin can write its own data folder, so whatever the host reads and
 * replaces there may have been swapped for a symlink, a FIFO or a huge file.
 * The store is opened without following links, only as a regular file within
 * its quota, and replaced through a fresh temporary file: the host never
 * reads or overwrites anything outside through it.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { PluginStorage, STORAGE_FILE } from '../../host/storage.js';

let tmp: string;
let data: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'warden-storage-links-'));
  data = join(tmp, 'data');
  mkdirSync(data);
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

it('a storage.json that is a symlink to a private file is neither read nor replaced', async () => {
  const secret = join(tmp, 'secret.json');
  writeFileSync(secret, '{"token":"hunter2"}');
  chmodSync(secret, 0o600);
  symlinkSync(secret, join(data, STORAGE_FILE));
  const storage = new PluginStorage(data, 1024 * 1024);
  await expect(storage.get('token')).rejects.toThrow(`${join(data, STORAGE_FILE)} is a symbolic link; the host reads only a regular file there`);
  await expect(storage.set('token', 'mine')).rejects.toThrow(/is a symbolic link/);
  expect(readFileSync(secret, 'utf8')).toBe('{"token":"hunter2"}');
  expect(statSync(secret).mode & 0o777).toBe(0o600);
  expect(lstatSync(join(data, STORAGE_FILE)).isSymbolicLink()).toBe(true);
});

it('a FIFO in its place is refused at once, without waiting for a writer', async () => {
  execFileSync('mkfifo', [join(data, STORAGE_FILE)]);
  await expect(new PluginStorage(data, 1024).get('k')).rejects.toThrow(/is a FIFO, not a regular file/);
});

it('a store the plugin blew up past the quota is refused, not read into the host', async () => {
  writeFileSync(join(data, STORAGE_FILE), `{"k":"${'x'.repeat(2 * 1024 * 1024)}"}`);
  await expect(new PluginStorage(data, 1024 * 1024).get('k')).rejects.toThrow(/holds \d+ bytes, more than the 1048576 allowed/);
});

it('a regular store is replaced by a new file, and no temporary file stays behind', async () => {
  const storage = new PluginStorage(data, 1024);
  await storage.set('a', 1);
  await storage.set('b', 2);
  expect(JSON.parse(readFileSync(join(data, STORAGE_FILE), 'utf8'))).toEqual({ a: 1, b: 2 });
  expect(readdirSync(data)).toEqual([STORAGE_FILE]);
  expect(existsSync(join(tmp, 'secret.json'))).toBe(false);
});
