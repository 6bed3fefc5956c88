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
import { readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const LOCK_RECORD = 'host.lock';

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
}

/** A second host on a data folder: the message is the one line the CLI prints. */
export class DataFolderInUse extends Error {
  override readonly name = 'DataFolderInUse';
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | undefined,
  ) {
    super(
      holder
        ? `data folder ${dataDir} is in use by pid ${holder.pid}${holder.hostname === hostname() ? '' : ` on ${holder.hostname}`} since ${holder.since}: stop that host first`
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
  const server = process.platform === 'linux' ? await bindAbstract(socketName(dataDir), answer) : null;
  if (server === undefined) throw new DataFolderInUse(dataDir, liveHolder(recordPath));
  const other = liveHolder(recordPath);
  if (other && other.pid !== process.pid) {
    await closeServer(server);
    throw new DataFolderInUse(dataDir, other);
  }
  const self = { ...ownRecord(), token };
  const temporary = `${recordPath}.${process.pid}`;
  writeFileSync(temporary, `${JSON.stringify(self)}\n`, { mode: 0o600 });
  renameSync(temporary, recordPath);
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      if (readRecord(recordPath)?.pid === self.pid) unlinkSync(recordPath);
      await closeServer(server);
    },
  };
}

/** The abstract socket name of a data folder: `\0warden-host:<uid>:<dev>:<inode>` (shown by `ss -xlp`). */
export function socketName(dataDir: string): string {
  const { dev, ino } = statSync(dataDir);
  const uid = process.getuid?.() ?? 0;
  return `\0warden-host:${uid}:${dev}:${ino}`;
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

function ownRecord(): LockHolder {
  const startTime = processStartTime(process.pid);
  const bootId = currentBootId();
  return {
    pid: process.pid,
    since: new Date().toISOString(),
    hostname: hostname(),
    ...(startTime !== undefined ? { startTime } : {}),
    ...(bootId !== undefined ? { bootId } : {}),
  };
}

export function readRecord(path: string): LockHolder | undefined {
  try {
    const record = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder> | null;
    if (!record || !Number.isInteger(record.pid) || typeof record.since !== 'string' || typeof record.hostname !== 'string') return undefined;
    return record as LockHolder;
  } catch {
    return undefined; // missing, or torn by a crash mid-write: no holder can be named from it
  }
}

/**
 * The record's holder if it is alive. A holder on another machine (a shared folder) cannot be checked from
 * here and is taken as alive; on this machine the pid must exist in this boot with the start time it recorded.
 */
function liveHolder(recordPath: string): LockHolder | undefined {
  const record = readRecord(recordPath);
  if (!record) return undefined;
  if (record.hostname !== hostname()) return record;
  if (record.bootId !== undefined && record.bootId !== currentBootId()) return undefined;
  if (record.startTime !== undefined) return processStartTime(record.pid) === record.startTime ? record : undefined;
  try {
    process.kill(record.pid, 0);
    return record;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? record : undefined;
  }
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
