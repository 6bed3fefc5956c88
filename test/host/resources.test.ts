/**
 * Each bound a plugin can push against, crossed by a real plugin through the
 * real host (createHost → supervisor → sandboxed process): memory, CPU in
 * slices short enough to answer every heartbeat, the data folder, open files,
 * processes, message and log floods, huge refused calls, and answers it never
 * reads. Each must stop the plugin (or refuse it) within the stated bound,
 * and the host — this process — must stay small throughout.
 * Needs the runtime built: `npx tsc -p tsconfig.json`.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Host, createHost } from '../../host/index.js';
import type { HostLimits } from '../../host/limits.js';
import type { IsolationLevel } from '../../host/platform.js';
import { folderUsage } from '../../host/resource-monitor.js';
import { FIXTURES, startFixture } from '../fixtures/host/harness.js';
import { LEVELS, NODES, skipped, titled } from '../fixtures/host/matrix.js';
import { USERS, removeScratch, scratchFor, startScriptHost } from '../fixtures/host/script-host.js';

const PLUGIN = 'warden-tests.hog';
const MIB = 1024 * 1024;

interface Running {
  host: Host;
  work: string;
  dataDir: string;
  crashes: string[];
  messages: string[];
  logs: string[];
}

let running: Running | undefined;
afterEach(async () => {
  await running?.host.stop();
  if (running) rmSync(running.work, { recursive: true, force: true });
  running = undefined;
});

async function startHog(options: { limits?: Partial<HostLimits>; isolation?: IsolationLevel; nodePath?: string } = {}): Promise<Running> {
  const work = mkdtempSync(join(tmpdir(), 'warden-resources-'));
  const root = join(work, 'hog');
  cpSync(join(FIXTURES, 'hog'), root, { recursive: true });
  const host = createHost({
    dataDir: join(work, 'state'),
    devPaths: [root],
    cache: false,
    limits: options.limits ?? {},
    ...(options.isolation ? { isolation: options.isolation } : {}),
    ...(options.nodePath ? { nodePath: options.nodePath } : {}),
  });
  const run: Running = { host, work, dataDir: join(work, 'state', 'plugins', PLUGIN), crashes: [], messages: [], logs: [] };
  host.on('crashed', ({ reason }) => run.crashes.push(reason));
  host.on('message', ({ text }) => run.messages.push(text));
  host.on('log', ({ line }) => run.logs.push(line));
  running = run;
  await host.start();
  expect(host.plugins()[0].state).toBe('active');
  return run;
}

/** Waits for the first crash, sampling the plugin's and this host's resident memory every 5 ms meanwhile. */
async function firstCrash(run: Running, boundMs: number): Promise<{ reason: string; pluginPeak: number; hostPeak: number; ms: number }> {
  const pid = run.host.plugins()[0].pid!;
  const started = Date.now();
  let pluginPeak = 0;
  let hostPeak = 0;
  while (run.crashes.length === 0) {
    if (Date.now() - started > boundMs) throw new Error(`not stopped within ${boundMs} ms`);
    pluginPeak = Math.max(pluginPeak, residentTree(pid));
    hostPeak = Math.max(hostPeak, process.memoryUsage().rss);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return { reason: run.crashes[0], pluginPeak, hostPeak, ms: Date.now() - started };
}

function residentTree(pid: number): number {
  try {
    return Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

describe('memory', () => {
  for (const level of LEVELS) {
    for (const node of NODES) {
      it.skipIf(skipped(level, node))(titled(`a plugin allocating as fast as it can is stopped before its RSS reaches 2× memoryMb (isolation ${level.name}, ${node.name})`, level, node), async () => {
        const run = await startHog({ isolation: level.value, nodePath: node.value });
        const idleHost = process.memoryUsage().rss;
        await run.host.executeCommand('hog.memory', 32);
        const crash = await firstCrash(run, 10_000);
        const limit = 256 * MIB; // the default memoryMb
        expect(crash.reason).toMatch(/^memory: resident \d+ MB exceeds the limit of 256 MB$/);
        expect(crash.pluginPeak).toBeGreaterThan(limit * 0.5);
        expect(crash.pluginPeak).toBeLessThan(2 * limit);
        expect(crash.hostPeak).toBeLessThan(2 * idleHost);
      });
    }
  }
});

describe('CPU', () => {
  it('a plugin busy in 400 ms slices (answering every heartbeat) is stopped within 10 s, and runs at the lowest priority', async () => {
    const run = await startHog();
    const pid = run.host.plugins()[0].pid!;
    // Every thread (field 19 of its stat is its nice value), so the JavaScript thread and V8's helpers alike.
    const nice = readdirSync(`/proc/${pid}/task`).map((tid) => Number(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ')[16]));
    expect(nice.length).toBeGreaterThan(1);
    expect(new Set(nice)).toEqual(new Set([19]));
    await run.host.executeCommand('hog.cpuSlices');
    const crash = await firstCrash(run, 10_000);
    expect(crash.reason).toMatch(/^cpu: busy \d+\.\d s in \d+\.\d s \(\d+\.\d s on a CPU\), over its budget of 50 % of one core over 5\.0 s$/);
    expect(run.crashes.some((reason) => reason.includes('unresponsive'))).toBe(false);
  });

  it('the same hog inside a command that never answers is stopped within 10 s too: a pending call excuses nothing', async () => {
    const run = await startHog();
    void run.host.executeCommand('hog.cpuSlicesPending').catch(() => undefined);
    const crash = await firstCrash(run, 10_000);
    expect(crash.reason).toMatch(/^cpu: busy /);
  });

  it('a hog that calls its own command through the host between slices is stopped within 10 s: a call it caused excuses nothing', async () => {
    const run = await startHog();
    expect(await run.host.executeCommand('hog.cpuSelfExcused')).toBe('busy');
    const crash = await firstCrash(run, 10_000);
    expect(crash.reason).toMatch(/^cpu: busy /);
  });

  it('a plugin the app keeps busy with call after call is not stopped: that time is spent answering the host', async () => {
    const run = await startHog();
    const until = Date.now() + 8000;
    let calls = 0;
    while (Date.now() < until) {
      expect(await run.host.executeCommand('hog.work')).toBe('done');
      calls += 1;
      // Well over its own 50 % of a core, within what answering the app may excuse (EXCUSE_SHARE): not every moment.
      if (calls % 2 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(run.crashes).toEqual([]);
    expect(calls).toBeGreaterThan(100);
  });
});

/** Plugins run at the lowest priority (nice 19): below this process unless it runs there itself. */
const HOST_OUTRANKS_PLUGINS = getPriority() < 19;

/** The size of the largest regular file under `dir`. */
function largestFile(dir: string): number {
  const sizes = readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((name) => statSync(join(dir, name))).filter((stat) => stat.isFile()).map((stat) => stat.size);
  return Math.max(0, ...sizes);
}

describe('data folder', () => {
  const quota = 32 * MIB;
  for (const [name, fill] of [
    ['one file', { files: 1 }],
    ['many files at once', { files: 8 }],
    ['files in nested folders', { files: 4, nested: true }],
    ['files it deleted and holds open', { files: 4, unlinked: true }],
  ] as const) {
    it(`a plugin writing straight into its data folder (${name}) is stopped at its quota`, async () => {
      const run = await startHog({ limits: { dataQuotaBytes: quota } });
      await run.host.executeCommand('hog.fillData', fill);
      const crash = await firstCrash(run, 10_000);
      expect(crash.reason).toMatch(/^data folder over quota: .* holds \d+\.\d MB, the limit is 32\.0 MB; delete files there to let the plugin run$/);
      await run.host.stop();
      // No file grew past the quota (RLIMIT_FSIZE), and nothing grows once the plugin is stopped.
      expect(largestFile(run.dataDir)).toBeLessThanOrEqual(quota);
      const usage = folderUsage(run.dataDir, 1000);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(folderUsage(run.dataDir, 1000).bytes).toBe(usage.bytes);
      // The folder as a whole grew only as far as the plugin could write in the milliseconds between crossing the quota
      // and being killed (measured here: 32–40 MB for a 32 MB quota) — when the host outranks it. Plugins run at nice
      // 19; a host that itself runs at nice 19 (a CI runner under `nice`) shares the CPUs with the writer as an equal,
      // and the writer gets megabytes further per millisecond the host waits (measured so: up to 101 MB).
      if (HOST_OUTRANKS_PLUGINS) expect(usage.bytes).toBeLessThan(quota * 2);
    });
  }
});

describe('open files', () => {
  it('a plugin cannot hold more than openFiles descriptors', async () => {
    const run = await startHog({ limits: { openFiles: 100 } });
    const result = (await run.host.executeCommand('hog.openFiles', 20_000)) as { opened: number; code: string };
    expect(result.code).toBe('EMFILE');
    expect(result.opened).toBeLessThan(100);
    expect(result.opened).toBeGreaterThan(50);
  });
});

describe('floods through ctx', () => {
  it('messages and log lines are cut to length and to their rate; the rest is dropped with a note', async () => {
    const run = await startHog();
    // 2 s of 32 KiB texts at about 500 calls a second each: under the channel's flood limit, over every other bound.
    await run.host.executeCommand('hog.flood', { what: 'message', ms: 2000, chars: 32 * 1024, perTick: 5 });
    await run.host.executeCommand('hog.flood', { what: 'log', ms: 2000, chars: 32 * 1024, perTick: 5 });
    await new Promise((resolve) => setTimeout(resolve, 2200));
    // The answer comes after every call the plugin sent before it; the drop notes at the end of their window.
    expect(await run.host.executeCommand('hog.ping')).toBe('pong');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    // messagesPerSecond over the windows it spans, plus what the flood command's own request allowed it in answer (32).
    expect(run.messages.length).toBeLessThanOrEqual(20 * 4 + 32);
    expect(Math.max(...run.messages.map((text) => text.length))).toBeLessThanOrEqual(2001);
    const lines = run.logs.filter((line) => line.startsWith('x'));
    expect(lines.length).toBeLessThanOrEqual(100 * 4 + 32);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(8193);
    expect(run.logs.some((line) => /^\[warden\] \d+ messages dropped \(over 20 per second\)$/.test(line))).toBe(true);
    expect(run.logs.some((line) => /^\[warden\] \d+ log lines dropped \(over 100 per second\)$/.test(line))).toBe(true);
  });

  it('messages shown inside its own command, run through the host, earn no allowance: they are held to its rate', async () => {
    // Its audit volume is not what this measures: on a fast machine 2 s of chatter passes the per-minute audit budget.
    const run = await startHog({ limits: { maxMessagesPerSecond: 100_000, auditBytesPerMinute: Infinity } });
    const started = Date.now();
    const rounds = (await run.host.executeCommand('hog.selfFlood', { ms: 2000, chars: 1900 })) as number;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    // Counted over all the time messages were watched, the wait included (calls still queued in the channel are shown
    // then, in windows of their own). A window starts at the first message, not on a second boundary: n seconds touch n + 1.
    const windows = Math.ceil((Date.now() - started) / 1000) + 1;
    // 30 messages a round, 120 at a time: before, every one of them was passed on (over 10,000), unmetered by the
    // broker's rate. Now: 20 a second over the windows it spans, plus the app's one call's allowance (32).
    expect(rounds).toBeGreaterThan(10);
    expect(run.messages.length).toBeLessThanOrEqual(20 * windows + 32);
    expect(run.logs.some((line) => /^\[warden\] \d+ messages dropped \(over 20 per second\)$/.test(line))).toBe(true);
  });

  it('the same flood under the default channel limit is a violation: the plugin is stopped', async () => {
    const run = await startHog();
    await run.host.executeCommand('hog.selfFlood', { ms: 2000, chars: 1900 }).catch(() => undefined);
    expect(run.crashes.some((reason) => /^violation: more than \d+ messages in one second/.test(reason))).toBe(true);
    expect(run.messages.length).toBeLessThanOrEqual(20 * 4 + 32);
  });

  it('refused calls with huge keys add only clipped entries to the audit log', async () => {
    const run = await startHog();
    const before = statSync(run.host.auditLogPath).size;
    expect(await run.host.executeCommand('hog.hugeKeys', { count: 25, keyChars: 1024 * 1024 })).toBe(25);
    const grown = statSync(run.host.auditLogPath).size - before;
    expect(grown).toBeLessThan(64 * 1024);
  });

  it('a plugin whose calls make the audit log grow past its budget is stopped', async () => {
    const run = await startHog({ limits: { auditBytesPerMinute: 256 * 1024 } });
    await run.host.executeCommand('hog.flood', { what: 'log', ms: 5000, chars: 10, perTick: 20 });
    const crash = await firstCrash(run, 10_000);
    expect(crash.reason).toBe('violation: audit log: its calls wrote more than 256 KiB of audit entries within a minute');
  });

  it("a plugin within its per-minute budget is stopped for good once its entries pass auditBytesTotal over the host's life", async () => {
    const run = await startHog({ limits: { auditBytesPerMinute: 64 * MIB, auditBytesTotal: MIB } });
    const before = statSync(run.host.auditLogPath).size;
    await run.host.executeCommand('hog.flood', { what: 'log', ms: 8000, chars: 10, perTick: 20 });
    const crash = await firstCrash(run, 10_000);
    expect(crash.reason).toBe("violation: audit log: its entries added more than 1 MiB over this host's life (auditBytesTotal)");
    // Not started again: a restart would only add more.
    await expect(run.host.executeCommand('hog.ping')).rejects.toThrow(/blocked: audit log: its entries added more than 1 MiB/);
    expect(statSync(run.host.auditLogPath).size - before).toBeLessThan(2 * MIB);
  });
});

describe('answers it never reads', () => {
  it('a plugin that asks for large answers and never reads them is stopped; the host does not hold them', async () => {
    const run = await startHog({ limits: { storageQuotaBytes: 2 * MIB, maxQueuedBytes: 8 * MIB } });
    const idleHost = process.memoryUsage().rss;
    await run.host.executeCommand('hog.notReading', { valueKb: 1024, requests: 2000 });
    const crash = await firstCrash(run, 10_000);
    expect(crash.reason).toMatch(/^violation: not reading its channel: more than 8388608 bytes wait to be read by it$/);
    expect(crash.hostPeak).toBeLessThan(idleHost + 256 * MIB);
  });
});

describe('calls made faster than they are answered', () => {
  it('a plugin with more than maxQueuedBytes of calls waiting for an answer is stopped', async () => {
    // Each call rewrites a 2 MiB store and flushes it to disk: the host works through them far slower than they arrive.
    const run = await startHog({ limits: { storageQuotaBytes: 4 * MIB, maxQueuedBytes: 8 * MIB } });
    const idleHost = process.memoryUsage().rss;
    await run.host.executeCommand('hog.manyCalls', { calls: 40, valueKb: 512 }).catch(() => undefined); // it may be stopped before it answers
    const crash = await firstCrash(run, 10_000);
    expect(crash.reason).toBe('violation: more than 8388608 bytes of its calls wait for an answer');
    expect(crash.hostPeak).toBeLessThan(idleHost + 256 * MIB);
  });

  it('the same calls one after another are fine', async () => {
    const run = await startHog({ limits: { storageQuotaBytes: 4 * MIB, maxQueuedBytes: 8 * MIB } });
    for (let i = 0; i < 3; i++) await run.host.executeCommand('hog.manyCalls', { calls: 4, valueKb: 512 });
    expect(await run.host.executeCommand('hog.ping')).toBe('pong');
    expect(run.crashes).toEqual([]);
  });
});

describe('processes (childProcess granted)', () => {
  for (const user of USERS) {
    const ordinary = { skip: user.uid === 0 ? 'root is exempt from RLIMIT_NPROC: its plugins are bounded by the PID namespace only (documented)' : undefined };
    it.skipIf(skipped(user, ordinary))(titled(`as ${user.name}, a plugin cannot start more than "processes" processes and threads`, user, ordinary), async () => {
      const place = scratchFor(user, 'hog');
      const host = await startScriptHost({ user, tmp: place.tmp, root: place.root, main: 'main.js', capabilities: { childProcess: true }, limits: { processes: 40 } });
      try {
        expect(host.failed).toBeUndefined();
        const { result } = await host.call('hog.spawnMany', [500]);
        expect(result.failure).not.toBeNull();
        expect(result.started).toBeLessThan(40);
      } finally {
        await host.close();
        removeScratch(place.tmp);
      }
    });
  }
});

describe('a grant too large for one command line', () => {
  it('fails to start with a one-line reason and leaves the host serving', async () => {
    const huge = Array.from({ length: 40_000 }, (_, i) => `/nonexistent/granted/path/${i}/${'x'.repeat(40)}`);
    await expect(startFixture('hog', 'main.js', { capabilities: { filesystem: { read: huge } } })).rejects.toThrow(/could not start: spawn E2BIG/);
    const fine = await startFixture('hog', 'main.js');
    try {
      expect(await fine.plugin.executeCommand('hog.ping', [])).toBe('pong');
    } finally {
      await fine.cleanup();
    }
  });
});

/** The same bounds with the host running as root and as an unprivileged user, on the levels that isolate. */
describe('every bound, as each user', () => {
  const crossings: [name: string, command: string, args: unknown, limits: Record<string, number>, reason: RegExp][] = [
    ['memory', 'hog.memory', 32, {}, /^memory: resident \d+ MB exceeds the limit of 256 MB$/],
    ['CPU in slices', 'hog.cpuSlices', undefined, {}, /^cpu: busy /],
    ['the data folder', 'hog.fillData', { files: 4 }, { dataQuotaBytes: 16 * MIB }, /^data folder over quota: /],
    ['the data folder, through deleted files held open', 'hog.fillData', { files: 4, unlinked: true }, { dataQuotaBytes: 16 * MIB }, /^data folder over quota: /],
  ];
  for (const user of USERS) {
    for (const level of LEVELS.filter((entry) => entry.value !== 'none')) {
      for (const [name, command, args, limits, reason] of crossings) {
        it.skipIf(skipped(user, level))(titled(`as ${user.name}, isolation ${level.name}: ${name}`, user, level), async () => {
          const place = scratchFor(user, 'hog');
          const host = await startScriptHost({ user, tmp: place.tmp, root: place.root, main: 'main.js', isolation: level.value, limits, supervised: true });
          try {
            expect(host.failed).toBeUndefined();
            await host.call(command, args === undefined ? [] : [args]);
            for (let waited = 0; host.crashes.length === 0 && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
            expect(host.crashes[0]).toMatch(reason);
          } finally {
            await host.close();
            removeScratch(place.tmp);
          }
        });
      }
      it.skipIf(skipped(user, level))(titled(`as ${user.name}, isolation ${level.name}: open files`, user, level), async () => {
        const place = scratchFor(user, 'hog');
        const host = await startScriptHost({ user, tmp: place.tmp, root: place.root, main: 'main.js', isolation: level.value, limits: { openFiles: 100 } });
        try {
          const { result } = await host.call('hog.openFiles', [20_000]);
          expect(result).toMatchObject({ code: 'EMFILE' });
          expect(result.opened).toBeLessThan(100);
        } finally {
          await host.close();
          removeScratch(place.tmp);
        }
      });
    }
  }
});
