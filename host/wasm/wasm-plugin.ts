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
import { mkdirSync } from 'node:fs';
import { readRegularFileSync } from '../../analyzer/fast-fs.js';
import { AUDIT_TEXT, AuditAllowance, PluginAuditTrail } from '../audit-budget.js';
import { type Caller, type PluginProcessEvents, type PluginProcessOptions, pluginBroker } from '../plugin-process.js';
import { cut } from '../text-limits.js';
import { Outstanding } from '../runtime/channel.js';
import { answerHostCall } from './host-functions.js';
import { startWorker } from './spare-worker.js';
import { wasiPreopens } from './wasi-preopens.js';
import { type WasmLimits, WasmWorker } from './wasm-worker.js';

export type WasmPluginOptions = Omit<PluginProcessOptions, 'isolation' | 'nodePath' | 'inspect' | 'limits'> & {
  limits: PluginProcessOptions['limits'] & WasmLimits;
};

export class WasmPlugin extends EventEmitter<PluginProcessEvents> {
  readonly options: WasmPluginOptions;
  #worker: WasmWorker | undefined;
  #killReason: string | undefined;
  /** Why it was stopped or killed while its module still compiled, before its worker existed: the worker is ended as it boots. */
  #endedEarly: string | undefined;
  readonly #outstanding = new Outstanding();
  #nextCall = 1;

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
    return this.#killReason ?? this.#worker?.exitReason;
  }

  /** Compiles the module with its memory capped, starts the worker, links the host functions; resolves once it is instantiated. */
  async start(): Promise<void> {
    if (this.#worker) throw new Error(`${this.options.pluginId}: already started`);
    const { pluginId, main, dataDir, grant, limits } = this.options;
    mkdirSync(dataDir, { recursive: true });
    const lifetime = this.options.auditAllowance ?? new AuditAllowance(limits.auditBytesTotal);
    const audit = new PluginAuditTrail(this.options.audit, limits.auditBytesPerMinute, (reason) => this.#violation(reason), lifetime);
    const broker = pluginBroker(this.options, limits, audit, this, (params) => this.#outstanding.isAnswer(params));
    const worker = await WasmWorker.start({
      pluginId,
      bytes: readRegularFileSync(main),
      sha256: this.options.mainSha256,
      config: this.options.config,
      preopens: wasiPreopens(grant, { dataDir, root: this.options.root }),
      // Node's WASI follows symbolic links out of a folder it opened (measured: links the module made itself, "up1" ->
      // "self/..", read files two levels above its grant). A plugin process has its namespaces' view behind WASI; a
      // worker of the host has nothing.
      preopensRefused:
        'a WebAssembly plugin with a filesystem grant runs only in a sandboxed plugin process (Node\'s WASI follows symbolic links out of the folders it opens): declare capabilities.filesystem in its manifest, or start the host with requireIsolation (warden run --require-isolation namespaces)',
      memoryMb: limits.wasmMemoryMb,
      allocMbPerCall: limits.wasmAllocMbPerCall,
      maxMessageBytes: limits.maxMessageBytes,
      heapMb: limits.heapMb,
      boot: startWorker,
      answerHost: (name, params) => answerHostCall(broker, name, params, (inner) => void this.#outstanding.spend({ params: inner })),
    });
    // Known before it is ready, so a module that never finishes instantiating can be killed (an activation timeout).
    this.#worker = worker;
    void worker.exited.then((code) => {
      const reason = this.exitReason;
      audit.tryAppend({ pluginId, kind: 'worker.exit', code, ...(reason ? { reason } : {}) });
      this.emit('exit', code, null);
    });
    // A host stopped (or an activation timed out) while the module compiled: its thread would otherwise run on, referenced.
    if (this.#endedEarly !== undefined) void worker.terminate(this.#endedEarly);
    await worker.ready;
    audit.append({ pluginId, kind: 'worker.start', memoryBytes: worker.memoryBytes, wasi: worker.wasi, preopens: worker.preopens });
  }

  /** Runs the module's `activate` export, if it has one, with `{ pluginId, config }`. */
  async activate(): Promise<void> {
    const { pluginId, config, audit } = this.options;
    try {
      await this.#running().activate(config);
      audit.append({ pluginId, kind: 'activated' });
    } catch (error) {
      audit.tryAppend({ pluginId, kind: 'activate.failed', error: cut((error as Error).message, AUDIT_TEXT) });
      throw error;
    }
  }

  /**
   * Only the app's calls earn credit here: another plugin's are paced by that plugin, not the app (six calls of a
   * command from another plugin's command, or six events, had it show 60 messages past its own rate of 20). A worker
   * has no flood limit the credit would also lift (see PluginProcess.executeCommand).
   */
  async executeCommand(command: string, args: unknown[], caller: Caller = 'app'): Promise<unknown> {
    return this.#answering(caller === 'app', () => this.#running().executeCommand(command, args));
  }

  async deliverEvent(name: string, payload: unknown, from: string): Promise<void> {
    await this.#answering(from === 'app', () => this.#running().deliverEvent(name, payload, from));
  }

  /**
   * A call into the module, earning its host function calls an answer's credit as a request over a plugin process's
   * channel does (the same rules: an allowance per credited call, none for a call the plugin caused itself).
   */
  async #answering<T>(credited: boolean, call: () => Promise<T>): Promise<T> {
    const id = this.#nextCall++;
    const request = {};
    if (!credited) this.#outstanding.withoutCredit(request);
    this.#outstanding.sent(id, request);
    try {
      return await call();
    } finally {
      this.#outstanding.answered(id);
    }
  }

  async ping(): Promise<{ heapUsed: number; rss: number }> {
    const worker = this.#running();
    await worker.ping();
    return { heapUsed: 0, rss: worker.memoryBytes };
  }

  async stop(graceMs = 2000): Promise<void> {
    const worker = this.#worker;
    if (!worker) {
      this.#endedEarly ??= 'stopped while starting';
      return;
    }
    const timer = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([worker.deactivate().catch(() => undefined), timer, worker.exited]);
    await worker.terminate();
  }

  /** Ends the worker now (a module in an endless loop included); the reason is recorded with its exit. */
  kill(reason: string): void {
    this.#killReason ??= reason;
    if (this.#worker) void this.#worker.terminate(reason);
    else this.#endedEarly ??= reason;
    this.options.audit.tryAppend({ pluginId: this.options.pluginId, kind: 'worker.kill', reason });
  }

  #running(): WasmWorker {
    if (!this.#worker) throw new Error(`${this.options.pluginId}: not started`);
    return this.#worker;
  }

  #violation(reason: string): void {
    this.options.audit.tryAppend({ pluginId: this.options.pluginId, kind: 'violation', reason });
    this.emit('violation', reason);
    this.kill(`violation: ${reason}`);
  }
}
