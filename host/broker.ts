/**
 * The host half of the protocol (`Handlers<HostApi>`): every `ctx` call from
 * one plugin arrives here, gets a correlation id, is written to the audit
 * log, is checked against the grant where it uses a capability, and is then
 * delegated to the host (commands, events, messages, log) or done here
 * (storage, fetch). The plugin process's own sandbox holds independently.
 */
import { randomBytes } from 'node:crypto';
import { ResponseError } from 'vscode-jsonrpc';
import type { Handlers, HostApi, LogLevel, MessageLevel, UserProfile } from '../api/protocol.js';
import { ErrorCodes } from '../api/protocol.js';
import { AUDIT_TEXT, type AuditSink } from './audit-budget.js';
import { brokeredFetch } from './net-broker.js';
import type { Denial, Grant } from './permissions.js';
import { check } from './permissions.js';
import type { PluginStorage } from './storage.js';
import { messageOf } from './supervisor.js';
import { MAX_LINE_CHARS, MAX_MESSAGE_CHARS, RateWindow, cut } from './text-limits.js';

/** What the host does with the calls that are not the broker's own business. */
export interface BrokerCallbacks {
  executeCommand(pluginId: string, command: string, args: unknown[]): unknown;
  registerCommand(pluginId: string, command: string): void;
  emitEvent(pluginId: string, name: string, payload: unknown): void | Promise<void>;
  subscribe(pluginId: string, name: string): void;
  showMessage(pluginId: string, level: MessageLevel, text: string): void;
  log(pluginId: string, level: LogLevel, message: string): void;
  /** The fields of its user's profile the app shares. */
  profile(pluginId: string): UserProfile;
}

export interface BrokerOptions {
  pluginId: string;
  grant: Grant;
  audit: AuditSink;
  storage: PluginStorage;
  host: BrokerCallbacks;
  /** The command ids its manifest contributes: with ids under its own id, the only ones it may register. */
  contributedCommands: readonly string[];
  /**
   * Who a command id belongs to, when the host knows better than this plugin's own manifest: its contributor, the
   * plugin that registered it, or the plugin with the longest id that prefixes it (see name-owner.ts).
   */
  commandOwner?: (command: string) => string | undefined;
  /**
   * Who an event name belongs to when it is not this plugin's to emit: another plugin's id (the longest that prefixes
   * it), or `'app'`; undefined when this plugin may emit it. By default the app reserves every name not under its id.
   */
  eventOwner?: (name: string) => string | undefined;
  limits: BrokerLimits;
  onDenied(denial: Denial): void;
  /** Whether a call's params came in on an answer's allowance (the channel's `Outstanding.isAnswer`). */
  isAnswer?: (params: object) => boolean;
}

export interface BrokerLimits {
  fetchTimeoutMs: number;
  fetchMaxBytes: number;
  /** Calls still being worked on at once; more are refused (each holds host memory until answered). */
  maxCallsInFlight: number;
  /** `ctx.window.showMessage` calls passed on per second; the rest are dropped with a note in the log. */
  messagesPerSecond: number;
  /** `ctx.log` lines passed on per second, as for stdout. */
  logLinesPerSecond: number;
}

const INTERNAL_ERROR = -32603;

/**
 * Correlation ids: a random prefix per host process (so ids from different runs sharing one log differ) and a
 * counter (so minting one per ctx call costs an increment, not a UUID's 16 random bytes and formatting).
 */
const CORRELATION_PREFIX = randomBytes(6).toString('hex');
let correlationCount = 0;

function nextCorrelationId(): string {
  correlationCount += 1;
  return `${CORRELATION_PREFIX}-${correlationCount.toString(36)}`;
}

export function createBroker(options: BrokerOptions): Handlers<HostApi> {
  const { pluginId, grant, audit, storage, host, limits } = options;
  const ownPrefix = `${pluginId}.`;
  const eventOwner = options.eventOwner ?? ((name: string) => (name.startsWith(ownPrefix) ? undefined : 'app'));
  const commandOwner =
    options.commandOwner ?? ((command: string) => (command.startsWith(ownPrefix) || options.contributedCommands.includes(command) ? pluginId : undefined));
  // What a plugin does in answer to the app's requests (the showMessage each command makes) is paced by the app, so
  // the plugin's own rates do not apply to it (the channel grants and bounds that allowance, see Outstanding); a
  // hard ceiling ANSWER_CEILING times higher still does, and its audit entries count against its budget all the same.
  const isAnswer = options.isAnswer ?? (() => false);
  let inFlight = 0;
  const messages = new RateWindow(limits.messagesPerSecond, (dropped) =>
    host.log(pluginId, 'warn', `[warden] ${dropped} messages dropped (over ${limits.messagesPerSecond} per second)`),
  );
  const logLines = new RateWindow(limits.logLinesPerSecond, (dropped) =>
    host.log(pluginId, 'warn', `[warden] ${dropped} log lines dropped (over ${limits.logLinesPerSecond} per second)`),
  );
  const answerMessages = new RateWindow(limits.messagesPerSecond * ANSWER_CEILING, (dropped) =>
    host.log(pluginId, 'warn', `[warden] ${dropped} messages dropped (over ${limits.messagesPerSecond * ANSWER_CEILING} per second, answers included)`),
  );
  const answerLines = new RateWindow(limits.logLinesPerSecond * ANSWER_CEILING, (dropped) =>
    host.log(pluginId, 'warn', `[warden] ${dropped} log lines dropped (over ${limits.logLinesPerSecond * ANSWER_CEILING} per second, answers included)`),
  );

  /**
   * Audits the call, runs it, and audits a failure under the same correlation id. The call's entry is on file
   * before the work starts; work that finishes synchronously is answered without a detour through a promise.
   */
  function audited<T>(method: string, details: Record<string, unknown>, work: (correlationId: string) => T | Promise<T>): T | Promise<T> {
    const correlationId = nextCorrelationId();
    audit.append({ pluginId, correlationId, kind: 'call', method, ...details });
    const failed = (error: unknown): never => {
      if (error instanceof ResponseError && error.code === ErrorCodes.denied) throw error;
      const message = messageOf(error);
      audit.tryAppend({ pluginId, correlationId, kind: 'failed', method, error: message });
      // The plugin gets the reason itself, not the library's "Request … failed with message" wrapping.
      throw new ResponseError(INTERNAL_ERROR, message);
    };
    try {
      if (inFlight >= limits.maxCallsInFlight) throw new Error(`too many calls in flight: at most ${limits.maxCallsInFlight} may wait for an answer at once`);
      const result = work(correlationId);
      if (!(result instanceof Promise)) return result;
      inFlight += 1;
      return result.then(
        (value) => {
          inFlight -= 1;
          return value;
        },
        (error: unknown) => {
          inFlight -= 1;
          return failed(error);
        },
      );
    } catch (error) {
      return failed(error);
    }
  }

  /** Run-time command ids are the manifest's or under the plugin's own id: no plugin can take another's callers. */
  function ownCommand(value: unknown): string {
    const command = identifier(value, 'command');
    const owner = commandOwner(command);
    if (owner === pluginId) return command;
    const whose = owner === undefined ? '' : ` (it is ${owner}'s)`;
    throw new Error(`the command "${command}" is not ${pluginId}'s to register${whose}: register the commands package.json contributes (contributes.commands) or ids that start with "${ownPrefix}"`);
  }

  /** A plugin emits names under its own id (unless a plugin with a longer id owns them), and others only where the app has not reserved them. */
  function emittable(value: unknown): string {
    const name = identifier(value, 'event name');
    const owner = eventOwner(name);
    if (owner === undefined) return name;
    const whose = owner === 'app' ? 'reserved by the app' : `${owner}'s`;
    throw new Error(`the event name "${name}" is ${whose}: a plugin emits event names that start with "${ownPrefix}"`);
  }

  function deny(denial: Denial): never {
    options.onDenied(denial);
    throw new ResponseError(ErrorCodes.denied, denial.message, { capability: denial.capability });
  }

  return {
    'commands/register': (call) => audited('commands/register', { command: call.command }, () => host.registerCommand(pluginId, ownCommand(call.command))),
    'commands/execute': (call) =>
      audited('commands/execute', { command: call.command }, () =>
        host.executeCommand(pluginId, identifier(call.command, 'command'), Array.isArray(call.args) ? call.args : []),
      ),
    'events/subscribe': (call) => audited('events/subscribe', { name: call.name }, () => host.subscribe(pluginId, identifier(call.name, 'event name'))),
    'events/emit': (call) =>
      audited('events/emit', { name: call.name }, () => host.emitEvent(pluginId, emittable(call.name), call.payload ?? null)),
    'storage/get': (call) => audited('storage/get', { key: call.key }, () => storage.get(call.key)),
    'storage/set': (call) => audited('storage/set', { key: call.key }, () => storage.set(call.key, call.value)),
    'storage/delete': (call) => audited('storage/delete', { key: call.key }, () => storage.delete(call.key)),
    'storage/keys': () => audited('storage/keys', {}, () => storage.keys()),
    'window/showMessage': (call) => {
      const level = oneOf(call.level, MESSAGE_LEVELS, 'info');
      const text = cut(String(call.text), MAX_MESSAGE_CHARS);
      return audited('window/showMessage', { level, text }, () => {
        if ((isAnswer(call) ? answerMessages : messages).admit()) host.showMessage(pluginId, level, text);
      });
    },
    'log/write': (call) => {
      const level = oneOf(call.level, LOG_LEVELS, 'info');
      return audited('log/write', { level }, () => {
        if ((isAnswer(call) ? answerLines : logLines).admit()) host.log(pluginId, level, cut(String(call.message), MAX_LINE_CHARS));
      });
    },
    'user/profile': () => audited('user/profile', {}, () => host.profile(pluginId)),
    'net/fetch': (request) =>
      audited('net/fetch', { url: String(request.url), httpMethod: request.method ?? 'GET' }, async (correlationId) => {
        const result = await brokeredFetch(
          request,
          (hostname) => check(grant, { capability: 'network', host: hostname }, { audit, pluginId, correlationId }),
          { timeoutMs: limits.fetchTimeoutMs, maxBytes: limits.fetchMaxBytes },
        );
        if ('allowed' in result) return deny(result);
        audit.append({ pluginId, correlationId, kind: 'result', method: 'net/fetch', status: result.status });
        return result;
      }),
  };
}

/** How much faster than its own rates a plugin may show messages and log lines in answer to the app's calls. */
const ANSWER_CEILING = 50;

const MESSAGE_LEVELS: readonly MessageLevel[] = ['info', 'warning', 'error'];
const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** The host's callbacks get only the levels the protocol names, whatever the plugin sent. */
function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}

/** Command and event names reach the host's tables and its output: a hand-written message could send anything. */
function identifier(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '' || value.length > AUDIT_TEXT) {
    throw new Error(`${what} must be a non-empty string of at most ${AUDIT_TEXT} characters`);
  }
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(value)) throw new Error(`${what} must not contain control or format characters`);
  return value;
}
