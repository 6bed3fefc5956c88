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
import { registerInstall } from './install.js';
import { registerPlugins } from './plugins.js';
import { registerRegistry } from './registry.js';
import { registerRun } from './run.js';
import { EXIT, RefusedError, UsageError } from './errors.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

const program = new Command('warden')
  .description('Load Node.js plugins only after a static-analysis gate has read them, each in its own sandbox.')
  .version(version)
  .exitOverride()
  .configureOutput({ writeErr: () => undefined });

registerAnalyze(program);
registerRun(program);
registerDev(program);
registerAudit(program);
registerInstall(program);
registerPlugins(program);
registerRegistry(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = exitCodeFor(error);
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0) return EXIT.ok;
    process.stderr.write(`warden: ${error.message.replace(/^error: /, '')}\n`);
    return EXIT.usage;
  }
  if (error instanceof UsageError) {
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
