/**
 * What the sandbox still does for a plugin started with the inspector
 * (`--inspect-plugin`), in plain words, so whoever debugs knows what they
 * gave up. It describes the choices launcher.ts makes for an inspected
 * process: the network namespace is skipped (a debugger must reach the
 * inspector port), and on a Node whose permission model cannot allow the
 * inspector the permission model is dropped for that one process.
 */
import { type IsolationLevel, nodeRuntime, type NodeRuntime } from './platform.js';

/** The inspector prints this on the plugin's stderr once it listens. */
const LISTENING = /Debugger listening on (ws:\/\/\S+)/;

export function debuggerUrl(line: string): string | undefined {
  return LISTENING.exec(line)?.[1];
}

/** What the sandbox keeps for a plugin inspected at `level` on `node` (the plugin's own Node: its flags decide). */
export function inspectionSandbox(level: IsolationLevel, node: NodeRuntime = nodeRuntime()): string[] {
  const permissionModel = node.flags.has('--allow-inspector');
  return [
    permissionModel
      ? 'the permission model stays on: files, child processes, workers and addons are limited to the grant'
      : `the permission model is OFF: this Node (${node.version}) cannot run the inspector under it, so the plugin can read and write any file its ${level === 'strict' ? 'sandbox shows it' : 'user can'}, start processes, workers and addons`,
    level === 'none'
      ? 'no network namespace (isolation "none" has none in any case)'
      : `no network namespace, so the debugger can connect: the plugin can open connections itself (isolation "${level}" otherwise)`,
    'still on: the filtered environment, the broker checking and auditing every ctx call',
    'off: heartbeat and call timeouts, so a plugin paused in the debugger is not killed',
  ];
}
