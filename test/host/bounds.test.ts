/**
 * The host-side bounds on their own: the CPU budget's sliding window, the
 * rate window and length cut shared by stdout, ctx.log and showMessage, the
 * audit trail's field clipping and growth budget, and the channel writer's
 * bound on bytes a peer leaves unread.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { AuditLog, readAuditLog } from '../../host/audit.js';
import { PluginAuditTrail } from '../../host/audit-budget.js';
import { CpuBudget } from '../../host/resource-monitor.js';
import { LineMessageReader, LineMessageWriter, Outstanding } from '../../host/runtime/channel.js';
import { RateWindow, cut } from '../../host/text-limits.js';

const tmp = mkdtempSync(join(tmpdir(), 'warden-bounds-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => vi.useRealTimers());

describe('CpuBudget', () => {
  const budget = () => new CpuBudget({ cpuPercent: 50, cpuWindowMs: 5000 });

  it('lets a plugin be busy up to its share of any window, and says so once it is over', () => {
    const cpu = budget();
    expect(cpu.add(0, 0)).toBeUndefined();
    expect(cpu.add(2000, 2000)).toBeUndefined(); // busy all the time so far, but only 2 s of the 2.5 s budget
    expect(cpu.add(2600, 2600)).toBe('cpu: busy 2.6 s in 2.6 s (2.6 s on a CPU), over its budget of 50 % of one core over 5.0 s');
  });

  it('forgets what lies before the window: bursts apart from each other pass', () => {
    const cpu = budget();
    let busy = 0;
    for (let at = 0; at <= 60_000; at += 250) {
      // 2 s busy at the start of every 10 s, idle otherwise
      if (at % 10_000 < 2000) busy += 250;
      expect(cpu.add(at, busy), `at ${at}`).toBeUndefined();
    }
  });

  it('excuses time spent answering the app only up to EXCUSE_SHARE of the window: a plugin busy all the time is still over', () => {
    const cpu = budget();
    cpu.add(0, 0, 0, 0);
    // 4.7 s busy in 5 s, 4 s of it answering the app: 2.25 s excused at most, so 2.45 s its own, within budget.
    expect(cpu.add(5000, 4700, 4700, 4000)).toBeUndefined();
    const hog = budget();
    hog.add(0, 0, 0, 0);
    // Busy every millisecond, and every sample "answered the app": only 2.25 s of it is excused.
    expect(hog.add(5000, 5000, 5000, 5000)).toBe('cpu: busy 2.8 s in 5.0 s (5.0 s on a CPU), over its budget of 50 % of one core over 5.0 s');
  });

  it('counts time spent waiting to run: a plugin starved by a loaded machine is still busy', () => {
    const cpu = budget();
    cpu.add(0, 0, 0);
    expect(cpu.add(3000, 3000, 600)).toMatch(/^cpu: busy 3\.0 s in 3\.0 s \(0\.6 s on a CPU\)/);
  });
});

describe('Outstanding', () => {
  it('credits answers only to requests the peer did not cause, and never more than 32 per credited request outstanding', () => {
    const outstanding = new Outstanding();
    const caused = { command: 'own.command', args: [] };
    outstanding.withoutCredit(caused);
    outstanding.sent(1, caused);
    expect(outstanding.spend({ method: 'window/showMessage', params: {} })).toBe(false);
    outstanding.sent(2, { command: 'app.command', args: [] });
    const spent = Array.from({ length: 40 }, () => outstanding.spend({ method: 'window/showMessage', params: {} })).filter(Boolean).length;
    expect(spent).toBe(32);
    expect(outstanding.answered(2)).toBe(true);
    outstanding.sent(3, { command: 'app.command', args: [] });
    expect(outstanding.answered(1)).toBe(true);
    // Credit left over from request 2 is not kept past it: only request 3's 32.
    expect(Array.from({ length: 40 }, () => outstanding.spend({ method: 'log/write', params: {} })).filter(Boolean).length).toBe(32);
  });
});

describe('RateWindow and cut', () => {
  it('passes at most perSecond items a second and reports the dropped count when the window ends', () => {
    vi.useFakeTimers();
    const notes: number[] = [];
    const window = new RateWindow(3, (dropped) => notes.push(dropped));
    const passed = Array.from({ length: 10 }, () => window.admit()).filter(Boolean).length;
    expect(passed).toBe(3);
    expect(notes).toEqual([]);
    vi.advanceTimersByTime(1000);
    expect(notes).toEqual([7]);
    expect(window.admit()).toBe(true);
  });

  it('cuts text at a length and marks the cut', () => {
    expect(cut('abcdef', 3)).toBe('abc…');
    expect(cut('abc', 3)).toBe('abc');
  });
});

describe('PluginAuditTrail', () => {
  it('cuts every text field, nested ones too, before it reaches the log', () => {
    const audit = new AuditLog(join(tmp, 'clip.log'));
    const trail = new PluginAuditTrail(audit, Infinity, () => undefined);
    trail.append({ pluginId: 'p', kind: 'call', method: 'storage/get', key: 'k'.repeat(1_000_000), request: { host: 'h'.repeat(10_000), list: ['x'.repeat(500)] } });
    audit.close();
    const [entry] = readAuditLog(join(tmp, 'clip.log'));
    expect(String(entry.key)).toHaveLength(201);
    expect((entry.request as { host: string }).host).toHaveLength(201);
    expect((entry.request as { list: string[] }).list[0]).toHaveLength(201);
  });

  it('stops a plugin whose calls grow the log past its budget, once', () => {
    const audit = new AuditLog(join(tmp, 'budget.log'));
    const reasons: string[] = [];
    const trail = new PluginAuditTrail(audit, 64 * 1024, (reason) => reasons.push(reason));
    for (let i = 0; i < 1000; i++) trail.append({ pluginId: 'p', kind: 'call', method: 'log/write', level: 'info' });
    audit.close();
    expect(reasons).toEqual(['audit log: its calls wrote more than 64 KiB of audit entries within a minute']);
  });
});

describe('LineMessageWriter', () => {
  it('reports a peer that leaves more than maxQueuedBytes unread, once', () => {
    // A stream whose reader never reads: everything written stays queued in it.
    const stuck = new Writable({ highWaterMark: 1024, write: () => undefined });
    const overflows: string[] = [];
    const writer = new LineMessageWriter(stuck, new Outstanding(), false, 100_000, (reason) => overflows.push(reason));
    const big = { jsonrpc: '2.0' as const, id: 1, result: 'x'.repeat(40_000) };
    for (let i = 0; i < 10; i++) void writer.write(big);
    expect(overflows).toEqual(['not reading its channel: more than 100000 bytes wait to be read by it']);
  });
});

describe('meters on a monotonic clock: a wall clock stepped back an hour (NTP, a restored VM) changes nothing', () => {
  const stepBack = () => vi.setSystemTime(Date.now() - 3_600_000); // moves Date only, as `date -s` would

  it('RateWindow opens a new window a second later', () => {
    vi.useFakeTimers();
    const window = new RateWindow(2, () => undefined);
    expect([window.admit(), window.admit(), window.admit()]).toEqual([true, true, false]);
    stepBack();
    vi.advanceTimersByTime(1000);
    expect(window.admit()).toBe(true);
  });

  it('the channel\'s flood meter counts per second of elapsed time, not of the wall clock', () => {
    vi.useFakeTimers();
    const input = new PassThrough();
    const violations: string[] = [];
    const reader = new LineMessageReader(input, { maxMessageBytes: 1024, maxMessagesPerSecond: 3 }, new Outstanding(), (reason) => violations.push(reason));
    reader.listen(() => undefined);
    const notification = `${JSON.stringify({ jsonrpc: '2.0', method: 'log/write', params: {} })}\n`;
    for (let second = 0; second < 5; second += 1) {
      input.write(notification.repeat(3));
      stepBack();
      vi.advanceTimersByTime(1000);
    }
    expect(violations).toEqual([]);
    input.write(notification.repeat(4));
    expect(violations).toEqual(['more than 3 messages in one second']);
  });

  it('the audit budget refills with elapsed time', () => {
    vi.useFakeTimers();
    const audit = new AuditLog(join(tmp, 'clock-budget.log'));
    const reasons: string[] = [];
    const trail = new PluginAuditTrail(audit, 4096, (reason) => reasons.push(reason));
    for (let minute = 0; minute < 3; minute += 1) {
      for (let i = 0; i < 10; i++) trail.append({ pluginId: 'p', kind: 'call', method: 'log/write' });
      stepBack();
      vi.advanceTimersByTime(60_000);
    }
    audit.close();
    expect(reasons).toEqual([]);
  });
});

describe('the answer allowance', () => {
  const message = () => ({ jsonrpc: '2.0', method: 'window/showMessage', params: {} });

  it('outlives its answer briefly: a message a handler sends on the turn after it returned is still its answer', () => {
    vi.useFakeTimers();
    const outstanding = new Outstanding();
    outstanding.sent(1);
    expect(outstanding.answered(1)).toBe(true);
    vi.advanceTimersByTime(10);
    expect(outstanding.spend(message())).toBe(true);
  });

  it('is bounded: 32 messages for the last answered request only (answers in a row do not pool), none once the grace has passed', () => {
    vi.useFakeTimers();
    const outstanding = new Outstanding();
    for (let id = 1; id <= 100; id += 1) {
      outstanding.sent(id);
      outstanding.answered(id);
    }
    const spent = Array.from({ length: 100 }, () => outstanding.spend(message())).filter(Boolean).length;
    expect(spent).toBe(32);
    outstanding.sent(2);
    outstanding.answered(2);
    vi.advanceTimersByTime(1000);
    expect(outstanding.spend(message())).toBe(false);
  });
});
