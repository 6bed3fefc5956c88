/**
 * One running plugin, as the supervisor sees it: a sandboxed process (see
 * launcher.ts) with a JSON-RPC connection whose host half is the broker.
 * Channel-level hostility (oversized messages, floods, garbage, malformed
 * JSON-RPC) is caught by the channel's reader and ends in a 'violation' event
 * and SIGKILL; the host itself never throws because of what a plugin sends.
 */
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { type MessageConnection, ResponseError, createMessageConnection } from 'vscode-jsonrpc/node';
import type { Params, PluginApi, Result, WasmActivation, WasmProcessHostApi } from '../api/protocol.js';
import { call, ErrorCodes, serve } from '../api/protocol.js';
import type { AuditLog } from './audit.js';
import { AUDIT_TEXT, AuditAllowance, PluginAuditTrail } from './audit-budget.js';
import { type BrokerCallbacks, type BrokerLimits, createBroker } from './broker.js';
import { type LogStream, launch, lowerPriority } from './launcher.js';
import type { Denial, Grant } from './permissions.js';
import { type IsolationLevel, machineSupport } from './platform.js';
import { cut } from './text-limits.js';
import { type LineMessageWriter, type Outstanding, lineChannel } from './runtime/channel.js';
import { PluginStorage } from './storage.js';
import { answerHostCall } from './wasm/host-functions.js';
import { WORKER_SCRIPT } from './wasm/spare-worker.js';
import type { WasmLimits } from './wasm/wasm-worker.js';
import { wasiPreopens } from './wasm/wasi-preopens.js';

export type { BrokerCallbacks } from './broker.js';

/** Who a command or an event delivered to a plugin comes from: the app, another plugin, or the plugin itself. */
export type Caller = 'app' | 'plugin' | 'itself';

export interface PluginLimits {
  /** V8 heap cap (`--max-old-space-size`). */
  heapMb: number;
  /** Resident memory the supervisor allows; when set, the kernel's data-segment limit (RLIMIT_DATA) is derived from it. */
  memoryMb?: number;
  /** One JSON-RPC message from the plugin larger than this is a violation. */
  maxMessageBytes: number;
  /** More messages per second than this from the plugin is a violation (flooding). */
  maxMessagesPerSecond: number;
  /** Bytes the host has written to the plugin's channel and the plugin has not read: more is a violation. */
  maxQueuedBytes: number;
  /** The plugin's calls the host works on at once; more are refused. */
  maxCallsInFlight: number;
  fetchTimeoutMs: number;
  fetchMaxBytes: number;
  storageQuotaBytes: number;
  /** Everything in the data folder together (RLIMIT_FSIZE caps each file at this too); over it the plugin is stopped. */
  dataQuotaBytes: number;
  /** Files and folders in the data folder. */
  dataMaxEntries: number;
  /** RLIMIT_NOFILE. */
  openFiles: number;
  /** RLIMIT_NPROC (processes and threads) when `childProcess` is granted. */
  processes: number;
  /** stdout/stderr and `ctx.log` lines kept per second; the rest are dropped with a note. */
  logLinesPerSecond: number;
  /** `ctx.window.showMessage` calls shown per second; the rest are dropped with a note. */
  messagesPerSecond: number;
  /** Audit log bytes the plugin's calls may add per minute; more is a violation. */
  auditBytesPerMinute: number;
  /** Audit log bytes the plugin may add over the host's life (see AuditAllowance); more stops it for good. */
  auditBytesTotal: number;
}

export interface PluginProcessOptions {
  pluginId: string;
  root: string;
  /** Absolute path of the entry module. */
  main: string;
  /** A WebAssembly module's sha256 as the gate recorded it, checked where the module is read. */
  mainSha256?: string;
  dataDir: string;
  grant: Grant;
  config: Record<string, unknown>;
  audit: AuditLog;
  host: BrokerCallbacks;
  limits: PluginLimits;
  /** How strongly to isolate it; the strongest this machine has by default. */
  isolation?: IsolationLevel;
  /** The Node binary it runs on (the host's own by default). */
  nodePath?: string;
  /** The command ids its manifest contributes (the only ones, with ids under its own, it may register). */
  contributedCommands?: readonly string[];
  /** Who an event name not under its id belongs to (see BrokerOptions.eventOwner). */
  eventOwner?: (name: string) => string | undefined;
  /** Who a command id belongs to (see BrokerOptions.commandOwner). */
  commandOwner?: (command: string) => string | undefined;
  /** What this plugin's entries have added over the host's life, shared by its processes (one of its own by default). */
  auditAllowance?: AuditAllowance;
  inspect?: boolean;
  /** For a WebAssembly plugin run in a process (the app requires process isolation): its module's bounds. */
  wasm?: WasmLimits;
}

export interface PluginProcessEvents {
  exit: [code: number | null, signal: NodeJS.Signals | null];
  log: [stream: LogStream, line: string];
  violation: [reason: string];
  denied: [denial: Denial];
  /** Its store on disk was damaged: moved aside to `file`; it starts empty. */
  'storage-corrupt': [file: string, reason: string];
}

/**
 * The broker answering one plugin's host calls. A plugin process and a WebAssembly worker get the same one, so every
 * ctx call meets the same grant checks, audit entries and rates whichever way the plugin runs.
 */
export function pluginBroker(
  options: Pick<PluginProcessOptions, 'pluginId' | 'grant' | 'dataDir' | 'host' | 'contributedCommands' | 'eventOwner' | 'commandOwner'>,
  limits: BrokerLimits & { storageQuotaBytes: number },
  audit: PluginAuditTrail,
  plugin: EventEmitter<PluginProcessEvents>,
  isAnswer?: (params: object) => boolean,
): ReturnType<typeof createBroker> {
  const { pluginId } = options;
  return createBroker({
    pluginId,
    grant: options.grant,
    audit,
    storage: new PluginStorage(options.dataDir, limits.storageQuotaBytes, (file, reason) => {
      audit.tryAppend({ pluginId, kind: 'storage.corrupt', file, reason });
      plugin.emit('storage-corrupt', file, reason);
    }),
    host: options.host,
    contributedCommands: options.contributedCommands ?? [],
    ...(options.eventOwner ? { eventOwner: options.eventOwner } : {}),
    ...(options.commandOwner ? { commandOwner: options.commandOwner } : {}),
    limits,
    onDenied: (denial) => plugin.emit('denied', denial),
    ...(isAnswer ? { isAnswer } : {}),
  });
}

export class PluginProcess extends EventEmitter<PluginProcessEvents> {
  readonly options: PluginProcessOptions;
  #child: ChildProcess | undefined;
  #pluginPid: number | undefined;
  #connection: MessageConnection | undefined;
  #writer: LineMessageWriter | undefined;
  #outstanding: Outstanding | undefined;
  #exited: Promise<void> | undefined;
  #killReason: string | undefined;
  #moduleEnded: string | undefined;
  #isolation: IsolationLevel | undefined;

  constructor(options: PluginProcessOptions) {
    super();
    this.options = options;
  }

  /** The plugin's node process as the host sees it (for /proc sampling); killing goes through kill(). */
  get pid(): number | undefined {
    return this.#pluginPid ?? this.#child?.pid;
  }

  /** The isolation level it runs with (once started). */
  get isolation(): IsolationLevel | undefined {
    return this.#isolation;
  }

  /** Why a WASM plugin's process ended: its module's trap or bound, which the supervisor reports as the crash. */
  get exitReason(): string | undefined {
    return this.#moduleEnded;
  }

  /** Spawns the process; resolves once it has answered a first ping over the channel. */
  async start(): Promise<void> {
    if (this.#child) throw new Error(`${this.options.pluginId}: already started`);
    const { pluginId, dataDir, grant, limits } = this.options;
    mkdirSync(dataDir, { recursive: true });
    const isolation = this.options.isolation ?? machineSupport().levels[0];
    // Everything the plugin makes the host write to the audit log goes through its own trail: fields cut, growth bounded.
    const lifetime = this.options.auditAllowance ?? new AuditAllowance(limits.auditBytesTotal);
    const audit = new PluginAuditTrail(this.options.audit, limits.auditBytesPerMinute, (reason) => this.#violation(reason), lifetime);
    let launched: ReturnType<typeof launch>;
    try {
      launched = launch({
        grant,
        dataDir,
        isolation,
        nodePath: this.options.nodePath,
        heapMb: limits.heapMb,
        memoryMb: limits.memoryMb,
        openFiles: limits.openFiles,
        dataQuotaBytes: limits.dataQuotaBytes,
        processes: limits.processes,
        logLinesPerSecond: limits.logLinesPerSecond,
        inspect: this.options.inspect,
        wasm: this.options.wasm !== undefined,
        onLine: (stream, line) => this.emit('log', stream, line),
      });
    } catch (error) {
      // A spec that cannot start here (a level this machine lacks, a symlink out of a grant, a command line too long
      // for the kernel) is refused with its reason; nothing was spawned.
      throw new Error(`${pluginId}: the plugin process could not start: ${(error as Error).message}`);
    }
    this.#isolation = isolation;
    const child = launched.child;
    this.#child = child;
    // A failed spawn (EAGAIN, ENOMEM) emits 'error' and never 'exit': both end the process's life here, once.
    let spawnFailure: Error | undefined;
    this.#exited = new Promise((resolve) => {
      const finished = (code: number | null, signal: NodeJS.Signals | null): void => {
        this.#connection?.dispose();
        const reason = spawnFailure?.message ?? this.#killReason;
        audit.tryAppend({ pluginId, kind: 'process.exit', code, signal, ...(reason ? { reason } : {}) });
        this.emit('exit', code, signal);
        resolve();
      };
      child.once('exit', finished);
      child.on('error', (error) => {
        if (child.pid !== undefined || spawnFailure) return;
        spawnFailure = error;
        finished(null, null);
      });
    });

    const channel = child.stdio[3] as Readable & Writable;
    channel.on('error', () => undefined);
    const { reader, writer, outstanding } = lineChannel(channel, limits, (reason) => this.#violation(reason), true);
    this.#writer = writer;
    this.#outstanding = outstanding;
    const connection = createMessageConnection(reader, writer);
    connection.onError(() => undefined);
    // A WASM module's host function call is an answer when the wasm/hostCall message carrying it came in on credit.
    const hostCallAnswers = new WeakSet<object>();
    const broker = pluginBroker(this.options, limits, audit, this, (params) => outstanding.isAnswer(params) || hostCallAnswers.has(params));
    serve(connection, broker);
    // A module's host function calls reach the same broker methods, answered as in a worker of the host.
    if (this.options.wasm) {
      serve<WasmProcessHostApi>(connection, {
        'wasm/hostCall': (call) => answerHostCall(broker, String(call.name), String(call.params), (inner) => void (outstanding.isAnswer(call) && hostCallAnswers.add(inner))),
      });
    }
    connection.listen();
    this.#connection = connection;

    const gone = this.#exited.then(() => {
      throw new Error(`${pluginId}: the plugin process ${spawnFailure ? `could not start: ${spawnFailure.message}` : 'exited before its channel came up'}`);
    });
    await Promise.race([this.ping(), gone]);
    this.#pluginPid = launched.pluginPid();
    if (this.#pluginPid !== undefined) lowerPriority(this.#pluginPid);
    audit.append({ pluginId, kind: 'process.start', pid: this.pid ?? null, isolation });
  }

  /** Loads the plugin and runs its `activate(ctx)`; rejects with the plugin's own error message. */
  async activate(): Promise<void> {
    const { pluginId, main, dataDir, config, audit } = this.options;
    try {
      await this.#call('plugin/activate', { pluginId, main, dataDir, config, ...(this.#wasmActivation() ?? {}) });
      audit.append({ pluginId, kind: 'activated' });
    } catch (error) {
      audit.tryAppend({ pluginId, kind: 'activate.failed', error: cut((error as Error).message, AUDIT_TEXT) });
      throw error;
    }
  }

  /** How the runtime starts a WebAssembly plugin's module: the same bounds and preopens as in a worker of the host. */
  #wasmActivation(): { wasm: WasmActivation } | undefined {
    const { wasm, limits, grant, dataDir, root } = this.options;
    if (!wasm) return undefined;
    return {
      wasm: {
        workerScript: WORKER_SCRIPT,
        sha256: this.options.mainSha256,
        memoryMb: wasm.wasmMemoryMb,
        allocMbPerCall: wasm.wasmAllocMbPerCall,
        heapMb: limits.heapMb,
        maxMessageBytes: limits.maxMessageBytes,
        preopens: wasiPreopens(grant, { dataDir, root }),
      },
    };
  }

  /**
   * A call the plugin caused itself earns no credit (see Outstanding.withoutCredit). Another plugin's does, unlike in a
   * worker (wasm-plugin.ts): here the credit also lifts the channel's flood limit, and without it a plugin calling this
   * one fast would get it killed for the host calls it makes in answer.
   */
  executeCommand(command: string, args: unknown[], caller: Caller = 'app'): Promise<unknown> {
    const params = { command, args };
    if (caller === 'itself') this.#outstanding?.withoutCredit(params);
    return this.#call('plugin/executeCommand', params);
  }

  /** `from`: the emitting plugin's id, or `'app'`. Events never reach their sender: their delivery earns credit (see executeCommand). */
  deliverEvent(name: string, payload: unknown, from: string): Promise<void> {
    return this.#call('plugin/deliverEvent', { name, payload, from });
  }

  ping(): Promise<{ heapUsed: number; rss: number }> {
    return this.#call('plugin/ping', {});
  }

  /** Asks the plugin to deactivate, waits up to `graceMs` for that and its exit, then kills it. */
  async stop(graceMs = 2000): Promise<void> {
    if (!this.#child || !this.#exited) return;
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return this.#exited;
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
    const deactivated = this.#call('plugin/deactivate', {}).then(
      () => 'done' as const,
      () => 'done' as const,
    );
    if ((await Promise.race([deactivated, timer, this.#exited])) === 'done') {
      // Closing the channel (after any lines still batched) is the plugin's signal to exit on its own.
      this.#writer?.end();
      if ((await Promise.race([this.#exited.then(() => 'exited' as const), timer])) === 'exited') return;
    }
    this.kill(`did not stop within ${graceMs} ms`);
    await this.#exited;
  }

  /** SIGKILL now; the reason is recorded in the audit log with the exit. */
  kill(reason: string): void {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.#killReason ??= reason;
    // Killed first: recording it must never be what keeps a process alive (a full disk). The node process itself too:
    // through bwrap it dies only once bwrap has been scheduled to die, and a plugin filling its data folder writes
    // megabytes a millisecond meanwhile. (It is a live child of the live launcher, so the pid is still its own.)
    if (this.#pluginPid !== undefined && this.#pluginPid !== child.pid) signalQuietly(this.#pluginPid, 'SIGKILL');
    child.kill('SIGKILL');
    this.options.audit.tryAppend({ pluginId: this.options.pluginId, kind: 'process.kill', reason });
  }

  #violation(reason: string): void {
    this.options.audit.tryAppend({ pluginId: this.options.pluginId, kind: 'violation', reason });
    this.emit('violation', reason);
    this.kill(`violation: ${reason}`);
  }

  #call<M extends keyof PluginApi & string>(method: M, params: Params<PluginApi, M>): Promise<Result<PluginApi, M>> {
    try {
      if (!this.#connection) throw new Error(`${this.options.pluginId}: not started`);
      // The plugin's error, as its own message, without the library's wrapping.
      return call<PluginApi, M>(this.#connection, method, params).catch(async (error: unknown) => {
        if (!(error instanceof ResponseError)) throw error;
        // A WASM plugin's module ended in this call (a trap, a bound): the process is of no further use. The call is
        // answered once it has exited, so the supervisor has seen the crash by then (as for a module in a worker).
        if (error.code === ErrorCodes.moduleEnded) {
          this.#moduleEnded ??= error.message;
          this.kill(error.message);
          await this.#exited;
        }
        throw new Error(error.message);
      });
    } catch (error) {
      // A disposed connection throws rather than rejects: callers get a rejection either way.
      return Promise.reject(error);
    }
  }
}

/** Sends `signal` to `pid`, which may have exited meanwhile. */
function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone already
  }
}
