/**
 * `warden run`: the host on a plugins folder (and development plugins),
 * with plain-language trust warnings and blocks, messages plugins show
 * printed as `[plugin.id] text`, and `--exec` commands run in order.
 * `--json` prints every host event as one JSON line instead.
 */
import type { Command } from 'commander';
import pc from 'picocolors';
import { createHost, type Host } from '../host/index.js';
import type { Finding } from '../analyzer/types.js';
import { inert, inertJson } from '../analyzer/inert-text.js';
import { HOST_EVENT_NAMES, type HostEvents } from '../host/events.js';
import { ISOLATION_LEVELS, type IsolationLevel, isIsolationLevel, machineSupport } from '../host/platform.js';
import { messageOf } from '../host/supervisor.js';
import { EXIT, UsageError } from './errors.js';

interface RunOptions {
  pluginsDir?: string;
  dataDir: string;
  dev: string[];
  exec?: string[];
  once?: boolean;
  json?: boolean;
  inspectPlugin?: string;
  requireIsolation?: string;
}

export interface CommandCall {
  command: string;
  args: unknown[];
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run the extension host: every plugin through the gate, each allowed one in its own sandbox')
    .option('--plugins-dir <dir>', 'folder whose subfolders are installed plugins')
    .option('--dev <path>', 'load a plugin from source: findings are shown but never block (repeatable)', collect, [])
    .option('--exec <command...>', 'run COMMAND after start, with JSON_ARGS (a JSON array of arguments) if given; repeatable')
    .option('--once', 'stop the host and exit after the --exec commands')
    .option('--json', 'print every host event as one JSON line')
    .option('--inspect-plugin <id>', "start that plugin's process with the inspector so a debugger can attach")
    .option('--require-isolation <level>', `refuse to start any plugin below this isolation level (${[...ISOLATION_LEVELS].reverse().join(', ')})`)
    .option('--data-dir <dir>', 'plugin data, audit log and analysis cache', '.warden')
    .action(async (options: RunOptions) => {
      if (options.pluginsDir === undefined && options.dev.length === 0) {
        throw new UsageError('nothing to run: give --plugins-dir DIR and/or --dev PATH');
      }
      const calls = parseExec(options.exec ?? []);
      const requireIsolation = isolationLevel(options.requireIsolation);
      const host = createHost({
        dataDir: options.dataDir,
        devPaths: options.dev,
        ...(options.pluginsDir !== undefined ? { pluginsDir: options.pluginsDir } : {}),
        ...(options.inspectPlugin !== undefined ? { inspectPlugin: options.inspectPlugin } : {}),
        ...(requireIsolation !== undefined ? { requireIsolation } : {}),
      });
      const print = options.json ? printJson : printPlain;
      attachPrinter(host, print);
      if (!options.json) for (const warning of machineSupport().warnings) process.stderr.write(`${pc.yellow('warning:')} ${warning}\n`);
      await host.start();
      const failures = await runCalls(host, calls, print);
      if (options.once) {
        await host.stop();
        process.exitCode = failures > 0 ? EXIT.blocked : EXIT.ok;
        return;
      }
      await untilSignalled();
      await host.stop();
    });
}

function isolationLevel(value: string | undefined): IsolationLevel | undefined {
  if (value === undefined || isIsolationLevel(value)) return value;
  throw new UsageError(`--require-isolation: "${value}" is not an isolation level (${[...ISOLATION_LEVELS].reverse().join(', ')})`);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * commander joins every `--exec` value into one list; a value that parses as
 * JSON is the arguments of the command before it (an array is spread, any
 * other value is one argument). Command ids never parse as JSON.
 */
function parseExec(values: string[]): CommandCall[] {
  const calls: CommandCall[] = [];
  for (const value of values) {
    const json = parseJson(value);
    if (json === undefined) {
      calls.push({ command: value, args: [] });
      continue;
    }
    const last = calls.at(-1);
    if (!last || last.args.length > 0) throw new UsageError(`--exec: ${value} is not a command id (JSON arguments must follow one)`);
    last.args = Array.isArray(json.value) ? json.value : [json.value];
  }
  return calls;
}

function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
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

/** The findings that decide a refusal, shown with it (the rest are in `warden analyze`). */
const DECISIVE = new Set(['critical', 'high']);
const SHOWN_FINDINGS = 8;
const lastFindings = new Map<string, Finding[]>();
/** Development plugins: their log lines are printed (an author wants them); an installed plugin's go to --json and the host's 'log' event only. */
const devPlugins = new Set<string>();

/** Human output: what a plugin says on stdout, what the host does on stderr. */
export const printPlain: Printer = (event, payload) => {
  if (event === 'analyzed') {
    const { pluginId, findings, dev } = payload as unknown as HostEvents['analyzed'];
    lastFindings.set(pluginId, findings);
    if (dev) devPlugins.add(pluginId);
  }
  if (event === 'log' && !devPlugins.has(String(payload.pluginId))) return;
  const line = plainLine(event, payload);
  if (line === undefined) return;
  const toStdout = event === 'message' || event === 'result' || event === 'reloaded';
  (toStdout ? process.stdout : process.stderr).write(`${line}\n`);
};

/** Every piece of a payload is printed through `inert` (plugins wrote much of it); only our own colours act on the terminal. */
function plainLine(event: string, payload: Record<string, unknown>): string | undefined {
  const id = inert(String(payload.pluginId ?? ''));
  const text = (key: string): string => inert(String(payload[key]));
  const list = (key: string): string => (payload[key] as unknown[]).map((item) => inert(String(item))).join('; ');
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
        ...findings.map((f) => `  ${inert(f.file)}:${f.line}:${f.column}  ${f.severity.padEnd(8)}  ${inert(f.message)}  ${pc.dim(f.ruleId)}`)].join('\n');
    }
    case 'blocked': {
      const decisive = (lastFindings.get(String(payload.pluginId)) ?? []).filter((f) => DECISIVE.has(f.severity));
      return [`${pc.red('✖ refused')} ${pc.bold(id)}: ${list('reasons')}`,
        ...decisive.slice(0, SHOWN_FINDINGS).map((f) => `    ${f.severity.padEnd(8)} ${inert(f.message)} ${pc.dim(`(${inert(f.file)}:${f.line})`)}`),
        ...(decisive.length > SHOWN_FINDINGS ? [`    … and ${decisive.length - SHOWN_FINDINGS} more (warden analyze shows them all)`] : [])].join('\n');
    }
    case 'warned':
      return `${pc.yellow('! warning')} ${pc.bold(id)} loads, but: ${list('reasons')}`;
    case 'activated':
      return pc.dim(`▶ ${id} started (pid ${text('pid')}, ${text('ms')} ms, ${text('reason')}, isolation ${text('isolation')})`);
    case 'deactivated':
      return pc.dim(`■ ${id} stopped (${text('reason')})`);
    case 'crashed':
      return `${pc.red('✖ stopped')} ${pc.bold(id)}: ${text('reason')}`;
    case 'restarted':
      return pc.dim(`↻ ${id} restarted (attempt ${text('attempt')}, after ${text('delayMs')} ms)`);
    case 'disabled':
      return `${pc.red('✖ disabled')} ${pc.bold(id)}: ${text('reason')}`;
    case 'denied':
      return `${pc.magenta('⛔ denied')} ${pc.bold(id)}: ${text('message')}`;
    case 'reloaded':
      return pc.green(`↻ ${id} reloaded in ${text('ms')} ms (${(payload.files as string[]).map(inert).join(', ')}): ${text('state')}`);
    case 'log':
      return pc.dim(`[${id}] ${text('line')}`);
    default:
      return undefined;
  }
}

function untilSignalled(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}
