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
import { HOST_EVENT_NAMES, type HostEvents } from '../host/events.js';
import { sandboxSupport } from '../host/platform.js';
import { messageOf } from '../host/supervisor.js';
import { EXIT, UsageError } from './errors.js';
import { addRegistryOptions, describeStatus, registryConfig, storeFor } from './registry-options.js';

interface RunOptions {
  pluginsDir?: string;
  dataDir: string;
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
}

export interface CommandCall {
  command: string;
  args: unknown[];
}

export function registerRun(program: Command): void {
  const run = program
    .command('run')
    .description('run the extension host: every plugin through the gate, each allowed one in its own sandbox')
    .option('--plugins-dir <dir>', 'folder whose subfolders are installed plugins')
    .option('--dev <path>', 'load a plugin from source: findings are shown but never block (repeatable)', collect, [])
    .option('--exec <command...>', 'run COMMAND after start, with JSON_ARGS (a JSON array of arguments) if given; repeatable')
    .option('--once', 'stop the host and exit after the --exec commands')
    .option('--json', 'print every host event as one JSON line')
    .option('--inspect-plugin <id>', "start that plugin's process with the inspector so a debugger can attach")
    .option('--data-dir <dir>', 'plugin data, audit log and analysis cache', '.warden')
    .option('--display-name <name>', "the user's name, as ctx.user.profile() shares it with plugins")
    .option('--locale <tag>', "the user's locale (e.g. en-GB), as ctx.user.profile() shares it")
    .action(async (options: RunOptions) => {
      if (options.pluginsDir === undefined && options.dev.length === 0) {
        throw new UsageError('nothing to run: give --plugins-dir DIR and/or --dev PATH');
      }
      const calls = parseExec(options.exec ?? []);
      const registry = registryConfig(options, options.pluginsDir !== undefined ? storeFor({ pluginsDir: options.pluginsDir }) : undefined);
      const host = createHost({
        dataDir: options.dataDir,
        devPaths: options.dev,
        ...(registry ? { registry } : {}),
        profile: { displayName: options.displayName, locale: options.locale },
        ...(options.pluginsDir !== undefined ? { pluginsDir: options.pluginsDir } : {}),
        ...(options.inspectPlugin !== undefined ? { inspectPlugin: options.inspectPlugin } : {}),
      });
      const print = options.json ? printJson : printPlain;
      attachPrinter(host, print);
      if (!options.json) for (const warning of sandboxSupport().warnings) process.stderr.write(`${pc.yellow('warning:')} ${warning}\n`);
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
  addRegistryOptions(run);
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
  process.stdout.write(`${JSON.stringify({ event, time: new Date().toISOString(), ...payload })}\n`);
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

function plainLine(event: string, payload: Record<string, unknown>): string | undefined {
  const id = String(payload.pluginId ?? '');
  switch (event) {
    case 'message': {
      const { level, text } = payload as unknown as HostEvents['message'];
      const prefix = `[${id}]`;
      return `${level === 'error' ? pc.red(prefix) : level === 'warning' ? pc.yellow(prefix) : pc.cyan(prefix)} ${text}`;
    }
    case 'result':
      return `${pc.green('✔')} ${String(payload.command)} → ${JSON.stringify(payload.result) ?? 'done'}`;
    case 'failed':
      return `${pc.red('✖')} ${String(payload.command)} failed: ${String(payload.error)}`;
    case 'analyzed': {
      const { findings, dev } = payload as unknown as HostEvents['analyzed'];
      if (!dev || findings.length === 0) return undefined;
      return [`${pc.bold(id)} (development plugin) — ${findings.length} finding(s):`,
        ...findings.map((f) => `  ${f.file}:${f.line}:${f.column}  ${f.severity.padEnd(8)}  ${f.message}  ${pc.dim(f.ruleId)}`)].join('\n');
    }
    case 'blocked': {
      const decisive = (lastFindings.get(id) ?? []).filter((f) => DECISIVE.has(f.severity));
      return [`${pc.red('✖ refused')} ${pc.bold(id)}: ${(payload.reasons as string[]).join('; ')}`,
        ...decisive.slice(0, SHOWN_FINDINGS).map((f) => `    ${f.severity.padEnd(8)} ${f.message} ${pc.dim(`(${f.file}:${f.line})`)}`),
        ...(decisive.length > SHOWN_FINDINGS ? [`    … and ${decisive.length - SHOWN_FINDINGS} more (warden analyze shows them all)`] : [])].join('\n');
    }
    case 'warned':
      return `${pc.yellow('! warning')} ${pc.bold(id)} loads, but: ${(payload.reasons as string[]).join('; ')}`;
    case 'activated':
      return pc.dim(`▶ ${id} started (pid ${String(payload.pid)}, ${String(payload.ms)} ms, ${String(payload.reason)})`);
    case 'deactivated':
      return pc.dim(`■ ${id} stopped (${String(payload.reason)})`);
    case 'crashed':
      return `${pc.red('✖ stopped')} ${pc.bold(id)}: ${String(payload.reason)}`;
    case 'restarted':
      return pc.dim(`↻ ${id} restarted (attempt ${String(payload.attempt)}, after ${String(payload.delayMs)} ms)`);
    case 'disabled':
      return `${pc.red('✖ disabled')} ${pc.bold(id)}: ${String(payload.reason)}`;
    case 'denied':
      return `${pc.magenta('⛔ denied')} ${pc.bold(id)}: ${String(payload.message)}`;
    case 'reloaded':
      return pc.green(`↻ ${id} reloaded in ${String(payload.ms)} ms (${(payload.files as string[]).join(', ')}): ${String(payload.state)}`);
    case 'log':
      return pc.dim(`[${id}] ${String(payload.line)}`);
    case 'registry': {
      const status = payload as unknown as HostEvents['registry'];
      return status.lastError || status.expired ? `${pc.yellow('! registry')} ${describeStatus(status)}` : pc.dim(`◆ ${describeStatus(status)}`);
    }
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
