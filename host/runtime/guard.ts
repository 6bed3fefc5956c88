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

export function installGuard(guard: RuntimeGuard): void {
  closeCovered(guard.closeFds);
  guardUnixSockets(guard.socketPaths);
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

function guardUnixSockets(socketPaths: string[]): void {
  const roots = socketPaths.map((root) => (root.endsWith(sep) ? root : root + sep));
  const allowed = (path: string): boolean => {
    if (path.startsWith('\0')) return false; // abstract: no file, no grant can name it
    const target = resolve(path);
    return roots.some((root) => target === root.slice(0, -1) || target.startsWith(root));
  };

  const connect = net.Socket.prototype.connect;
  freeze(net.Socket.prototype, 'connect', function guardedConnect(this: net.Socket, ...args: unknown[]) {
    const path = connectPath(args);
    if (path !== undefined && !allowed(path)) {
      process.nextTick(() => this.destroy(new UnixSocketDenied(path)));
      return this;
    }
    return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
  });

  // Every listen() ends in `server._listen2(address, port, addressType, backlog, fd)` (looked up on the server), and
  // a pipe is what it makes when port and addressType are both -1 and no fd is given: guarding it guards them all.
  const listen2 = (net.Server.prototype as unknown as Record<string, (...a: unknown[]) => unknown>)._listen2;
  freeze(net.Server.prototype, '_listen2', function guardedListen2(this: net.Server, ...args: unknown[]) {
    const [address, port, addressType, , fd] = args;
    const pipe = port === -1 && addressType === -1 && !(typeof fd === 'number' && fd >= 0);
    if (pipe && !allowed(String(address))) {
      process.nextTick(() => this.emit('error', new UnixSocketDenied(String(address))));
      return undefined;
    }
    return listen2.apply(this, args);
  });
}

/** The socket path `Socket#connect` would use, if it would use one (its argument forms, as Node normalizes them). */
function connectPath(args: unknown[]): string | undefined {
  // net.connect() passes its normalized arguments as one array.
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  if (typeof first === 'string') return Number(first) >= 0 ? undefined : first;
  if (first !== null && typeof first === 'object') {
    const { path } = first as { path?: unknown };
    if (path !== undefined && path !== null && path !== '') return String(path);
  }
  return undefined;
}

function freeze(target: object, key: string, value: (...args: any[]) => unknown): void {
  Object.defineProperty(target, key, { value, writable: false, configurable: false, enumerable: false });
}

/** The path as the error shows it: a NUL-prefixed abstract name stays readable. */
function printable(path: string): string {
  return path.replace(/\0/g, '\\0');
}
