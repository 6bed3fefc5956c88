/**
 * Starts one plugin process: `[setpriv --pdeathsig KILL] [unshare -rn -p
 * --fork --kill-child] node <permission flags> --max-old-space-size=<heapMb>
 * bootstrap.js`, working in its data folder with the filtered environment. fd 3 is the JSON-RPC
 * channel (a plain pipe; see runtime/channel.ts for why not Node's `ipc`); stdout and
 * stderr are captured line by line into the plugin's log, rate-limited.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { WARDEN_ROOT } from '../analyzer/warden-package.js';
import { type Grant, launchSpec } from './permissions.js';
import { PID_NAMESPACE, sandboxSupport } from './platform.js';

export type LogStream = 'stdout' | 'stderr';

export interface LaunchOptions {
  grant: Grant;
  dataDir: string;
  heapMb: number;
  logLinesPerSecond: number;
  onLine(stream: LogStream, line: string): void;
  /** Start with the inspector waiting for a debugger (the network namespace is then skipped so it can attach). */
  inspect?: boolean;
}

/** Longer lines are cut: a plugin cannot make the host buffer an endless line. */
const MAX_LINE_CHARS = 8192;

/** The package root (holding package.json), whether this file runs from source or from dist/. */
const BOOTSTRAP = join(WARDEN_ROOT, 'dist', 'host', 'runtime', 'bootstrap.js');

/**
 * vscode-jsonrpc's Node entry, resolved here once. The runtime is handed
 * this absolute path and `require`s it directly: resolving the package's
 * `exports` map, or importing it as ESM (which runs the CommonJS export
 * scanner), costs each plugin process ~6-8 MB of RSS and tens of milliseconds.
 */
const JSONRPC_MAIN = createRequire(import.meta.url).resolve('vscode-jsonrpc/node');

/** What the runtime must be able to read under the permission model: its own code, the protocol, vscode-jsonrpc. */
function runtimeReadPaths(): string[] {
  const marker = `${sep}node_modules${sep}vscode-jsonrpc${sep}`;
  const jsonrpcRoot = JSONRPC_MAIN.slice(0, JSONRPC_MAIN.lastIndexOf(marker) + marker.length - 1);
  return [join(WARDEN_ROOT, 'dist', 'host', 'runtime'), join(WARDEN_ROOT, 'dist', 'api'), join(WARDEN_ROOT, 'package.json'), jsonrpcRoot];
}

let warned = false;

/** Says once per host process what this machine cannot enforce. */
function warnOnce(): void {
  if (warned) return;
  warned = true;
  for (const warning of sandboxSupport().warnings) process.emitWarning(warning, 'WardenSandboxWarning');
}

export interface Launched {
  /** The process the host spawned: `setpriv`/`unshare` exec into node, except that `unshare --fork` stays as node's parent. */
  child: ChildProcess;
  /** The node process's pid as the host sees it (it is 1 inside its PID namespace); undefined once it has gone. */
  pluginPid(): number | undefined;
}

export function launch(options: LaunchOptions): Launched {
  warnOnce();
  const support = sandboxSupport();
  const spec = launchSpec(options.grant, runtimeReadPaths());
  // Node 20's permission model disables the inspector outright (measured: --inspect-brk fails with
  // ERR_ACCESS_DENIED, --inspect never listens); newer Nodes can allow it explicitly.
  const inspectorAllowed = support.supportsFlag('--allow-inspector');
  const permissionModel = !options.inspect || inspectorAllowed;
  if (!permissionModel) {
    const warning = `inspecting: this Node (${process.version}) cannot run the inspector under the permission model, so this process runs WITHOUT filesystem, process, worker and addon restrictions (env filtering and the broker's checks still apply)`;
    options.onLine('stderr', `[warden] ${warning}`);
    process.emitWarning(warning, 'WardenSandboxWarning');
  }
  const node = [process.execPath, ...(permissionModel ? spec.nodeFlags : []), `--max-old-space-size=${options.heapMb}`];
  if (options.inspect) node.push(...(inspectorAllowed ? ['--allow-inspector'] : []), '--inspect-brk=0');
  node.push(BOOTSTRAP, JSONRPC_MAIN);
  // The host's death kills setpriv's successor (unshare, or node itself) by the parent-death signal, which
  // survives unshare's move into a user namespace; unshare's own death kills node by --kill-child.
  // An inspected process keeps the host's network namespace, or no debugger could attach.
  const unshare = support.unshare;
  const pidNamespace = unshare?.pidNamespace === true;
  const wrappers = [
    ...(support.setpriv ? [support.setpriv, '--pdeathsig', 'KILL'] : []),
    ...(unshare ? [unshare.path, options.inspect ? '-r' : '-rn', ...(pidNamespace ? PID_NAMESPACE : [])] : []),
  ];
  const [command, ...args] = [...wrappers, ...node];
  const child = spawn(command, args, {
    cwd: options.dataDir,
    env: spec.env,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    // A session and process group of its own: `process.kill(0, …)` signals the caller's process group,
    // and that reaches across PID namespaces (measured: a plugin signalled its host this way).
    detached: true,
  });
  captureLines(child.stdout as Readable, 'stdout', options);
  captureLines(child.stderr as Readable, 'stderr', options);
  return { child, pluginPid: () => (pidNamespace ? forkedChild(child.pid) : child.pid) };
}

/** The one child `unshare --fork` started, read from /proc. */
function forkedChild(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return children === '' ? undefined : Number(children.split(' ')[0]);
  } catch {
    return undefined;
  }
}

/** Splits a stream into lines and passes at most `logLinesPerSecond` on; the rest become one "N lines dropped" note. */
function captureLines(stream: Readable, name: LogStream, options: LaunchOptions): void {
  let partial = '';
  let windowStart = 0;
  let passed = 0;
  let dropped = 0;
  const reportDropped = (): void => {
    if (dropped > 0) options.onLine(name, `[warden] ${dropped} lines dropped (over ${options.logLinesPerSecond} lines per second)`);
  };
  const emit = (line: string): void => {
    const now = Date.now();
    if (now - windowStart >= 1000) {
      reportDropped();
      windowStart = now;
      passed = 0;
      dropped = 0;
    }
    if (passed < options.logLinesPerSecond) {
      passed += 1;
      options.onLine(name, line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}…` : line);
    } else {
      dropped += 1;
    }
  };
  stream.on('error', () => undefined);
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) emit(line.endsWith('\r') ? line.slice(0, -1) : line);
    if (partial.length > MAX_LINE_CHARS) {
      emit(partial);
      partial = '';
    }
  });
  stream.on('end', () => {
    if (partial !== '') emit(partial);
    reportDropped();
  });
}
