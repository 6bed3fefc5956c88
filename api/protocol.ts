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
  /** For a WebAssembly plugin run in a process: how the runtime starts its module (host/runtime/wasm-bridge.ts). */
  wasm?: WasmActivation;
}

export interface WasmActivation {
  /** The worker script (host/wasm/worker.js) the module runs in. */
  workerScript: string;
  /** The module's sha256 as the gate recorded it: the runtime refuses the file if what it reads differs. */
  sha256: string | undefined;
  memoryMb: number;
  allocMbPerCall: number;
  heapMb: number;
  /** The largest host function answer the module may be handed. */
  maxMessageBytes: number;
  /** Folders WASI may open (guest path → host path). */
  preopens: Record<string, string>;
}

/** What a WASM plugin's host function answers, as JSON: its result, or why it failed (a denial says so). */
export type WasmHostAnswer = { result: unknown } | { error: string; denied: boolean };

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

/**
 * Plugin → host, from a WebAssembly plugin's process only: a host function call of its module, passed on as the
 * module made it and answered by the same code as in a worker of the host (host/wasm/host-functions.ts).
 */
export interface WasmProcessHostApi {
  'wasm/hostCall': { params: { name: string; params: string }; result: WasmHostAnswer };
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
  /** A WebAssembly plugin's module ended in its process (a trap, a bound): the host ends the process, a crash. */
  moduleEnded: -32002,
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
