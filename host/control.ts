/**
 * The running host's control door: `warden enable ID` / `warden disable ID`
 * on a data folder a host holds reach that host through its lock's socket
 * (data-lock.ts) and are carried out by `host.enable()` / `host.disable()`;
 * `warden list` asks it for its plugins instead of loading them a second time.
 * One JSON line each way. A request must carry the token from the lock
 * record, which only the folder's owner can read: an abstract socket has no
 * file permissions, so other local users could connect but cannot command.
 */
import { timingSafeEqual } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { LOCK_RECORD, readRecord, socketName } from './data-lock.js';
import type { PluginInfo } from './host.js';

/** Turn a plugin on or off by hand. */
export interface SwitchRequest {
  command: 'enable' | 'disable';
  pluginId: string;
}

/** Every plugin the running host has, as `host.plugins()` gives them (what `warden list` shows while a host runs). */
export interface PluginsRequest {
  command: 'plugins';
}

export type ControlRequest = SwitchRequest | PluginsRequest;

export interface ControlAnswer {
  message: string;
  plugins?: PluginInfo[];
}

export type ControlReply = ({ ok: true } & ControlAnswer) | { ok: false; error: string };

export type ControlHandler = (request: ControlRequest) => Promise<ControlAnswer>;

/** A request is one short line; anything longer is not one. */
const MAX_REQUEST_BYTES = 4096;
const REQUEST_TIMEOUT_MS = 5000;

/** Answers one connection: reads its request line, checks the token, runs `handler`, writes the reply and closes. */
export function answerControl(socket: Socket, token: string, handler: ControlHandler): void {
  let received = '';
  const reply = (answer: ControlReply): void => void socket.end(`${JSON.stringify(answer)}\n`);
  socket.setEncoding('utf8');
  socket.setTimeout(REQUEST_TIMEOUT_MS, () => socket.destroy());
  socket.on('error', () => undefined);
  socket.on('data', (chunk: string) => {
    received += chunk;
    const newline = received.indexOf('\n');
    if (newline < 0) {
      if (received.length > MAX_REQUEST_BYTES) socket.destroy();
      return;
    }
    socket.removeAllListeners('data');
    const request = parseRequest(received.slice(0, newline), token);
    if (typeof request === 'string') return reply({ ok: false, error: request });
    handler(request).then(
      (answer) => reply({ ok: true, ...answer }),
      (error: unknown) => reply({ ok: false, error: error instanceof Error ? error.message : String(error) }),
    );
  });
}

function parseRequest(line: string, token: string): ControlRequest | string {
  let value: { token?: unknown; command?: unknown; pluginId?: unknown };
  try {
    value = JSON.parse(line) as typeof value;
  } catch {
    return 'not a request';
  }
  const given = Buffer.from(typeof value?.token === 'string' ? value.token : '');
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'not authorised: the token is not the one in the lock record';
  if (value.command === 'plugins') return { command: 'plugins' };
  if ((value.command !== 'enable' && value.command !== 'disable') || typeof value.pluginId !== 'string') return 'not a request';
  return { command: value.command, pluginId: value.pluginId };
}

/** Sends `request` to the host holding `dataDir`; undefined when no host answers there (none running, or not Linux). */
export function sendControl(dataDir: string, request: ControlRequest): Promise<ControlReply | undefined> {
  const token = readRecord(join(dataDir, LOCK_RECORD))?.token;
  if (token === undefined || process.platform !== 'linux') return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const socket = connect({ path: socketName(dataDir) });
    let received = '';
    socket.setEncoding('utf8');
    socket.setTimeout(REQUEST_TIMEOUT_MS * 2, () => socket.destroy());
    socket.on('connect', () => socket.write(`${JSON.stringify({ ...request, token })}\n`));
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => resolve(undefined));
    socket.on('close', () => {
      try {
        resolve(JSON.parse(received) as ControlReply);
      } catch {
        resolve(undefined);
      }
    });
  });
}
