/**
 * One host per data folder, with two real `warden run` processes: the second is refused in one line, exit 2,
 * with the folder byte for byte as it was; after the first is killed with SIGKILL its lock is gone and the next
 * host starts; increments made by hosts in sequence are all kept. Needs `npx tsc -p tsconfig.json` first.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../host/audit.js';
import { DataFolderInUse, lockDataFolder, LOCK_RECORD } from '../../host/data-lock.js';
import { createHost } from '../../host/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/cli/main.js');

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

function wardenOnce(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: work, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A host that stays up (no --once) after its commands; resolves once it has printed `results` results. */
function wardenUp(results: number, ...args: string[]): Promise<{ child: ChildProcess; lastResult: number }> {
  const child = spawn(process.execPath, [CLI, 'run', '--plugins-dir', plugins, '--data-dir', dataDir, '--json', ...args], {
    cwd: work,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  running.push(child);
  return new Promise((resolvePromise, reject) => {
    let seen = 0;
    child.once('exit', (code) => reject(new Error(`the host exited early (${code})`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const event = JSON.parse(line) as { event: string; result?: number };
      if (event.event !== 'result') return;
      seen += 1;
      if (seen === results) resolvePromise({ child, lastResult: event.result! });
    });
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolvePromise) => {
    if (child.exitCode !== null || child.signalCode !== null) resolvePromise(child.exitCode);
    else child.once('exit', (code) => resolvePromise(code));
  });
}

/** Every file in the folder with its size and modification time: what "changes nothing" is checked against. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const { size, mtimeMs } = statSync(path);
    files[path.slice(dir.length)] = `${size}@${mtimeMs}`;
  }
  return files;
}

function storedCount(): unknown {
  return JSON.parse(readFileSync(join(dataDir, 'plugins', 'warden-tests.counter', 'storage.json'), 'utf8')).count;
}

describe('one host per data folder', () => {
  it('refuses a second warden run in one line, exit 2, folder unchanged; 0 of 400 increments lost in sequence', async () => {
    const first = await wardenUp(200, ...increments(200));
    expect(first.lastResult).toBe(200);
    await sleep(500); // the first host's own last write (its audit head, within 100 ms) is not the second's doing
    const before = snapshot(dataDir);

    const second = wardenOnce('run', '--plugins-dir', plugins, '--data-dir', dataDir, ...increments(200), '--once');
    expect(second.code).toBe(2);
    const lines = second.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^warden: data folder ${dataDir} is in use by pid ${first.child.pid} since \\d{4}-\\d\\d-\\d\\dT`));
    expect(second.stdout).toBe('');
    expect(snapshot(dataDir)).toEqual(before);

    first.child.kill('SIGTERM');
    expect(await exited(first.child)).toBe(0);
    const third = wardenOnce('run', '--plugins-dir', plugins, '--data-dir', dataDir, ...increments(200), '--once');
    expect(third.code).toBe(0);
    expect(storedCount()).toBe(400);
    expect(verifyAuditLog(join(dataDir, 'audit.log'))).toMatchObject({ ok: true });
  });

  it('takes over the lock of a host killed with SIGKILL', async () => {
    const first = await wardenUp(1, ...increments(1));
    first.child.kill('SIGKILL');
    await exited(first.child);
    // The dead host's record is still there; only the kernel-held name told the truth.
    expect(JSON.parse(readFileSync(join(dataDir, LOCK_RECORD), 'utf8'))).toMatchObject({ pid: first.child.pid });
    const next = wardenOnce('run', '--plugins-dir', plugins, '--data-dir', dataDir, ...increments(1), '--once');
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
    const record = JSON.parse(JSON.stringify(await recordOfThisProcess(folder)));
    const other = join(work, 'other');
    cpSync(folder, other, { recursive: true });
    writeFileSync(join(other, LOCK_RECORD), JSON.stringify(record));
    const sibling = spawnSync(process.execPath, ['--input-type=module', '-e', `
      const { lockDataFolder } = await import(${JSON.stringify(join(ROOT, 'dist/host/data-lock.js'))});
      try { await lockDataFolder(${JSON.stringify(other)}); console.log('locked'); } catch (error) { console.log(error.message); }
    `], { encoding: 'utf8' });
    expect(sibling.stdout.trim()).toBe(`data folder ${other} is in use by pid ${process.pid} since ${record.since}: stop that host first`);
  });
});

/** The record a lock writes for this process (taken and released again on a scratch folder). */
async function recordOfThisProcess(folder: string): Promise<unknown> {
  const lock = await lockDataFolder(folder);
  const record = JSON.parse(readFileSync(join(folder, LOCK_RECORD), 'utf8')) as unknown;
  await lock.release();
  return record;
}
