/**
 * The worker thread one WASM plugin runs in: Extism's runtime instantiates
 * the module here, linking only Warden's host functions (and WASI when the
 * module imports it, preopening only granted folders). A host function call
 * is synchronous for the module, so it is passed to the host thread and this
 * thread waits on a shared buffer for the answer (the module is blocked
 * anyway; the host thread, where the broker lives, is not). Its setup is the
 * first message it gets; then calls and pings arrive on a port of their own,
 * taken in order between calls, so a module stuck in a loop misses a ping
 * like a blocked plugin process does.
 */
import { parentPort, receiveMessageOnPort } from 'node:worker_threads';
import type { CallContext, Plugin } from '@extism/extism';
import type { WasmHostAnswer } from '../../api/protocol.js';
import { ANSWER_HEADER_BYTES, type WorkerMessage, type WorkerRequest, type WorkerSetup } from './worker-protocol.js';


// node:wasi warns that it is experimental when Extism loads it; the host documents that once, not per plugin.
process.removeAllListeners('warning');
const port = parentPort!;
// Extism loads before the setup arrives: a spare worker (spare-worker.ts) waits with it loaded.
const extism = import('@extism/extism');
extism.catch(() => undefined); // reported when the setup awaits it
const setup = await new Promise<WorkerSetup>((resolve) => port.once('message', resolve));
const flag = new Int32Array(setup.shared, 0, 1);
const header = new DataView(setup.shared, 0, ANSWER_HEADER_BYTES);
let allocLeft = setup.allocBytesPerCall;
let httpStatus = 0;

class OverBound extends Error {}

/** One host function call, answered by the host thread's broker. */
function hostCall(name: string, params: string): WasmHostAnswer {
  Atomics.store(flag, 0, 0);
  port.postMessage({ type: 'host', name, params } satisfies WorkerMessage);
  Atomics.wait(flag, 0, 0);
  const length = header.getUint32(4, true);
  return JSON.parse(Buffer.from(new Uint8Array(setup.shared, ANSWER_HEADER_BYTES, length)).toString('utf8')) as WasmHostAnswer;
}

function text(context: CallContext, offset: bigint): string {
  return context.read(offset)?.text() ?? '';
}

/** Counts `bytes` more of Extism memory toward the call's bound; over it, the call ends the worker. */
function take(bytes: number): void {
  allocLeft -= bytes;
  if (allocLeft < 0) throw new OverBound(`memory: allocated more than ${setup.allocBytesPerCall} bytes of Extism memory in one call`);
}

// Not Buffer.from: Extism stores a Uint8Array's whole underlying buffer (see http_request below).
const encoder = new TextEncoder();

/** Stores `data` as a new Extism block, counted: host function answers are Extism memory the module asked for too. */
function store(context: CallContext, data: Uint8Array): bigint {
  take(data.byteLength);
  return context.store(data);
}

const warden = Object.fromEntries(
  setup.wardenFunctions.map((name) => [name, (context: CallContext, offset: bigint) => store(context, encoder.encode(JSON.stringify(hostCall(name, text(context, offset) || '{}'))))]),
);

/**
 * Extism vars, kept here as copies: Extism's JS runtime keeps a var as the index of a block in the memory it frees
 * after each call (below), where the index would then name another block. Bounded like a call's allocations, names
 * and values together (a name is held as long as its value: a fresh 1 MB name per call, each with a one-byte value,
 * grew the vars by a megabyte a call).
 */
const vars = new Map<string, Uint8Array>();
let varBytes = 0;
const varSize = (name: string, value: Uint8Array): number => Buffer.byteLength(name) + value.byteLength;

const kernel: Record<string, (context: CallContext, ...args: bigint[]) => unknown> = {
  alloc: (context, size) => {
    take(Number(size));
    return context.alloc(size);
  },
  var_get: (context, key) => {
    const value = vars.get(text(context, key));
    return value ? store(context, value.slice()) : 0n;
  },
  var_set: (context, key, value) => {
    const name = text(context, key);
    const old = vars.get(name);
    if (old) varBytes -= varSize(name, old);
    vars.delete(name);
    if (value === 0n) return;
    const bytes = context.read(value)?.bytes().slice() ?? new Uint8Array();
    varBytes += varSize(name, bytes);
    if (varBytes > setup.allocBytesPerCall) throw new OverBound(`memory: its Extism vars hold more than ${setup.allocBytesPerCall} bytes`);
    vars.set(name, bytes);
  },
};
if (setup.extismHttp) {
  // Extism's HTTP request, made by the broker (grant check, audit, limits) as net_fetch is; a denial fails the call.
  kernel.http_request = (context, request, body) => {
    const { url, method, headers } = JSON.parse(text(context, request)) as { url: string; method?: string; headers?: Record<string, string> };
    const answer = hostCall('net_fetch', JSON.stringify({ url, method, headers, ...(body ? { body: text(context, body) } : {}) }));
    if ('error' in answer) throw new Error(answer.error);
    const response = answer.result as { status: number; bodyBase64: string };
    httpStatus = response.status;
    // A copy with a buffer of its own: Extism stores a Uint8Array's whole underlying buffer, and a small Buffer is a
    // slice of Node's shared pool (measured: the module then read other bytes of the pool, the host's HTTP parser's).
    return store(context, new Uint8Array(Buffer.from(response.bodyBase64, 'base64')));
  };
  kernel.http_status_code = () => httpStatus;
}

const refuseFetch = (): Promise<Response> => Promise.reject(new Error('a WASM plugin makes HTTP requests through the host (net_fetch, http_request)'));

const log = (level: string) => (...parts: unknown[]) => void hostCall('log_write', JSON.stringify({ level, message: parts.map(String).join(' ') }));
const logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), log: log('info') } as unknown as Console;

let plugin: Plugin;
let memory: WebAssembly.Memory | undefined;
const memoryBytes = (): number => memory?.buffer.byteLength ?? 0;

try {
  const { default: createPlugin } = await extism;
  // The module itself as the manifest, and a fetch of our own: Extism then never touches the global fetch or Response,
  // whose first use loads Node's HTTP client (measured: 40–100 ms of every activation). Its HTTP goes through the
  // broker (http_request above), never through a fetch.
  plugin = await createPlugin(setup.module, {
    config: setup.config,
    fetch: refuseFetch,
    useWasi: setup.wasi,
    allowedPaths: setup.preopens,
    allowedHosts: [],
    enableWasiOutput: false,
    runInWorker: false,
    logger,
    functions: { 'extism:host/user': warden, 'extism:host/env': kernel },
  });
  memory = (await plugin.getInstance()).exports.memory as WebAssembly.Memory | undefined;
  port.postMessage({ type: 'ready', memoryBytes: memoryBytes() } satisfies WorkerMessage);
} catch (error) {
  port.postMessage({ type: 'failed', error: (error as Error).message } satisfies WorkerMessage);
  process.exit(1);
}

/** One request: a ping is answered at once; a call runs the export, and its answer (or trap) is posted back. */
async function handle(request: WorkerRequest): Promise<void> {
  if (request.type === 'ping') {
    port.postMessage({ type: 'answer', id: request.id, output: null, memoryBytes: memoryBytes() } satisfies WorkerMessage);
    return;
  }
  allocLeft = setup.allocBytesPerCall;
  // Each call starts with Extism memory empty, as Extism's own runtime does: its JS runtime keeps every block
  // otherwise (each call's input, output and allocations), so a module allocating under the bound in every call grew
  // its worker without end. The module's linear memory and its vars are untouched.
  void plugin.reset();
  try {
    const output = await plugin.call(request.name, request.input);
    port.postMessage({ type: 'answer', id: request.id, output: output?.text() ?? null, memoryBytes: memoryBytes() } satisfies WorkerMessage);
  } catch (error) {
    const message = (error as Error).message;
    // error_set: the plugin's own error, an answer like any other. A trap or a bound leaves the instance unusable.
    if (!(error instanceof WebAssembly.RuntimeError) && !(error instanceof OverBound)) {
      port.postMessage({ type: 'answer', id: request.id, error: message.replace(/^Plugin-originated error: /, ''), memoryBytes: memoryBytes() } satisfies WorkerMessage);
      return;
    }
    port.postMessage({ type: 'trapped', id: request.id, reason: error instanceof OverBound ? message : `trapped: ${message}`, memoryBytes: memoryBytes() } satisfies WorkerMessage);
    process.exit(1);
  }
}

// Idle, the thread sleeps on the doorbell rather than in its event loop: a futex wakes in microseconds, an idle
// event loop in tens of them (measured: a call's round trip 75–90 µs through postMessage both ways, 20–60 µs so).
// Requests are taken in order; a module stuck in a call takes none, so it misses the heartbeat's ping as before.
const doorbell = new Int32Array(setup.doorbell);
for (;;) {
  const rung = Atomics.load(doorbell, 0);
  for (let next = receiveMessageOnPort(setup.requests); next !== undefined; next = receiveMessageOnPort(setup.requests)) {
    await handle(next.message as WorkerRequest);
  }
  Atomics.wait(doorbell, 0, rung);
}
