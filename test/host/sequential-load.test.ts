/**
 * Ordinary load is not flooding: an app calling the sample hello-world plugin 100,000 times in a row (each call
 * makes the plugin send a showMessage request of its own, answering the host's request) gets every answer, and
 * the plugin is never killed or restarted. The limit stays on what a plugin sends unasked (supervisor.test.ts);
 * messages sent in answer meet only a hard ceiling (50 × messagesPerSecond), and every one past it is counted in
 * a drop note, none lost silently.
 * Needs `npx tsc -p tsconfig.json` first.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../host/audit.js';
import { createHost, type Host } from '../../host/index.js';

const CALLS = 100_000;
/** The review saw the plugin killed for flooding after ~7,600 such calls. */
const DEFERRED_CALLS = 30_000;
let work: string | undefined;
let host: Host | undefined;

/** What the host reports while the app calls: crashes, restarts, disables; messages shown, and those counted in drop notes. */
function watch(running: Host): { trouble: string[]; messages: () => number; dropped: () => number } {
  const trouble: string[] = [];
  for (const event of ['crashed', 'restarted', 'disabled'] as const) running.on(event, (payload) => trouble.push(`${event}: ${JSON.stringify(payload)}`));
  let messages = 0;
  let dropped = 0;
  running.on('message', () => (messages += 1));
  running.on('log', ({ line }) => (dropped += Number(/^\[warden\] (\d+) messages dropped/.exec(line)?.[1] ?? 0)));
  return { trouble, messages: () => messages, dropped: () => dropped };
}

afterEach(async () => {
  await host?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('sequential load', () => {
  it(`${CALLS.toLocaleString('en')} sequential app calls to hello-world: all answered, none killed`, async () => {
    work = mkdtempSync(join(tmpdir(), 'warden-load-'));
    cpSync(resolve(import.meta.dirname, '../../sample-plugins/hello-world'), join(work, 'plugins', 'hello-world'), { recursive: true });
    host = createHost({ pluginsDir: join(work, 'plugins'), dataDir: join(work, 'data') });
    const { trouble, messages, dropped } = watch(host);
    await host.start();
    for (let n = 0; n < CALLS; n += 1) {
      const answer = await host.executeCommand<string>('hello.sayHello', `#${n}`);
      if (answer !== `Hello, #${n}!`) throw new Error(`call ${n} answered ${answer}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the last window's drop note
    expect(trouble).toEqual([]);
    expect(messages() + dropped()).toBe(CALLS);
    expect(messages()).toBeGreaterThan(Math.min(CALLS, 20 * 100)); // far past its own 20 a second
    expect(host.plugins()[0]).toMatchObject({ state: 'active', restarts: 0 });
    await host.stop();
    host = undefined;
    expect(verifyAuditLog(join(work, 'data', 'audit.log'))).toMatchObject({ ok: true });
  }, 300_000);

  it(`${DEFERRED_CALLS.toLocaleString('en')} sequential calls to a command that shows its message on the turn after it answers: none killed, each message shown or counted`, async () => {
    work = mkdtempSync(join(tmpdir(), 'warden-load-'));
    cpSync(resolve(import.meta.dirname, '../fixtures/host/deferred-message'), join(work, 'plugins', 'deferred-message'), { recursive: true });
    host = createHost({ pluginsDir: join(work, 'plugins'), dataDir: join(work, 'data') });
    const { trouble, messages, dropped } = watch(host);
    await host.start();
    for (let n = 0; n < DEFERRED_CALLS; n += 1) {
      if ((await host.executeCommand<number>('deferred.fire', n)) !== n) throw new Error(`call ${n} answered wrong`);
    }
    // Sent on the answer's lingering allowance, so held only to the answers' ceiling (far past the plugin's own 20 a second).
    await expect.poll(() => messages() + dropped(), { timeout: 10_000 }).toBe(DEFERRED_CALLS);
    expect(messages()).toBeGreaterThan(20 * 100);
    expect(trouble).toEqual([]);
    expect(host.plugins()[0]).toMatchObject({ state: 'active', restarts: 0 });
  }, 300_000);
});
