/**
 * The isolation wrappers as data: each isolation level is an argument vector
 * put in front of `node` (the shape of Flatpak's bwrap argv, which is built
 * from a permission list and never by hand). Pure functions of their inputs,
 * so every level is tested as data and printed as data; permissions.ts
 * assembles them into one launch spec, launcher.ts spawns it.
 */
import { BWRAP_NAMESPACES, type IsolationTools, type SystemFiles, UNSHARE_NAMESPACES } from './platform.js';

/** Kernel limits set on the plugin's process before it starts (prlimit); undefined means not limited. */
export interface ResourceBounds {
  /** RLIMIT_NOFILE, soft and hard: Node raises its soft limit to the hard one at start. */
  openFiles: number;
  /** RLIMIT_FSIZE: no file the plugin writes grows past this (its data-folder quota). */
  fileSizeBytes: number;
  /** RLIMIT_DATA: private writable memory (heap, buffers, thread stacks) the process may commit. */
  dataBytes?: number;
  /** RLIMIT_NPROC: processes and threads in the plugin's own user namespace (ordinary users only; root is exempt). */
  processes?: number;
}

/**
 * `prlimit` with the bounds, exec'ing onwards: it adds no process. Core dumps are off, so a crash never writes the
 * plugin's memory to disk. (The lowest scheduling priority is set once node is up, see launcher.ts: a process started
 * at nice 19 on a loaded machine takes several times as long to boot.)
 */
export function resourceWrapper(tools: IsolationTools, bounds: ResourceBounds): string[] {
  if (!tools.prlimit) return [];
  const limit = (name: string, value: number): string => `--${name}=${value}:${value}`;
  return [
    tools.prlimit,
    limit('nofile', bounds.openFiles),
    limit('fsize', bounds.fileSizeBytes),
    limit('core', 0),
    ...(bounds.dataBytes !== undefined ? [limit('data', bounds.dataBytes)] : []),
    ...(bounds.processes !== undefined ? [limit('nproc', bounds.processes)] : []),
    '--',
  ];
}

/** `setpriv --pdeathsig KILL`: the kernel kills the plugin when the host dies, even one whose event loop is blocked. */
function dieWithHost(tools: IsolationTools): string[] {
  return tools.setpriv ? [tools.setpriv, '--pdeathsig', 'KILL', '--'] : [];
}

/**
 * Level `namespaces`: `unshare` with user (the plugin is `nobody` inside, without capabilities), network, PID
 * (with its own /proc), IPC and UTS namespaces. `--kill-child` ties node's life to unshare's, whose own life is
 * tied to the host's by the parent-death signal. `network: false` keeps the host's network (an inspected plugin).
 */
export function namespacesWrapper(tools: IsolationTools, options: { network: boolean }): string[] {
  if (!tools.unshare) throw new Error('isolation "namespaces" needs unshare');
  const namespaces = options.network ? UNSHARE_NAMESPACES : UNSHARE_NAMESPACES.filter((flag) => flag !== '--net');
  return [...dieWithHost(tools), tools.unshare, ...namespaces, '--'];
}

/** Level `none`: only the parent-death signal. */
export function bareWrapper(tools: IsolationTools): string[] {
  return dieWithHost(tools);
}

/** Everything a bwrap sandbox holds: a filesystem that starts empty, and what is put into it. */
export interface SandboxView {
  /** Node's binary, its libraries and the loader's cache, read-only at their real paths, with the symlinks leading to them. */
  system: SystemFiles;
  readOnly: string[];
  readWrite: string[];
  /** Size of the private /tmp. */
  tmpBytes: number;
  cwd: string;
  /** false keeps the host's network namespace (an inspected plugin, so a debugger can attach). */
  network: boolean;
}

type Mount =
  | { kind: 'tmpfs'; dest: string; bytes: number }
  | { kind: 'symlink'; dest: string; target: string }
  | { kind: 'bind'; dest: string; writable: boolean; optional: boolean }
  | { kind: 'proc' | 'dev'; dest: string };

/** At one path a tmpfs goes under a grant (a granted folder in /tmp shows through), proc and dev over everything. */
const MOUNT_ORDER: Record<Mount['kind'], number> = { tmpfs: 0, symlink: 1, bind: 1, proc: 2, dev: 2 };

/**
 * Level `strict`: the whole bwrap argument vector. New user (`nobody` inside), PID, network, IPC, UTS and cgroup
 * namespaces; no capabilities; a new session (no controlling terminal to inject keystrokes into); death with the
 * host; a root that holds only Node and its libraries, Warden's runtime, the plugin's folder, its data folder and
 * the granted paths, each at its own path, plus a private /tmp, a minimal /dev and its own /proc.
 */
export function bwrapWrapper(tools: IsolationTools, view: SandboxView): string[] {
  if (!tools.bwrap) throw new Error('isolation "strict" needs bubblewrap');
  const mounts: Mount[] = [
    { kind: 'proc', dest: '/proc' },
    { kind: 'dev', dest: '/dev' },
    { kind: 'tmpfs', dest: '/tmp', bytes: view.tmpBytes },
    ...view.system.symlinks.map(({ path, target }): Mount => ({ kind: 'symlink', dest: path, target })),
    ...view.system.files.map((dest): Mount => ({ kind: 'bind', dest, writable: false, optional: false })),
    // A path granted both ways is bound once, writable; a granted path that does not exist is left out.
    ...view.readOnly
      .filter((path) => !view.readWrite.includes(path))
      .map((dest): Mount => ({ kind: 'bind', dest, writable: false, optional: true })),
    ...view.readWrite.map((dest): Mount => ({ kind: 'bind', dest, writable: true, optional: true })),
  ];
  // Shallower first, so a mount inside another lands on top of it rather than under it.
  const ordered = uniqueMounts(mounts).sort((a, b) => depth(a.dest) - depth(b.dest) || MOUNT_ORDER[a.kind] - MOUNT_ORDER[b.kind]);
  const namespaces = view.network ? BWRAP_NAMESPACES : BWRAP_NAMESPACES.filter((flag) => flag !== '--unshare-net');
  return [
    tools.bwrap.path,
    ...namespaces,
    ...(tools.bwrap.disableUserns ? ['--disable-userns'] : []),
    '--uid', '65534', '--gid', '65534',
    '--hostname', 'warden-plugin',
    '--cap-drop', 'ALL',
    '--die-with-parent',
    '--new-session',
    ...ordered.flatMap(mountArgs),
    // bwrap sets PWD (to the data folder): the one variable the plugin gets without a grant.
    '--chdir', view.cwd,
    '--',
  ];
}

function mountArgs(mount: Mount): string[] {
  switch (mount.kind) {
    case 'tmpfs':
      return ['--size', String(mount.bytes), '--tmpfs', mount.dest];
    case 'symlink':
      return ['--symlink', mount.target, mount.dest];
    case 'bind':
      return [`--${mount.writable ? '' : 'ro-'}bind${mount.optional ? '-try' : ''}`, mount.dest, mount.dest];
    case 'proc':
      return ['--proc', mount.dest];
    case 'dev':
      return ['--dev', mount.dest];
  }
}

function uniqueMounts(mounts: Mount[]): Mount[] {
  const seen = new Set<string>();
  return mounts.filter((mount) => {
    const key = `${mount.kind}:${mount.dest}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function depth(path: string): number {
  return path === '/' ? 0 : path.split('/').length - 1;
}
