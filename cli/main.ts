#!/usr/bin/env node
/**
 * The `warden` command: a thin layer over analyzer/ and host/. Each
 * subcommand lives in its own module and registers itself on the program.
 */
import { Command, CommanderError } from 'commander';
import { createRequire } from 'node:module';
import { registerAnalyze } from './analyze.js';
import { registerAudit } from './audit.js';
import { registerDev } from './dev.js';
import { registerInit } from './init.js';
import { registerInstall } from './install.js';
import { registerPlugins } from './plugins.js';
import { registerRegistry } from './registry.js';
import { markExecBoundaries, registerRun } from './run.js';
import { registerSwitches } from './switch.js';
import { EXIT, RefusedError, UsageError } from './errors.js';
import { handleBrokenPipes } from './pipe.js';
import { DataFolderInUse } from '../host/data-lock.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

const program = new Command('warden')
  .description('Load Node.js plugins only after a static-analysis gate has read them, each in its own sandbox.')
  .version(version)
  .exitOverride()
  // Errors are printed by exitCodeFor as one line; help and version still print.
  .configureOutput({ outputError: () => undefined });

handleBrokenPipes();

registerAnalyze(program);
registerRun(program);
registerDev(program);
registerAudit(program);
registerInit(program);
registerSwitches(program);
registerInstall(program);
registerPlugins(program);
registerRegistry(program);

try {
  // A bare `warden` is a request for help, not a mistake.
  if (process.argv.length <= 2) program.outputHelp();
  else await program.parseAsync(markExecBoundaries(process.argv));
} catch (error) {
  process.exitCode = exitCodeFor(error);
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0) return EXIT.ok;
    // `warden analyze` without a path and the like: commander has printed the command's help on stderr.
    if (error.code === 'commander.help') return EXIT.usage;
    process.stderr.write(`warden: ${error.message.replace(/^error: /, '')}\n`);
    return EXIT.usage;
  }
  if (error instanceof UsageError || error instanceof DataFolderInUse) {
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
