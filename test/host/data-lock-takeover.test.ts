/**
 * The data folder's lock record under the conditions a real machine makes: a host killed under another host name
 * (a container, `unshare -u`), hosts in different network namespaces starting in the same instant, a read-only or
 * full disk, a start that fails after the lock was taken, and two users sharing a folder through a group.
 * Needs `npm run build` first; the namespace and mount cases skip, saying why, where they cannot run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataFolderInUse, lockDataFolder, LOCK_RECORD } from '../../host/data-lock.js';
import { createHost } from '../../host/index.js';
import { DataFileError } from '../../host/safe-files.js';
import { CLI, ROOT, warden } from '../fixtures/host/cli.js';
import { mountSmallDisk } from '../fixtures/host/tmpfs.js';

const LOCK_MODULE = join(ROOT, 'dist/host/data-lock.js');
const LOCK_AT = join(ROOT, 'test/fixtures/host/lock-at.mjs');

function can(command: string, ...args: string[]): boolean {
  return spawnSync(command, args, { encoding: 'utf8' }).status === 0;
}
const utsNamespace = can('unshare', '-u', 'true') ? undefined : 'unshare -u is not permitted here (needs root)';
const netNamespace = can('unshare', '-rn', 'true') ? undefined : 'unshare -rn is not permitted here (needs unprivileged user namespaces)';
const asRoot = process.geteuid?.() === 0 ? undefined : 'needs root (mounts, a second user)';
const tester = spawnSync('id', ['-u', 'tester'], { encoding: 'utf8' });
const otherUser = asRoot ?? (tester.status === 0 ? undefined : 'needs a user named tester');
for (const reason of [utsNamespace, netNamespace, asRoot, otherUser]) if (reason) console.warn(`skipping a data-lock test: ${reason}`);

let work: string;
let dataDir: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'warden-lock-takeover-'));
  dataDir = join(work, 'data');
  mkdirSync(dataDir);
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

/** A record as a host would leave it, by a process that has exited. */
async function deadHostRecord(edit: (record: Record<string, unknown>) => Record<string, unknown>): Promise<void> {
  const lock = await lockDataFolder(dataDir);
  const record = JSON.parse(readFileSync(join(dataDir, LOCK_RECORD), 'utf8')) as Record<string, unknown>;
  await lock.release();
  const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  writeFileSync(join(dataDir, LOCK_RECORD), JSON.stringify(edit({ ...record, pid: Number(dead.stdout), startTime: '1' })), { mode: 0o600 });
}

describe('a stale record is taken over when its process is provably dead', () => {
  it('one left under another host name by a process of this kernel (same boot id) that has exited', async () => {
    // Another socket name, so only its pid (gone from this PID namespace) proves it dead.
    await deadHostRecord((record) => ({ ...record, hostname: 'container-abc123', lockName: 'elsewhere' }));
    await (await lockDataFolder(dataDir)).release();
  });

  it('one naming a live process of this machine under another host name is still refused', async () => {
    await deadHostRecord((record) => ({ ...record, hostname: 'container-abc123', pid: process.pid, startTime: undefined, lockName: 'elsewhere' }));
    await expect(lockDataFolder(dataDir)).rejects.toThrow(`data folder ${dataDir} is in use by pid ${process.pid} on container-abc123`);
  });

  it('one from another machine (another boot id and host name, a shared folder) is taken as alive', async () => {
    await deadHostRecord((record) => ({ ...record, hostname: 'elsewhere', bootId: 'another-boot' }));
    await expect(lockDataFolder(dataDir)).rejects.toBeInstanceOf(DataFolderInUse);
  });

  it.skipIf(utsNamespace)('a real warden run killed -9 under `unshare -u` with another host name: the next run starts', async () => {
    cpSync(join(ROOT, 'test/fixtures/host/counter'), join(work, 'plugins', 'counter'), { recursive: true });
    const child = spawn('unshare', ['-u', 'sh', '-c', `hostname container-abc123 && exec "${process.execPath}" "${CLI}" run --json --plugins-dir plugins --data-dir data --exec counter.increment`], { cwd: work, stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve) => child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('"event":"result"') && resolve()));
    child.kill('SIGKILL');
    await exited;
    expect(JSON.parse(readFileSync(join(dataDir, LOCK_RECORD), 'utf8'))).toMatchObject({ hostname: 'container-abc123' });
    const next = warden(work, 'run', '--plugins-dir', 'plugins', '--data-dir', 'data', '--exec', 'counter.increment', '--once');
    expect(next.stderr).not.toMatch(/in use|error/);
    expect(next.stdout).toMatch(/counter\.increment → 2/);
    expect(next.code).toBe(0);
  });
});

describe.skipIf(netNamespace)('hosts in different network namespaces starting in the same instant', () => {
  it('exactly one of three gets the lock, in each of 5 rounds', async () => {
    for (let round = 0; round < 5; round += 1) {
      const folder = join(work, `race-${round}`);
      mkdirSync(folder);
      const at = String(Date.now() + 300);
      const children = [
        [process.execPath, LOCK_AT, LOCK_MODULE, folder, at],
        ['unshare', '-rn', process.execPath, LOCK_AT, LOCK_MODULE, folder, at],
        ['unshare', '-rn', process.execPath, LOCK_AT, LOCK_MODULE, folder, at],
      ].map(([command, ...args]) => spawn(command!, args, { stdio: ['pipe', 'pipe', 'inherit'] }));
      // Each answers, then holds what it got until every one has answered: a late racer cannot take a released lock.
      const racers = children.map((child) => new Promise<string>((resolve) => {
        let out = '';
        child.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolve(out.trim());
        });
        child.on('exit', () => resolve(out.trim()));
      }));
      const exits = children.map((child) => new Promise((resolve) => child.on('exit', resolve)));
      const answers = await Promise.all(racers);
      for (const child of children) child.stdin!.end();
      await Promise.all(exits);
      expect(answers.filter((answer) => answer === 'got'), `round ${round}: ${answers.join(', ')}`).toHaveLength(1);
      expect(readdirSync(folder)).toEqual([]); // no record, no temporary file left
    }
  });
});

describe('a disk the record cannot be written to', () => {
  const disk = asRoot ? asRoot : mountSmallDisk(256 * 1024);
  afterAll(() => {
    if (typeof disk !== 'string') disk.unmount();
  });

  it.skipIf(typeof disk === 'string')('full: one line naming host.lock, exit 2, nothing left behind, at every attempt', () => {
    if (typeof disk === 'string') return;
    const folder = join(disk.dir, 'data');
    mkdirSync(folder, { recursive: true });
    mkdirSync(join(work, 'plugins'));
    disk.fill(0);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const run = warden(work, 'run', '--plugins-dir', 'plugins', '--data-dir', folder, '--once');
      expect(run.stderr).toBe(`warden: ${join(folder, LOCK_RECORD)} cannot be written: no space left on the device (ENOSPC)\n`);
      expect(run.code).toBe(2);
      expect(readdirSync(folder)).toEqual([]);
    }
    disk.free();
  });

  it.skipIf(asRoot)('read-only: one line, exit 2, the folder as it was', () => {
    const source = join(work, 'source');
    const readOnly = join(work, 'ro');
    mkdirSync(join(source, 'data'), { recursive: true });
    mkdirSync(readOnly);
    mkdirSync(join(work, 'plugins'));
    expect(can('mount', '--bind', source, readOnly) && can('mount', '-o', 'remount,bind,ro', readOnly)).toBe(true);
    try {
      const run = warden(work, 'run', '--plugins-dir', 'plugins', '--data-dir', join(readOnly, 'data'), '--once');
      expect(run.stderr).toBe(`warden: ${join(readOnly, 'data', LOCK_RECORD)} cannot be written: the file system is read-only (EROFS)\n`);
      expect(run.code).toBe(2);
      expect(readdirSync(join(source, 'data'))).toEqual([]);
    } finally {
      spawnSync('umount', ['-l', readOnly]);
    }
  });
});

describe('a start that fails after the lock was taken', () => {
  it('releases it: the same process can start a host on the folder once the cause is fixed', async () => {
    const victim = join(work, 'victim');
    writeFileSync(victim, 'x');
    symlinkSync(victim, join(dataDir, 'audit.log'));
    mkdirSync(join(work, 'plugins'));
    await expect(createHost({ pluginsDir: join(work, 'plugins'), dataDir }).start()).rejects.toBeInstanceOf(DataFileError);
    // The planted link, and the probes' memory (facts about the machine, kept whatever this start did): no lock record.
    expect(readdirSync(dataDir).filter((name) => name !== 'platform-probes.json')).toEqual(['audit.log']);
    rmSync(join(dataDir, 'audit.log'));
    const retry = createHost({ pluginsDir: join(work, 'plugins'), dataDir });
    await retry.start();
    await retry.stop();
  });

  it('removes the temporary file a killed `warden disable` left beside plugin-switches.json', async () => {
    writeFileSync(join(dataDir, 'plugin-switches.json.tmp-123-1'), '{"disabled":{');
    mkdirSync(join(work, 'plugins'));
    const host = createHost({ pluginsDir: join(work, 'plugins'), dataDir });
    await host.start();
    await host.stop();
    expect(readdirSync(dataDir).filter((name) => name.startsWith('plugin-switches'))).toEqual([]);
  });

  it('a folder a plugin planted under a store\'s temporary name is left and recorded, and the host starts', () => {
    cpSync(join(ROOT, 'test/fixtures/host/counter'), join(work, 'plugins', 'counter'), { recursive: true });
    const store = join(dataDir, 'plugins', 'warden-tests.counter');
    mkdirSync(join(store, 'storage.json.tmp-1-1'), { recursive: true });
    const run = warden(work, 'run', '--plugins-dir', 'plugins', '--data-dir', 'data', '--exec', 'counter.increment', '--once');
    expect(run.stderr).not.toMatch(/error/);
    expect(run.stdout).toMatch(/counter\.increment → 1/);
    expect(run.code).toBe(0);
    expect(readFileSync(join(dataDir, 'audit.log'), 'utf8')).toContain(`"kind":"storage.leftover","file":"${join(store, 'storage.json.tmp-1-1')}","reason":"not a file the host wrote"`);
  });
});

describe.skipIf(otherUser)('two users on a group-shared folder', () => {
  it('the second user\'s host is refused while the first one\'s runs', async () => {
    chmodSync(work, 0o777);
    chmodSync(dataDir, 0o777);
    const lock = await lockDataFolder(dataDir);
    try {
      const second = spawnSync('setpriv', ['--reuid=tester', '--regid=tester', '--clear-groups', process.execPath, LOCK_AT, LOCK_MODULE, dataDir, '0', '0'], { encoding: 'utf8' });
      expect(second.stdout.trim()).toBe('refused');
    } finally {
      await lock.release();
    }
  });

  it('the second user\'s host in another network namespace is refused too: a record it cannot read is no proof its holder is dead', async () => {
    chmodSync(work, 0o777);
    chmodSync(dataDir, 0o777);
    const lock = await lockDataFolder(dataDir);
    const record = readFileSync(join(dataDir, LOCK_RECORD), 'utf8');
    try {
      // Its own network namespace: the socket the first host holds is not there to refuse it; only the record is.
      const second = spawnSync('unshare', ['-n', 'setpriv', '--reuid=tester', '--regid=tester', '--clear-groups', process.execPath, LOCK_AT, LOCK_MODULE, dataDir, '0'], { encoding: 'utf8' });
      expect(second.stdout.trim()).toBe('refused');
      expect(readFileSync(join(dataDir, LOCK_RECORD), 'utf8')).toBe(record);
    } finally {
      await lock.release();
    }
  });

  it('`sudo warden disable` on a user\'s folder leaves its files the user\'s, and the user\'s host starts', () => {
    const uid = Number(tester.stdout);
    const gid = Number(spawnSync('id', ['-g', 'tester'], { encoding: 'utf8' }).stdout);
    chmodSync(work, 0o755);
    chownSync(dataDir, uid, gid);
    cpSync(join(ROOT, 'test/fixtures/host/counter'), join(work, 'plugins', 'counter'), { recursive: true });
    const disabled = warden(work, 'disable', 'warden-tests.counter', '--data-dir', dataDir);
    expect(disabled.code).toBe(0);
    for (const name of readdirSync(dataDir)) expect(statSync(join(dataDir, name)).uid, name).toBe(uid);
    const home = join(work, 'tester-home'); // the user's own: root's HOME holds root's cache key, which tester may not use
    mkdirSync(home);
    chownSync(home, uid, gid);
    const run = spawnSync('setpriv', ['--reuid=tester', '--regid=tester', '--clear-groups', process.execPath, CLI, 'run', '--plugins-dir', 'plugins', '--data-dir', 'data', '--once'], { cwd: work, encoding: 'utf8', env: { ...process.env, HOME: home, XDG_CONFIG_HOME: '' } });
    expect(run.stderr).not.toMatch(/error|EACCES/);
    expect(run.status).toBe(0);
  });
});
