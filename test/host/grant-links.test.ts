/**
 * The check that refuses to start a plugin without a mount namespace of its
 * own when a symlink in one of its granted folders leads outside the grant.
 * Links that stay inside (the benign look-alikes) pass.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { escapingLinks } from '../../host/grant-links.js';
import type { Grant } from '../../host/permissions.js';

let tmp: string;
let grant: Grant;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'warden-links-'));
  for (const folder of ['plugin/lib', 'data', 'music', 'outside']) mkdirSync(join(tmp, folder), { recursive: true });
  writeFileSync(join(tmp, 'outside', 'secret'), 'x');
  writeFileSync(join(tmp, 'music', 'song.mp3'), 'x');
  grant = {
    fsRead: [join(tmp, 'plugin'), join(tmp, 'data'), join(tmp, 'music')],
    fsWrite: [join(tmp, 'data')],
    networkHosts: [],
    env: [],
    childProcess: false,
    worker: false,
    nativeAddons: false,
  };
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

it('passes links that stay inside what the plugin may read or write', () => {
  symlinkSync('../music/song.mp3', join(tmp, 'plugin', 'lib', 'song')); // read → read
  symlinkSync(join(tmp, 'data', 'real'), join(tmp, 'data', 'alias')); // write → write, target not there yet
  symlinkSync('lib', join(tmp, 'plugin', 'dir-alias'));
  expect(escapingLinks(grant)).toEqual([]);
});

it('names a link that leads out of the grant, however deep and however spelled', () => {
  symlinkSync(join(tmp, 'outside', 'secret'), join(tmp, 'plugin', 'lib', 'leak'));
  symlinkSync('../../outside', join(tmp, 'plugin', 'lib', 'up'));
  expect(escapingLinks(grant).sort()).toEqual([
    `${join(tmp, 'plugin', 'lib', 'leak')} is a symlink to ${join(tmp, 'outside', 'secret')}, outside what the plugin may read`,
    `${join(tmp, 'plugin', 'lib', 'up')} is a symlink to ${join(tmp, 'outside')}, outside what the plugin may read`,
  ]);
});

it('names a link in a writable folder that leads to something it may only read, or to a file not there yet outside', () => {
  symlinkSync(join(tmp, 'music', 'song.mp3'), join(tmp, 'data', 'overwrite-song'));
  symlinkSync(join(tmp, 'outside', 'new-file'), join(tmp, 'data', 'create-outside'));
  expect(escapingLinks(grant).sort()).toEqual([
    `${join(tmp, 'data', 'create-outside')} is a symlink to ${join(tmp, 'outside', 'new-file')}, outside what the plugin may write`,
    `${join(tmp, 'data', 'overwrite-song')} is a symlink to ${join(tmp, 'music', 'song.mp3')}, outside what the plugin may write`,
  ]);
});

it('follows a chain of links to where it really ends', () => {
  symlinkSync(join(tmp, 'outside', 'secret'), join(tmp, 'music', 'hop'));
  symlinkSync(join(tmp, 'music', 'hop'), join(tmp, 'plugin', 'first'));
  expect(escapingLinks(grant)).toHaveLength(2);
});

it('refuses rather than checks folders too large to search', () => {
  for (let i = 0; i < 30; i++) writeFileSync(join(tmp, 'music', `f${i}`), '');
  expect(escapingLinks(grant, 20)).toEqual(['its granted folders hold more than 20 entries, too many to check for symlinks that lead outside the grant']);
});
