/**
 * `warden dev PATH`: the author's loop. The plugin runs sandboxed as a
 * development plugin (findings are printed like a linter's but never block);
 * on every change chokidar reports, it is analyzed again and restarted.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { watch } from 'chokidar';
import type { Command } from 'commander';
import { createHost } from '../host/index.js';
import { loadManifest } from '../analyzer/index.js';
import { EXIT, UsageError } from './errors.js';
import { attachPrinter, printJson, printPlain } from './run.js';

interface DevOptions {
  dataDir: string;
  json?: boolean;
}

/** Editors write a file in several steps; one reload per burst. */
const SETTLE_MS = 50;

export function registerDev(program: Command): void {
  program
    .command('dev')
    .description('run one plugin from source, re-analyze and restart it on every change')
    .argument('<path>', 'the plugin folder')
    .option('--data-dir <dir>', 'plugin data, audit log and analysis cache', '.warden')
    .option('--json', 'print every host event as one JSON line')
    .action(async (path: string, options: DevOptions) => {
      // A broken manifest is bad input here (the one plugin to run), refused before anything is created.
      if (!existsSync(join(path, 'package.json'))) throw new UsageError(`not a plugin folder (no package.json): ${path}`);
      await loadManifest(path);
      const print = options.json ? printJson : printPlain;
      const host = createHost({ dataDir: options.dataDir, devPaths: [path] });
      attachPrinter(host, print);
      await host.start();
      const plugin = host.plugins()[0];
      if (!plugin) {
        process.exitCode = EXIT.usage; // the gate could not read it after all; the reason was printed
        await host.stop();
        return;
      }
      const root = resolve(path);
      const dataDir = resolve(options.dataDir);
      const watcher = watch(root, {
        ignoreInitial: true,
        ignored: (file: string) => file.startsWith(dataDir) || /[/\\](\.git|node_modules)([/\\]|$)/.test(file.slice(root.length)),
      });
      watcher.on('error', (error) => print('log', { pluginId: plugin.id, stream: 'host', line: `watching ${root} failed: ${String(error)}` }));
      // The first activation waits until the watcher is ready, so no edit made once the plugin is up goes unseen;
      // reloads queue behind it and behind each other. A failing activate is printed as a crash.
      const ready = new Promise<void>((done) => watcher.once('ready', () => done()));
      let reloading: Promise<void> = ready.then(() => host.activate(plugin.id)).catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      const changed = new Set<string>();
      watcher.on('all', (_event, file) => {
        changed.add(file.slice(root.length + 1));
        clearTimeout(timer);
        timer = setTimeout(() => {
          const files = [...changed];
          changed.clear();
          reloading = reloading.then(async () => {
            const started = performance.now();
            await host.reload(plugin.id).catch(() => undefined);
            const ms = Math.round(performance.now() - started);
            print('reloaded', { pluginId: plugin.id, files, ms, state: host.plugins()[0]?.state });
          });
        }, SETTLE_MS);
      });
      await new Promise<void>((done) => {
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
      });
      clearTimeout(timer);
      await watcher.close();
      await reloading;
      await host.stop();
    });
}
