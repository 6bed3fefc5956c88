/**
 * Both halves of the protocol over a real plugin process: the ctx facade an
 * ES-module plugin uses (storage with its quota, messages, host commands,
 * events, config, log capture), deactivation disposing subscriptions in
 * reverse, and a plugin whose activate throws. Run `npx tsc -p tsconfig.json` first.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORAGE_FILE } from '../../host/storage.js';
import { SIGKILLED, type Started, exitOf, startFixture } from '../fixtures/host/harness.js';

describe('an ES module plugin using ctx', () => {
  let run: Started;
  beforeAll(async () => {
    run = await startFixture('ctx-user', 'main.mjs', {
      config: { greeting: 'hi' },
      hostCommands: { 'host.double': (value) => (value as number) * 2 },
    });
  });
  afterAll(() => run.cleanup());

  it('stores values persistently in its data folder, and a store over quota fails with a clear error', async () => {
    expect(await run.plugin.executeCommand('ctx.storageRoundTrip', [])).toEqual({ a: { n: 1 }, keys: ['a'] });
    expect(JSON.parse(readFileSync(join(run.dataDir, STORAGE_FILE), 'utf8'))).toEqual({ a: { n: 1 } });
    expect(await run.plugin.executeCommand('ctx.overQuota', [])).toMatch(/^storage quota exceeded: the store would hold \d+ bytes, the limit is 16384$/);
    expect(JSON.parse(readFileSync(join(run.dataDir, STORAGE_FILE), 'utf8'))).toEqual({ a: { n: 1 } });
  });

  it('reaches the host: messages, host commands, events both ways, config', async () => {
    await run.plugin.executeCommand('ctx.show', ['careful']);
    expect(run.seen.messages).toEqual(['warning:careful']);
    expect(await run.plugin.executeCommand('ctx.callHost', [21])).toBe(42);
    await run.plugin.executeCommand('ctx.emit', [{ n: 1 }]);
    expect(run.seen.events).toEqual(['warden-tests.ctx-user.saved:{"n":1}']);
    await run.plugin.deliverEvent('tick', 1, 'app');
    await run.plugin.deliverEvent('tick', 2, 'app');
    expect(await run.plugin.executeCommand('ctx.ticks', [])).toEqual([1, 2]);
    expect(await run.plugin.executeCommand('ctx.config', [])).toEqual({ greeting: 'hi' });
    expect(run.seen.logs).toContain('info:activated {"module":"esm"}');
  });

  it('audits every ctx call with a correlation id', () => {
    const calls = run.auditEntries().filter((entry) => entry.kind === 'call');
    expect(calls.map((entry) => entry.method)).toEqual(
      expect.arrayContaining(['commands/register', 'storage/set', 'storage/get', 'window/showMessage', 'commands/execute', 'events/emit']),
    );
    expect(new Set(calls.map((entry) => entry.correlationId)).size).toBe(calls.length);
    const failed = run.auditEntries().find((entry) => entry.kind === 'failed' && entry.method === 'storage/set');
    expect(failed?.error).toMatch(/storage quota exceeded/);
    // The failure is filed under the id of the call that failed.
    expect(calls.filter((entry) => entry.correlationId === failed?.correlationId).map((entry) => entry.method)).toEqual(['storage/set']);
  });

  it('captures stdout and stderr line by line, and drops lines over the rate with one note', async () => {
    await run.plugin.executeCommand('ctx.print', ['hello']);
    await run.plugin.ping();
    expect(run.seen.lines).toEqual(expect.arrayContaining(['stdout:hello', 'stderr:err: hello']));
    run.seen.lines.length = 0;
    await run.plugin.executeCommand('ctx.printMany', [500]);
    await run.plugin.executeCommand('ctx.print', ['after']);
    // The note comes with the first line of the next one-second window.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await run.plugin.executeCommand('ctx.print', ['later']);
    await run.plugin.ping();
    const printed = run.seen.lines.filter((line) => line.startsWith('stdout:line '));
    expect(printed.length).toBeLessThanOrEqual(50);
    expect(run.seen.lines.some((line) => /^stdout:\[warden\] \d+ lines dropped \(over 50 lines per second\)$/.test(line))).toBe(true);
  });

  it('answers ping with its memory use', async () => {
    const memory = await run.plugin.ping();
    expect(memory.heapUsed).toBeGreaterThan(0);
    expect(memory.rss).toBeGreaterThan(memory.heapUsed);
  });

  it('on stop, deactivates, disposes subscriptions in reverse order, and exits on its own', async () => {
    const exited = exitOf(run.plugin);
    await run.plugin.stop(5000);
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(readFileSync(join(run.dataDir, 'trace.txt'), 'utf8').trim().split('\n')).toEqual([
      'deactivate',
      'dispose second-pushed',
      'dispose first-pushed',
    ]);
    expect(run.auditEntries().map((entry) => entry.kind)).toContain('process.exit');
  });
});

describe('a plugin whose activate throws', () => {
  it('rejects activate() with the plugin own message, and the failure is audited', async () => {
    const run = await startFixture('throws', 'main.cjs', { activate: false });
    try {
      await expect(run.plugin.activate()).rejects.toThrow('activation exploded on purpose');
      expect(run.auditEntries().find((entry) => entry.kind === 'activate.failed')?.error).toBe('activation exploded on purpose');
      expect(await run.plugin.ping()).toHaveProperty('rss');
    } finally {
      await run.cleanup();
    }
  });
});

describe('a plugin that cannot deactivate', () => {
  it('is killed when the grace period ends, and the reason is audited', async () => {
    const run = await startFixture('spinner', 'main.js');
    try {
      void run.plugin.executeCommand('spinner.spin', []).catch(() => undefined);
      const exited = exitOf(run.plugin);
      await run.plugin.stop(300);
      expect(SIGKILLED).toContainEqual(await exited);
      expect(run.auditEntries().find((entry) => entry.kind === 'process.exit')?.reason).toBe('did not stop within 300 ms');
    } finally {
      await run.cleanup();
    }
  });
});
