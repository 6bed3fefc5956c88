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
/** How long a client waits, past its request's deadline, for the host's word that it took the request (local transit). */
const ACCEPT_SLACK_MS = 1000;

/**
 * Now on CLOCK_MONOTONIC, in ns: the same clock for every process of this machine (process.hrtime), and one no wall
 * clock step moves. A request carries the instant after which the host must not act on it.
 */
function monotonicNs(): bigint {
  return process.hrtime.bigint();
}

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
    // Taken: from here the client waits for the answer however long the work takes (stopping a plugin, a host still
    // loading its plugins), since it knows the request will be carried out.
    socket.write(`${JSON.stringify({ accepted: true })}\n`);
    handler(request).then(
      (answer) => reply({ ok: true, ...answer }),
      (error: unknown) => reply({ ok: false, error: error instanceof Error ? error.message : String(error) }),
    );
  });
}

function parseRequest(line: string, token: string): ControlRequest | string {
  let value: { token?: unknown; command?: unknown; pluginId?: unknown; answerBy?: unknown };
  try {
    value = JSON.parse(line) as typeof value;
  } catch {
    return 'not a request';
  }
  const given = Buffer.from(typeof value?.token === 'string' ? value.token : '');
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'not authorised: the token is not the one in the lock record';
  // Read after its client gave up (this host was stopped or busy): that client said nothing was changed, so nothing is.
  if (typeof value.answerBy === 'string' && /^\d{1,30}$/.test(value.answerBy) && monotonicNs() > BigInt(value.answerBy)) {
    return 'the request reached the host after its deadline; nothing was changed';
  }
  if (value.command === 'plugins') return { command: 'plugins' };
  if ((value.command !== 'enable' && value.command !== 'disable') || typeof value.pluginId !== 'string') return 'not a request';
  return { command: value.command, pluginId: value.pluginId };
}

/**
 * Sends `request` to the host holding `dataDir`; undefined when no host answers there (none running, or not Linux).
 * A host that does not take the request by its deadline (stopped, or its event loop busy) gets a refusal: it will
 * not act on the request later either.
 */
export function sendControl(dataDir: string, request: ControlRequest): Promise<ControlReply | undefined> {
  const holder = readRecord(join(dataDir, LOCK_RECORD));
  const token = holder?.token;
  if (token === undefined || process.platform !== 'linux') return Promise.resolve(undefined);
  const answerBy = monotonicNs() + BigInt(REQUEST_TIMEOUT_MS) * 1_000_000n;
  return new Promise((resolve) => {
    const socket = connect({ path: socketName(dataDir) });
    let received = '';
    let connected = false;
    let accepted = false;
    const unanswered = setTimeout(() => {
      if (accepted) return;
      socket.destroy();
      resolve({ ok: false, error: `the host running on ${dataDir} (pid ${holder!.pid}) did not take the request within ${REQUEST_TIMEOUT_MS / 1000} s (stopped or busy); nothing was changed` });
    }, REQUEST_TIMEOUT_MS + ACCEPT_SLACK_MS);
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      connected = true;
      socket.write(`${JSON.stringify({ ...request, token, answerBy: String(answerBy) })}\n`);
    });
    socket.on('data', (chunk: string) => {
      received += chunk;
      const newline = received.indexOf('\n');
      if (!accepted && newline >= 0 && received.startsWith('{"accepted":true}')) {
        accepted = true;
        received = received.slice(newline + 1);
      }
    });
    socket.on('error', () => {
      clearTimeout(unanswered);
      resolve(undefined);
    });
    socket.on('close', () => {
      clearTimeout(unanswered);
      try {
        resolve(JSON.parse(received) as ControlReply);
      } catch {
        // Connected but closed without an answer: a host stopping; nothing it took is left undone silently.
        resolve(connected && !accepted ? undefined : { ok: false, error: `the host running on ${dataDir} closed the connection without an answer` });
      }
    });
  });
}
