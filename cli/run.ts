/**
 * `warden run`: the host on a plugins folder (and development plugins),
 * with plain-language trust warnings and blocks, messages plugins show
 * printed as `[plugin.id] text`, and `--exec` commands run in order.
 * `--json` prints every host event as one JSON line instead.
 */
import type { Command } from 'commander';
import pc from 'picocolors';
import { createHost, type Host } from '../host/index.js';
import { inert, inertJson } from '../analyzer/inert-text.js';
import { HOST_EVENT_NAMES, type HostEvents } from '../host/events.js';
import { debuggerUrl, inspectionSandbox } from '../host/inspection.js';
import { ISOLATION_LEVELS, type IsolationLevel, isIsolationLevel, machineSupport } from '../host/platform.js';
import { messageOf } from '../host/supervisor.js';
import { callOf, type CommandCall } from './call-syntax.js';
import { addColorOptions } from './color.js';
import { runDataDir } from './data-dir.js';
import { EXIT, UsageError } from './errors.js';
import { onBrokenPipe } from './pipe.js';
import { addRegistryOptions, describeStatus, registryConfig, storeFor } from './registry-options.js';

interface RunOptions {
  pluginsDir?: string;
  dataDir?: string;
  dev: string[];
  exec?: string[];
  once?: boolean;
  json?: boolean;
  inspectPlugin?: string;
  registry?: string;
  trustedRoot?: string;
  expiredGrace?: string;
  displayName?: string;
  locale?: string;
  requireIsolation?: string;
}

export function registerRun(program: Command): void {
  const run = program
    .command('run')
    .description('run the extension host: every plugin through the gate, each allowed one in its own sandbox')
    .option('--plugins-dir <dir>', 'folder whose subfolders are installed plugins')
    .option('--dev <path>', 'load a plugin from source: findings are shown but never block (repeatable)', collect, [])
    .option('--exec <command...>', 'run COMMAND [ARG]... after start (an ARG that is not JSON is a string); repeatable')
    .option('--once', 'stop the host and exit after the --exec commands')
    .option('--json', 'print every host event as one JSON line')
    .option('--inspect-plugin <id>', "start that plugin's process with the inspector so a debugger can attach")
    .option('--require-isolation <level>', `refuse to start any plugin below this isolation level (${[...ISOLATION_LEVELS].reverse().join(', ')})`)
    .option('--data-dir <dir>', 'plugin data, audit log and analysis cache (default: .warden, or outside a --dev plugin\'s folder)')
    .option('--display-name <name>', "the user's name, as ctx.user.profile() shares it with plugins")
    .option('--locale <tag>', "the user's locale (e.g. en-GB), as ctx.user.profile() shares it")
    .action(async (options: RunOptions) => {
      if (options.pluginsDir === undefined && options.dev.length === 0) {
        throw new UsageError('nothing to run: give --plugins-dir DIR and/or --dev PATH');
      }
      const calls = parseExec(options.exec ?? []);
      const registry = registryConfig(options, options.pluginsDir !== undefined ? storeFor({ pluginsDir: options.pluginsDir }) : undefined);
      const requireIsolation = isolationLevel(options.requireIsolation);
      const host = createHost({
        dataDir: runDataDir(options.dataDir, options.dev),
        devPaths: options.dev,
        ...(registry ? { registry } : {}),
        profile: { displayName: options.displayName, locale: options.locale },
        ...(options.pluginsDir !== undefined ? { pluginsDir: options.pluginsDir } : {}),
        ...(options.inspectPlugin !== undefined ? { inspectPlugin: options.inspectPlugin } : {}),
        ...(requireIsolation !== undefined ? { requireIsolation } : {}),
      });
      const print = options.json ? printJson : printPlain;
      attachPrinter(host, print);
      if (!options.json) for (const warning of machineSupport().warnings) process.stderr.write(`${pc.yellow('warning:')} ${warning}\n`);
      // One stop, whoever asks first (--once, a signal, a closed pipe): a second caller waits for the first.
      let stopping: Promise<void> | undefined;
      const stop = () => (stopping ??= host.stop());
      onBrokenPipe(stop);
      await host.start();
      const inspectFailed = options.inspectPlugin !== undefined && !(await inspect(host, options.inspectPlugin, print));
      const failures = (inspectFailed ? 1 : 0) + (await runCalls(host, calls, print));
      if (options.once) {
        await stop();
        process.exitCode = failures > 0 ? EXIT.blocked : EXIT.ok;
        return;
      }
      await untilSignalled();
      await stop();
    });
  addColorOptions(run);
  addRegistryOptions(run);
}

function isolationLevel(value: string | undefined): IsolationLevel | undefined {
  if (value === undefined || isIsolationLevel(value)) return value;
  throw new UsageError(`--require-isolation: "${value}" is not an isolation level (${[...ISOLATION_LEVELS].reverse().join(', ')})`);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Marks where each `--exec` starts: commander hands the values of a repeated variadic option over as one list. */
const EXEC_START = '\u0000exec';

/** `--exec a b --exec c` → `--exec <mark> a b --exec <mark> c` (main.ts applies this to argv before parsing). */
export function markExecBoundaries(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  return argv.flatMap((arg, index) => {
    if (end >= 0 && index > end) return [arg];
    if (arg === '--exec') return [arg, EXEC_START];
    if (arg.startsWith('--exec=')) return ['--exec', EXEC_START, arg.slice('--exec='.length)];
    return [arg];
  });
}

/** Each `--exec` is one call: its first value the command, the rest its arguments (see call-syntax.ts). */
function parseExec(values: string[]): CommandCall[] {
  const groups: string[][] = [];
  for (const value of values) {
    if (value === EXEC_START) groups.push([]);
    else (groups.at(-1) ?? groups[groups.push([]) - 1]).push(value);
  }
  return groups.map(([command = '', ...args]) => callOf(command, args, '--exec'));
}

/**
 * Starts the inspected plugin now (it waits for a debugger before its first
 * line), says where to attach and what the sandbox still does meanwhile.
 * False when it could not be started (refused, or its start failed): a
 * failure, as a failed --exec is, for --once's exit status.
 */
async function inspect(host: Host, pluginId: string, print: Printer): Promise<boolean> {
  const plugin = host.plugins().find((p) => p.id === pluginId);
  if (!plugin) {
    await host.stop();
    throw new UsageError(`--inspect-plugin: no plugin "${pluginId}" (loaded: ${host.plugins().map((p) => p.id).join(', ') || 'none'})`);
  }
  if (plugin.state === 'blocked') {
    print('failed', { command: `--inspect-plugin ${pluginId}`, error: `it is refused: ${plugin.lastError ?? ''}` });
    return false;
  }
  inspected.add(pluginId);
  print('inspecting', { pluginId, sandbox: inspectionSandbox(plugin.isolation) });
  return host.activate(pluginId).then(
    () => true,
    (error: unknown) => {
      print('failed', { command: `--inspect-plugin ${pluginId}`, error: messageOf(error) });
      return false;
    },
  );
}

type Printer = (event: string, payload: Record<string, unknown>) => void;

/** Runs the calls in order; returns how many failed. A failure is printed, never thrown. */
async function runCalls(host: Host, calls: CommandCall[], print: Printer): Promise<number> {
  let failures = 0;
  for (const { command, args } of calls) {
    try {
      const result = await host.executeCommand(command, ...args);
      print('result', { command, result });
    } catch (error) {
      failures += 1;
      print('failed', { command, error: messageOf(error) });
    }
  }
  return failures;
}

export function attachPrinter(host: Host, print: Printer): void {
  for (const name of HOST_EVENT_NAMES) host.on(name, (payload) => print(name, payload as unknown as Record<string, unknown>));
}

export const printJson: Printer = (event, payload) => {
  process.stdout.write(`${inertJson({ event, time: new Date().toISOString(), ...payload })}\n`);
};

/** Development plugins: their log lines are printed (an author wants them); an installed plugin's go to --json and the host's 'log' event only. */
const devPlugins = new Set<string>();
/** Plugins started with the inspector: their log lines are printed too, and the debugger URL stands out. */
const inspected = new Set<string>();

/** Human output: what a plugin says on stdout, what the host does on stderr. */
export const printPlain: Printer = (event, payload) => {
  if (event === 'analyzed') {
    const { pluginId, dev } = payload as unknown as HostEvents['analyzed'];
    if (dev) devPlugins.add(pluginId);
  }
  if (event === 'log' && !devPlugins.has(String(payload.pluginId)) && !inspected.has(String(payload.pluginId))) return;
  const line = plainLine(event, payload);
  if (line === undefined) return;
  const toStdout = event === 'message' || event === 'result' || event === 'reloaded';
  (toStdout ? process.stdout : process.stderr).write(`${line}\n`);
};

/** Every piece of a payload is printed through `inert` (plugins wrote much of it); only our own colours act on the terminal. */
function plainLine(event: string, payload: Record<string, unknown>): string | undefined {
  const id = inert(String(payload.pluginId ?? ''));
  const text = (key: string): string => inert(String(payload[key]));
  switch (event) {
    case 'message': {
      const { level } = payload as unknown as HostEvents['message'];
      const prefix = `[${id}]`;
      return `${level === 'error' ? pc.red(prefix) : level === 'warning' ? pc.yellow(prefix) : pc.cyan(prefix)} ${text('text')}`;
    }
    case 'result':
      return `${pc.green('✔')} ${text('command')} → ${payload.result === undefined ? 'done' : inertJson(payload.result)}`;
    case 'failed':
      return `${pc.red('✖')} ${text('command')} failed: ${text('error')}`;
    case 'analyzed': {
      const { findings, dev } = payload as unknown as HostEvents['analyzed'];
      if (!dev || findings.length === 0) return undefined;
      return [`${pc.bold(id)} (development plugin) — ${findings.length} finding(s):`,
        ...findings.map((f) => `  ${inert(f.file)}:${f.symbol === undefined ? `${f.line}:${f.column}` : inert(f.symbol)}  ${f.severity.padEnd(8)}  ${inert(f.message)}  ${pc.dim(f.ruleId)}`)].join('\n');
    }
    case 'blocked':
      return reasonLines(`${pc.red('✖ refused')} ${pc.bold(id)}`, payload.reasons as string[]);
    case 'warned':
      return reasonLines(`${pc.yellow('! warning')} ${pc.bold(id)} loads, but`, payload.reasons as string[]);
    case 'activated':
      // A WASM plugin runs in a worker of the host: no pid, no isolation level of its own.
      return pc.dim(`▶ ${id} started (${payload.pid === undefined ? 'WebAssembly, in a worker of the host' : `pid ${text('pid')}`}, ${text('ms')} ms, ${text('reason')}${payload.pid === undefined ? '' : `, isolation ${text('isolation')}`})`);
    case 'deactivated':
      return pc.dim(`■ ${id} stopped (${text('reason')})`);
    case 'crashed':
      return `${pc.red('✖ stopped')} ${pc.bold(id)}: ${text('reason')}`;
    case 'restarted':
      return pc.dim(`↻ ${id} restarted (attempt ${text('attempt')}, after ${text('delayMs')} ms)`);
    case 'disabled':
      return `${pc.red('✖ disabled')} ${pc.bold(id)}: ${text('reason')}`;
    case 'enabled':
      return `${pc.green('✔ enabled')} ${pc.bold(id)} (was: ${text('was')})`;
    case 'start-failed':
      return `${pc.yellow('! not started')} ${pc.bold(id)}: ${text('reason')}; trying again in ${text('retryInMs')} ms`;
    case 'denied':
      return `${pc.magenta('⛔ denied')} ${pc.bold(id)}: ${text('message')}`;
    case 'reloaded':
      return pc.green(`↻ ${id} reloaded in ${text('ms')} ms (${(payload.files as string[]).map(inert).join(', ')}): ${text('state')}`);
    case 'log': {
      // The launch's own note on an inspected plugin: the `! inspecting` lines above already said what is off.
      if (inspected.has(id) && String(payload.line).startsWith('[warden] inspecting: ')) return undefined;
      const url = inspected.has(id) ? debuggerUrl(String(payload.line)) : undefined;
      if (url) return `${pc.yellow('⏸ waiting for a debugger')} ${pc.bold(id)}: ${pc.bold(inert(url))}\n    attach with chrome://inspect, VS Code's "Attach", or: node inspect ${inert(url)}`;
      return pc.dim(`[${id}] ${text('line')}`);
    }
    case 'inspecting':
      return [`${pc.yellow('! inspecting')} ${pc.bold(id)}: while it is debugged the sandbox is weaker:`, ...(payload.sandbox as string[]).map((line) => `    ${line}`)].join('\n');
    case 'storage-corrupt':
      return `${pc.yellow('! storage')} ${pc.bold(id)}: ${text('reason')}; moved aside to ${text('file')}, the store starts empty`;
    case 'audit-repaired':
      return `${pc.yellow('! audit log')}: ${text('message')}`;
    case 'registry': {
      const status = payload as unknown as HostEvents['registry'];
      return status.lastError || status.expired ? `${pc.yellow('! registry')} ${inert(describeStatus(status))}` : pc.dim(`◆ ${inert(describeStatus(status))}`);
    }
    default:
      return undefined;
  }
}

/** The first reason beside the verdict, each other one on a line of its own: each names the findings it rests on. */
function reasonLines(verdict: string, reasons: string[]): string {
  const [first = '', ...rest] = reasons.map(inert);
  return [`${verdict}: ${first}`, ...rest.map((reason) => `    ${reason}`)].join('\n');
}

/**
 * Resolves on SIGINT or SIGTERM. Signal listeners do not keep Node's event loop alive, so with no plugin process
 * running (only lazy plugins, or the last one disabled) the CLI would end at once with Node's "unsettled top-level
 * await" status 13: a ref'd timer holds the loop open until the signal comes.
 */
function untilSignalled(): Promise<void> {
  return new Promise((resolve) => {
    const keepAlive = setInterval(() => undefined, 1 << 30);
    const done = () => {
      clearInterval(keepAlive);
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}
