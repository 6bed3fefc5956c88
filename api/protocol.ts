/**
 * The whole JSON-RPC contract between the host and a plugin process, both
 * directions, in one place (the shape of VS Code's extHost.protocol.ts).
 *
 * `HostApi` is what the host serves to a plugin (every `ctx` call lands here
 * and is checked against the plugin's grant); `PluginApi` is what the plugin
 * runtime serves to the host. Adding an API is one edit here; `serve()`
 * then refuses to compile until each side implements it.
 */
import type { MessageConnection } from 'vscode-jsonrpc';

export type MessageLevel = 'info' | 'warning' | 'error';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface FetchRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  /** Request body as text. */
  body?: string;
}

export interface FetchResponse {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  /** Response body, base64-encoded so binary bodies survive JSON. */
  bodyBase64: string;
}

/** What the app shares about its user with every plugin: never paths or tokens. */
export interface UserProfile {
  displayName?: string;
  /** A BCP 47 language tag, e.g. `en-GB`. */
  locale?: string;
}

export interface ActivateParams {
  pluginId: string;
  /** Absolute path of the entry module. */
  main: string;
  dataDir: string;
  config: Record<string, unknown>;
}

/** Plugin → host. */
export interface HostApi {
  'commands/register': { params: { command: string }; result: void };
  'commands/execute': { params: { command: string; args: unknown[] }; result: unknown };
  'events/subscribe': { params: { name: string }; result: void };
  'events/emit': { params: { name: string; payload: unknown }; result: void };
  'storage/get': { params: { key: string }; result: { found: boolean; value?: unknown } };
  'storage/set': { params: { key: string; value: unknown }; result: void };
  'storage/delete': { params: { key: string }; result: void };
  'storage/keys': { params: Record<string, never>; result: string[] };
  'window/showMessage': { params: { level: MessageLevel; text: string }; result: void };
  'net/fetch': { params: FetchRequest; result: FetchResponse };
  'log/write': { params: { level: LogLevel; message: string }; result: void };
  'user/profile': { params: Record<string, never>; result: UserProfile };
}

/** Host → plugin. */
export interface PluginApi {
  'plugin/activate': { params: ActivateParams; result: void };
  'plugin/deactivate': { params: Record<string, never>; result: void };
  'plugin/executeCommand': { params: { command: string; args: unknown[] }; result: unknown };
  /** `from`: the plugin id that emitted it, or `'app'` for the embedding application. */
  'plugin/deliverEvent': { params: { name: string; payload: unknown; from: string }; result: void };
  /** Heartbeat: answered from the plugin's event loop, so a blocked loop misses it. */
  'plugin/ping': { params: Record<string, never>; result: { heapUsed: number; rss: number } };
}

/** JSON-RPC error codes the host answers with, so the runtime can tell a denial from a failure. */
export const ErrorCodes = {
  /** The grant does not allow the call; the message says how to declare what is missing. */
  denied: -32001,
} as const;

export type Params<Api, M extends keyof Api> = Api[M] extends { params: infer P } ? P : never;
export type Result<Api, M extends keyof Api> = Api[M] extends { result: infer R } ? R : never;

/** One handler per method of `Api`; the compiler lists any that are missing. */
export type Handlers<Api> = {
  [M in keyof Api]: (params: Params<Api, M>) => Result<Api, M> | Promise<Result<Api, M>>;
};

/** Serves every method of `Api` on `connection`. */
export function serve<Api>(connection: MessageConnection, handlers: Handlers<Api>): void {
  for (const method of Object.keys(handlers) as (keyof Api & string)[]) {
    const handler = handlers[method] as (params: unknown) => unknown;
    connection.onRequest(method, (params: unknown) => handler(params ?? {}));
  }
}

/** Calls `method` of `Api` on the other side. */
export function call<Api, M extends keyof Api & string>(
  connection: MessageConnection,
  method: M,
  params: Params<Api, M>,
): Promise<Result<Api, M>> {
  return connection.sendRequest(method, params) as Promise<Result<Api, M>>;
}
