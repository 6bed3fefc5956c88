/**
 * The one permission chokepoint (the shape of Deno's `permissions`). A grant
 * is what the user allowed a plugin — today the manifest's declaration, later
 * a consent store's answer — and this module turns it into both halves of
 * enforcement: the flags, environment and namespace the plugin process starts
 * with, and the host-side check every `ctx` call passes through. A denial says
 * which capability is missing and how the manifest declares it, and is
 * written to the audit log from here.
 */
import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { inert } from '../analyzer/inert-text.js';
import type { DeclaredCapabilities } from '../rules/utils/manifest.js';
import { hostMatches } from '../rules/utils/manifest.js';
import type { AuditSink } from './audit-budget.js';
import { bareWrapper, bwrapWrapper, namespacesWrapper, type ResourceBounds, resourceWrapper } from './isolation.js';
import type { IsolationLevel, IsolationTools, NodeRuntime } from './platform.js';
import type { RuntimeGuard } from './runtime/guard.js';

/** Everything a plugin process may do, with every path absolute and expanded. */
export interface Grant {
  fsRead: string[];
  fsWrite: string[];
  networkHosts: string[];
  env: string[];
  childProcess: boolean;
  worker: boolean;
  nativeAddons: boolean;
}

export interface GrantContext {
  pluginRoot: string;
  dataDir: string;
  home: string;
  /**
   * What the host keeps its own state in (its data folder with host.lock, audit.log, the switches and every
   * plugin's data folder; the plugins folder's `.warden` with the store and the install records): no declaration
   * may reach into it, and no write grant may contain it. The plugin's own data folder (and, to read, its own
   * package, which an installed plugin has inside the store) are the exceptions.
   */
  hostState?: readonly string[];
}

/** A declaration the host will not turn into a grant: the plugin is refused with this one line. */
export class GrantRefused extends Error {}

/** The grant a declaration asks for: `$data` and `$home` expanded, `$data` always read+write, the plugin's own folder readable. */
export function grantFromManifest(capabilities: DeclaredCapabilities | undefined, context: GrantContext): Grant {
  const declared = capabilities ?? {};
  const dataDir = canonical(context.dataDir);
  const granted = (access: 'read' | 'write') => (declared.filesystem?.[access] ?? []).map((path) => grantedPath(path, access, context));
  return {
    fsRead: unique([context.pluginRoot, dataDir, ...granted('read')].map(canonical)),
    fsWrite: unique([dataDir, ...granted('write')]),
    networkHosts: unique(declared.network?.hosts ?? []),
    env: unique(declared.env ?? []),
    childProcess: declared.childProcess === true,
    worker: declared.worker === true,
    nativeAddons: declared.nativeAddons === true,
  };
}

/**
 * Where a declared path leads, or a refusal. A path starting with `$data` or `$home`, or a relative one (inside
 * the plugin's package), must stay inside that base once resolved: `cache/../../..` or `$data/../..` are not
 * "its own package" or "its own data" whatever the text says. The plugin ships its package and writes its data
 * folder, so there the real path (symlinks followed) must stay inside too; a symlink in the user's home is the
 * user's. Then nothing may overlap the host's own state.
 */
function grantedPath(path: string, access: 'read' | 'write', context: GrantContext): string {
  const { base, what, expanded } = expandPath(path, context);
  const refuse = (why: string): never => {
    throw new GrantRefused(`invalid manifest: capabilities.filesystem.${access} "${inert(path)}" ${why}`);
  };
  if (base !== undefined && !within(expanded, [resolve(base)])) refuse(`resolves to ${inert(expanded)}, outside ${what}`);
  const real = canonical(expanded);
  if (base !== undefined && what !== 'your home folder' && !within(real, [canonical(base)])) refuse(`leads through a symlink to ${inert(real)}, outside ${what}`);
  const state = hostStateOverlap(real, access, context);
  if (state !== undefined) refuse(`overlaps the host's own state (${inert(state)}): no plugin is granted that`);
  return real;
}

function expandPath(path: string, { pluginRoot, dataDir, home }: GrantContext): { base: string | undefined; what: string; expanded: string } {
  if (/^\$data(?=\/|$)/.test(path)) return { base: dataDir, what: 'its data folder', expanded: resolve(dataDir, `.${path.slice('$data'.length)}`) };
  if (/^\$home(?=\/|$)/.test(path)) return { base: home, what: 'your home folder', expanded: resolve(home, `.${path.slice('$home'.length)}`) };
  // A relative declaration means a path inside the plugin's own package.
  if (!isAbsolute(path)) return { base: pluginRoot, what: 'its own package', expanded: resolve(pluginRoot, path) };
  return { base: undefined, what: '', expanded: resolve(path) };
}

/** The host state `path` reaches into (or, for a write, contains), if any. */
function hostStateOverlap(path: string, access: 'read' | 'write', context: GrantContext): string | undefined {
  const own = [canonical(context.dataDir), ...(access === 'read' ? [canonical(context.pluginRoot)] : [])];
  for (const state of (context.hostState ?? []).map(canonical)) {
    if (within(path, [state]) && !within(path, own)) return state;
    if (access === 'write' && within(state, [path])) return state;
  }
  return undefined;
}

/**
 * The permission model compares real paths, so a grant through a symlink must
 * name its target; for a path that does not exist yet, its nearest existing
 * ancestor is resolved.
 */
export function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(canonical(parent), basename(path));
  }
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/** What the launch spec is built from besides the grant: the machine's facts and the plugin's bounds, as data. */
export interface LaunchContext {
  level: IsolationLevel;
  tools: IsolationTools;
  /** The Node the plugin runs on: its own flags decide the permission flags. */
  node: NodeRuntime;
  /** What the Warden runtime itself must read (its code), as real paths. */
  runtimeRead: string[];
  /** The runtime's entry module and its arguments; the runtime guard's settings are appended. */
  bootstrap: string[];
  dataDir: string;
  heapMb: number;
  /** Resident memory the supervisor allows (the data-segment limit is set from it); undefined for none. */
  memoryMb: number | undefined;
  /** RLIMIT_NOFILE. */
  openFiles: number;
  /** The data folder's quota: also RLIMIT_FSIZE and the size of a strict sandbox's /tmp. */
  dataQuotaBytes: number;
  /** RLIMIT_NPROC when `childProcess` is granted. */
  processes: number;
  /** Host file descriptors without close-on-exec that the child inherits; the launcher covers them, the runtime closes them. */
  inheritedFds: number[];
  inspect?: boolean;
  hostEnv?: NodeJS.ProcessEnv;
  /** The runtime runs a WebAssembly plugin's module in a worker thread of its own (with WASI, if the module imports it). */
  wasmModule?: boolean;
}

export interface LaunchSpec {
  level: IsolationLevel;
  /** The whole command line: `argv[0]` is spawned, then the isolation and resource wrappers, node, its flags and the entry. */
  argv: string[];
  /** The plugin's whole environment: the granted variables the host has, nothing else. */
  env: Record<string, string>;
  cwd: string;
  /** Node flags enforcing the grant (permission model, fs grants, opt-ins, heap cap). */
  nodeFlags: string[];
  permissionModel: boolean;
  /** Processes between the spawned one and node: wrappers exec onwards, but `unshare --fork` stays (1), and bwrap keeps itself and a pid-1 reaper (2). */
  nodeDepth: number;
  /** What the runtime guard receives: where unix sockets may be used (the write grants), which inherited fds to close. */
  guard: RuntimeGuard;
  /** What this launch cannot enforce, in plain words (an inspected Node without --allow-inspector). */
  warnings: string[];
}

/**
 * How to start a process holding `grant`: a pure function of the grant and `context`, so each isolation level can be
 * printed, diffed and tested as data.
 */
export function launchSpec(grant: Grant, context: LaunchContext): LaunchSpec {
  const { node, level, tools } = context;
  const warnings: string[] = [];
  // Node 20 and 22 cannot run the inspector under the permission model (measured: --inspect-brk fails with
  // ERR_ACCESS_DENIED, --inspect never listens); Node 24 can allow it explicitly.
  const inspectorAllowed = node.flags.has('--allow-inspector');
  const permissionModel = !context.inspect || inspectorAllowed;
  if (!permissionModel) {
    warnings.push(`inspecting: this Node (${node.version}) cannot run the inspector under the permission model, so this process runs WITHOUT filesystem, process, worker and addon restrictions (env filtering, the namespaces and the broker's checks still apply)`);
  }
  const nodeFlags = permissionModel ? permissionFlags(grant, context) : [];
  nodeFlags.push(`--max-old-space-size=${context.heapMb}`);
  if (context.inspect) nodeFlags.push(...(inspectorAllowed ? ['--allow-inspector'] : []), '--inspect-brk=0');

  const guard: RuntimeGuard = { socketPaths: grant.fsWrite, closeFds: context.inheritedFds, confinedView: level === 'strict' };
  const bounds: ResourceBounds = {
    openFiles: context.openFiles,
    fileSizeBytes: context.dataQuotaBytes,
    // Worker threads each commit a heap and (Node 24) a code range of their own: they would hit a process-wide limit
    // sized for one isolate, so a plugin granted workers is bounded by RSS sampling alone.
    // A quarter over memoryMb, so that resident memory crosses memoryMb (and the sampler stops the plugin with that
    // reason) before the kernel refuses an allocation, which stays the hard line below 2 × memoryMb.
    ...(context.memoryMb !== undefined && !grant.worker && !context.wasmModule ? { dataBytes: node.idleDataBytes + Math.round(context.memoryMb * 1.25 * MIB) } : {}),
    ...(grant.childProcess ? { processes: context.processes } : {}),
  };
  // An inspected plugin keeps the host's network, or no debugger could attach.
  const network = !context.inspect;
  const isolation =
    level === 'strict'
      ? bwrapWrapper(tools, {
          system: node.system,
          readOnly: unique([...context.runtimeRead, ...grant.fsRead]),
          readWrite: grant.fsWrite,
          tmpBytes: context.dataQuotaBytes,
          cwd: context.dataDir,
          network,
        })
      : level === 'namespaces'
        ? namespacesWrapper(tools, { network })
        : bareWrapper(tools);
  const argv = [...resourceWrapper(tools, bounds), ...isolation, node.path, ...nodeFlags, ...context.bootstrap, JSON.stringify(guard)];
  return {
    level,
    argv,
    env: grantedEnv(grant, context.hostEnv ?? process.env),
    cwd: context.dataDir,
    nodeFlags,
    permissionModel,
    nodeDepth: level === 'strict' ? 2 : level === 'namespaces' ? 1 : 0,
    guard,
    warnings,
  };
}

const MIB = 1024 * 1024;

function permissionFlags(grant: Grant, context: LaunchContext): string[] {
  const { node, runtimeRead } = context;
  // Node 20 reads `--allow-fs-read=/a,/b` as one path: one flag per path, which every version accepts.
  const flags = [
    node.permissionFlag,
    ...unique([...runtimeRead, ...grant.fsRead]).map((path) => `--allow-fs-read=${path}`),
    ...grant.fsWrite.map((path) => `--allow-fs-write=${path}`),
  ];
  if (grant.childProcess) flags.push('--allow-child-process');
  // A WASM plugin's process runs no plugin JavaScript: the worker and WASI are the runtime's, for the module.
  if (grant.worker || context.wasmModule) flags.push('--allow-worker');
  if (context.wasmModule && node.flags.has('--allow-wasi')) flags.push('--allow-wasi');
  if (grant.nativeAddons && node.flags.has('--allow-addons')) flags.push('--allow-addons');
  // The host knows the model is experimental on Node 20 and 22; the plugin's log need not repeat it on every start.
  if (node.flags.has('--disable-warning')) flags.push('--disable-warning=ExperimentalWarning');
  return flags;
}

function grantedEnv(grant: Grant, hostEnv: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of grant.env) {
    const value = hostEnv[variable];
    if (value !== undefined) env[variable] = value;
  }
  return env;
}

/** One thing a plugin asks the host for. */
export type AccessRequest =
  | { capability: 'network'; host: string }
  | { capability: 'env'; variable: string }
  | { capability: 'filesystem'; access: 'read' | 'write'; path: string }
  | { capability: 'childProcess' | 'worker' | 'nativeAddons' };

export interface Denial {
  allowed: false;
  capability: AccessRequest['capability'];
  request: AccessRequest;
  /** Names the capability and how to declare it. */
  message: string;
}

export type CheckResult = { allowed: true } | Denial;

/** Where a denial is recorded: the audit log, under the plugin and the call it belongs to. */
export interface AuditTrail {
  audit: AuditSink;
  pluginId: string;
  correlationId: string;
}

const ALLOWED: CheckResult = { allowed: true };

/** Checks `request` against `grant`; a denial is audited when `trail` is given. */
export function check(grant: Grant, request: AccessRequest, trail?: AuditTrail): CheckResult {
  const message = denialMessage(grant, request);
  if (message === undefined) return ALLOWED;
  const denial: Denial = { allowed: false, capability: request.capability, request, message };
  trail?.audit.append({
    pluginId: trail.pluginId,
    correlationId: trail.correlationId,
    kind: 'denied',
    capability: request.capability,
    request,
    message,
  });
  return denial;
}

function denialMessage(grant: Grant, request: AccessRequest): string | undefined {
  switch (request.capability) {
    case 'network':
      return grant.networkHosts.some((pattern) => hostMatches(pattern, request.host))
        ? undefined
        : `net.fetch to "${request.host}" denied: add it to capabilities.network.hosts in package.json`;
    case 'env':
      return grant.env.includes(request.variable)
        ? undefined
        : `environment variable "${request.variable}" denied: add it to capabilities.env in package.json`;
    case 'filesystem': {
      const target = resolve(request.path);
      return within(target, request.access === 'read' ? grant.fsRead : grant.fsWrite)
        ? undefined
        : `filesystem ${request.access} of "${target}" denied: add it to capabilities.filesystem.${request.access} in package.json`;
    }
    default:
      return grant[request.capability]
        ? undefined
        : `${request.capability} denied: set capabilities.${request.capability} to true in package.json`;
  }
}

/** Whether `path` (absolute, normalized) is one of `roots` or inside one. */
export function within(path: string, roots: readonly string[]): boolean {
  return roots.some((root) => path === root || path.startsWith(root.endsWith('/') ? root : `${root}/`));
}
