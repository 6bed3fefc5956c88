/**
 * One host per data folder, with two real `warden run` processes: the second is refused in one line, exit 2,
 * with the folder byte for byte as it was; after the first is killed with SIGKILL its lock is gone and the next
 * host starts; increments made by hosts in sequence are all kept. Needs `npx tsc -p tsconfig.json` first.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../host/audit.js';
import { DataFolderInUse, lockDataFolder, LOCK_RECORD } from '../../host/data-lock.js';
import { createHost } from '../../host/index.js';
import { ROOT, snapshot, warden, wardenRunning } from '../fixtures/host/cli.js';

let work: string;
let plugins: string;
let dataDir: string;
const running: ChildProcess[] = [];

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'warden-lock-'));
  plugins = join(work, 'plugins');
  cpSync(join(ROOT, 'test/fixtures/host/counter'), join(plugins, 'counter'), { recursive: true });
  dataDir = join(work, 'data');
});
afterEach(() => {
  for (const child of running.splice(0)) child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

function increments(n: number): string[] {
  return Array.from({ length: n }, () => ['--exec', 'counter.increment']).flat();
}

/** A host that stays up (no --once) after its `n` increments; resolves once it has printed the n-th result. */
async function hostUpAfter(n: number) {
  const host = wardenRunning(work, '--plugins-dir', plugins, '--data-dir', dataDir, ...increments(n));
  running.push(host.child);
  let results = 0;
  const last = await host.until((e) => e.event === 'result' && ++results === n);
  return { ...host, lastResult: last.result };
}

function storedCount(): unknown {
  return JSON.parse(readFileSync(join(dataDir, 'plugins', 'warden-tests.counter', 'storage.json'), 'utf8')).count;
}

describe('one host per data folder', () => {
  it('refuses a second warden run in one line, exit 2, folder unchanged; 0 of 400 increments lost in sequence', async () => {
    const first = await hostUpAfter(200);
    expect(first.lastResult).toBe(200);
    await sleep(500); // the first host's own last write (its audit head, within 100 ms) is not the second's doing
    const before = snapshot(dataDir);

    const second = warden(work, 'run', '--plugins-dir', plugins, '--data-dir', dataDir, ...increments(200), '--once');
    expect(second.code).toBe(2);
    const lines = second.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^warden: data folder ${dataDir} is in use by pid ${first.child.pid} since \\d{4}-\\d\\d-\\d\\dT`));
    expect(second.stdout).toBe('');
    expect(snapshot(dataDir)).toEqual(before);

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const third = warden(work, 'run', '--plugins-dir', plugins, '--data-dir', dataDir, ...increments(200), '--once');
    expect(third.code).toBe(0);
    expect(storedCount()).toBe(400);
    expect(verifyAuditLog(join(dataDir, 'audit.log'))).toMatchObject({ ok: true });
  });

  it('takes over the lock of a host killed with SIGKILL', async () => {
    const first = await hostUpAfter(1);
    first.child.kill('SIGKILL');
    await first.exited;
    // The dead host's record is still there; only the kernel-held name told the truth.
    expect(JSON.parse(readFileSync(join(dataDir, LOCK_RECORD), 'utf8'))).toMatchObject({ pid: first.child.pid });
    const next = warden(work, 'run', '--plugins-dir', plugins, '--data-dir', dataDir, ...increments(1), '--once');
    expect(next.stderr).not.toMatch(/in use/);
    expect(next.code).toBe(0);
    expect(storedCount()).toBe(2);
  });

  it('in one process: a second createHost on the folder is refused before it writes, and can start once the first stops', async () => {
    const first = createHost({ pluginsDir: plugins, dataDir });
    await first.start();
    const before = snapshot(dataDir);
    const second = createHost({ pluginsDir: plugins, dataDir });
    const refusal = await second.start().then(() => undefined, (error: unknown) => error);
    expect(refusal).toBeInstanceOf(DataFolderInUse);
    expect((refusal as DataFolderInUse).holder?.pid).toBe(process.pid);
    expect(snapshot(dataDir)).toEqual(before);
    await first.stop();
    const third = createHost({ pluginsDir: plugins, dataDir });
    await third.start();
    await third.stop();
  });

  it('does not take a record naming a live process of another network namespace for stale', async () => {
    // A lock record of a live process this host's socket cannot see (here: the test process itself, written by hand
    // as a host in another namespace would leave it): the record alone refuses.
    const folder = mkdtempSync(join(work, 'ns-'));
    const lock = await lockDataFolder(folder);
    const record = JSON.parse(readFileSync(join(folder, LOCK_RECORD), 'utf8')) as { since: string };
    await lock.release();
    const other = mkdtempSync(join(work, 'other-'));
    writeFileSync(join(other, LOCK_RECORD), JSON.stringify(record));
    const sibling = spawnSync(process.execPath, ['--input-type=module', '-e', `
      const { lockDataFolder } = await import(${JSON.stringify(join(ROOT, 'dist/host/data-lock.js'))});
      try { await lockDataFolder(${JSON.stringify(other)}); console.log('locked'); } catch (error) { console.log(error.message); }
    `], { encoding: 'utf8' });
    expect(sibling.stdout.trim()).toBe(`data folder ${other} is in use by pid ${process.pid} since ${record.since}: stop that host first`);
  });

  it('releases the record at stop, and a record of a dead process (or a reused pid) does not block', async () => {
    const folder = mkdtempSync(join(work, 'stale-'));
    const lock = await lockDataFolder(folder);
    await lock.release();
    expect(() => readFileSync(join(folder, LOCK_RECORD))).toThrow(/ENOENT/);
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    writeFileSync(join(folder, LOCK_RECORD), JSON.stringify({ pid: Number(dead.stdout), since: new Date().toISOString(), hostname: (await import('node:os')).hostname() }));
    await (await lockDataFolder(folder)).release();
    // This very process, but with a start time it never had: a pid reused by another process, not a live host.
    writeFileSync(join(folder, LOCK_RECORD), JSON.stringify({ pid: process.pid, startTime: '1', since: new Date().toISOString(), hostname: (await import('node:os')).hostname() }));
    const spawned = spawnSync(process.execPath, ['--input-type=module', '-e', `
      const { lockDataFolder } = await import(${JSON.stringify(join(ROOT, 'dist/host/data-lock.js'))});
      await (await lockDataFolder(${JSON.stringify(folder)})).release(); console.log('locked');
    `], { encoding: 'utf8' });
    expect(spawned.stdout.trim()).toBe('locked');
  });
});
