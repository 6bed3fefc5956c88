/**
 * The `ctx` a plugin's `activate` receives: a thin facade over `call()` to
 * the host, plus the plugin-side tables (command handlers, event listeners,
 * subscriptions) the host's calls into this process are dispatched to.
 */
import type { MessageConnection } from 'vscode-jsonrpc';
import type { Disposable, EventOrigin, FetchResult, PluginContext } from '../../api/context.js';
import type { ActivateParams, FetchResponse, HostApi, LogLevel, Params, Result } from '../../api/protocol.js';
import { ErrorCodes, call } from '../../api/protocol.js';

export interface PluginSide {
  ctx: PluginContext;
  executeCommand(command: string, args: unknown[]): Promise<unknown>;
  deliverEvent(name: string, payload: unknown, from: string): void;
  /** Disposes `ctx.subscriptions` in reverse order; one failing disposable does not stop the rest. */
  disposeSubscriptions(): Promise<void>;
}

/** A denial from the host, as the plugin sees it: `error.code === 'WARDEN_DENIED'`, message says what to declare. */
class DeniedError extends Error {
  readonly code = 'WARDEN_DENIED';
}

export function createPluginSide(connection: MessageConnection, params: ActivateParams): PluginSide {
  const commands = new Map<string, (...args: any[]) => unknown>();
  const listeners = new Map<string, Set<(payload: unknown, event: EventOrigin) => void>>();
  const subscriptions: Disposable[] = [];

  const host = async <M extends keyof HostApi & string>(method: M, methodParams: Params<HostApi, M>): Promise<Result<HostApi, M>> => {
    try {
      return await call<HostApi, M>(connection, method, methodParams);
    } catch (error) {
      // A JSON-RPC error answer (a ResponseError; matched by shape, the runtime loads the library by path).
      const code = (error as { code?: unknown } | undefined)?.code;
      if (error instanceof Error && typeof code === 'number') {
        throw code === ErrorCodes.denied ? new DeniedError(error.message) : new Error(error.message);
      }
      throw error;
    }
  };

  const log = (level: LogLevel) => (...parts: unknown[]): void => {
    const message = parts.map((part) => (typeof part === 'string' ? part : safeStringify(part))).join(' ');
    host('log/write', { level, message }).catch(() => undefined);
  };

  const ctx: PluginContext = {
    pluginId: params.pluginId,
    dataDir: params.dataDir,
    commands: {
      register(command, handler) {
        commands.set(command, handler);
        void host('commands/register', { command }).catch((error: Error) => log('error')(`registering ${command} failed: ${error.message}`));
        return { dispose: () => void (commands.get(command) === handler && commands.delete(command)) };
      },
      execute: <T>(command: string, ...args: unknown[]) => host('commands/execute', { command, args }) as Promise<T>,
    },
    events: {
      on(name, listener) {
        let set = listeners.get(name);
        if (!set) {
          set = new Set();
          listeners.set(name, set);
          void host('events/subscribe', { name }).catch((error: Error) => log('error')(`subscribing to ${name} failed: ${error.message}`));
        }
        set.add(listener);
        return { dispose: () => void listeners.get(name)?.delete(listener) };
      },
      emit: (name, payload) => host('events/emit', { name, payload: payload ?? null }),
    },
    storage: {
      get: async <T>(key: string) => {
        const { found, value } = await host('storage/get', { key });
        return (found ? value : undefined) as T | undefined;
      },
      set: (key, value) => host('storage/set', { key, value }),
      delete: (key) => host('storage/delete', { key }),
      keys: () => host('storage/keys', {}),
    },
    window: {
      showMessage: (text, level = 'info') => host('window/showMessage', { level, text: String(text) }),
    },
    net: {
      fetch: async (url, init = {}) => toFetchResult(await host('net/fetch', { ...init, url: String(url) })),
    },
    user: {
      profile: () => host('user/profile', {}),
    },
    config: Object.freeze({ ...params.config }),
    log: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    subscriptions,
  };

  return {
    ctx,
    async executeCommand(command, args) {
      const handler = commands.get(command);
      if (!handler) throw new Error(`command "${command}" is not registered by ${params.pluginId}`);
      return handler(...args);
    },
    deliverEvent(name, payload, from) {
      const origin: EventOrigin = Object.freeze({ name, from });
      for (const listener of listeners.get(name) ?? []) {
        try {
          listener(payload, origin);
        } catch (error) {
          log('error')(`listener for ${name} threw: ${(error as Error)?.message ?? error}`);
        }
      }
    },
    async disposeSubscriptions() {
      for (const disposable of subscriptions.splice(0).reverse()) {
        try {
          await disposable.dispose();
        } catch (error) {
          log('error')(`dispose failed: ${(error as Error)?.message ?? error}`);
        }
      }
    },
  };
}

function toFetchResult(response: FetchResponse): FetchResult {
  const body = Buffer.from(response.bodyBase64, 'base64');
  return {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
    ok: response.status >= 200 && response.status < 300,
    text: () => body.toString('utf8'),
    json: <T>() => JSON.parse(body.toString('utf8')) as T,
    bytes: () => new Uint8Array(body),
  };
}

function safeStringify(value: unknown): string {
  try {
    return value instanceof Error ? (value.stack ?? value.message) : (JSON.stringify(value) ?? String(value));
  } catch {
    return String(value);
  }
}
