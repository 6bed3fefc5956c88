/**
 * Host state after real crashes and damage, through the real `warden` command: a host SIGKILLed in the middle of
 * audited storage writes (10 rounds), a torn or unterminated last audit line, a damaged storage.json, a disk that
 * fills up (a real tmpfs). After each: the next host starts, `warden audit --verify` exits 0 (noting any torn
 * tail it moved aside), the store holds the old or the new value, and no temporary file is left.
 * Needs `npx tsc -p tsconfig.json` first.
 */
import { type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readAuditLog } from '../../host/audit.js';
import { ROOT, warden, wardenRunning } from '../fixtures/host/cli.js';
import { mountSmallDisk } from '../fixtures/host/tmpfs.js';

const PLUGIN = 'warden-tests.counter';
const disk = mountSmallDisk(2 * 1024 * 1024);
if (typeof disk === 'string') console.warn(`skipping the full-disk host test: ${disk}`);
afterAll(() => {
  if (typeof disk !== 'string') disk.unmount();
});

let work: string;
let plugins: string;
const running: ChildProcess[] = [];

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'warden-crash-'));
  plugins = join(work, 'plugins');
  cpSync(join(ROOT, 'test/fixtures/host/counter'), join(plugins, 'counter'), { recursive: true });
});
afterEach(() => {
  for (const child of running.splice(0)) child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

function storeDir(dataDir: string): string {
  return join(dataDir, 'plugins', PLUGIN);
}

function storedCount(dataDir: string): unknown {
  return (JSON.parse(readFileSync(join(storeDir(dataDir), 'storage.json'), 'utf8')) as { count?: unknown }).count;
}

function temporaryFiles(dataDir: string): string[] {
  return readdirSync(storeDir(dataDir)).filter((name) => /^storage\.json\.(tmp-\d+-\d+|\d+)$/.test(name));
}

/** A host that starts (taking over after a crash, repairing what it must) and stops: exit 0 and what it said. */
function nextHostStarts(dataDir: string) {
  const run = warden(work, 'run', '--plugins-dir', plugins, '--data-dir', dataDir, '--once');
  expect(run.code, run.stderr).toBe(0);
  return run;
}

function verifies(dataDir: string) {
  const verify = warden(work, 'audit', '--verify', '--log', join(dataDir, 'audit.log'));
  expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  expect(verify.stdout).toMatch(/hash chain intact/);
  return verify.stdout;
}

/** The values `counter.fill` had begun to store under "count" since entry `fromSeq`: the audit entry precedes each write. */
function countsBegun(dataDir: string, fromSeq: number): number {
  return readAuditLog(join(dataDir, 'audit.log')).filter((e) => e.seq > fromSeq && e.kind === 'call' && e.method === 'storage/set' && e.key === 'count').length;
}

describe('host state after crashes and damage', () => {
  it('SIGKILL in the middle of audited storage.set calls, 10 rounds: each time the next host starts, the log verifies, the store holds the old or new value, no temp file is left', async () => {
    const dataDir = join(work, 'data');
    let tempFilesLeftByKills = 0;
    for (let round = 1; round <= 10; round += 1) {
      const fromSeq = readAuditLog(join(dataDir, 'audit.log')).at(-1)?.seq ?? 0;
      const before = round === 1 ? 0 : (storedCount(dataDir) ?? 0);
      // 256 KiB of padding: every write of the count rewrites (and fsyncs) that much, so kills land inside writes.
      const host = wardenRunning(work, '--plugins-dir', plugins, '--data-dir', dataDir, '--exec', 'counter.fill', String(256 * 1024));
      running.push(host.child);
      await host.until((e) => e.event === 'activated');
      // The kill must land among the writes, not before the first: wait until one has begun (its audit entry comes
      // first), however slow a loaded machine is to start the command, then let a random stretch of them run.
      for (let waited = 0; countsBegun(dataDir, fromSeq) === 0 && waited < 20_000; waited += 20) await sleep(20);
      await sleep(Math.floor(Math.random() * 400));
      host.child.kill('SIGKILL');
      await host.exited;

      const begun = countsBegun(dataDir, fromSeq);
      expect(begun, `round ${round}`).toBeGreaterThan(0);
      // The new value, or the one before it: for a kill inside the round's first write, the last round's.
      expect([begun, begun > 1 ? begun - 1 : before], `round ${round}`).toContain(storedCount(dataDir) ?? 0);
      if (temporaryFiles(dataDir).length > 0) tempFilesLeftByKills += 1;
      nextHostStarts(dataDir);
      expect(temporaryFiles(dataDir), `round ${round}`).toEqual([]);
      verifies(dataDir);
    }
    console.info(`kill -9 rounds that left a temporary storage file for the next host to remove: ${tempFilesLeftByKills} of 10`);
  }, 180_000);

  it('a torn last audit line: verify reports it; the next host moves it aside and says so; verify then passes and notes it', () => {
    const dataDir = join(work, 'data');
    expect(warden(work, 'run', '--plugins-dir', plugins, '--data-dir', dataDir, '--exec', 'counter.increment', '--once').code).toBe(0);
    const log = join(dataDir, 'audit.log');
    writeFileSync(log, `${readFileSync(log, 'utf8')}{"seq":999,"time":"2026-`);
    const before = warden(work, 'audit', '--verify', '--log', log);
    expect(before.code).toBe(1);
    expect(before.stdout).toMatch(/audit\.log:\d+: the last line is unterminated/);
    const run = nextHostStarts(dataDir);
    expect(run.stderr).toMatch(/! audit log: the log ended in \d+ bytes \(1 line\) that are not a complete entry .*moved aside to audit\.log\.torn-/);
    const torn = readdirSync(dataDir).filter((name) => name.startsWith('audit.log.torn-'));
    expect(torn).toHaveLength(1);
    expect(readFileSync(join(dataDir, torn[0]!), 'utf8')).toBe('{"seq":999,"time":"2026-');
    expect(verifies(dataDir)).toMatch(/note: line \d+: the log ended in .* moved aside to audit\.log\.torn-/);
  });

  it('a last audit entry missing only its newline, written before the head caught up: moved aside, never glued onto', () => {
    const dataDir = join(work, 'data');
    expect(warden(work, 'run', '--plugins-dir', plugins, '--data-dir', dataDir, '--exec', 'counter.increment', '--once').code).toBe(0);
    const log = join(dataDir, 'audit.log');
    const head = readFileSync(`${log}.head`);
    expect(warden(work, 'run', '--plugins-dir', plugins, '--data-dir', dataDir, '--exec', 'counter.increment', '--once').code).toBe(0);
    const lines = readFileSync(log, 'utf8').split('\n').slice(0, -1);
    // The log of the first run plus the first entry of the second, unterminated; the head as the first run left it.
    const firstRun = lines.findIndex((line) => (JSON.parse(line) as { seq: number }).seq === (JSON.parse(head.toString()) as { seq: number }).seq);
    writeFileSync(log, `${lines.slice(0, firstRun + 2).join('\n')}`);
    writeFileSync(`${log}.head`, head);
    const run = nextHostStarts(dataDir);
    expect(run.stderr).toMatch(/! audit log: .*moved aside to audit\.log\.torn-/);
    verifies(dataDir);
    const entries = readAuditLog(log);
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1)); // one chain, no glued line
  });

  it('a damaged storage.json (garbage, half a file, an array, empty, null): moved aside with an event, a log line and an audit entry; the store starts empty', async () => {
    const dataDir = join(work, 'data');
    expect(warden(work, 'run', '--plugins-dir', plugins, '--data-dir', dataDir, '--exec', 'counter.increment', '--once').code).toBe(0);
    const good = readFileSync(join(storeDir(dataDir), 'storage.json'), 'utf8');
    for (const [bytes, reason] of [
      ['\u0000\u0001garbage', /is not JSON/],
      [good.slice(0, Math.floor(good.length / 2)), /is not JSON/],
      ['[1,2,3]', /holds an array, not a record of keys/],
      ['', /is empty/],
      ['null', /holds null/],
    ] as const) {
      for (const name of readdirSync(storeDir(dataDir))) if (name.startsWith('storage.json.corrupt-')) rmSync(join(storeDir(dataDir), name));
      writeFileSync(join(storeDir(dataDir), 'storage.json'), bytes);
      const run = warden(work, 'run', '--plugins-dir', plugins, '--data-dir', dataDir, '--exec', 'counter.increment', '--json', '--once');
      expect(run.code).toBe(0);
      const events = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { event: string; file?: string; reason?: string; line?: string; result?: unknown });
      const corrupt = events.find((e) => e.event === 'storage-corrupt');
      expect(corrupt?.reason).toMatch(reason);
      expect(events.some((e) => e.event === 'log' && /^storage: .*moved aside to .*storage\.json\.corrupt-.*the store starts empty$/.test(e.line ?? ''))).toBe(true);
      expect(events.find((e) => e.event === 'result')?.result).toBe(1); // counted from an empty store
      const aside = readdirSync(storeDir(dataDir)).filter((name) => name.startsWith('storage.json.corrupt-'));
      expect(aside).toHaveLength(1);
      expect(join(storeDir(dataDir), aside[0]!)).toBe(corrupt?.file);
      expect(readFileSync(join(storeDir(dataDir), aside[0]!), 'utf8')).toBe(bytes); // the damaged bytes, kept
      expect(readAuditLog(join(dataDir, 'audit.log')).filter((e) => e.kind === 'storage.corrupt').at(-1)).toMatchObject({ pluginId: PLUGIN, file: corrupt?.file });
    }
    verifies(dataDir);
  });

  it.skipIf(typeof disk === 'string')('a disk that fills up under storage.set (a real tmpfs): the call fails closed, and after space is freed the next host starts, the log verifies, the store holds the old or new value, no temp file is left', async () => {
    if (typeof disk === 'string') return;
    const dataDir = join(disk.dir, 'data');
    mkdirSync(dataDir);
    expect(warden(work, 'run', '--plugins-dir', plugins, '--data-dir', dataDir, '--exec', 'counter.increment', '--once').code).toBe(0);
    disk.fill(160 * 1024);
    const fromSeq = readAuditLog(join(dataDir, 'audit.log')).at(-1)?.seq ?? 0;
    // Each write of the store needs its 40 KiB twice over (the new file beside the old): the disk fills mid-loop.
    const full = warden(work, 'run', '--plugins-dir', plugins, '--data-dir', dataDir, '--exec', 'counter.fill', String(40 * 1024), '--once');
    expect(full.code).toBe(1);
    expect(full.stderr).toMatch(/counter\.fill failed: .*ENOSPC/);
    const begun = countsBegun(dataDir, fromSeq);
    expect([begun, begun - 1, 1]).toContain(storedCount(dataDir));
    disk.free();
    nextHostStarts(dataDir);
    expect(temporaryFiles(dataDir)).toEqual([]);
    verifies(dataDir);
  });
});
