/**
 * A running `warden run` follows what changes under it: a blocklist update
 * published to its registry stops a running plugin (reason and link shown),
 * and `warden grant` / `uninstall` in another process restart or stop the
 * plugin with the new consent. The latency is printed, not asserted.
 * Needs `npx tsc -p tsconfig.json` first.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { alive, buildRegistry, readerPlugin, runHost, type Running, SAMPLES, tempDir, warden } from './trust-helpers.js';

let work: string;
let host: Running | undefined;

beforeEach(() => {
  work = tempDir('live');
});
afterEach(async () => {
  await host?.stop();
  host = undefined;
  rmSync(work, { recursive: true, force: true });
});

const client = () => ['--plugins-dir', join(work, 'plugins'), '--data-dir', join(work, 'data')];

it('a blocklist update stops a running plugin as soon as the registry is refreshed, with the reason and the link', async () => {
  const registry = await buildRegistry(work);
  const pin = ['--registry', registry.dir, '--trusted-root', join(registry.dir, 'metadata', '1.root.json')];
  expect(warden(work, 'install', 'acme.greeter', ...pin, ...client(), '--yes').code).toBe(0);
  expect(warden(work, 'install', 'samples.hello-world', ...client(), '--yes').code).toBe(0);

  host = runHost(work, ...client());
  const started = await host.waitFor((e) => e.event === 'activated' && e.pluginId === 'acme.greeter', 'greeter started');
  expect(alive(started.pid)).toBe(true);

  const block = warden(work, 'registry', 'block', registry.dir, 'publisher:acme', '--reason', 'sends what you type to a third party', '--link', 'https://example.com/advisories/42');
  expect(block.code).toBe(0);
  const refreshed = await host.waitFor((e) => e.event === 'registry' && Date.parse(e.time) > Date.parse(started.time) && !e.lastError, 'the refresh');
  const blocked = await host.waitFor((e) => e.event === 'blocked' && e.pluginId === 'acme.greeter', 'greeter blocked');
  expect(blocked.reasons).toEqual(['blocklisted by the registry: sends what you type to a third party — https://example.com/advisories/42']);
  const stopped = await host.waitFor((e) => e.event === 'deactivated' && e.pluginId === 'acme.greeter', 'greeter stopped');
  expect(stopped.reason).toMatch(/blocklisted by the registry/);
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(alive(started.pid)).toBe(false);
  // Only the plugin it names: hello-world was never refused.
  expect(host.events.filter((e) => e.event === 'blocked').map((e) => e.pluginId)).toEqual(['acme.greeter']);
  process.stdout.write(`live blocklist: refresh → stopped in ${Date.parse(stopped.time) - Date.parse(refreshed.time)} ms\n`);
});

it('grant and uninstall in another process: the running plugin restarts with the new grant, then stops', async () => {
  const notes = join(work, 'home', 'notes', 'todo.txt');
  mkdirSync(join(notes, '..'), { recursive: true });
  writeFileSync(notes, 'water the plants\n');
  const reader = readerPlugin(join(work, 'reader'), notes);
  expect(warden(work, 'install', reader, ...client(), '--grant', 'network:notes.example.com').code).toBe(0);

  host = runHost(work, ...client());
  await host.waitFor((e) => e.event === 'message' && e.text === 'read: ERR_ACCESS_DENIED', 'the first read, denied');
  const first = await host.waitFor((e) => e.event === 'activated' && e.pluginId === 'tests.reader', 'reader started');

  expect(warden(work, 'grant', 'tests.reader', `filesystem.read:${join(notes, '..')}`, ...client()).code).toBe(0);
  await host.waitFor((e) => e.event === 'message' && e.text === 'read: water the plants', 'the read after the grant');
  const second = await host.waitFor((e) => e.event === 'activated' && e.pluginId === 'tests.reader' && e.pid !== first.pid, 'reader restarted');
  expect(alive(first.pid)).toBe(false);

  expect(warden(work, 'uninstall', 'tests.reader', ...client()).code).toBe(0);
  await host.waitFor((e) => e.event === 'deactivated' && e.pluginId === 'tests.reader' && e.reason === 'uninstalled', 'reader stopped by uninstall');
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(alive(second.pid)).toBe(false);
});

it('warden list beside a running host: the running host answers, with its live states, and nothing is refused', async () => {
  expect(warden(work, 'install', join(SAMPLES, 'hello-world'), ...client(), '--yes').code).toBe(0);
  host = runHost(work, ...client(), '--exec', 'hello.sayHello');
  await host.waitFor((e) => e.event === 'activated' && e.pluginId === 'samples.hello-world', 'hello-world started');
  const listed = warden(work, 'list', ...client(), '--json');
  expect(listed.code).toBe(0);
  expect(JSON.parse(listed.stdout)).toMatchObject([{ id: 'samples.hello-world', status: 'active', installed: true }]);
});
