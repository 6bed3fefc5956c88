/**
 * One host per data folder. Two hosts on one folder lose storage writes and
 * fork the audit chain, so `start()` takes an exclusive lock first and a
 * second host is refused before it writes anything.
 *
 * The lock is a listening Unix socket in Linux's abstract namespace, named
 * after the folder's device and inode: binding is atomic and exclusive, and
 * the kernel releases the name the moment the holder dies, even by SIGKILL,
 * so there is never a stale lock to judge or a takeover to race. (Node has
 * no flock; proper-lockfile's mkdir lock goes stale only after its mtime
 * stops being refreshed, so a killed host blocks the next start for that
 * long, and a host whose event loop stalls past it loses the lock while it
 * still runs.) Beside it, `host.lock` records who holds it (pid, process
 * start time from /proc, boot id, time) for the refusal message. That record
 * is also checked on its own, which covers a host in another network
 * namespace of the same machine (abstract names are per network namespace),
 * and is the only check where abstract sockets do not exist (not Linux).
 *
 * The socket doubles as the running host's control door (control.ts: `warden
 * enable/disable` on a folder in use): the record, readable by its owner only,
 * carries a fresh token that a client must present.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, constants, linkSync, lstatSync, readFileSync, readlinkSync, renameSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileProblem, readRegularFileSync, writeNewFileSync } from './safe-files.js';

export const LOCK_RECORD = 'host.lock';
/** A record is a line of a few hundred bytes; anything much longer is not one. */
const MAX_RECORD_BYTES = 4096;

export interface LockHolder {
  pid: number;
  /** When it took the lock (ISO 8601). */
  since: string;
  hostname: string;
  /** The process's start time in clock ticks since boot (/proc/<pid>/stat), so a reused pid is not mistaken for it. */
  startTime?: string;
  bootId?: string;
  /** What a control client presents (control.ts); only the record's owner can read it. */
  token?: string;
  /** The holder's PID namespace (`pid:[…]`): its pid means a process only within it. */
  pidNamespace?: string;
  /** Its network namespace: abstract socket names are per network namespace. */
  netNamespace?: string;
  /** The abstract socket it holds, without the leading NUL. */
  lockName?: string;
}

/** A second host on a data folder: the message is the one line the CLI prints. */
export class DataFolderInUse extends Error {
  override readonly name = 'DataFolderInUse';
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | undefined,
    /** The holder's record exists but this user may not read it (another user's host on a shared folder). */
    unreadableRecord = false,
  ) {
    super(
      holder
        ? `data folder ${dataDir} is in use by pid ${holder.pid}${holder.hostname === hostname() ? '' : ` on ${holder.hostname}`} since ${holder.since}: stop that host first`
        : unreadableRecord
          ? `data folder ${dataDir} is in use by another user's host (its lock record ${LOCK_RECORD} is not readable by this user): stop that host first`
          : `data folder ${dataDir} is in use by a process that left no lock record (\`ss -xlp | grep warden-host\` shows it): stop it first`,
    );
  }
}

export interface DataFolderLock {
  /** Releases the lock (idempotent). */
  release(): Promise<void>;
}

/** Answers one connection to the lock's socket; `token` is the one in the holder's record. */
export type OnControlConnection = (socket: Socket, token: string) => void;

/** Takes the lock on an existing folder, or throws DataFolderInUse. Connections go to `onConnection`, if given. */
export async function lockDataFolder(dataDir: string, onConnection?: OnControlConnection): Promise<DataFolderLock> {
  const recordPath = join(dataDir, LOCK_RECORD);
  const token = randomBytes(16).toString('hex');
  const answer = onConnection ? (socket: Socket) => onConnection(socket, token) : (socket: Socket) => socket.destroy();
  const lockName = process.platform === 'linux' ? socketName(dataDir) : undefined;
  const server = lockName === undefined ? null : await bindAbstract(lockName, answer);
  if (server === undefined) throw new DataFolderInUse(dataDir, readRecord(recordPath));
  const self: LockHolder = { ...ownRecord(lockName), token };
  try {
    claimRecord(dataDir, recordPath, self);
  } catch (error) {
    await closeServer(server);
    throw error;
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      if (readRecord(recordPath)?.token === token) unlinkSync(recordPath);
      await closeServer(server);
    },
  };
}

/**
 * Puts `self` at `recordPath` only where no live holder's record is: the socket covers hosts in this network
 * namespace, the record those in another, and between two such hosts no read-then-replace may decide it (both would
 * read "free" and both replace). So the record is created with link(2), which fails when one exists; a stale one is
 * first renamed aside, and removed only if it is the very file judged stale (same inode): one another host linked in
 * between is put back, and this host refused. Written whole to a new temporary file first (all of it or nothing is
 * left: a full or read-only disk is one DataFileError), removed again whatever happens.
 */
function claimRecord(dataDir: string, recordPath: string, self: LockHolder): void {
  const temporary = `${recordPath}.${process.pid}`;
  removeQuietly(temporary); // left by a killed host that had this pid
  try {
    writeNewFileSync(temporary, `${JSON.stringify(self)}\n`, 0o600);
  } catch (error) {
    throw fileProblem(recordPath, { code: (error as NodeJS.ErrnoException).code }); // named as the user knows it
  }
  try {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      try {
        linkSync(temporary, recordPath);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw fileProblem(recordPath, error);
      }
      const found = readRecordFile(recordPath);
      if (found === undefined) continue; // released meanwhile
      if (found.holder && isAlive(found.holder, self)) throw new DataFolderInUse(dataDir, found.holder);
      if (found.unreadable) throw new DataFolderInUse(dataDir, undefined, true);
      const aside = `${recordPath}.stale-${process.pid}`;
      try {
        renameSync(recordPath, aside);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw fileProblem(recordPath, error);
      }
      const moved = lstatSync(aside).ino;
      if (moved !== found.ino) {
        // Another host's record, linked after the stale one was read: it holds the folder. Its record goes back.
        const holder = readRecordFile(aside)?.holder;
        try {
          linkSync(aside, recordPath);
        } catch {
          // a third host linked its own meanwhile: that record stands
        }
        removeQuietly(aside);
        throw new DataFolderInUse(dataDir, holder);
      }
      removeQuietly(aside);
    }
    throw new DataFolderInUse(dataDir, readRecord(recordPath));
  } finally {
    removeQuietly(temporary);
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // not there: nothing to remove
  }
}

/**
 * The abstract socket name of a data folder: `\0warden-host:<dev>:<inode>` (shown by `ss -xlp`). Not per user: two
 * users sharing a folder through a group are two hosts on one folder, and the second must be refused.
 */
export function socketName(dataDir: string): string {
  const { dev, ino } = statSync(dataDir);
  return `\0warden-host:${dev}:${ino}`;
}

/** The listening server, or undefined when another process holds the name. */
function bindAbstract(name: string, answer: (socket: Socket) => void): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer(answer);
    server.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(undefined) : reject(error)));
    server.listen({ path: name, exclusive: true }, () => {
      server.unref(); // the lock must not keep a host process alive on its own
      resolve(server);
    });
  });
}

function closeServer(server: Server | null): Promise<void> {
  return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
}

function ownRecord(lockName: string | undefined): LockHolder {
  const startTime = processStartTime(process.pid);
  const bootId = currentBootId();
  const { pidNamespace, netNamespace } = ownNamespaces();
  return {
    pid: process.pid,
    since: new Date().toISOString(),
    hostname: hostname(),
    ...(startTime !== undefined ? { startTime } : {}),
    ...(bootId !== undefined ? { bootId } : {}),
    ...(pidNamespace !== undefined ? { pidNamespace } : {}),
    ...(netNamespace !== undefined ? { netNamespace } : {}),
    ...(lockName !== undefined ? { lockName: lockName.slice(1) } : {}),
  };
}

/** The record's holder and the file's inode; undefined when there is none. A record that cannot be read names no holder. */
/**
 * The record at `path` and its inode; `unreadable` when it is a file this user may not read. Such a record is no
 * proof that its holder is dead: it is another user's, on a folder they share, and their host may well be running.
 */
function readRecordFile(path: string): { holder: LockHolder | undefined; ino: number; unreadable: boolean } | undefined {
  let stats: Stats;
  try {
    stats = lstatSync(path);
  } catch {
    return undefined;
  }
  let unreadable = false;
  if (stats.isFile()) {
    try {
      accessSync(path, constants.R_OK);
    } catch {
      unreadable = true;
    }
  }
  return { holder: readRecord(path), ino: stats.ino, unreadable };
}

export function readRecord(path: string): LockHolder | undefined {
  try {
    // Never through a link or from a FIFO, never more than a record: the folder may be shared with others.
    const bytes = readRegularFileSync(path, MAX_RECORD_BYTES);
    const record = bytes === undefined ? undefined : (JSON.parse(bytes.toString('utf8')) as Partial<LockHolder> | null);
    if (!record || !Number.isInteger(record.pid) || typeof record.since !== 'string' || typeof record.hostname !== 'string') return undefined;
    return record as LockHolder;
  } catch {
    return undefined; // missing, torn by a crash mid-write, not a file, or not readable by this user: no holder can be named from it
  }
}

/**
 * Whether the record's holder may be alive, judged from `self` (this host, which now holds the folder's socket).
 * Same boot id means the same kernel, whatever the host name says (a container gets a new one at each start,
 * `unshare -u` sets any): there a holder is dead if it would hold the very socket this host just bound (same network
 * namespace, same name), or if its pid, in this PID namespace, is gone or now another process (start time). A holder
 * in another PID namespace of this kernel and another network namespace cannot be checked, nor one on another
 * machine (another boot id and host name: a shared folder): those are taken as alive. The same host name with
 * another boot id is this machine before a reboot: dead.
 */
function isAlive(record: LockHolder, self: LockHolder): boolean {
  if (record.bootId !== undefined && self.bootId !== undefined) {
    if (record.bootId !== self.bootId) return record.hostname !== self.hostname;
    if (self.lockName !== undefined && record.lockName === self.lockName && record.netNamespace === self.netNamespace) return false;
    if (record.pidNamespace !== undefined && record.pidNamespace !== self.pidNamespace) return true;
    return pidAlive(record);
  }
  if (record.hostname !== self.hostname) return true;
  return pidAlive(record);
}

/** Whether the record's pid is a live process of this PID namespace, the one that took the lock (same start time). */
function pidAlive(record: LockHolder): boolean {
  if (record.startTime !== undefined) return processStartTime(record.pid) === record.startTime;
  try {
    process.kill(record.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** This process's PID and network namespaces as the kernel names them (`pid:[4026531836]`), where /proc shows them. */
function ownNamespaces(): { pidNamespace?: string; netNamespace?: string } {
  const read = (kind: string) => {
    try {
      return readlinkSync(`/proc/self/ns/${kind}`);
    } catch {
      return undefined;
    }
  };
  return { pidNamespace: read('pid'), netNamespace: read('net') };
}

/** Field 22 of /proc/<pid>/stat; the command name before it may hold spaces and parentheses, so count from the last ')'. */
function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function currentBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}
