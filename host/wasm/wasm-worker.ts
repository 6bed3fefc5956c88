/**
 * One WASM module in one worker thread (worker.ts), driven from the thread
 * that started it: compiles the module with its memory capped, refuses
 * imports nobody provides, hands the worker its setup, then passes calls and
 * pings in and host function calls out. Where the module runs decides only
 * two things, given by the caller: how a worker is booted, and who answers a
 * host function call. In the host (wasm-plugin.ts) the spare workers and the
 * broker do; in a sandboxed plugin process (runtime/wasm-bridge.ts) a plain
 * worker and the host, over the process's JSON-RPC channel.
 */
import { createHash } from 'node:crypto';
import { MessageChannel, type MessagePort, type ResourceLimits, type Worker } from 'node:worker_threads';
import type { WasmHostAnswer } from '../../api/protocol.js';
import { commandExport, importKind, WARDEN_NAMESPACE } from '../../api/wasm-api.js';
import { cut } from '../text-limits.js';
import { WASM_PAGE_BYTES, capMemory } from './memory-cap.js';
import { ANSWER_HEADER_BYTES, type WorkerMessage, type WorkerRequest, type WorkerSetup } from './worker-protocol.js';

const MIB = 1024 * 1024;

export interface WasmLimits {
  /** The module's linear memory: its declared maximum is rewritten to at most this. */
  wasmMemoryMb: number;
  /** Extism memory blocks (inputs, outputs, strings passed to host functions) one call may allocate. */
  wasmAllocMbPerCall: number;
}

export interface WasmWorkerOptions {
  pluginId: string;
  /** The module file's bytes, read where the module runs. */
  bytes: Uint8Array;
  /** Their sha256 as the gate recorded it: bytes that differ (the file changed after the host's check) are refused. */
  sha256: string | undefined;
  config: Record<string, unknown>;
  /** Folders WASI may open (guest path → host path), used only if the module imports WASI. */
  preopens: Record<string, string>;
  /** Set where nothing bounds what Node's WASI reaches but WASI itself: a module importing WASI with preopens is refused with it. */
  preopensRefused?: string;
  memoryMb: number;
  allocMbPerCall: number;
  /** The largest host function answer the worker can be handed. */
  maxMessageBytes: number;
  heapMb: number;
  boot(limits: ResourceLimits): Worker;
  answerHost(name: string, params: string): Promise<WasmHostAnswer>;
}

interface Pending {
  resolve(value: { output: string | null | undefined; memoryBytes: number }): void;
  reject(error: Error): void;
}

export class WasmWorker {
  readonly exports: Set<string>;
  readonly wasi: boolean;
  readonly preopens: string[];
  /** Why the worker ended: a trap, a bound, or the reason it was ended for. */
  exitReason: string | undefined;
  #memoryBytes = 0;
  #hostCalls = 0;
  #nextId = 1;
  #pending = new Map<number, Pending>();
  readonly #worker: Worker;
  readonly #requests: MessagePort;
  readonly #doorbell: Int32Array;
  readonly #exited: Promise<number>;

  /**
   * Compiles and checks the module and boots its worker; rejects with a one-line reason. `ready` then says when the
   * module is instantiated and linked: until then the worker can already be ended (a start function that never returns
   * runs before it is).
   */
  static async start(options: WasmWorkerOptions): Promise<WasmWorker> {
    // The host checked the file before starting this, but the file is read again here: the check covers this read too.
    if (createHash('sha256').update(options.bytes).digest('hex') !== options.sha256) {
      throw new Error(`${options.pluginId}: the WebAssembly module changed since the gate read it: refused`);
    }
    const maxPages = Math.max(1, Math.floor((options.memoryMb * MIB) / WASM_PAGE_BYTES));
    let module: WebAssembly.Module;
    try {
      module = await WebAssembly.compile(capMemory(options.bytes, maxPages));
    } catch (error) {
      throw new Error(`${options.pluginId}: the WebAssembly module cannot run: ${(error as Error).message}`);
    }
    const imports = WebAssembly.Module.imports(module);
    // The gate has judged these already; linking refuses what nobody provides whatever the gate's verdict was.
    const unknown = imports.filter((entry) => importKind(entry) === 'unknown').map((entry) => `${entry.module}::${entry.name}`);
    if (unknown.length > 0) throw new Error(`${options.pluginId}: the module imports what the host does not provide: ${unknown.slice(0, 5).join(', ')}`);
    if (options.preopensRefused && Object.keys(options.preopens).length > 0 && imports.some((entry) => importKind(entry) === 'wasi')) {
      throw new Error(`${options.pluginId}: ${options.preopensRefused}`);
    }
    return new WasmWorker(options, module, imports, maxPages);
  }

  #ready: Promise<void>;

  /** Resolves once the module is instantiated and linked; rejects with a one-line reason (its worker has ended then). */
  get ready(): Promise<void> {
    return this.#ready;
  }

  private constructor(
    private readonly options: WasmWorkerOptions,
    module: WebAssembly.Module,
    imports: WebAssembly.ModuleImportDescriptor[],
    maxPages: number,
  ) {
    this.exports = new Set(WebAssembly.Module.exports(module).filter((entry) => entry.kind === 'function').map((entry) => entry.name));
    this.wasi = imports.some((entry) => importKind(entry) === 'wasi');
    const preopens = this.wasi ? options.preopens : {};
    this.preopens = Object.keys(preopens);
    const shared = new SharedArrayBuffer(ANSWER_HEADER_BYTES + options.maxMessageBytes);
    const { port1: requests, port2: workerRequests } = new MessageChannel();
    this.#requests = requests;
    this.#doorbell = new Int32Array(new SharedArrayBuffer(4));
    const setup: WorkerSetup = {
      module,
      config: Object.fromEntries(Object.entries(options.config).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)])),
      wasi: this.wasi,
      preopens,
      wardenFunctions: imports.filter((entry) => entry.module === WARDEN_NAMESPACE && importKind(entry) === 'warden').map((entry) => entry.name),
      extismHttp: imports.some((entry) => importKind(entry) === 'extism-http'),
      shared,
      requests: workerRequests,
      doorbell: this.#doorbell.buffer as SharedArrayBuffer,
      allocBytesPerCall: options.allocMbPerCall * MIB,
    };
    const worker = options.boot({ maxOldGenerationSizeMb: options.heapMb, maxYoungGenerationSizeMb: 4 });
    worker.postMessage(setup, [workerRequests]);
    this.#worker = worker;
    let failure: string | undefined;
    this.#ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (message: WorkerMessage) => {
        switch (message.type) {
          case 'ready':
            this.#memoryBytes = message.memoryBytes;
            return resolve();
          case 'failed':
            failure = message.error;
            return reject(new Error(`${options.pluginId}: the WebAssembly module could not be instantiated: ${message.error}`));
          case 'host':
            return this.#answerHost(shared, message.name, message.params);
          case 'answer':
            this.#memoryBytes = message.memoryBytes;
            this.#settle(message.id, message.error === undefined ? { output: message.output, memoryBytes: message.memoryBytes } : new Error(message.error));
            return;
          case 'trapped': {
            // The call is answered once the worker has ended (below), so whoever supervises it has seen the crash by then.
            // A module whose memory cannot grow traps when it next asks for more: near the cap, that is why.
            const capBytes = maxPages * WASM_PAGE_BYTES;
            const full = message.memoryBytes > capBytes * 0.75;
            const inUse = (message.memoryBytes / MIB).toFixed(1);
            this.exitReason ??= full ? `memory: ${message.reason} with ${inUse} MB of its ${options.memoryMb} MB cap in use` : message.reason;
            return;
          }
        }
      });
    });
    worker.on('error', (error) => {
      // An uncaught error in the worker (its heap cap, say) ends it: kept as the reason for its exit.
      this.exitReason ??= /heap|memory/i.test(error.message) ? `out of memory: ${error.message}` : error.message;
    });
    this.#exited = new Promise((resolve) => {
      worker.once('exit', (code) => {
        this.#requests.close();
        this.exitReason ??= failure;
        for (const id of [...this.#pending.keys()]) this.#settle(id, new Error(`${options.pluginId}: its worker ended${this.exitReason ? `: ${this.exitReason}` : ''}`));
        resolve(code);
      });
    });
    const ended = this.#exited.then(() => {
      throw new Error(`${options.pluginId}: its worker ended while starting${this.exitReason ? `: ${this.exitReason}` : ''}`);
    });
    this.#ready = Promise.race([this.#ready, ended]);
  }

  /** The worker's exit code, once it has ended. */
  get exited(): Promise<number> {
    return this.#exited;
  }

  get memoryBytes(): number {
    return this.#memoryBytes;
  }

  /** Runs the module's `activate` export, if it has one, with `{ pluginId, config }`. */
  async activate(config: Record<string, unknown>): Promise<void> {
    if (this.exports.has('activate')) await this.call('activate', { pluginId: this.options.pluginId, config });
  }

  /** Calls the export the command names with its arguments as a JSON array; its output is parsed as JSON. */
  async executeCommand(command: string, args: unknown[]): Promise<unknown> {
    const name = commandExport(command);
    const { pluginId } = this.options;
    if (!this.exports.has(name)) throw new Error(`${pluginId}: the module exports no function "${name}" for the command "${command}"`);
    const output = await this.call(name, args);
    if (output === null || output === undefined || output === '') return undefined;
    try {
      return JSON.parse(output);
    } catch {
      throw new Error(`${pluginId}: the command "${command}" answered with text that is not JSON: ${cut(output, 200)}`);
    }
  }

  /** Calls the module's `on_event` export with `{ name, payload, from }`; a module without one ignores events. */
  async deliverEvent(name: string, payload: unknown, from: string): Promise<void> {
    if (this.exports.has('on_event')) await this.call('on_event', { name, payload, from });
  }

  /** Runs the module's `deactivate` export, if it has one. */
  async deactivate(): Promise<void> {
    if (this.exports.has('deactivate')) await this.call('deactivate', {});
  }

  /** Calls an export with JSON input; resolves with its output text. */
  async call(name: string, input: unknown): Promise<string | null | undefined> {
    return (await this.#post({ type: 'call', id: 0, name, input: JSON.stringify(input) })).output;
  }

  /**
   * Answered by the worker between calls, so a module stuck in a call misses it; while the module waits for a host
   * function (a fetch, say) it is not stuck, and the caller answers for it.
   */
  async ping(): Promise<void> {
    if (this.#hostCalls === 0) await this.#post({ type: 'ping', id: 0 });
  }

  /** Ends the worker now (a module in an endless loop included); `reason` is kept as why it ended. */
  terminate(reason?: string): Promise<number> {
    if (reason !== undefined) this.exitReason ??= reason;
    void this.#worker.terminate();
    return this.#exited;
  }

  #post(request: WorkerRequest): Promise<{ output: string | null | undefined; memoryBytes: number }> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#requests.postMessage({ ...request, id });
      Atomics.add(this.#doorbell, 0, 1);
      Atomics.notify(this.#doorbell, 0);
    });
  }

  #settle(id: number, outcome: { output: string | null | undefined; memoryBytes: number } | Error): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    if (outcome instanceof Error) pending.reject(outcome);
    else pending.resolve(outcome);
  }

  /** The answer, written where the waiting worker reads it; an answer too large for the buffer is an error. */
  #answerHost(shared: SharedArrayBuffer, name: string, params: string): void {
    this.#hostCalls += 1;
    const answered = this.options.answerHost(name, params).catch((error: unknown): WasmHostAnswer => ({ error: (error as Error).message ?? String(error), denied: false }));
    void answered.then((answer) => {
      this.#hostCalls -= 1;
      let bytes = Buffer.from(JSON.stringify(answer));
      if (bytes.length > shared.byteLength - ANSWER_HEADER_BYTES) {
        bytes = Buffer.from(JSON.stringify({ error: `${name}: the answer is ${bytes.length} bytes, over the ${shared.byteLength - ANSWER_HEADER_BYTES} a host function may return`, denied: false }));
      }
      new Uint8Array(shared, ANSWER_HEADER_BYTES, bytes.length).set(bytes);
      new DataView(shared).setUint32(4, bytes.length, true);
      const flag = new Int32Array(shared, 0, 1);
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
    });
  }
}
