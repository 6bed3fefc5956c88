/**
 * Installs the guard (guard.ts) with the settings the launcher passed as the
 * process's first argument. bootstrap.ts imports this module before anything
 * else, so the guard is in place before vscode-jsonrpc or any other module of
 * the runtime is evaluated, bundled or not.
 */
import { type RuntimeGuard, installGuard } from './guard.js';

installGuard(JSON.parse(process.argv[2]) as RuntimeGuard);
