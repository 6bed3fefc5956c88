/**
 * Opens the channel to the host and installs the guard (guard.ts) with the
 * settings the launcher passed as the process's first argument. bootstrap.ts
 * imports this module before anything else, so the guard is in place before
 * vscode-jsonrpc or any other module of the runtime is evaluated, bundled or
 * not. The channel is opened first because the guard reaches the pipe handle's
 * class (where every unix-socket connect ends) through it.
 */
import { Socket } from 'node:net';
import { type RuntimeGuard, installGuard } from './guard.js';

const CHANNEL_FD = 3;

export const channel = new Socket({ fd: CHANNEL_FD, readable: true, writable: true });
installGuard(JSON.parse(process.argv[2]) as RuntimeGuard, channel);
