/**
 * What the runtime closes and guards inside the plugin process before any
 * plugin code runs, for what the kernel layers leave open:
 *
 *  - File descriptors the host had open without close-on-exec (an embedding
 *    app's, say fds 30 or 252) would reach the plugin readable and writable.
 *    The launcher covers each with /dev/null at spawn; here they are closed,
 *    so only fds 0–3 remain.
 *  - Node's permission model has no network permission, and a unix socket is
 *    a file only in name: without a mount namespace of its own (isolation
 *    `namespaces` or `none`) a plugin could connect to any socket the user can
 *    reach (docker.sock, the D-Bus session bus, ssh and gpg agents) or create
 *    one anywhere. Connecting to and listening on unix sockets is allowed only
 *    inside the plugin's write grants; abstract sockets never.
 *
 *  - Process-wide switches that reach past the permission model (measured):
 *    `v8.setFlagsFromString` (V8's natives syntax and flags meant for start-up)
 *    is refused everywhere; `process.report.directory` and `.filename` are
 *    fixed to the working directory (the data folder), since Node 20 writes a
 *    report wherever they point; and without isolation `strict`, `node:sqlite`
 *    (Node 22 and 24), whose `ATTACH DATABASE` creates and opens files anywhere
 *    the user can, is unavailable. Under `strict` sqlite only sees the view.
 *
 * The guard is JavaScript: it holds against JavaScript (the methods it
 * replaces cannot be reassigned, and the permission model keeps
 * `process.binding` and native addons out of reach), not against a granted
 * child process, worker thread or addon. This file imports nothing but Node.
 */
import { closeSync, fstatSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import { constants } from 'node:os';
import { resolve, sep } from 'node:path';
import v8 from 'node:v8';

export interface RuntimeGuard {
  /** Folders inside which unix sockets may be used: the plugin's write grants. */
  socketPaths: string[];
  /** Inherited descriptors the launcher covered with /dev/null. */
  closeFds: number[];
  /** Whether the kernel confines the filesystem view (isolation `strict`): then sqlite can stay. */
  confinedView: boolean;
}

/** `channel` is the runtime's socket on fd 3: its pipe handle is how the guard reaches every pipe handle's methods. */
export function installGuard(guard: RuntimeGuard, channel: net.Socket): void {
  closeCovered(guard.closeFds);
  guardUnixSockets(guard.socketPaths, channel);
  guardProcessSwitches(guard.confinedView);
  // `import { setFlagsFromString } from 'node:v8'` reads a copy made when the module was first imported (this file
  // did): bring every such copy up to date with the replaced functions.
  syncBuiltinESMExports();
}

class Denied extends Error {
  readonly code = 'ERR_ACCESS_DENIED';
}

function guardProcessSwitches(confinedView: boolean): void {
  freeze(v8, 'setFlagsFromString', () => {
    throw new Denied('v8.setFlagsFromString is not available to plugins: V8 flags change the whole process');
  });
  for (const key of ['directory', 'filename'] as const) {
    Object.defineProperty(process.report, key, {
      get: () => '',
      set: () => {
        throw new Denied(`process.report.${key} is fixed for plugins: reports go to the working directory (the data folder)`);
      },
      configurable: false,
      enumerable: true,
    });
  }
  if (confinedView) return;
  const sqlite = (process as { getBuiltinModule?: (id: string) => Record<string, unknown> | undefined }).getBuiltinModule?.('node:sqlite');
  if (!sqlite) return;
  for (const key of Object.keys(sqlite)) {
    if (typeof sqlite[key] !== 'function') continue;
    freeze(sqlite, key, function unavailable() {
      throw new Denied('node:sqlite is not available to plugins without isolation "strict": ATTACH DATABASE opens files outside the permission model');
    });
  }
  Object.freeze(sqlite);
}

/** Closes the listed descriptors that are /dev/null (as fd 0 is: the launcher ignores stdin); anything else is left alone. */
function closeCovered(fds: number[]): void {
  if (fds.length === 0) return;
  const devNull = fstatSync(0);
  for (const fd of fds) {
    try {
      const stat = fstatSync(fd);
      if (stat.isCharacterDevice() && stat.rdev === devNull.rdev) closeSync(fd);
    } catch {
      // not open: nothing to close
    }
  }
}

class UnixSocketDenied extends Denied {
  constructor(path: string) {
    super(`unix socket "${printable(path)}" denied: a plugin may use unix sockets only inside its write grants (capabilities.filesystem.write in package.json)`);
  }
}

/**
 * Two layers. The lowest one a plugin can reach is the pipe handle (`pipe_wrap`'s `Pipe`): every unix socket, by
 * whatever JavaScript route (net.connect, createConnection, Socket#connect on any stream object, http's socketPath,
 * server.listen, or a `Pipe` a plugin constructs itself from a handle's constructor), ends in its `connect(req,
 * address)` or `bind(address)`, which take the address as a string primitive: checked there, nothing can change it
 * between the check and the use. Above it, `Socket#connect` and `Server#_listen2` refuse the same paths with a clear
 * message, on a snapshot: the arguments are normalized by net's own function, the options copied once (a getter is
 * read once), and net is handed that copy, so what it connects to is what was checked.
 */
function guardUnixSockets(socketPaths: string[], channel: net.Socket): void {
  const roots = socketPaths.map((root) => (root.endsWith(sep) ? root : root + sep));
  const allowed = (path: string): boolean => {
    if (path.startsWith('\0')) return false; // abstract: no file, no grant can name it
    const target = resolve(path);
    return roots.some((root) => target === root.slice(0, -1) || target.startsWith(root));
  };
  guardPipeHandles(channel, allowed);

  const normalizeArgs = (net as unknown as { _normalizeArgs: (args: unknown[]) => [unknown, unknown] })._normalizeArgs;
  // The mark net puts on arguments it already normalized (net.connect hands those to Socket#connect).
  const NORMALIZED = Object.getOwnPropertySymbols(normalizeArgs([]))[0]!;
  const connect = net.Socket.prototype.connect as (...a: unknown[]) => net.Socket;
  freeze(net.Socket.prototype, 'connect', function guardedConnect(this: net.Socket, ...args: unknown[]) {
    const first = args[0] as Record<PropertyKey, unknown> | undefined;
    const [options, callback] = Array.isArray(first) && first[NORMALIZED] ? [first[0], first[1]] : normalizeArgs(args);
    const snapshot = copyOf(options);
    const { path } = snapshot;
    if (typeof path === 'string' && path !== '' && !allowed(path)) {
      process.nextTick(() => this.destroy(new UnixSocketDenied(path)));
      return this;
    }
    return connect.call(this, Object.assign([snapshot, callback], { [NORMALIZED]: true }));
  });

  // Every listen() ends in `server._listen2(address, port, addressType, backlog, fd)` (looked up on the server), and
  // a pipe is what it makes when port and addressType are both -1 and no fd is given: guarding it guards them all.
  const listen2 = (net.Server.prototype as unknown as Record<string, (...a: unknown[]) => unknown>)._listen2!;
  freeze(net.Server.prototype, '_listen2', function guardedListen2(this: net.Server, ...args: unknown[]) {
    const [address, port, addressType, backlog, fd] = args;
    const pipe = port === -1 && addressType === -1 && !(typeof fd === 'number' && fd >= 0);
    const path = String(address);
    if (pipe && !allowed(path)) {
      process.nextTick(() => this.emit('error', new UnixSocketDenied(path)));
      return undefined;
    }
    // The string checked is the one used: an address object's toString is not asked twice.
    return listen2.call(this, pipe ? path : address, port, addressType, backlog, fd);
  });
}

/** The options as net will read them, each property read once (own and inherited, as net's own reads see them). */
function copyOf(options: unknown): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  if (options === null || typeof options !== 'object') return copy;
  for (const key in options) copy[key] = (options as Record<string, unknown>)[key];
  return copy;
}

/** Refuses a pipe handle's connect and bind outside the grants with libuv's EACCES (net reports `connect EACCES <path>`). */
function guardPipeHandles(channel: net.Socket, allowed: (path: string) => boolean): void {
  const handle = (channel as unknown as { _handle?: object | null })._handle;
  const pipe = handle ? (Object.getPrototypeOf(handle) as Record<string, (...a: unknown[]) => unknown>) : undefined;
  if (!pipe || typeof pipe.connect !== 'function' || typeof pipe.bind !== 'function') throw new Error('the runtime guard found no pipe handle on its channel');
  const EACCES = -constants.errno.EACCES;
  const { connect, bind } = pipe;
  freeze(pipe, 'connect', function guardedPipeConnect(this: object, request: unknown, address: unknown, ...rest: unknown[]) {
    return typeof address === 'string' && allowed(address) ? connect.call(this, request, address, ...rest) : EACCES;
  });
  freeze(pipe, 'bind', function guardedPipeBind(this: object, address: unknown, ...rest: unknown[]) {
    return typeof address === 'string' && allowed(address) ? bind.call(this, address, ...rest) : EACCES;
  });
}

function freeze(target: object, key: string, value: (...args: any[]) => unknown): void {
  Object.defineProperty(target, key, { value, writable: false, configurable: false, enumerable: false });
}

/** The path as the error shows it: a NUL-prefixed abstract name stays readable. */
function printable(path: string): string {
  return path.replace(/\0/g, '\\0');
}
