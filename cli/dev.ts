/**
 * `warden dev PATH`: the author's loop. The plugin runs sandboxed as a
 * development plugin (findings are printed like a linter's but never block);
 * on every change chokidar reports, it is analyzed again and restarted. A
 * plugin that fails (a syntax error, a throw in activate, a crash) is not
 * restarted into a crash loop: dev says why and waits for the next change.
 * Lines typed at its prompt run the plugin's commands (`> hello.sayHello
 * "Ada"`, see call-syntax.ts). Its data (audit log, storage, cache) lives
 * outside the plugin folder, so `npm pack` never ships it.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { watch } from 'chokidar';
import type { Command } from 'commander';
import pc from 'picocolors';
import { createHost, type Host } from '../host/index.js';
import { loadManifest } from '../analyzer/index.js';
import { parseCallLine } from './call-syntax.js';
import { addColorOptions } from './color.js';
import { devDataDir } from './data-dir.js';
import { EXIT, UsageError } from './errors.js';
import { onBrokenPipe } from './pipe.js';
import { attachPrinter, printJson, printPlain } from './run.js';

interface DevOptions {
  dataDir?: string;
  json?: boolean;
}

type Printer = (event: string, payload: Record<string, unknown>) => void;

/** Editors write a file in several steps; one reload per burst. */
const SETTLE_MS = 50;

export function registerDev(program: Command): void {
  const dev = program
    .command('dev')
    .description('run one plugin from source, re-analyze and restart it on every change; type its commands at the prompt')
    .argument('<path>', 'the plugin folder')
    .option('--data-dir <dir>', 'plugin data, audit log and analysis cache (default: outside the plugin, under $XDG_STATE_HOME/warden/dev)')
    .option('--json', 'print every host event as one JSON line')
    .action(async (path: string, options: DevOptions) => {
      // A broken manifest is bad input here (the one plugin to run), refused before anything is created.
      if (!existsSync(join(path, 'package.json'))) throw new UsageError(`not a plugin folder (no package.json): ${path}`);
      await loadManifest(path);
      const dataDir = resolve(options.dataDir ?? devDataDir(path));
      const print = devPrinter(options.json ? printJson : printPlain, options.json === true);
      // One crash and it waits: the next change reloads it with a fresh supervisor.
      const host = createHost({ dataDir, devPaths: [path], limits: { maxCrashes: 1 } });
      attachPrinter(host, print);
      if (!options.json) process.stderr.write(pc.dim(`data: ${dataDir}\n`));
      await host.start();
      const plugin = host.plugins()[0];
      if (!plugin) {
        process.exitCode = EXIT.usage; // the gate could not read it after all; the reason was printed
        await host.stop();
        return;
      }
      const root = resolve(path);
      const watcher = watch(root, {
        ignoreInitial: true,
        ignored: (file: string) => file.startsWith(dataDir) || /[/\\](\.git|node_modules)([/\\]|$)/.test(file.slice(root.length)),
      });
      watcher.on('error', (error) => print('log', { pluginId: plugin.id, stream: 'host', line: `watching ${root} failed: ${String(error)}` }));
      // The first activation waits until the watcher is ready, so no edit made once the plugin is up goes unseen;
      // reloads and typed commands queue behind it and behind each other. A failing activate is printed as a crash.
      const ready = new Promise<void>((done) => watcher.once('ready', () => done()));
      let queue: Promise<void> = ready.then(() => host.activate(plugin.id)).catch(() => undefined);
      const enqueue = (work: () => Promise<void>) => {
        queue = queue.then(work, work);
        return queue;
      };
      let timer: NodeJS.Timeout | undefined;
      const changed = new Set<string>();
      watcher.on('all', (_event, file) => {
        changed.add(file.slice(root.length + 1));
        clearTimeout(timer);
        timer = setTimeout(() => {
          const files = [...changed];
          changed.clear();
          void enqueue(async () => {
            const started = performance.now();
            await host.reload(plugin.id).catch(() => undefined);
            const ms = Math.round(performance.now() - started);
            print('reloaded', { pluginId: plugin.id, files, ms, state: host.plugins()[0]?.state });
          });
        }, SETTLE_MS);
      });
      let stopped!: () => void;
      const stopping = new Promise<void>((done) => {
        stopped = done;
      });
      process.once('SIGINT', stopped);
      process.once('SIGTERM', stopped);
      // One shutdown, whoever asks first (a signal, the prompt, a closed pipe).
      let shutdown: Promise<void> | undefined;
      const stop = () =>
        (shutdown ??= (async () => {
          prompt?.close();
          clearTimeout(timer);
          await watcher.close();
          await queue;
          await host.stop();
        })());
      const prompt = commandPrompt(host, print, enqueue, stopped);
      onBrokenPipe(stop);
      await ready;
      prompt?.prompt();
      await stopping;
      await stop();
    });
  addColorOptions(dev);
}

/**
 * Dev's view of the host's events: a plugin the supervisor gave up on is
 * waiting for a change (not "disabled"), and findings are printed again
 * only when they differ from the last analysis.
 */
function devPrinter(print: Printer, json: boolean): Printer {
  let lastCrash = '';
  let lastFindings: string | undefined;
  return (event, payload) => {
    if (event === 'crashed') lastCrash = String(payload.reason);
    if (event === 'disabled') {
      if (json) print('waiting', { pluginId: payload.pluginId, reason: lastCrash });
      else process.stderr.write(`${pc.yellow('… waiting')} ${pc.bold(String(payload.pluginId))}: it will start again on the next change you save\n`);
      return;
    }
    if (event === 'analyzed' && !json) {
      const findings = JSON.stringify(payload.findings);
      const same = findings === lastFindings;
      lastFindings = findings;
      if (same) {
        const count = (payload.findings as unknown[]).length;
        if (count > 0) process.stderr.write(pc.dim(`${String(payload.pluginId)}: the same ${count} finding(s) as before\n`));
        return;
      }
    }
    print(event, payload);
  };
}

/**
 * Reads calls from the terminal (or any stdin) and runs them in the queue
 * with reloads. `help` lists the plugin's commands; on a terminal Tab
 * completes them, and Ctrl-C or Ctrl-D stops dev.
 */
function commandPrompt(host: Host, print: Printer, enqueue: (work: () => Promise<void>) => Promise<void>, stop: () => void): Interface | undefined {
  if (process.stdin.destroyed) return undefined;
  const interactive = process.stdin.isTTY === true;
  const commands = () => host.plugins()[0]?.commands ?? [];
  const prompt = createInterface({
    input: process.stdin,
    output: interactive ? process.stderr : undefined,
    prompt: '> ',
    completer: (line: string) => [commands().filter((command) => command.startsWith(line.trim())), line.trim()],
  });
  let lines = 0;
  if (interactive) {
    process.stderr.write(pc.dim(`Type a command to run it, e.g. ${commands()[0] ?? 'my.command'} "Ada" (arguments are JSON, or else strings); help lists them.\n`));
    prompt.on('SIGINT', stop);
    prompt.on('close', stop);
  } else {
    // Piped calls (`printf 'a.b\n' | warden dev .`) are a script: at its end, dev stops once they have run. A stdin
    // that ends without giving any (/dev/null, a background job's) is no script: dev goes on watching.
    prompt.on('close', () => {
      if (lines > 0) void enqueue(async () => stop());
    });
  }
  prompt.on('line', (line) => {
    lines += 1;
    const text = line.trim();
    if (text === '') return prompt.prompt();
    if (text === 'help') {
      process.stderr.write(`commands: ${commands().join(', ') || '(none registered yet)'}\n`);
      return prompt.prompt();
    }
    let call;
    try {
      call = parseCallLine(text);
    } catch (error) {
      print('failed', { command: text, error: (error as Error).message });
      return prompt.prompt();
    }
    const { command, args } = call;
    void enqueue(async () => {
      // After a failure dev waits for the next change rather than restarting (the host has the plugin disabled): say so.
      const plugin = host.plugins()[0];
      if (plugin?.state === 'disabled') {
        print('failed', { command, error: `${plugin.id} is waiting for the next change you save (it failed: ${plugin.lastError?.replace(/^disabled after \d+ crash(es)? in \d+ s; last: /, '') ?? 'unknown'})` });
        prompt.prompt();
        return;
      }
      try {
        print('result', { command, result: await host.executeCommand(command, ...args) });
      } catch (error) {
        print('failed', { command, error: (error as Error).message });
      }
      prompt.prompt();
    });
  });
  return prompt;
}
