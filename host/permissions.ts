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
import type { DeclaredCapabilities } from '../rules/utils/manifest.js';
import { hostMatches } from '../rules/utils/manifest.js';
import type { AuditLog } from './audit.js';
import { sandboxSupport } from './platform.js';

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
}

/** The grant a declaration asks for: `$data` and `$home` expanded, `$data` always read+write, the plugin's own folder readable. */
export function grantFromManifest(capabilities: DeclaredCapabilities | undefined, context: GrantContext): Grant {
  const expand = (path: string): string => canonical(expandPath(path, context));
  const declared = capabilities ?? {};
  return {
    fsRead: unique([context.pluginRoot, '$data', ...(declared.filesystem?.read ?? [])].map(expand)),
    fsWrite: unique(['$data', ...(declared.filesystem?.write ?? [])].map(expand)),
    networkHosts: unique(declared.network?.hosts ?? []),
    env: unique(declared.env ?? []),
    childProcess: declared.childProcess === true,
    worker: declared.worker === true,
    nativeAddons: declared.nativeAddons === true,
  };
}

function expandPath(path: string, { pluginRoot, dataDir, home }: GrantContext): string {
  const expanded = path.replace(/^\$data(?=\/|$)/, dataDir).replace(/^\$home(?=\/|$)/, home);
  // A relative declaration means a path inside the plugin's own package.
  return isAbsolute(expanded) ? resolve(expanded) : resolve(pluginRoot, expanded);
}

/**
 * The permission model compares real paths, so a grant through a symlink must
 * name its target; for a path that does not exist yet, its nearest existing
 * ancestor is resolved.
 */
function canonical(path: string): string {
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

export interface LaunchSpec {
  /** Node flags enforcing the grant (permission model, fs grants, opt-ins). */
  nodeFlags: string[];
  /** The plugin's whole environment: the granted variables the host has, nothing else. */
  env: Record<string, string>;
  /** Run in namespaces of its own (`unshare`: no network at all, no view of other processes), when this machine can. */
  isolateNetwork: boolean;
}

/**
 * How to start a process holding `grant`. `runtimeRead` are the files the
 * Warden runtime itself needs readable (bootstrap, protocol, vscode-jsonrpc).
 */
export function launchSpec(grant: Grant, runtimeRead: string[] = [], hostEnv: NodeJS.ProcessEnv = process.env): LaunchSpec {
  const support = sandboxSupport();
  // Node 20 reads `--allow-fs-read=/a,/b` as one path: one flag per path.
  const nodeFlags = [
    support.permissionFlag,
    ...unique([...runtimeRead.map(canonical), ...grant.fsRead]).map((path) => `--allow-fs-read=${path}`),
    ...grant.fsWrite.map((path) => `--allow-fs-write=${path}`),
  ];
  if (grant.childProcess) nodeFlags.push('--allow-child-process');
  if (grant.worker) nodeFlags.push('--allow-worker');
  if (grant.nativeAddons && support.supportsFlag('--allow-addons')) nodeFlags.push('--allow-addons');
  // The host knows the model is experimental; the plugin's log need not repeat it on every start.
  if (support.supportsFlag('--disable-warning')) nodeFlags.push('--disable-warning=ExperimentalWarning');
  const env: Record<string, string> = {};
  for (const variable of grant.env) {
    const value = hostEnv[variable];
    if (value !== undefined) env[variable] = value;
  }
  return { nodeFlags, env, isolateNetwork: support.unshare !== undefined };
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
  audit: AuditLog;
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
      const granted = request.access === 'read' ? grant.fsRead : grant.fsWrite;
      return granted.some((root) => target === root || target.startsWith(root.endsWith('/') ? root : `${root}/`))
        ? undefined
        : `filesystem ${request.access} of "${target}" denied: add it to capabilities.filesystem.${request.access} in package.json`;
    }
    default:
      return grant[request.capability]
        ? undefined
        : `${request.capability} denied: set capabilities.${request.capability} to true in package.json`;
  }
}
