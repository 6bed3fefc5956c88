/**
 * What this machine can enforce, measured once per host process: which
 * spelling of the Node permission flag exists, whether `unshare` can give a
 * plugin its own network namespace (no network at all) and PID namespace (it
 * cannot see or signal any process outside, the host included), and whether
 * `setpriv --pdeathsig` (die with the host) works.
 * Where isolation is missing the host says so once, plainly, and carries on
 * with what it has.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface SandboxSupport {
  /** `--permission` where Node has it, else Node 20's `--experimental-permission`. */
  permissionFlag: '--permission' | '--experimental-permission';
  /** Flags this Node accepts, to avoid passing one it would reject. */
  supportsFlag(flag: string): boolean;
  /** `unshare` when `unshare -rn` works here, and whether it can add a PID namespace (`-p --fork --kill-child`). */
  unshare: { path: string; pidNamespace: boolean } | undefined;
  /** Absolute path of `setpriv` when `setpriv --pdeathsig KILL` works here, else undefined. */
  setpriv: string | undefined;
  /** Plain-language reasons isolation is weaker than designed; empty when complete. */
  warnings: string[];
}

/** A PID namespace whose init is the plugin; `--kill-child` takes the plugin down with the `unshare` process. */
export const PID_NAMESPACE = ['-p', '--fork', '--kill-child=SIGKILL'];

let measured: SandboxSupport | undefined;

export function sandboxSupport(): SandboxSupport {
  measured ??= measure();
  return measured;
}

function measure(): SandboxSupport {
  const flags = process.allowedNodeEnvironmentFlags;
  const warnings: string[] = [];
  const unsharePath = probe(['/usr/bin/unshare', '/bin/unshare'], ['-rn', 'true']);
  const unshare = unsharePath ? { path: unsharePath, pidNamespace: probe([unsharePath], [...PID_NAMESPACE, 'true']) !== undefined } : undefined;
  if (unshare && !unshare.pidNamespace) {
    warnings.push('plugins can send signals to the host and other processes of this user: `unshare -p` does not work on this machine');
  }
  if (!unshare) {
    warnings.push(
      process.platform === 'linux'
        ? 'plugins can reach the network and signal other processes directly: `unshare -rn` does not work on this machine (user namespaces disabled?); only ctx.net.fetch is brokered'
        : `plugins can reach the network and signal other processes directly: namespaces do not exist on ${process.platform}; only ctx.net.fetch is brokered`,
    );
  }
  const setpriv = probe(['/usr/bin/setpriv', '/bin/setpriv'], ['--pdeathsig', 'KILL', 'true']);
  return {
    permissionFlag: flags.has('--permission') ? '--permission' : '--experimental-permission',
    supportsFlag: (flag) => flags.has(flag),
    unshare,
    setpriv,
    warnings,
  };
}

function probe(candidates: string[], args: string[]): string | undefined {
  const path = candidates.find((candidate) => existsSync(candidate));
  if (!path) return undefined;
  const result = spawnSync(path, args, { stdio: 'ignore', timeout: 5000 });
  return result.status === 0 ? path : undefined;
}
