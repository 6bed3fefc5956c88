#!/usr/bin/env node
/**
 * The `warden` command: a thin layer over analyzer/ and host/. Each
 * subcommand lives in its own module and registers itself on the program.
 * Only the module of the subcommand being run is loaded (`warden analyze`
 * never loads the host or the watcher; `--version` loads none): help and an
 * unknown command load them all, so help lists every command.
 */
import { Command, CommanderError } from 'commander';
import { createRequire } from 'node:module';
import { settleColorChoice } from './color.js';
import { EXIT, RefusedError, UsageError } from './errors.js';
import { handleBrokenPipes } from './pipe.js';

type Register = (program: Command) => void;

const switches = async () => (await import('./switch.js')).registerSwitches;
const install = async () => (await import('./install.js')).registerInstall;
const plugins = async () => (await import('./plugins.js')).registerPlugins;

/** Each subcommand's module, in the order help lists them; a module that registers several commands is named by each. */
const SUBCOMMANDS: Record<string, () => Promise<Register>> = {
  analyze: async () => (await import('./analyze.js')).registerAnalyze,
  run: async () => (await import('./run.js')).registerRun,
  dev: async () => (await import('./dev.js')).registerDev,
  audit: async () => (await import('./audit.js')).registerAudit,
  init: async () => (await import('./init.js')).registerInit,
  enable: switches,
  disable: switches,
  install,
  update: install,
  list: plugins,
  uninstall: plugins,
  grant: plugins,
  revoke: plugins,
  registry: async () => (await import('./registry.js')).registerRegistry,
};

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

const program = new Command('warden')
  .description('Load Node.js plugins only after a static-analysis gate has read them, each in its own sandbox.')
  .version(version)
  .exitOverride()
  // Errors are printed by exitCodeFor as one line; help and version still print.
  .configureOutput({ outputError: () => undefined });

handleBrokenPipes();
// Before any subcommand's module loads picocolors, which reads the environment and flags once, at load.
settleColorChoice();

try {
  const name = process.argv[2];
  const wanted = name !== undefined && Object.hasOwn(SUBCOMMANDS, name) ? [SUBCOMMANDS[name]] : isVersionFlag(name) ? [] : Object.values(SUBCOMMANDS);
  for (const register of new Set(wanted)) (await register())(program);
  // A bare `warden` is a request for help, not a mistake.
  if (process.argv.length <= 2) program.outputHelp();
  else await program.parseAsync(name === 'run' ? (await import('./run.js')).markExecBoundaries(process.argv) : process.argv);
} catch (error) {
  process.exitCode = await exitCodeFor(error);
}

async function exitCodeFor(error: unknown): Promise<number> {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0) return EXIT.ok;
    // `warden analyze` without a path and the like: commander has printed the command's help on stderr.
    if (error.code === 'commander.help') return EXIT.usage;
    process.stderr.write(`warden: ${error.message.replace(/^error: /, '')}\n`);
    return EXIT.usage;
  }
  // Loaded here, not at start: the lock's module brings node:net, which only the commands that take the lock need.
  const { DataFolderInUse } = await import('../host/data-lock.js');
  const { DataFileError } = await import('../host/safe-files.js');
  const { CacheKeyError } = await import('../analyzer/cache-seal.js');
  // A data file or folder that cannot be used as it is (a link, a full or read-only disk, a cache key others can
  // read): the user's to fix.
  if (error instanceof UsageError || error instanceof DataFolderInUse || error instanceof DataFileError || error instanceof CacheKeyError) {
    process.stderr.write(`warden: ${error.message}\n`);
    return EXIT.usage;
  }
  if (error instanceof RefusedError) {
    process.stderr.write(`warden: ${error.message}\n`);
    return EXIT.blocked;
  }
  process.stderr.write(`warden: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 70;
}

function isVersionFlag(arg: string | undefined): boolean {
  return arg === '--version' || arg === '-V';
}
