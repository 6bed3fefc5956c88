/**
 * Keeps one plugin's process honest and alive. It starts the process on
 * demand, watches it (heartbeat, per-call timeouts, RSS sampling; the heap
 * cap and channel flooding are enforced by the process itself), kills it
 * when it hangs or grows past its limit, restarts it with exponential
 * backoff when it dies, and disables it after too many crashes in a window.
 * Every other plugin has its own supervisor, so none of this touches them.
 */
import { constants } from 'node:os';
import type { Caller, PluginProcess, PluginProcessEvents } from './plugin-process.js';
import type { IsolationLevel } from './platform.js';
import { monitorResources } from './resource-monitor.js';

export interface SupervisorLimits {
  /** Ping interval. A ping still unanswered at the next tick kills the process: a blocked loop dies within 2 × heartbeatMs. */
  heartbeatMs: number;
  /** A command or event delivery not answered in time is rejected (the process is judged by its heartbeat). */
  callTimeoutMs: number;
  /** Spawn + `activate()` must finish within this, or it counts as a crash. */
  activateTimeoutMs: number;
  /** Resident memory cap for the plugin's processes together, sampled every `rssSampleMs` from /proc (with CPU time and the data folder). */
  memoryMb: number;
  rssSampleMs: number;
  /**
   * Time the plugin may be busy (on a CPU, or runnable and waiting for one) within any `cpuWindowMs`, as a share of
   * one core; above it, it is stopped like a hung one.
   */
  cpuPercent: number;
  cpuWindowMs: number;
  /** Restart delay after the n-th crash in the window: restartBaseMs × 2^(n−1). */
  restartBaseMs: number;
  /** This many crashes within `crashWindowMs` disable the plugin. */
  maxCrashes: number;
  crashWindowMs: number;
  /** How long `deactivate()` may take at stop before the process is killed. */
  stopGraceMs: number;
}

export const DEFAULT_SUPERVISOR_LIMITS: SupervisorLimits = {
  heartbeatMs: 2000,
  callTimeoutMs: 30_000,
  activateTimeoutMs: 10_000,
  memoryMb: 256,
  rssSampleMs: 250,
  cpuPercent: 50,
  cpuWindowMs: 5000,
  restartBaseMs: 500,
  maxCrashes: 3,
  crashWindowMs: 5 * 60_000,
  stopGraceMs: 2000,
};

/** A plugin stopped in a debugger must not be judged unresponsive: no heartbeat, no call or activation timeouts. */
export function debuggingLimits(limits: SupervisorLimits): SupervisorLimits {
  return { ...limits, heartbeatMs: Infinity, callTimeoutMs: Infinity, activateTimeoutMs: Infinity, cpuPercent: Infinity };
}

/**
 * What a supervisor runs: a plugin process (plugin-process.ts) or a WASM plugin's worker thread (wasm/wasm-plugin.ts).
 * Either one ends in an `exit`, and the same rules restart or disable it.
 */
export type SupervisedPlugin = Pick<PluginProcess, 'start' | 'activate' | 'executeCommand' | 'deliverEvent' | 'ping' | 'stop' | 'kill'> & {
  on<E extends keyof PluginProcessEvents>(event: E, listener: (...args: PluginProcessEvents[E]) => void): unknown;
  /** The process to sample in /proc; undefined for a worker thread. */
  readonly pid: number | undefined;
  readonly isolation: IsolationLevel | undefined;
  /** Why it ended, when it knows better than its exit code (a WASM module's trap or bound). */
  readonly exitReason?: string;
  readonly options: { dataDir: string; limits: { dataQuotaBytes: number; dataMaxEntries: number } };
};

export type PluginState = 'inactive' | 'starting' | 'active' | 'restarting' | 'disabled' | 'stopped';

/** What the supervisor tells the host; the host turns these into audit entries and events. */
export interface SupervisorObserver {
  activated(info: { pid: number | undefined; reason: string; ms: number; isolation: IsolationLevel | undefined }): void;
  deactivated(reason: string): void;
  crashed(reason: string, crashes: number): void;
  restarted(attempt: number, delayMs: number): void;
  disabled(reason: string): void;
  /** A start failed for a reason outside the plugin (a full or read-only disk): not a crash; tried again after `retryInMs`. */
  startFailed(reason: string, retryInMs: number): void;
}

/**
 * Failures of the machine, not of the plugin: a start that fails with one of these is not counted as a crash (it
 * must not end in the plugin being disabled) and is tried again with backoff until the machine recovers.
 */
const ENVIRONMENTAL = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EIO', 'EMFILE', 'ENFILE']);
/** The longest wait between two attempts to start a plugin while the machine cannot. */
const ENVIRONMENT_RETRY_MAX_MS = 30_000;

function isEnvironmental(error: unknown): boolean {
  return ENVIRONMENTAL.has((error as NodeJS.ErrnoException | undefined)?.code ?? '');
}

export class Supervisor {
  #state: PluginState = 'inactive';
  #process: SupervisedPlugin | undefined;
  #ready: Promise<void> | undefined;
  /** Why we killed the current process, so its exit is reported with the cause rather than "SIGKILL". */
  #killReason: string | undefined;
  /** The process's last stderr lines: how it died, in its own words. */
  #stderrTail: string[] = [];
  #crashTimes: number[] = [];
  #restarts = 0;
  #lastError: string | undefined;
  #rss: number | undefined;
  /**
   * Whether a command or event the host asked of the plugin, and that the plugin did not cause itself, was sent or
   * settled since the resource monitor last asked: the CPU of such an interval is spent answering the app (as the
   * channel's flood limit exempts what the plugin sends in answer), not the plugin's own. A plugin calling its own
   * commands through the host excuses nothing. One call that never settles excuses nothing past the interval it was
   * sent in, and the monitor caps what excuses can cover (resource-monitor.ts), so a hog is still stopped.
   */
  #answeredHost = false;
  #restartTimer: NodeJS.Timeout | undefined;
  /** Ends a pending backoff early (at stop), so callers waiting for the restart are answered. */
  #endBackoff: (() => void) | undefined;
  /** Starts in a row that failed for an environmental reason; while one is pending, `retryAt` says when. */
  #environmentFailures = 0;
  #retryAt: number | undefined;

  constructor(
    readonly pluginId: string,
    /** Builds the process for one run (the host re-checks file hashes here, so restarts are checked too). */
    private readonly spawn: () => Promise<SupervisedPlugin>,
    private readonly limits: SupervisorLimits,
    private readonly observer: SupervisorObserver,
  ) {}

  get state(): PluginState { return this.#state; }
  get pid(): number | undefined { return this.#process?.pid; }
  get restarts(): number { return this.#restarts; }
  get lastError(): string | undefined { return this.#lastError; }
  /** Last sampled resident memory in bytes (undefined while not running). */
  get memory(): number | undefined { return this.#state === 'active' ? this.#rss : undefined; }

  /** Starts and activates the process unless it already is (or is on its way). */
  activate(reason: string): Promise<void> {
    if (this.#state === 'disabled') return Promise.reject(new Error(`${this.pluginId} is disabled: ${this.#lastError}`));
    if (this.#state === 'stopped') return Promise.reject(new Error(`${this.pluginId} is stopped`));
    // Waiting for the machine to recover: callers are answered at once, not made to spawn a process each.
    if (this.#retryAt !== undefined) {
      return Promise.reject(new Error(`${this.pluginId} ${this.#lastError}; trying again in ${Math.max(0, Math.round(this.#retryAt - performance.now()))} ms`));
    }
    this.#ready ??= this.#launch(reason);
    return this.#ready;
  }

  /** `caller`: the app, another plugin (its ctx.commands.execute), or the plugin itself, which earns nothing and excuses no CPU. */
  executeCommand(command: string, args: unknown[], reason: string, caller: Caller = 'app'): Promise<unknown> {
    return this.#whenActive(reason, (process) => process.executeCommand(command, args, caller), () => `command "${command}"`, caller !== 'itself');
  }

  /** Events never reach their sender, so their delivery is always the host's request. */
  deliverEvent(name: string, payload: unknown, from: string, reason: string): Promise<void> {
    return this.#whenActive(reason, (process) => process.deliverEvent(name, payload, from), () => `event "${name}"`, true);
  }

  /** Activates first if need be; an active plugin's call goes straight through (this is every call's path). */
  #whenActive<T>(reason: string, work: (process: SupervisedPlugin) => Promise<T>, what: () => string, credited: boolean): Promise<T> {
    if (this.#state === 'active') return this.#call(work, what, credited);
    return this.activate(reason).then(() => this.#call(work, what, credited));
  }

  /** One call with its timeout; if the process dies meanwhile, the caller learns why rather than "connection disposed". */
  #call<T>(work: (process: SupervisedPlugin) => Promise<T>, what: () => string, credited: boolean): Promise<T> {
    const process = this.#process;
    if (this.#state !== 'active' || !process) {
      return Promise.reject(new Error(`${this.pluginId} is not running (${this.#lastError ?? this.#state})`));
    }
    if (credited) this.#answeredHost = true;
    return this.#withTimeout(
      work(process),
      what,
      this.limits.callTimeoutMs,
      (error) => (process === this.#process ? error : new Error(`${this.pluginId} was stopped during ${what()}: ${this.#lastError ?? 'it exited'}`)),
      () => void (credited && (this.#answeredHost = true)),
    );
  }

  /** Deactivates (with a grace period) and ends supervision for good. */
  async stop(reason = 'host stopped'): Promise<void> {
    if (this.#state === 'stopped') return;
    const wasRunning = this.#state === 'active' || this.#state === 'starting' || this.#state === 'restarting';
    this.#state = 'stopped';
    clearTimeout(this.#restartTimer);
    this.#endBackoff?.();
    this.#stopMonitors();
    const process = this.#process;
    this.#process = undefined;
    if (process) await process.stop(this.limits.stopGraceMs).catch(() => process.kill('host stopping'));
    if (wasRunning) this.observer.deactivated(reason);
  }

  /** Kills the process now; its exit counts as a crash. */
  kill(reason: string): void {
    const process = this.#process;
    if (!process || this.#killReason !== undefined) return;
    this.#killReason = reason;
    this.#lastError = reason;
    process.kill(reason);
  }

  async #launch(reason: string): Promise<void> {
    const started = performance.now();
    this.#state = 'starting';
    this.#killReason = undefined;
    this.#stderrTail = [];
    let process: SupervisedPlugin;
    try {
      process = await this.spawn();
    } catch (error) {
      this.#state = 'inactive';
      this.#ready = undefined;
      this.#lastError = messageOf(error);
      if (isEnvironmental(error)) this.#retryLater(error);
      throw error;
    }
    if (this.#state !== 'starting') throw new Error(`${this.pluginId} was stopped while starting`);
    this.#process = process;
    process.on('exit', (code: number | null, signal: NodeJS.Signals | null) => this.#onExit(process, code, signal));
    process.on('violation', (why: string) => {
      // The process kills itself on a violation; keep the reason for the crash report.
      if (process === this.#process && this.#killReason === undefined) this.#killReason = this.#lastError = `violation: ${why}`;
    });
    process.on('log', (stream: string, line: string) => {
      if (stream === 'stderr') this.#stderrTail = [...this.#stderrTail.slice(-(STDERR_TAIL - 1)), line];
    });
    try {
      await this.#withTimeout(process.start().then(() => process.activate()), () => 'activation', this.limits.activateTimeoutMs);
    } catch (error) {
      if (process === this.#process) {
        if (isEnvironmental(error)) this.#discard(process, error);
        else this.kill(`activate failed: ${messageOf(error)}`);
      }
      throw error;
    }
    if (process !== this.#process) throw new Error(`${this.pluginId} was stopped while starting`);
    this.#environmentFailures = 0;
    this.#state = 'active';
    this.#startMonitors(process);
    this.observer.activated({ pid: process.pid, reason, ms: Math.round(performance.now() - started), isolation: process.isolation });
  }

  #onExit(process: SupervisedPlugin, code: number | null, signal: NodeJS.Signals | null): void {
    if (process !== this.#process) return; // an old process, already accounted for, or a stop
    this.#stopMonitors();
    this.#process = undefined;
    this.#ready = undefined;
    const reason = this.#killReason ?? process.exitReason ?? exitReason(code, signal, this.#stderrTail, process.isolation !== undefined && process.isolation !== 'none');
    this.#lastError = reason;
    const now = performance.now();
    this.#crashTimes = [...this.#crashTimes.filter((t) => now - t < this.limits.crashWindowMs), now];
    const crashes = this.#crashTimes.length;
    this.observer.crashed(reason, crashes);
    if (crashes >= this.limits.maxCrashes) {
      this.#state = 'disabled';
      this.#lastError = `disabled after ${crashes} crashes in ${Math.round(this.limits.crashWindowMs / 1000)} s; last: ${reason}`;
      this.observer.disabled(this.#lastError);
      return;
    }
    this.#scheduleRestart(crashes);
  }

  /** A run the host could not set up (its start could not be recorded, say): its process goes, not counted as a crash. */
  #discard(process: SupervisedPlugin, error: unknown): void {
    this.#process = undefined; // so its exit is not taken for a crash
    process.kill(`could not start: ${messageOf(error)}`);
    this.#retryLater(error);
  }

  #retryLater(error: unknown): void {
    this.#environmentFailures += 1;
    const delayMs = Math.min(this.limits.restartBaseMs * 2 ** (this.#environmentFailures - 1), ENVIRONMENT_RETRY_MAX_MS);
    this.#state = 'restarting';
    this.#ready = undefined;
    this.#lastError = `could not start: ${messageOf(error)}`;
    this.#retryAt = performance.now() + delayMs;
    this.observer.startFailed(this.#lastError, delayMs);
    this.#restartTimer = setTimeout(() => {
      this.#retryAt = undefined;
      if (this.#state !== 'restarting') return;
      this.#restarts += 1;
      this.observer.restarted(this.#restarts, delayMs);
      this.#ready = this.#launch('restart');
      this.#ready.catch(() => undefined); // reported through startFailed or the crash that follows
    }, delayMs);
  }

  #scheduleRestart(crashes: number): void {
    const delayMs = this.limits.restartBaseMs * 2 ** (crashes - 1);
    this.#state = 'restarting';
    const delay = new Promise<void>((resolve) => {
      this.#endBackoff = resolve;
    });
    this.#restartTimer = setTimeout(() => this.#endBackoff?.(), delayMs);
    const ready = delay.then(() => {
      this.#endBackoff = undefined;
      if (this.#state !== 'restarting') throw new Error(`${this.pluginId} is ${this.#state}`);
      this.#restarts += 1;
      this.observer.restarted(this.#restarts, delayMs);
      return this.#launch('restart');
    });
    ready.catch(() => undefined); // a failed restart is reported through its exit; callers awaiting `ready` still see the error
    this.#ready = ready;
  }

  #startMonitors(process: SupervisedPlugin): void {
    let pingOutstanding = false;
    const heartbeat = setInterval(() => {
      if (!Number.isFinite(this.limits.heartbeatMs)) return;
      if (pingOutstanding) {
        this.kill(`unresponsive: no heartbeat answer within ${this.limits.heartbeatMs} ms (event loop blocked)`);
        return;
      }
      pingOutstanding = true;
      process.ping().then((usage) => {
        pingOutstanding = false;
        this.#rss ??= usage.rss;
      }, () => undefined);
    }, Number.isFinite(this.limits.heartbeatMs) ? this.limits.heartbeatMs : 60_000);
    heartbeat.unref();
    const { dataQuotaBytes, dataMaxEntries } = process.options.limits;
    const stopResources = monitorResources(
      {
        pid: () => process.pid,
        dataDir: process.options.dataDir,
        answeredHost: () => {
          const answered = this.#answeredHost;
          this.#answeredHost = false;
          return answered;
        },
      },
      { ...this.limits, dataQuotaBytes, dataMaxEntries },
      {
        sampled: (usage) => {
          if (process === this.#process) this.#rss = usage.rss;
        },
        exceeded: (reason) => {
          if (process === this.#process) this.kill(reason);
        },
      },
    );
    this.#stopMonitors = () => {
      clearInterval(heartbeat);
      stopResources();
    };
  }

  #stopMonitors = (): void => undefined;

  /**
   * `promise`, rejected if it has not settled within `ms`; `what` names it in that error, `failure` maps its own.
   * Hand-rolled rather than async/await and Promise.race(...).finally(...): this is on every call's path, and this
   * way it costs one promise and one timer.
   */
  #withTimeout<T>(promise: Promise<T>, what: () => string, ms: number, failure = (error: unknown): unknown => error, settled = (): void => undefined): Promise<T> {
    if (!Number.isFinite(ms)) {
      return promise.then(
        (value) => {
          settled();
          return value;
        },
        (error: unknown) => {
          settled();
          return Promise.reject(failure(error));
        },
      );
    }
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        settled();
        reject(new Error(`${this.pluginId}: ${what()} did not answer within ${ms} ms`));
      }, ms);
      promise.then(
        (value) => {
          clearTimeout(timer);
          settled();
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          settled();
          reject(failure(error));
        },
      );
    });
  }
}

const STDERR_TAIL = 20;

/**
 * Why a plugin process ended. `wrapped`: it ran under a sandbox that forks it into a PID namespace (bwrap, unshare),
 * which reports a child killed by signal N as exit 128 + N, as a shell does: that is said as the kill it was (the
 * OOM killer's SIGKILL is exit 137), not as an ordinary exit.
 */
function exitReason(code: number | null, signal: NodeJS.Signals | null, stderrTail: string[], wrapped: boolean): string {
  if (stderrTail.some((line) => /heap limit|heap out of memory/i.test(line))) return 'out of memory: reached its heap cap';
  const forwarded = wrapped && code !== null && code > 128 ? signalName(code - 128) : undefined;
  const how = signal ? `killed by ${signal}` : forwarded ? `killed by ${forwarded} (exit ${code} from its sandbox)` : `exited with code ${code}`;
  // An uncaught exception prints "Error: message" among its last lines.
  const error = stderrTail.find((line) => /^(Uncaught )?\w*(Error|Exception)\b/.test(line.trim()));
  return error ? `${how}: ${error.trim().slice(0, 200)}` : how;
}

function signalName(number: number): string | undefined {
  return Object.entries(constants.signals).find(([, value]) => value === number)?.[0];
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
