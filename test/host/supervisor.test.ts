/**
 * The supervisor against real misbehaving plugin processes. Each case runs a
 * healthy plugin next to the bad one and checks it keeps answering while the
 * bad one is stopped (or disabled) within the bound docs/host.md states.
 * Needs the runtime built: `npx tsc -p tsconfig.json`.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, verifyAuditLog } from '../../host/audit.js';
import type { BrokerCallbacks } from '../../host/broker.js';
import { DEFAULT_LIMITS, processLimits, type HostLimits } from '../../host/limits.js';
import { grantFromManifest } from '../../host/permissions.js';
import { type PluginLimits, PluginProcess } from '../../host/plugin-process.js';
import { Supervisor } from '../../host/supervisor.js';
import { mountSmallDisk } from '../fixtures/host/tmpfs.js';

const disk = mountSmallDisk(1024 * 1024);
if (typeof disk === 'string') console.warn(`skipping the full-disk restart test: ${disk}`);
afterAll(() => {
  if (typeof disk !== 'string') disk.unmount();
});

type Observed = { kind: string; detail: string; crashes?: number };

let work: string;
let audit: AuditLog;
const supervisors: Supervisor[] = [];

const LIMITS: HostLimits = {
  ...DEFAULT_LIMITS,
  heartbeatMs: 500,
  rssSampleMs: 100,
  memoryMb: 160,
  heapMb: 256,
  restartBaseMs: 100,
  maxMessagesPerSecond: 300,
  maxMessageBytes: 64 * 1024,
  callTimeoutMs: 5000,
};
/** Slack on top of a stated bound for spawning, SIGKILL and event delivery on a loaded 2-core machine. */
const SLACK_MS = 2500;

const messages: string[] = [];
const broker: BrokerCallbacks = {
  executeCommand: () => undefined,
  registerCommand: () => undefined,
  emitEvent: () => undefined,
  subscribe: () => undefined,
  showMessage: (_id, _level, text) => void messages.push(text),
  log: () => undefined,
  profile: () => ({}),
};

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'warden-supervisor-'));
  audit = new AuditLog(join(work, 'audit.log'));
  messages.length = 0;
});

afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((s) => s.stop()));
  audit.close();
  rmSync(work, { recursive: true, force: true });
});

/** A real plugin folder whose activate registers `commands` (name → handler source). */
function plugin(name: string, commands: Record<string, string>, activateExtra = ''): string {
  const root = join(work, name);
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name, publisher: 'test', version: '1.0.0', main: 'index.js', engines: { warden: '*' } }));
  const registrations = Object.entries(commands).map(([command, body]) => `ctx.commands.register(${JSON.stringify(command)}, ${body});`);
  writeFileSync(join(root, 'index.js'), `exports.activate = async function (ctx) {\n${activateExtra}\n${registrations.join('\n')}\n};\n`);
  return root;
}

function supervise(name: string, root: string, limits: HostLimits = LIMITS, processOverrides: Partial<PluginLimits> = {}): { supervisor: Supervisor; events: Observed[] } {
  const events: Observed[] = [];
  const dataDir = join(work, 'data', name);
  const supervisor = new Supervisor(
    `test.${name}`,
    async () =>
      new PluginProcess({
        pluginId: `test.${name}`,
        root,
        main: join(root, 'index.js'),
        dataDir,
        grant: grantFromManifest(undefined, { pluginRoot: root, dataDir, home: work }),
        config: {},
        audit,
        host: broker,
        limits: { ...processLimits(limits), ...processOverrides },
      }),
    limits,
    {
      activated: ({ reason }) => events.push({ kind: 'activated', detail: reason }),
      deactivated: (reason) => events.push({ kind: 'deactivated', detail: reason }),
      crashed: (reason, crashes) => events.push({ kind: 'crashed', detail: reason, crashes }),
      restarted: (attempt) => events.push({ kind: 'restarted', detail: String(attempt) }),
      disabled: (reason) => events.push({ kind: 'disabled', detail: reason }),
      startFailed: (reason) => events.push({ kind: 'startFailed', detail: reason }),
    },
  );
  supervisors.push(supervisor);
  return { supervisor, events };
}

/** Resolves with the first matching event, or fails once `boundMs` has passed. */
async function eventWithin(events: Observed[], kind: string, boundMs: number): Promise<Observed> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const found = events.find((e) => e.kind === kind);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no "${kind}" within ${boundMs} ms; saw ${JSON.stringify(events)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The healthy neighbour: it must keep answering while the other plugin misbehaves. */
async function healthyNeighbour(): Promise<Supervisor> {
  const { supervisor } = supervise('healthy', plugin('healthy', { echo: '(x) => x' }));
  expect(await supervisor.executeCommand('echo', ['before'], 'test')).toBe('before');
  return supervisor;
}

async function answersDuring(healthy: Supervisor, untilSettled: Promise<unknown>): Promise<number> {
  let answers = 0;
  let settled = false;
  void untilSettled.finally(() => (settled = true)).catch(() => undefined);
  while (!settled) {
    expect(await healthy.executeCommand('echo', [answers], 'test')).toBe(answers);
    answers += 1;
    await new Promise((r) => setTimeout(r, 25));
  }
  return answers;
}

describe('supervisor', () => {
  it('kills a plugin whose event loop is blocked within 2 × heartbeatMs, while another keeps answering', async () => {
    const healthy = await healthyNeighbour();
    const { supervisor, events } = supervise('spin', plugin('spin', { spin: '() => { for (;;) {} }' }));
    await supervisor.activate('test');
    const spin = supervisor.executeCommand('spin', [], 'test').then(() => 'answered', (error: Error) => error.message);
    const crashed = eventWithin(events, 'crashed', 2 * LIMITS.heartbeatMs + SLACK_MS);
    expect(await answersDuring(healthy, crashed)).toBeGreaterThan(0);
    expect((await crashed).detail).toMatch(/unresponsive: no heartbeat answer/);
    expect(await spin).not.toBe('answered');
    // It comes back (after backoff) and answers again; the neighbour never stopped.
    await eventWithin(events, 'restarted', LIMITS.restartBaseMs + SLACK_MS);
    await supervisor.activate('test');
    expect(supervisor.restarts).toBe(1);
    expect(await healthy.executeCommand('echo', ['after'], 'test')).toBe('after');
  });

  it('kills a plugin whose resident memory passes memoryMb (sampled every rssSampleMs)', async () => {
    const healthy = await healthyNeighbour();
    const leak = `() => { const kept = []; setInterval(() => kept.push(Buffer.alloc(8 * 1024 * 1024, 1)), 20); return 'leaking'; }`;
    // Without the kernel's data-segment limit (set from memoryMb at launch), so the sampler is what stops it.
    const { supervisor, events } = supervise('leak', plugin('leak', { leak }), LIMITS, { memoryMb: undefined });
    expect(await supervisor.executeCommand('leak', [], 'test')).toBe('leaking');
    const crashed = eventWithin(events, 'crashed', 4 * LIMITS.rssSampleMs + SLACK_MS);
    expect(await answersDuring(healthy, crashed)).toBeGreaterThan(0);
    expect((await crashed).detail).toMatch(/memory: resident \d+ MB exceeds the limit of 160 MB/);
  });

  it('a plugin that fills its heap dies at the heap cap and is reported as out of memory', async () => {
    const healthy = await healthyNeighbour();
    const limits = { ...LIMITS, heapMb: 48, memoryMb: 1024 };
    const leak = `() => { const kept = []; setInterval(() => kept.push(new Array(200000).fill(Math.random())), 2); return 'leaking'; }`;
    const { supervisor, events } = supervise('heap', plugin('heap', { leak }), limits);
    await supervisor.executeCommand('leak', [], 'test');
    const crashed = eventWithin(events, 'crashed', 10_000);
    expect(await answersDuring(healthy, crashed)).toBeGreaterThan(0);
    expect((await crashed).detail).toMatch(/out of memory|unresponsive/);
  });

  it('kills a plugin that floods the host with messages', async () => {
    const healthy = await healthyNeighbour();
    const flood = `() => { for (let i = 0; i < 20000; i++) ctx.window.showMessage('spam ' + i).catch(() => {}); return 'sent'; }`;
    const { supervisor, events } = supervise('flood', plugin('flood', { flood }), { ...LIMITS, memoryMb: 1024 });
    await supervisor.executeCommand('flood', [], 'test').catch(() => undefined);
    const crashed = await eventWithin(events, 'crashed', SLACK_MS);
    expect(crashed.detail).toMatch(/violation/);
    expect(messages.length).toBeLessThan(20000);
    expect(await healthy.executeCommand('echo', ['after'], 'test')).toBe('after');
  });

  it('kills a plugin that writes garbage or an oversized frame on the JSON-RPC channel', async () => {
    const healthy = await healthyNeighbour();
    const frames = {
      garbage: `() => { require('fs').writeSync(3, 'Content-Length: 9\\r\\n\\r\\n{not json'); return 1; }`,
      oversized: `() => { const body = JSON.stringify({ jsonrpc: '2.0', method: 'log/write', params: { level: 'info', message: 'x'.repeat(200000) } }); require('fs').writeSync(3, 'Content-Length: ' + Buffer.byteLength(body) + '\\r\\n\\r\\n' + body); return 1; }`,
      malformed: `() => { const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 42 }); require('fs').writeSync(3, 'Content-Length: ' + Buffer.byteLength(body) + '\\r\\n\\r\\n' + body); return 1; }`,
    };
    for (const [name, body] of Object.entries(frames)) {
      const { supervisor, events } = supervise(name, plugin(name, { send: body }));
      await supervisor.executeCommand('send', [], 'test').catch(() => undefined);
      const crashed = await eventWithin(events, 'crashed', SLACK_MS);
      expect(crashed.detail, name).toMatch(/violation/);
      expect(await healthy.executeCommand('echo', [name], 'test')).toBe(name);
    }
  });

  it('restarts a plugin that exits or throws asynchronously, with backoff', async () => {
    const healthy = await healthyNeighbour();
    const { supervisor, events } = supervise('quitter', plugin('quitter', {
      quit: '() => process.exit(7)',
      explode: "() => { setTimeout(() => { throw new Error('boom'); }); return 'armed'; }",
      ok: "() => 'fine'",
    }));
    await supervisor.executeCommand('quit', [], 'test').catch(() => undefined);
    expect((await eventWithin(events, 'crashed', SLACK_MS)).detail).toMatch(/exited with code 7/);
    expect(await supervisor.executeCommand('ok', [], 'test')).toBe('fine'); // waits for the restart
    events.length = 0;
    await supervisor.executeCommand('explode', [], 'test');
    expect((await eventWithin(events, 'crashed', SLACK_MS)).detail).toMatch(/exited with code 1.*boom|boom/);
    expect(await supervisor.executeCommand('ok', [], 'test')).toBe('fine');
    expect(supervisor.restarts).toBe(2);
    expect(await healthy.executeCommand('echo', ['after'], 'test')).toBe('after');
  });

  it('disables a plugin after maxCrashes crashes in the window and says why', async () => {
    const healthy = await healthyNeighbour();
    const { supervisor, events } = supervise('broken', plugin('broken', {}, "throw new Error('missing config file');"));
    await expect(supervisor.activate('test')).rejects.toThrow(/missing config file/);
    // backoff 100 ms then 200 ms: disabled after the third failed activation
    const disabled = eventWithin(events, 'disabled', LIMITS.restartBaseMs * 3 + 3 * SLACK_MS);
    expect(await answersDuring(healthy, disabled)).toBeGreaterThan(0);
    expect((await disabled).detail).toMatch(/disabled after 3 crashes in 300 s; last: activate failed: missing config file/);
    expect(events.filter((e) => e.kind === 'crashed').map((e) => e.crashes)).toEqual([1, 2, 3]);
    expect(supervisor.state).toBe('disabled');
    expect(supervisor.lastError).toMatch(/missing config file/);
    await expect(supervisor.executeCommand('anything', [], 'test')).rejects.toThrow(/disabled/);
  });

  it('never counts the calls a plugin makes in answer to the host as flooding: 20,000 sequential calls, none killed', async () => {
    // Each call shows a message (a request of the plugin's own) while the host waits for its answer: far more than
    // maxMessagesPerSecond (300 here) per second in all, every one of them in answer to a host request.
    const { supervisor, events } = supervise('chatty', plugin('chatty', { hello: "async (n) => { await ctx.window.showMessage('hi ' + n); return n; }" }));
    const started = Date.now();
    for (let n = 0; n < 20_000; n += 1) expect(await supervisor.executeCommand('hello', [n], 'test')).toBe(n);
    const windows = Math.ceil((Date.now() - started) / 1000) + 1;
    expect(events.filter((e) => e.kind === 'crashed')).toEqual([]);
    // Past its own 20 a second (answers are the app's pace), up to the hard ceiling of 50 times that.
    expect(messages.length).toBeGreaterThan(Math.min(20_000, 20 * windows * 10));
    expect(messages.length).toBeLessThanOrEqual(Math.min(20_000, 20 * 50 * windows));
  }, 120_000);

  it('still kills a plugin that floods on its own after answering many calls (answers earn no credit to save up)', async () => {
    const { supervisor, events } = supervise('saver', plugin('saver', {
      quiet: '(n) => n',
      burst: "() => { setTimeout(() => { for (let i = 0; i < 2000; i++) ctx.window.showMessage('spam ' + i).catch(() => {}); }, 50); return 'armed'; }",
    }));
    for (let n = 0; n < 2000; n += 1) await supervisor.executeCommand('quiet', [n], 'test');
    expect(await supervisor.executeCommand('burst', [], 'test')).toBe('armed');
    expect((await eventWithin(events, 'crashed', SLACK_MS)).detail).toMatch(/violation: more than 300 messages in one second/);
  });

  it('a plugin SIGKILLed inside its sandbox (as the OOM killer does) is reported killed, not as an exit code', async () => {
    const root = plugin('oomed', { ok: "() => 'fine'" });
    const { supervisor, events } = supervise('oomed', root);
    expect(await supervisor.executeCommand('ok', [], 'test')).toBe('fine');
    // The plugin's own node process, below whatever sandbox wrappers (bwrap, unshare, setpriv) forked it.
    const inner = pluginProcessesOf(root).filter((pid) => /(^|\/)node$/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]!));
    expect(inner).toHaveLength(1);
    process.kill(inner[0]!, 'SIGKILL');
    expect((await eventWithin(events, 'crashed', SLACK_MS)).detail).toMatch(/^killed by SIGKILL\b/);
  });

  it.skipIf(typeof disk === 'string')('a restart that fails because the disk is full (a real tmpfs) stops cleanly and is retried with backoff until there is room', async () => {
    if (typeof disk === 'string') return;
    audit.close();
    audit = new AuditLog(join(disk.dir, 'audit.log'));
    const root = plugin('full', { ok: "() => 'fine'" });
    const { supervisor, events } = supervise('full', root);
    expect(await supervisor.executeCommand('ok', [], 'test')).toBe('fine');
    disk.fill(0);
    while (audit.tryAppend({ pluginId: 'test.full', kind: 'filler', padding: 'x'.repeat(500) })) {
      // fill the log's last page too: from here no entry fits
    }
    process.kill(supervisor.pid!, 'SIGKILL');
    expect((await eventWithin(events, 'startFailed', SLACK_MS)).detail).toMatch(/^could not start: ENOSPC/);
    expect(supervisor.state).toBe('restarting');
    expect(supervisor.pid).toBeUndefined();
    // SIGKILLed at once; the kernel may take a moment to tear a sandboxed process tree down on a loaded machine.
    await expect.poll(() => pluginProcessesOf(root), { timeout: SLACK_MS }).toEqual([]);
    await expect(supervisor.executeCommand('ok', [], 'test')).rejects.toThrow(/could not start: ENOSPC.*trying again in \d+ ms/);
    // Retried after restartBaseMs, fails again (the disk is still full), and again leaves no process behind.
    await expect.poll(() => events.filter((e) => e.kind === 'startFailed').length, { timeout: LIMITS.restartBaseMs + SLACK_MS }).toBeGreaterThanOrEqual(2);
    expect(supervisor.state).toBe('restarting');
    await expect.poll(() => pluginProcessesOf(root), { timeout: SLACK_MS }).toEqual([]);
    disk.free();
    await expect.poll(() => events.filter((e) => e.kind === 'activated').length, { timeout: 30_000 + SLACK_MS }).toBe(2);
    expect(await supervisor.executeCommand('ok', [], 'test')).toBe('fine');
    expect(events.filter((e) => e.kind === 'crashed')).toHaveLength(1); // the kill; the failed starts are not crashes
    expect(supervisor.state).toBe('active');
    audit.close();
    expect(verifyAuditLog(audit.path)).toMatchObject({ ok: true, notes: [expect.stringMatching(/entries could not be written before it \(ENOSPC\)/)] });
  }, 60_000);
});

/** Live processes whose command line names the plugin folder (the sandbox grants it by path): its plugin processes. */
function pluginProcessesOf(root: string): number[] {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).flatMap((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(root) ? [Number(pid)] : [];
    } catch {
      return [];
    }
  });
}
