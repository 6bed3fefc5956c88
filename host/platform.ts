/**
 * What this machine can enforce, measured once per host process, and what a
 * given Node binary accepts. Nothing here decides anything: the launch spec
 * (permissions.ts) is built from these facts, so it stays a pure function that
 * tests can feed any machine's facts.
 *
 * Isolation levels, strongest first:
 *  - `strict`: bubblewrap, with new user, PID, network, IPC and UTS namespaces and a filesystem holding only
 *    what the grant names (bwrap must work here);
 *  - `namespaces`: `unshare` with user, network, PID (own /proc), IPC and UTS namespaces, and `setpriv
 *    --pdeathsig`; the permission model alone guards files;
 *  - `none`: the Node permission model and the broker only.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { ProbeMemory } from './probe-memory.js';

export type IsolationLevel = 'strict' | 'namespaces' | 'none';

/** Weakest first: a level's index is its strength. */
export const ISOLATION_LEVELS: readonly IsolationLevel[] = ['none', 'namespaces', 'strict'];

export function isolationRank(level: IsolationLevel): number {
  return ISOLATION_LEVELS.indexOf(level);
}

export function isIsolationLevel(value: unknown): value is IsolationLevel {
  return ISOLATION_LEVELS.includes(value as IsolationLevel);
}

/** The programs the launch spec wraps a plugin in; each is present only when it was found and works here. */
export interface IsolationTools {
  bwrap?: { path: string; disableUserns: boolean };
  unshare?: string;
  setpriv?: string;
  prlimit?: string;
}

export interface MachineSupport {
  tools: IsolationTools;
  /** The levels this machine can run, strongest first (`none` is always there). */
  levels: IsolationLevel[];
  /** Why each level that is missing is missing, and how to get it. */
  missing: Partial<Record<IsolationLevel, string>>;
  /** Plain-language reasons isolation is weaker than designed; empty when complete. */
  warnings: string[];
}

/** How `unshare` isolates a plugin: inside, the plugin is `nobody` (no capabilities once it execs node). */
export const UNSHARE_NAMESPACES = [
  '--map-user=65534',
  '--map-group=65534',
  '--net',
  '--pid',
  '--ipc',
  '--uts',
  '--fork',
  '--mount-proc',
  '--kill-child=SIGKILL',
];

/** The namespaces bwrap creates for a plugin. */
export const BWRAP_NAMESPACES = ['--unshare-user', '--unshare-pid', '--unshare-net', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try'];

const SYSTEM_DIRS = ['/usr/bin', '/bin', '/usr/sbin', '/sbin', '/usr/local/bin'];

let measured: MachineSupport | undefined;
let memory: ProbeMemory | undefined;

const memories = new Map<string, ProbeMemory>();

/**
 * Keeps the probes' answers in `dataDir` (probe-memory.ts says which and for how long), so the next host start on
 * this folder skips them; the folder named last is the one probes made from now on are kept in. Answers are written
 * once the returned memory is opened.
 */
export function rememberProbesIn(dataDir: string): ProbeMemory {
  memory = memories.get(dataDir) ?? new ProbeMemory(dataDir);
  memories.set(dataDir, memory);
  return memory;
}

/** `measure()`, or its remembered answer; `keep` says which answers are safe to reuse. */
function probe<T>(name: string, files: string[], measure: () => T, keep: (answer: T) => boolean): T {
  return memory ? memory.answer(name, files, measure, keep) : measure();
}

export function machineSupport(): MachineSupport {
  measured ??= measureMachine();
  return measured;
}

function measureMachine(): MachineSupport {
  const tools: IsolationTools = {};
  const missing: MachineSupport['missing'] = {};
  const linux = process.platform === 'linux';
  const bwrap = linux ? findTool('bwrap') : undefined;
  if (bwrap) {
    // Kept only with --disable-userns working: a weaker answer is probed again, in case the machine now allows more.
    const answer = probe('bwrap', [bwrap], () => probeBwrap(bwrap), (found) => found?.disableUserns === true);
    if (answer) tools.bwrap = { path: bwrap, disableUserns: answer.disableUserns };
  }
  // A tool that works is remembered; one that does not is probed again at every start.
  const working = (name: string, args: string[]) => {
    const path = linux ? findTool(name) : undefined;
    return path && probe(name, [path], () => works(path, args), (ok) => ok) ? path : undefined;
  };
  const unshare = working('unshare', [...UNSHARE_NAMESPACES, 'true']);
  if (unshare) tools.unshare = unshare;
  const setpriv = working('setpriv', ['--pdeathsig', 'KILL', 'true']);
  if (setpriv) tools.setpriv = setpriv;
  const prlimit = working('prlimit', ['--nofile=64:64', 'true']);
  if (prlimit) tools.prlimit = prlimit;

  if (!tools.bwrap) {
    missing.strict = !linux
      ? `bubblewrap exists only on Linux, not on ${process.platform}`
      : bwrap
        ? `bubblewrap (${bwrap}) cannot create its namespaces here (user namespaces disabled? see /proc/sys/kernel/unprivileged_userns_clone and /proc/sys/user/max_user_namespaces)`
        : 'bubblewrap is not installed (apt install bubblewrap, dnf install bubblewrap, pacman -S bubblewrap)';
  }
  if (!tools.unshare || !tools.setpriv) {
    missing.namespaces = !linux
      ? `namespaces exist only on Linux, not on ${process.platform}`
      : !tools.unshare
        ? `\`unshare ${UNSHARE_NAMESPACES.join(' ')}\` does not work here (user namespaces disabled, or util-linux older than 2.36)`
        : '`setpriv --pdeathsig` (util-linux) does not work here';
  }
  const levels = [...ISOLATION_LEVELS].reverse().filter((level) => level === 'none' || missing[level] === undefined);
  const warnings: string[] = [];
  if (levels[0] === 'none') {
    warnings.push(
      `plugins run with isolation "none": they can reach the network, unix sockets and other processes of this user directly; only ctx calls are brokered (${missing.namespaces})`,
    );
  } else if (levels[0] === 'namespaces') {
    warnings.push(
      `plugins run with isolation "namespaces": files are guarded by the Node permission model alone, so symlinks and path probes behave as outside (for "strict": ${missing.strict})`,
    );
  }
  if (linux && !tools.prlimit) warnings.push('prlimit (util-linux) is missing: open files, file size, processes and memory are not limited by the kernel, only sampled');
  return { tools, levels, missing, warnings };
}

/** Whether bwrap can make the namespaces a plugin gets here, and cap nested user namespaces too; undefined when it cannot. */
function probeBwrap(bwrap: string): { disableUserns: boolean } | undefined {
  const base = [...BWRAP_NAMESPACES, '--die-with-parent', '--new-session', '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev'];
  // --disable-userns needs bwrap 0.8 and a kernel that lets it cap nested user namespaces; without it the plugin could
  // still make namespaces of its own, which gives it nothing outside the sandbox.
  if (works(bwrap, [...base, '--disable-userns', 'true'])) return { disableUserns: true };
  if (works(bwrap, [...base, 'true'])) return { disableUserns: false };
  return undefined;
}

/** What one Node binary is and accepts: the plugin runs on it, so its own flags count, not the host's. */
export interface NodeRuntime {
  /** The binary's real path (bwrap binds it there). */
  path: string;
  version: string;
  major: number;
  /** `--permission` where this Node has it, else Node 20's `--experimental-permission`. */
  permissionFlag: '--permission' | '--experimental-permission';
  /** Flags this Node accepts, to avoid passing one it would reject. */
  flags: ReadonlySet<string>;
  /**
   * Private writable memory an idle process of this Node has committed (VmData): the floor of its data-segment
   * limit. Node 24 commits a ~510 MB code range at start, Node 20 and 22 about 48 MB in all.
   */
  idleDataBytes: number;
  /** The binary, its libraries and the loader's cache as a bwrap root must hold them (Linux; measured on first use). */
  readonly system: SystemFiles;
}

/** Files at their real paths, and the symlinks through which the loader asks for them (`/lib64` → `usr/lib64`). */
export interface SystemFiles {
  files: string[];
  symlinks: { path: string; target: string }[];
}

const runtimes = new Map<string, NodeRuntime>();

/** Facts about the Node at `path` (the host's own by default), measured once by running it. */
export function nodeRuntime(path: string = process.execPath): NodeRuntime {
  let runtime = runtimes.get(path);
  if (!runtime) {
    runtime = measureNode(path);
    runtimes.set(path, runtime);
  }
  return runtime;
}

const NODE_FACTS = `process.stdout.write(JSON.stringify({ version: process.version, flags: [...process.allowedNodeEnvironmentFlags],
  data: /^VmData:\\s+(\\d+)/m.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))?.[1] }))`;

interface NodeFacts {
  version: string;
  flags: string[];
  data?: string;
}

function measureNode(path: string): NodeRuntime {
  const real = realpathSync(path);
  // Facts of the binary alone (it runs with an empty environment), so they hold while the binary is unchanged.
  const facts = probe(`node ${real}`, [real], () => nodeFacts(path, real), () => true);
  const flags = new Set(facts.flags);
  let system: SystemFiles | undefined;
  return {
    path: real,
    version: facts.version,
    major: Number(/^v(\d+)/.exec(facts.version)?.[1]),
    permissionFlag: flags.has('--permission') ? '--permission' : '--experimental-permission',
    flags,
    idleDataBytes: Number(facts.data ?? 0) * 1024,
    get system() {
      system ??= systemFiles([real, ...libraries(real), ...(existsSync(LOADER_CACHE) ? [LOADER_CACHE] : [])]);
      return system;
    },
  };
}

function nodeFacts(path: string, real: string): NodeFacts {
  const result = spawnSync(real, ['-e', NODE_FACTS], { encoding: 'utf8', env: {}, timeout: 10_000 });
  if (result.status !== 0) throw new Error(`${path} does not run as Node.js: ${(result.stderr || String(result.error ?? '')).trim().split('\n')[0]}`);
  return JSON.parse(result.stdout) as NodeFacts;
}

/** The binary's libraries as the loader finds them: they change with the binary or the loader's cache. */
function libraries(binary: string): string[] {
  const ldd = findTool('ldd');
  if (!ldd) return [];
  const files = [binary, ldd, ...(existsSync(LOADER_CACHE) ? [LOADER_CACHE] : [])];
  return probe(`ldd ${binary}`, files, () => sharedLibraries(ldd, binary), (found) => found !== undefined) ?? [];
}

/** The loader's cache: with it, libraries resolve inside the sandbox exactly as `ldd` resolved them outside. */
const LOADER_CACHE = '/etc/ld.so.cache';

/** `paths` as real files, with every symlink met on the way to each (a path that cannot be followed is left out). */
export function systemFiles(paths: string[]): SystemFiles {
  const files = new Set<string>();
  const symlinks = new Map<string, string>();
  for (const path of paths) {
    const real = followRecording(path, symlinks);
    if (real) files.add(real);
  }
  return { files: [...files], symlinks: [...symlinks].map(([path, target]) => ({ path, target })) };
}

/** Walks `path` one component at a time from `/`, recording each symlink it passes through; returns the real path. */
function followRecording(path: string, symlinks: Map<string, string>): string | undefined {
  const pending = path.split('/').filter(Boolean);
  let resolved = '/';
  for (let hops = 0; pending.length > 0; ) {
    const next = join(resolved, pending.shift()!);
    let stat;
    try {
      stat = lstatSync(next);
    } catch {
      return undefined;
    }
    if (!stat.isSymbolicLink()) {
      resolved = next;
      continue;
    }
    if (++hops > 40) return undefined;
    const target = readlinkSync(next);
    symlinks.set(next, target);
    pending.unshift(...(isAbsolute(target) ? target : join(resolved, target)).split('/').filter(Boolean));
    resolved = '/';
  }
  return resolved;
}

/**
 * The files the dynamic loader opens to start `binary`, as the paths it opens them by (`ldd`): bwrap must offer
 * exactly these, symlinks included, in a root that holds nothing else. Undefined when ldd fails, as it does for a
 * static binary (which needs none).
 */
function sharedLibraries(ldd: string, binary: string): string[] | undefined {
  const result = spawnSync(ldd, [binary], { encoding: 'utf8', env: { PATH: SYSTEM_DIRS.join(':') }, timeout: 10_000 });
  if (result.status !== 0) return undefined;
  const libraries: string[] = [];
  for (const line of result.stdout.split('\n')) {
    // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)" or "/lib64/ld-linux-x86-64.so.2 (0x…)"
    const path = /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line)?.[1];
    if (path) libraries.push(path);
  }
  return libraries;
}

function findTool(name: string): string | undefined {
  for (const dir of SYSTEM_DIRS) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

function works(path: string, args: string[]): boolean {
  const result = spawnSync(path, args, { stdio: 'ignore', timeout: 5000, env: { PATH: SYSTEM_DIRS.join(':') } });
  return result.status === 0;
}
