/**
 * Loading anything that starts other programs or threads: `child_process`,
 * `cluster` and the wrappers around them (capability `childProcess`), and
 * `worker_threads` and worker pools (capability `worker`). Every spelling of
 * a module load counts (see modules.ts); the finding is at the load site.
 *
 * Besides the load, each call that runs a program the gate cannot vouch for
 * is reported where it is made: a command or arguments built at run time, a
 * hidden or detached process, a shell, inline code for an interpreter, or a
 * command line that downloads, decodes or evaluates code. A plain constant
 * command (`spawn('ls', ['-la'])`) is covered by the load finding alone.
 */
import type { Rule } from 'eslint';
import { defineRule } from './meta.js';
import type { AnyNode } from './utils/ast.js';
import { unwrap } from './utils/ast.js';
import { isDangerousCommand, runsInlineCode } from './utils/commands.js';
import { combineListeners } from './utils/listeners.js';
import { packageLoadListeners } from './utils/modules.js';
import { packageName } from './utils/specifiers.js';
import { report } from './utils/report.js';
import { DYNAMIC, resolverFor, type Resolver } from './utils/resolve.js';

type MessageId = 'childProcess' | 'worker' | 'run' | 'dangerousRun';

const CHILD_PROCESS_PACKAGES = [
  'child_process', 'cluster', 'execa', 'shelljs', 'cross-spawn', 'cross-spawn-async', 'node-pty', 'spawn-sync', 'spawn-command',
  'child-process-promise', '@npmcli/promise-spawn', 'nano-spawn', 'tinyexec', 'zx', 'foreground-child', 'exec-sh', 'sudo-prompt',
  'node-cmd', 'shell-exec', '@expo/spawn-async', 'open', 'opn', '@vscode/sudo-prompt', 'simple-git',
];
const PACKAGES = new Map<string, 'childProcess' | 'worker'>([
  ...CHILD_PROCESS_PACKAGES.map((name): [string, 'childProcess'] => [name, 'childProcess']),
  ...['worker_threads', 'web-worker', 'piscina', 'tinypool', 'workerpool', 'threads'].map((name): [string, 'worker'] => [name, 'worker']),
]);
/** Wrappers whose first argument is a whole shell command line. */
const SHELL_PACKAGES = new Set(['shelljs', 'zx', 'exec-sh', 'node-cmd', 'shell-exec', 'sudo-prompt', '@vscode/sudo-prompt', 'spawn-command']);
/** `child_process` functions that run something, and how they read their first argument. */
const LAUNCHERS: Record<string, 'shell' | 'file' | 'module'> = {
  exec: 'shell', execSync: 'shell', execFile: 'file', execFileSync: 'file', spawn: 'file', spawnSync: 'file', fork: 'module',
};

const rule = defineRule<MessageId>({
  name: 'no-child-process',
  description: 'Reports loading modules that start processes (child_process, cluster, execa…) or threads (worker_threads…), and the calls that run what cannot be vouched for.',
  messages: {
    childProcess: "Loads '{{module}}', which can run other programs with the user's rights.",
    worker: "Loads '{{module}}', which can start threads that run code outside the host's view.",
    run: 'Runs a program through {{callee}} ({{command}}): {{reason}}.',
    dangerousRun: 'Runs {{command}} through {{callee}}: a command line that downloads, decodes, evaluates code or injects a library.',
  },
  findings: {
    childProcess: { category: 'child-process', severity: 'high', capability: 'childProcess' },
    worker: { category: 'child-process', severity: 'high', capability: 'worker' },
    run: { category: 'child-process', severity: 'high', capability: 'childProcess' },
    dangerousRun: { category: 'child-process', severity: 'critical', capability: 'childProcess' },
  },
  create(context) {
    const resolver = resolverFor(context);
    const onCall = (node: AnyNode) => {
      const call = resolver.normalizeCall(node);
      const callee = call.callee;
      // `process.execve` (Node 22.15+) replaces the process with another program, no child_process needed.
      if (callee?.module === undefined && callee?.path.length === 2 && callee.path[0] === 'process' && callee.path[1] === 'execve') {
        const program = call.args?.[0] && resolver.folder.foldString(call.args[0]);
        const command = program === undefined ? 'a program known only at run time' : JSON.stringify(program);
        report(context, rule, { node, messageId: 'run', data: { callee: 'process.execve', command, reason: 'it replaces the plugin with another program, outside the sandbox\'s view of Node' } });
        return;
      }
      if (callee?.module === undefined || callee.module === DYNAMIC || callee.path.some((step) => step.startsWith('%'))) return;
      const name = packageName(callee.module);
      // node:test's run() starts a process for each test file it is given.
      if (name === 'test' && callee.path.length === 1 && callee.path[0] === 'run') {
        report(context, rule, { node, messageId: 'run', data: { callee: 'test.run', command: 'test files', reason: 'node:test runs each file it is given in a new Node process' } });
        return;
      }
      if (PACKAGES.get(name) !== 'childProcess') return;
      const label = [name, ...callee.path].join('.').replace(`.${DYNAMIC}`, '[…]');
      const judged = judgeRun(resolver, name, callee.path, call.args);
      if (!judged) return;
      const data = { callee: label, command: judged.command, reason: judged.reason ?? '' };
      report(context, rule, { node, messageId: judged.reason === undefined ? 'dangerousRun' : 'run', data });
    };
    return combineListeners(
      packageLoadListeners(context, PACKAGES, (load, module, messageId) => report(context, rule, { node: load.node, messageId, data: { module } })),
      { CallExpression: onCall, NewExpression: onCall } as Rule.RuleListener,
    );
  },
});

/**
 * Why a call that runs a program needs its own finding: `reason` says what
 * the gate cannot vouch for; no reason means the command line itself is
 * dangerous. Undefined for a plain constant command.
 */
function judgeRun(resolver: Resolver, module: string, path: string[], args: AnyNode[] | undefined): { command: string; reason?: string } | undefined {
  const member = path[0];
  if (!args) return { command: 'arguments the gate cannot see', reason: 'its arguments are only known at run time' };
  if (member === DYNAMIC) return { command: 'a function chosen at run time', reason: 'which function runs is only known at run time' };
  let mode: 'shell' | 'file' | 'module';
  if (module === 'child_process') {
    if (!(member in LAUNCHERS)) return undefined;
    mode = LAUNCHERS[member];
  } else if (module === 'cluster') {
    return undefined;
  } else {
    mode = SHELL_PACKAGES.has(module) || member === 'command' || member === 'execaCommand' ? 'shell' : 'file';
  }
  const [first, second] = args;
  const program = first && resolver.folder.foldString(first);
  if (program === undefined) return { command: 'a command built at run time', reason: 'what it runs is only known at run time' };
  const list = mode === 'shell' || !second || isOptions(resolver, second) ? [] : listOf(resolver, second);
  const shown = [program, ...(list ?? []).map((arg) => (arg === undefined ? '…' : arg))].join(' ');
  const command = `'${shown.length > 80 ? `${shown.slice(0, 80)}…` : shown}'`;
  const words = (list ?? []).filter((arg): arg is string => arg !== undefined);
  if (isDangerousCommand([program, ...words].join(' '))) return { command };
  if (list === undefined || list.includes(undefined)) return { command, reason: 'its arguments are built at run time' };
  if (runsInlineCode(program, words)) return { command, reason: 'it hands an interpreter code written inline' };
  const options = optionsOf(resolver, args[args.length - 1]);
  if (options.detached || options.silenced) return { command, reason: `it starts ${options.detached ? 'a detached' : 'a'} process${options.silenced ? ' with its output thrown away' : ''}` };
  if (options.shell && mode !== 'shell') return { command, reason: 'it runs through a shell' };
  return undefined;
}

/** An options object in the place of the argument list (`spawn('ls', { shell: true })`). */
function isOptions(resolver: Resolver, node: AnyNode): boolean {
  if (unwrap(node).type === 'ObjectExpression') return true;
  const value = resolver.folder.fold(node)?.value;
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The folded elements of an argument list; undefined entries did not fold; undefined for a list that is not an array. */
function listOf(resolver: Resolver, node: AnyNode): (string | undefined)[] | undefined {
  const folded = resolver.folder.fold(node)?.value;
  if (Array.isArray(folded)) return folded.map((value) => (typeof value === 'string' || typeof value === 'number' ? String(value) : undefined));
  const list = unwrap(node);
  if (list.type !== 'ArrayExpression') return undefined;
  return list.elements.map((element: AnyNode | null) => {
    if (!element || element.type === 'SpreadElement') return undefined;
    const value = resolver.folder.fold(element)?.value;
    return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  });
}

/** `{ detached: true, stdio: 'ignore', windowsHide: true, shell: true }`, read from a literal or a folded object. */
function optionsOf(resolver: Resolver, node: AnyNode | undefined): { detached: boolean; silenced: boolean; shell: boolean } {
  const none = { detached: false, silenced: false, shell: false };
  if (!node || unwrap(node).type === 'ArrayExpression') return none;
  const value = resolver.folder.fold(node)?.value as Record<string, unknown> | undefined;
  const props: Record<string, unknown> = value && typeof value === 'object' && !Array.isArray(value) ? value : literalProps(resolver, unwrap(node));
  const stdio = props.stdio;
  return {
    detached: props.detached === true,
    silenced: stdio === 'ignore' || (Array.isArray(stdio) && stdio.every((s) => s === 'ignore')) || props.windowsHide === true,
    shell: props.shell === true || typeof props.shell === 'string',
  };
}

/** The foldable properties of an object literal, even when others do not fold (`{ env, detached: true }`). */
function literalProps(resolver: Resolver, node: AnyNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (node.type !== 'ObjectExpression') return out;
  for (const property of node.properties) {
    if (property.type !== 'Property' || property.computed) continue;
    const key = property.key.name ?? property.key.value;
    const folded = resolver.folder.fold(property.value);
    if (folded) out[String(key)] = folded.value;
  }
  return out;
}

export default rule;
