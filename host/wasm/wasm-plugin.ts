/**
 * One running WASM plugin, as the supervisor sees it: the same life as a
 * plugin process (start, activate, commands, events, ping, stop, kill, an
 * `exit` when it ends) but in a worker thread of the host, with Extism's
 * runtime and WebAssembly's own sandbox in place of a process and the
 * permission model. Its host functions are answered by the same broker a
 * plugin process's JSON-RPC calls reach (host-functions.ts), so grants, audit
 * entries and limits are the same code. A module that traps, goes over a
 * bound, or stops answering its heartbeat ends its worker; the supervisor
 * restarts or disables it by the same rules as a process.
 */
import { EventEmitter } from 'node:events';
import { mkdirSync, readFileSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { commandExport, importKind, WARDEN_NAMESPACE } from '../../analyzer/wasm-imports.js';
import { AUDIT_TEXT, AuditAllowance, PluginAuditTrail } from '../audit-budget.js';
import { createBroker } from '../broker.js';
import { canonical, type Grant } from '../permissions.js';
import { type PluginProcessEvents, type PluginProcessOptions, pluginBroker } from '../plugin-process.js';
import { messageOf } from '../supervisor.js';
import { cut } from '../text-limits.js';
import { answerHostCall } from './host-functions.js';
import { WASM_PAGE_BYTES, capMemory } from './memory-cap.js';
import { startWorker } from './spare-worker.js';
import { ANSWER_HEADER_BYTES, type WorkerMessage, type WorkerRequest, type WorkerSetup } from './worker-protocol.js';

export interface WasmLimits {
  /** The module's linear memory: its declared maximum is rewritten to at most this. */
  wasmMemoryMb: number;
  /** Extism memory blocks (inputs, outputs, strings passed to host functions) one call may allocate. */
  wasmAllocMbPerCall: number;
}

export type WasmPluginOptions = Omit<PluginProcessOptions, 'isolation' | 'nodePath' | 'inspect' | 'limits'> & {
  limits: PluginProcessOptions['limits'] & WasmLimits;
};

const MIB = 1024 * 1024;

/**
 * The folders WASI may open (guest path → host path): none unless the grant has filesystem paths beyond the plugin's
 * own folders, and then only those it may write, since node:wasi cannot open a folder read-only.
 */
export function wasiPreopens(grant: Pick<Grant, 'fsWrite'>, own: { dataDir: string; root: string }): Record<string, string> {
  const ownFolders = new Set([canonical(own.dataDir), canonical(own.root)]);
  return Object.fromEntries(grant.fsWrite.filter((path) => !ownFolders.has(path)).map((path) => [path, path]));
}

interface Pending {
  resolve(value: { output: string | null | undefined; memoryBytes: number }): void;
  reject(error: Error): void;
}

export class WasmPlugin extends EventEmitter<PluginProcessEvents> {
  readonly options: WasmPluginOptions;
  #worker: Worker | undefined;
  #exports = new Set<string>();
  #pending = new Map<number, Pending>();
  #nextId = 1;
  #hostCalls = 0;
  #memoryBytes = 0;
  #exited: Promise<void> | undefined;
  #killReason: string | undefined;

  constructor(options: WasmPluginOptions) {
    super();
    this.options = options;
  }

  /** A worker thread of the host has no pid of its own. */
  get pid(): undefined {
    return undefined;
  }

  get isolation(): undefined {
    return undefined;
  }

  /** Why its worker ended: a trap, a bound, or the reason it was killed for. */
  get exitReason(): string | undefined {
    return this.#killReason;
  }

  /** Compiles the module with its memory capped, starts the worker, links the host functions; resolves once it is instantiated. */
  async start(): Promise<void> {
    if (this.#worker) throw new Error(`${this.options.pluginId}: already started`);
    const { pluginId, main, dataDir, grant, limits } = this.options;
    mkdirSync(dataDir, { recursive: true });
    const lifetime = this.options.auditAllowance ?? new AuditAllowance(limits.auditBytesTotal);
    const audit = new PluginAuditTrail(this.options.audit, limits.auditBytesPerMinute, (reason) => this.#violation(reason), lifetime);
    const maxPages = Math.max(1, Math.floor((limits.wasmMemoryMb * MIB) / WASM_PAGE_BYTES));
    let module: WebAssembly.Module;
    try {
      module = await WebAssembly.compile(capMemory(readFileSync(main), maxPages));
    } catch (error) {
      throw new Error(`${pluginId}: the WebAssembly module cannot run: ${messageOf(error)}`);
    }
    const imports = WebAssembly.Module.imports(module);
    // The gate has judged these already; linking refuses what nobody provides whatever the gate's verdict was.
    const unknown = imports.filter((entry) => importKind(entry) === 'unknown').map((entry) => `${entry.module}::${entry.name}`);
    if (unknown.length > 0) throw new Error(`${pluginId}: the module imports what the host does not provide: ${unknown.slice(0, 5).join(', ')}`);
    this.#exports = new Set(WebAssembly.Module.exports(module).filter((entry) => entry.kind === 'function').map((entry) => entry.name));
    const wasi = imports.some((entry) => importKind(entry) === 'wasi');
    const shared = new SharedArrayBuffer(ANSWER_HEADER_BYTES + limits.maxMessageBytes);
    const setup: WorkerSetup = {
      module,
      config: Object.fromEntries(Object.entries(this.options.config).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)])),
      wasi,
      preopens: wasi ? wasiPreopens(grant, { dataDir, root: this.options.root }) : {},
      wardenFunctions: imports.filter((entry) => entry.module === WARDEN_NAMESPACE && importKind(entry) === 'warden').map((entry) => entry.name),
      extismHttp: imports.some((entry) => importKind(entry) === 'extism-http'),
      shared,
      allocBytesPerCall: limits.wasmAllocMbPerCall * MIB,
    };
    const broker = pluginBroker(this.options, limits, audit, this);
    const worker = startWorker({ maxOldGenerationSizeMb: limits.heapMb, maxYoungGenerationSizeMb: 4 });
    worker.postMessage(setup);
    this.#worker = worker;
    let failure: string | undefined;
    const ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (message: WorkerMessage) => {
        switch (message.type) {
          case 'ready':
            this.#memoryBytes = message.memoryBytes;
            return resolve();
          case 'failed':
            failure = message.error;
            return reject(new Error(`${pluginId}: the WebAssembly module could not be instantiated: ${message.error}`));
          case 'host':
            return this.#answerHost(broker, shared, message.name, message.params);
          case 'answer':
            this.#memoryBytes = message.memoryBytes;
            this.#settle(message.id, message.error === undefined ? { output: message.output, memoryBytes: message.memoryBytes } : new Error(message.error));
            return;
          case 'trapped': {
            // The call is answered once the worker has ended (below), so the supervisor has seen the crash by then.
            // A module whose memory cannot grow traps when it next asks for more: near the cap, that is why.
            const capBytes = maxPages * WASM_PAGE_BYTES;
            const full = message.memoryBytes > capBytes * 0.75;
            const inUse = (message.memoryBytes / MIB).toFixed(1);
            this.#killReason ??= full ? `memory: ${message.reason} with ${inUse} MB of its ${limits.wasmMemoryMb} MB cap in use` : message.reason;
            return;
          }
        }
      });
    });
    worker.on('error', (error) => {
      // An uncaught error in the worker (its heap cap, say) ends it: kept as the reason for its exit.
      this.#killReason ??= /heap|memory/i.test(error.message) ? `out of memory: ${error.message}` : error.message;
    });
    this.#exited = new Promise((resolve) => {
      worker.once('exit', (code) => {
        const reason = this.#killReason ?? failure;
        audit.tryAppend({ pluginId, kind: 'worker.exit', code, ...(reason ? { reason } : {}) });
        this.emit('exit', code, null);
        for (const id of [...this.#pending.keys()]) this.#settle(id, new Error(`${pluginId}: its worker ended${reason ? `: ${reason}` : ''}`));
        resolve();
      });
    });
    await Promise.race([ready, this.#exited.then(() => Promise.reject(new Error(`${pluginId}: its worker ended while starting${(failure ?? this.#killReason) ? `: ${failure ?? this.#killReason}` : ''}`)))]);
    audit.append({ pluginId, kind: 'worker.start', memoryBytes: this.#memoryBytes, wasi, preopens: Object.keys(setup.preopens) });
  }

  /** Runs the module's `activate` export, if it has one, with `{ pluginId, config }`. */
  async activate(): Promise<void> {
    const { pluginId, config, audit } = this.options;
    try {
      if (this.#exports.has('activate')) await this.#call('activate', { pluginId, config });
      audit.append({ pluginId, kind: 'activated' });
    } catch (error) {
      audit.tryAppend({ pluginId, kind: 'activate.failed', error: cut(messageOf(error), AUDIT_TEXT) });
      throw error;
    }
  }

  /** Calls the export the command names with its arguments as a JSON array; its output is parsed as JSON. */
  async executeCommand(command: string, args: unknown[]): Promise<unknown> {
    const name = commandExport(command);
    if (!this.#exports.has(name)) throw new Error(`${this.options.pluginId}: the module exports no function "${name}" for the command "${command}"`);
    const output = await this.#call(name, args);
    if (output === null || output === undefined || output === '') return undefined;
    try {
      return JSON.parse(output);
    } catch {
      throw new Error(`${this.options.pluginId}: the command "${command}" answered with text that is not JSON: ${cut(output, 200)}`);
    }
  }

  /** Calls the module's `on_event` export with `{ name, payload, from }`; a module without one ignores events. */
  async deliverEvent(name: string, payload: unknown, from: string): Promise<void> {
    if (this.#exports.has('on_event')) await this.#call('on_event', { name, payload, from });
  }

  /**
   * Answered by the worker's event loop, so a module stuck in a call misses it; while the module waits for a host
   * function (a fetch, say) it is not stuck, and the host answers for it.
   */
  async ping(): Promise<{ heapUsed: number; rss: number }> {
    if (this.#hostCalls === 0) await this.#post({ type: 'ping', id: 0 });
    return { heapUsed: 0, rss: this.#memoryBytes };
  }

  async stop(graceMs = 2000): Promise<void> {
    if (!this.#worker || !this.#exited) return;
    if (this.#exports.has('deactivate')) {
      const timer = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
      await Promise.race([this.#call('deactivate', {}).catch(() => undefined), timer, this.#exited]);
    }
    await this.#worker.terminate();
    await this.#exited;
  }

  /** Ends the worker now (a module in an endless loop included); the reason is recorded with its exit. */
  kill(reason: string): void {
    if (!this.#worker) return;
    this.#killReason ??= reason;
    void this.#worker.terminate();
    this.options.audit.tryAppend({ pluginId: this.options.pluginId, kind: 'worker.kill', reason });
  }

  #violation(reason: string): void {
    this.options.audit.tryAppend({ pluginId: this.options.pluginId, kind: 'violation', reason });
    this.emit('violation', reason);
    this.kill(`violation: ${reason}`);
  }

  async #call(name: string, input: unknown): Promise<string | null | undefined> {
    return (await this.#post({ type: 'call', id: 0, name, input: JSON.stringify(input) })).output;
  }

  #post(request: WorkerRequest): Promise<{ output: string | null | undefined; memoryBytes: number }> {
    const worker = this.#worker;
    if (!worker) return Promise.reject(new Error(`${this.options.pluginId}: not started`));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id });
    });
  }

  #settle(id: number, outcome: { output: string | null | undefined; memoryBytes: number } | Error): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    if (outcome instanceof Error) pending.reject(outcome);
    else pending.resolve(outcome);
  }

  /** The broker's answer, written where the waiting worker reads it; an answer too large for the buffer is an error. */
  #answerHost(broker: ReturnType<typeof createBroker>, shared: SharedArrayBuffer, name: string, params: string): void {
    this.#hostCalls += 1;
    void answerHostCall(broker, name, params).then((answer) => {
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
