/**
 * Starts one plugin process: the launch spec (permissions.ts) is the whole
 * command line — resource wrapper, isolation wrapper, node with its
 * permission flags, the runtime — and this is the one place it is spawned,
 * working in the plugin's data folder with the filtered environment. fd 3 is
 * the JSON-RPC channel (a plain pipe; see runtime/channel.ts for why not
 * Node's `ipc`); stdout and stderr are captured line by line into the
 * plugin's log, rate-limited.
 */
import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { setPriority } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';
import { WARDEN_ROOT } from '../analyzer/warden-package.js';
import { escapingLinks } from './grant-links.js';
import { type Grant, type LaunchSpec, canonical, launchSpec } from './permissions.js';
import { type IsolationLevel, machineSupport, nodeRuntime } from './platform.js';
import { MAX_LINE_CHARS, RateWindow, cut } from './text-limits.js';
import { WORKER_SCRIPT } from './wasm/spare-worker.js';

export type LogStream = 'stdout' | 'stderr';

export interface LaunchOptions {
  grant: Grant;
  dataDir: string;
  isolation: IsolationLevel;
  /** The Node binary the plugin runs on (the host's own by default). */
  nodePath?: string;
  heapMb: number;
  memoryMb?: number;
  openFiles: number;
  dataQuotaBytes: number;
  processes: number;
  logLinesPerSecond: number;
  onLine(stream: LogStream, line: string): void;
  /** Start with the inspector waiting for a debugger (the network namespace is then skipped so it can attach). */
  inspect?: boolean;
  /** The plugin is a WebAssembly module, which the runtime runs in a worker thread (with Extism). */
  wasm?: boolean;
}

/**
 * The plugin runtime: bootstrap.ts bundled with everything it loads (vscode-jsonrpc included) into one CommonJS
 * file by `npm run build` (scripts/bundle-cli.mjs), so a plugin process reads and compiles one file instead of
 * resolving and loading some thirty modules (measured in scripts/bundle-cli.mjs).
 */
const RUNTIME_DIR = join(WARDEN_ROOT, 'dist', 'host', 'runtime');
const RUNTIME = join(RUNTIME_DIR, 'plugin-runtime.cjs');

let runtimeRead: string[] | undefined;

/** What the runtime must be able to read under the permission model: its own code, and the package's manifest. */
function runtimeReadPaths(): string[] {
  runtimeRead ??= [RUNTIME_DIR, join(WARDEN_ROOT, 'package.json')].map(canonical);
  return runtimeRead;
}

let wasmRuntimeRead: string[] | undefined;

/** What a WASM plugin's runtime reads besides: the worker's code, and Extism's package (where Node resolves it from there). */
function wasmRuntimeReadPaths(): string[] {
  if (!wasmRuntimeRead) {
    wasmRuntimeRead = [dirname(WORKER_SCRIPT), packageFolder(fileURLToPath(import.meta.resolve('@extism/extism')), '@extism/extism')].map(canonical);
  }
  return wasmRuntimeRead;
}

/** The folder of the package `name` a resolved file of it is in (a dist folder's own package.json names no package). */
function packageFolder(file: string, name: string): string {
  for (let folder = dirname(file); dirname(folder) !== folder; folder = dirname(folder)) {
    const manifest = join(folder, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === name) return folder;
  }
  throw new Error(`cannot find the folder of the package ${name} (from ${file})`);
}

let warned = false;

/** Says once per host process what this machine cannot enforce. */
function warnOnce(): void {
  if (warned) return;
  warned = true;
  for (const warning of machineSupport().warnings) process.emitWarning(warning, 'WardenSandboxWarning');
}

export interface Launched {
  /** The process the host spawned (the first wrapper; they exec onwards until unshare or bwrap fork). */
  child: ChildProcess;
  spec: LaunchSpec;
  /** The node process's pid as the host sees it (it is 1 or 2 inside its PID namespace); undefined once it has gone. */
  pluginPid(): number | undefined;
}

/** The lowest scheduling priority. */
const LOWEST = 19;

/**
 * Moves every thread of the plugin's node process to the lowest priority, so a busy plugin yields to everything
 * else. Done once node is up and before any plugin code runs: the threads and processes it starts later inherit it,
 * and without CAP_SYS_NICE (it has no capabilities) it cannot raise it again.
 */
export function lowerPriority(pid: number): void {
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    threads = [String(pid)];
  }
  for (const thread of threads) {
    try {
      setPriority(Number(thread), LOWEST);
    } catch {
      // ended meanwhile
    }
  }
}

/** The spec for these options on this machine; throws when the level is not available or a grant leaks through a symlink. */
function planLaunch(options: LaunchOptions, inheritedFds: number[] = []): LaunchSpec {
  const support = machineSupport();
  if (!support.levels.includes(options.isolation)) {
    throw new Error(`isolation "${options.isolation}" is not available on this machine: ${support.missing[options.isolation]}`);
  }
  if (options.isolation !== 'strict') {
    const links = escapingLinks(options.grant);
    if (links.length > 0) {
      throw new Error(`${links.slice(0, 3).join('; ')}${links.length > 3 ? `; and ${links.length - 3} more` : ''} (without isolation "strict" the plugin would follow it)`);
    }
  }
  return launchSpec(options.grant, {
    level: options.isolation,
    tools: support.tools,
    node: nodeRuntime(options.nodePath),
    runtimeRead: options.wasm ? [...runtimeReadPaths(), ...wasmRuntimeReadPaths()] : runtimeReadPaths(),
    wasmModule: options.wasm,
    bootstrap: [RUNTIME],
    dataDir: options.dataDir,
    heapMb: options.heapMb,
    memoryMb: options.memoryMb,
    openFiles: options.openFiles,
    dataQuotaBytes: options.dataQuotaBytes,
    processes: options.processes,
    inheritedFds,
    inspect: options.inspect,
  });
}

export function launch(options: LaunchOptions): Launched {
  warnOnce();
  const inherited = inheritedFds();
  const spec = planLaunch(options, inherited);
  // Said once, as a line of that plugin's (the host's 'log' event): a process warning besides repeated it.
  for (const warning of spec.warnings) options.onLine('stderr', `[warden] ${warning}`);
  // Inherited descriptors are covered with /dev/null in the child (the runtime then closes them): whatever the
  // embedding app left open without close-on-exec never reaches the plugin.
  const devNull = inherited.length > 0 ? openSync('/dev/null', 'r') : -1;
  const stdio: StdioOptions = ['ignore', 'pipe', 'pipe', 'pipe'];
  for (const fd of inherited) {
    while (stdio.length < fd) stdio.push('ignore');
    stdio[fd] = devNull;
  }
  const [command, ...args] = spec.argv;
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio,
      // A session and process group of its own: `process.kill(0, …)` signals the caller's process group,
      // and that reaches across PID namespaces (measured: a plugin signalled its host this way).
      detached: true,
    });
  } finally {
    if (devNull >= 0) closeSync(devNull);
  }
  captureLines(child.stdout as Readable, 'stdout', options);
  captureLines(child.stderr as Readable, 'stderr', options);
  return { child, spec, pluginPid: () => descendant(child.pid, spec.nodeDepth) };
}

/**
 * The host's descriptors above the channel's that a child would inherit (no close-on-exec), read from /proc:
 * empty where there is no /proc.
 */
function inheritedFds(): number[] {
  let names: string[];
  try {
    names = readdirSync('/proc/self/fd');
  } catch {
    return [];
  }
  return names.map(Number).filter((fd) => fd > 3 && !closeOnExec(fd));
}

const O_CLOEXEC = 0o2000000;

function closeOnExec(fd: number): boolean {
  try {
    const flags = /^flags:\s+([0-7]+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1];
    return flags === undefined || (parseInt(flags, 8) & O_CLOEXEC) !== 0;
  } catch {
    return true; // closed meanwhile (the directory listing's own fd, for one)
  }
}

/** The process `depth` generations below `pid`, following the first child each time (read from /proc). */
function descendant(pid: number | undefined, depth: number): number | undefined {
  let current = pid;
  for (let level = 0; level < depth && current !== undefined; level++) {
    try {
      const children = readFileSync(`/proc/${current}/task/${current}/children`, 'utf8').trim();
      current = children === '' ? undefined : Number(children.split(' ')[0]);
    } catch {
      current = undefined;
    }
  }
  return current;
}

/** Splits a stream into lines and passes at most `logLinesPerSecond` on; the rest become one "N lines dropped" note. */
function captureLines(stream: Readable, name: LogStream, options: LaunchOptions): void {
  let partial = '';
  const window = new RateWindow(options.logLinesPerSecond, (dropped) =>
    options.onLine(name, `[warden] ${dropped} lines dropped (over ${options.logLinesPerSecond} lines per second)`),
  );
  const emit = (line: string): void => {
    if (window.admit()) options.onLine(name, cut(line, MAX_LINE_CHARS));
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
    window.flush();
  });
}
