/**
 * ctx.user.profile() through a real host and a real plugin process: only the
 * display name and locale the app shares cross, whatever else the app's
 * object holds (paths, tokens), and nothing when the app shares nothing.
 * Needs `npx tsc -p tsconfig.json` first.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createHost, type Host } from '../../host/index.js';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/host/profile-reader');
let work: string;
let host: Host | undefined;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'warden-profile-'));
  cpSync(FIXTURE, join(work, 'plugins', 'profile-reader'), { recursive: true });
});
afterEach(async () => {
  await host?.stop();
  host = undefined;
  rmSync(work, { recursive: true, force: true });
});

it('passes on only the fields the app chose to share', async () => {
  const appUser = { displayName: 'Ada Lovelace', locale: 'en-GB', home: '/home/ada', token: 'ghp_secret', email: 'ada@example.com' };
  host = createHost({ pluginsDir: join(work, 'plugins'), dataDir: join(work, 'data'), profile: appUser as { displayName: string; locale: string } });
  await host.start();
  expect(await host.executeCommand('profile.read')).toEqual({ displayName: 'Ada Lovelace', locale: 'en-GB' });
});

it('shares nothing the app did not give', async () => {
  host = createHost({ pluginsDir: join(work, 'plugins'), dataDir: join(work, 'data') });
  await host.start();
  expect(await host.executeCommand('profile.read')).toEqual({});
});
