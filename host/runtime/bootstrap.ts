/**
 * The first code to run in a plugin process. It opens the JSON-RPC channel
 * on fd 3 (see channel.ts), serves `PluginApi`, loads the plugin on `plugin/activate` and
 * hands it a `ctx`. The process exits as soon as the channel closes, so a
 * plugin never outlives its host (the launcher's parent-death signal covers
 * a plugin whose event loop is blocked when that happens).
 */
import { channel } from './armed-guard.js';
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ResponseError, createMessageConnection } from 'vscode-jsonrpc/node';
import type { PluginModule } from '../../api/context.js';
import type { ActivateParams, Handlers, PluginApi } from '../../api/protocol.js';
import { ErrorCodes, serve } from '../../api/protocol.js';
import type { WasmWorker } from '../wasm/wasm-worker.js';
import { lineChannel } from './channel.js';
import { type PluginSide, createPluginSide } from './context.js';
import { startWasmModule } from './wasm-bridge.js';

const INTERNAL_ERROR = -32603;

channel.on('close', () => process.exit(0));
channel.on('error', () => process.exit(0));
// The host is trusted not to attack its plugins; a broken channel still ends the process rather than confusing it.
const unlimited = { maxMessageBytes: Number.POSITIVE_INFINITY, maxMessagesPerSecond: Number.POSITIVE_INFINITY };
const { reader, writer } = lineChannel(channel, unlimited, () => process.exit(1));
const connection = createMessageConnection(reader, writer);

let plugin: { module: PluginModule; side: PluginSide } | undefined;
/** A WebAssembly plugin's module, in a worker of this process, when the plugin is one. */
let wasm: WasmWorker | undefined;

async function loadPlugin(main: string): Promise<PluginModule> {
  let loaded: unknown;
  if (extname(main) === '.mjs') {
    loaded = await import(pathToFileURL(main).href);
  } else {
    try {
      loaded = createRequire(main)(main);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ERR_REQUIRE_ESM' && code !== 'ERR_REQUIRE_ASYNC_MODULE') throw error;
      loaded = await import(pathToFileURL(main).href);
    }
  }
  const module = loaded as Partial<PluginModule> & { default?: Partial<PluginModule> };
  const exports = typeof module.activate === 'function' ? module : module.default;
  if (typeof exports?.activate !== 'function') throw new Error(`${main} does not export an activate(ctx) function`);
  return exports as PluginModule;
}

function active(): { module: PluginModule; side: PluginSide } {
  if (!plugin) throw new Error('the plugin is not activated');
  return plugin;
}

/**
 * Plugin errors cross the channel as their own message, not wrapped in the library's "Request … failed" text. A call
 * that ended a WebAssembly plugin's module says so, and the host ends this process as a crash.
 */
function plainErrors<P, R>(handler: (params: P) => Promise<R>): (params: P) => Promise<R> {
  return async (params) => {
    try {
      return await handler(params);
    } catch (error) {
      if (error instanceof ResponseError) throw error;
      throw new ResponseError(wasm?.exitReason === undefined ? INTERNAL_ERROR : ErrorCodes.moduleEnded, error instanceof Error ? error.message : String(error));
    }
  };
}

const handlers: Handlers<PluginApi> = {
  'plugin/activate': plainErrors(async (params: ActivateParams) => {
    if (plugin || wasm) throw new Error('the plugin is already activated');
    if (params.wasm) {
      wasm = await startWasmModule({ ...params, wasm: params.wasm }, connection);
      return;
    }
    const module = await loadPlugin(params.main);
    const side = createPluginSide(connection, params);
    plugin = { module, side };
    await module.activate(side.ctx);
  }),
  'plugin/deactivate': plainErrors(async () => {
    if (wasm) return wasm.deactivate();
    if (!plugin) return;
    const { module, side } = plugin;
    try {
      await module.deactivate?.();
    } finally {
      await side.disposeSubscriptions();
    }
  }),
  'plugin/executeCommand': plainErrors(async ({ command, args }) => (wasm ? wasm.executeCommand(command, args ?? []) : active().side.executeCommand(command, args ?? []))),
  'plugin/deliverEvent': plainErrors(async ({ name, payload, from }) => (wasm ? wasm.deliverEvent(name, payload, String(from)) : active().side.deliverEvent(name, payload, String(from)))),
  'plugin/ping': async () => {
    // A module stuck in a call blocks its worker, not this thread: the worker answers for it, or nobody does.
    await wasm?.ping();
    const { heapUsed, rss } = process.memoryUsage();
    return { heapUsed, rss };
  },
};

serve(connection, handlers);
connection.listen();
