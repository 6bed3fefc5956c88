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
import type { AuditLog } from './audit.js';
import { brokeredFetch } from './net-broker.js';
import type { Denial, Grant } from './permissions.js';
import { check } from './permissions.js';
import type { PluginStorage } from './storage.js';
import { messageOf } from './supervisor.js';

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
  audit: AuditLog;
  storage: PluginStorage;
  host: BrokerCallbacks;
  limits: { fetchTimeoutMs: number; fetchMaxBytes: number };
  onDenied(denial: Denial): void;
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

/** Long free text (messages, URLs) is kept to this many characters in the audit log. */
const AUDIT_TEXT = 200;

export function createBroker(options: BrokerOptions): Handlers<HostApi> {
  const { pluginId, grant, audit, storage, host, limits } = options;

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
      audit.tryAppend({ pluginId, correlationId, kind: 'failed', method, error: clip(message) });
      // The plugin gets the reason itself, not the library's "Request … failed with message" wrapping.
      throw new ResponseError(INTERNAL_ERROR, message);
    };
    try {
      const result = work(correlationId);
      return result instanceof Promise ? result.catch(failed) : result;
    } catch (error) {
      return failed(error);
    }
  }

  function deny(denial: Denial): never {
    options.onDenied(denial);
    throw new ResponseError(ErrorCodes.denied, denial.message, { capability: denial.capability });
  }

  return {
    'commands/register': ({ command }) =>
      audited('commands/register', { command }, () => host.registerCommand(pluginId, identifier(command, 'command'))),
    'commands/execute': ({ command, args }) =>
      audited('commands/execute', { command }, () =>
        host.executeCommand(pluginId, identifier(command, 'command'), Array.isArray(args) ? args : []),
      ),
    'events/subscribe': ({ name }) => audited('events/subscribe', { name }, () => host.subscribe(pluginId, identifier(name, 'event name'))),
    'events/emit': ({ name, payload }) =>
      audited('events/emit', { name }, () => host.emitEvent(pluginId, identifier(name, 'event name'), payload ?? null)),
    'storage/get': ({ key }) => audited('storage/get', { key }, () => storage.get(key)),
    'storage/set': ({ key, value }) => audited('storage/set', { key }, () => storage.set(key, value)),
    'storage/delete': ({ key }) => audited('storage/delete', { key }, () => storage.delete(key)),
    'storage/keys': () => audited('storage/keys', {}, () => storage.keys()),
    'window/showMessage': (params) => {
      const level = oneOf(params.level, MESSAGE_LEVELS, 'info');
      const text = String(params.text);
      return audited('window/showMessage', { level, text: clip(text) }, () => host.showMessage(pluginId, level, text));
    },
    'log/write': (params) => {
      const level = oneOf(params.level, LOG_LEVELS, 'info');
      return audited('log/write', { level }, () => host.log(pluginId, level, String(params.message)));
    },
    'user/profile': () => audited('user/profile', {}, () => host.profile(pluginId)),
    'net/fetch': (request) =>
      audited('net/fetch', { url: clip(String(request.url)), httpMethod: request.method ?? 'GET' }, async (correlationId) => {
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

const MESSAGE_LEVELS: readonly MessageLevel[] = ['info', 'warning', 'error'];
const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** The host's callbacks get only the levels the protocol names, whatever the plugin sent. */
function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}

/** Command and event names reach the host's tables: a hand-written message could send anything. */
function identifier(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '' || value.length > AUDIT_TEXT) {
    throw new Error(`${what} must be a non-empty string of at most ${AUDIT_TEXT} characters`);
  }
  return value;
}

function clip(text: string): string {
  return text.length > AUDIT_TEXT ? `${text.slice(0, AUDIT_TEXT)}…` : text;
}
