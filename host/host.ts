/**
 * `createHost()`: the embedding API. It runs the gate on every plugin,
 * refuses what the policy blocks, and starts each allowed plugin in its own
 * supervised, sandboxed process when its activation event fires. Commands go
 * to the plugin that provides them, events to the plugins that listen, and
 * every lifecycle change lands in the audit log and on `host.on()`.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { analyzePlugin, hashFiles } from '../analyzer/analyze.js';
import { listFiles } from '../analyzer/files.js';
import { identityOf, loadManifest } from '../analyzer/manifest.js';
import { isWasiFileImport, isWasmMain, wasmEntryPath } from '../api/wasm-api.js';
import { defaultPolicy, unloadableReasons, visibleFindings } from '../analyzer/policy.js';
import type { PluginAnalysis, Policy, Tier } from '../analyzer/types.js';
import { WARDEN_VERSION } from '../analyzer/warden-package.js';
import type { DeclaredCapabilities } from '../rules/utils/manifest.js';
import { activationPlan, type ActivationPlan } from './activation.js';
import { AuditLog } from './audit.js';
import { AuditAllowance } from './audit-budget.js';
import { HOST_ENTRY } from './audit-chain.js';
import { answerControl, type ControlAnswer, type ControlRequest } from './control.js';
import { lockDataFolder, type DataFolderLock } from './data-lock.js';
import type { BrokerCallbacks } from './broker.js';
import { discoverPlugins, type PluginLocation } from './discovery.js';
import { nameOwner } from './name-owner.js';
import { STATE_DIR } from './install/records.js';
import { HostEventEmitter, type HostEventName, type HostListener } from './events.js';
import { DEFAULT_LIMITS, processLimits, type HostLimits } from './limits.js';
import { isolationProblem, requiredIsolation, wasmRequiredIsolation } from './isolation-policy.js';
import { GrantRefused, grantFromManifest, type Grant } from './permissions.js';
import { type IsolationLevel, isIsolationLevel, machineSupport, rememberProbesIn } from './platform.js';
import type { ProbeMemory } from './probe-memory.js';
import { PluginProcess } from './plugin-process.js';
import { DISABLED_BY_HAND, PluginSwitches, SWITCHES_FILE } from './plugin-switches.js';
import { makeDataFolder } from './safe-files.js';
import { removeInterruptedWrites } from './storage.js';
import { shareableProfile } from './profile.js';
import type { RegistryOptions } from './registry/client.js';
import { debuggingLimits, messageOf, Supervisor, type PluginState, type SupervisedPlugin } from './supervisor.js';
import { stopSpareWorkers } from './wasm/spare-worker.js';
import { WasmPlugin } from './wasm/wasm-plugin.js';
import { PluginTrust, type TrustedLocation } from './trust.js';

export interface HostOptions {
  /** Folder whose subfolders are installed plugins. */
  pluginsDir?: string;
  /** Where plugin data folders, the audit log and the analysis cache live. */
  dataDir: string;
  /** Plugins loaded from source: findings are shown but never block; changed files are re-analyzed. */
  devPaths?: string[];
  /** Tier × severity table; the analyzer's default when absent. */
  policy?: Policy;
  /**
   * The registry tiers and the blocklist come from (a TUF repository; see docs/registry.md). Installed plugins get
   * the tier of the registry target their exact bytes are; anything else is `unregistered`.
   */
  registry?: RegistryOptions;
  /** The tier of a plugin the registry says nothing about (default `unregistered`). */
  tierOf?: (pluginId: string) => Tier;
  /** What `ctx.user.profile()` tells plugins; only `displayName` and `locale` are ever passed on. */
  profile?: { displayName?: string; locale?: string };
  /** false: judge every plugin (gate, trust, integrity) but start none, not even `onStartup` ones (`warden list`). */
  startPlugins?: boolean;
  /** What the user allowed a plugin; by default its install record's consent, or (not installed) its manifest's declaration. */
  grantFor?: (plugin: { id: string; root: string; dataDir: string; capabilities: DeclaredCapabilities | undefined }) => Grant;
  /** `ctx.config` for a plugin. */
  configFor?: (pluginId: string) => Record<string, unknown>;
  limits?: Partial<HostLimits>;
  /** Analysis cache (on by default, in `<dataDir>/cache`). */
  cache?: boolean;
  cacheDir?: string;
  /** Audit log path (default `<dataDir>/audit.log`). */
  auditLog?: string;
  /** Start this plugin's process with the inspector so a debugger can attach. */
  inspectPlugin?: string;
  /** The version `engines.warden` ranges are checked against (default: this package's). */
  hostVersion?: string;
  /** How strongly to isolate plugins: the strongest this machine offers by default. */
  isolation?: IsolationLevel;
  /**
   * Refuse to start a plugin that would run below this level. By default installed community and unregistered
   * plugins require `namespaces`; development plugins and official or trusted ones nothing.
   */
  requireIsolation?: IsolationLevel;
  /** The Node binary plugins run on (the host's own by default). */
  nodePath?: string;
  /**
   * Event names only the app may emit: exact names, or prefixes ending in `*`. A plugin may always emit names
   * under its own id (`<pluginId>.…`) and never under another plugin's. Default `['*']`: everything else.
   */
  reservedEvents?: string[];
}

export type PluginStatus = PluginState | 'blocked';

export interface PluginInfo {
  id: string;
  version: string;
  tier: Tier;
  dev: boolean;
  root: string;
  state: PluginStatus;
  capabilities: DeclaredCapabilities;
  commands: string[];
  pid: number | undefined;
  /** Resident memory in bytes, while running. */
  memory: number | undefined;
  restarts: number;
  lastError: string | undefined;
  /** The isolation level a process plugin runs with (or would, once started); a WASM plugin's worker has none of its own. */
  isolation: IsolationLevel;
  /** Where it runs: a sandboxed process of its own (JavaScript, and WebAssembly when the app requires process isolation), or a worker thread of the host (WebAssembly). */
  runsIn: 'process' | 'worker';
}

export interface Host {
  start(): Promise<void>;
  stop(): Promise<void>;
  executeCommand<T = unknown>(command: string, ...args: unknown[]): Promise<T>;
  emitEvent(name: string, payload?: unknown): Promise<void>;
  plugins(): PluginInfo[];
  on<E extends HostEventName>(event: E, listener: HostListener<E>): () => void;
  /** Starts a plugin now instead of on its activation event. */
  activate(pluginId: string): Promise<void>;
  /** Re-analyzes a plugin from disk and restarts it (what `warden dev` does on a change). */
  reload(pluginId: string): Promise<void>;
  /**
   * Turns a plugin off by hand: stopped now, and off across host restarts (recorded in the data folder) until
   * `enable`. Resolves false if it already was. Audited.
   */
  disable(pluginId: string): Promise<boolean>;
  /**
   * Turns back on a plugin disabled by hand or by the supervisor (after repeated crashes: its crash count starts
   * over); an `onStartup` plugin starts again at once. Resolves false if it was not disabled. A plugin the gate
   * blocked stays blocked. Audited.
   */
  enable(pluginId: string): Promise<boolean>;
  readonly auditLogPath: string;
}

interface LoadedPlugin {
  id: string;
  location: TrustedLocation;
  dataDir: string;
  tier: Tier;
  analysis: PluginAnalysis;
  plan: ActivationPlan;
  /** Why it may not run; undefined when it may. */
  blocked: string[] | undefined;
  /** The part of `blocked` the trust layer gave (blocklist, stale metadata, approval), re-checked on every registry change. */
  trustRefusals: string[];
  supervisor: Supervisor | undefined;
  /** Events it subscribed to at run time (`ctx.events.on`). */
  subscriptions: Set<string>;
}

export function createHost(options: HostOptions): Host {
  return new WardenHost(options);
}

class WardenHost implements Host {
  readonly auditLogPath: string;
  readonly #options: HostOptions;
  readonly #limits: HostLimits;
  readonly #events = new HostEventEmitter();
  readonly #plugins = new Map<string, LoadedPlugin>();
  /** command id → plugin id: contributed, named in `onCommand:`, or registered at run time. */
  readonly #commands = new Map<string, string>();
  /** What each plugin's entries have added to the audit log over this host's life (reloads and restarts included). */
  readonly #auditAllowances = new Map<string, AuditAllowance>();
  /** Command id → the one plugin whose manifest contributes it. */
  readonly #contributors = new Map<string, string>();
  #audit: AuditLog | undefined;
  #lock: DataFolderLock | undefined;
  /** Plugins disabled by hand, from the data folder; read at start. */
  #switches: PluginSwitches | undefined;
  #trust: PluginTrust | undefined;
  #started = false;
  #markAdmitted: () => void = () => undefined;
  /** Settles once start() has loaded and admitted every plugin (or failed): control requests wait for it (they name plugins). */
  readonly #admitted: Promise<void> = new Promise((resolve) => (this.#markAdmitted = resolve));

  /** The level every plugin runs with. */
  readonly #isolation: IsolationLevel;
  /** Written to only once this host holds the folder's lock. */
  readonly #probes: ProbeMemory;

  constructor(options: HostOptions) {
    this.#options = { ...options, dataDir: resolve(options.dataDir) };
    this.#limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.auditLogPath = resolve(options.auditLog ?? join(this.#options.dataDir, 'audit.log'));
    // The probes' answers are kept beside the analysis cache: a second start on this folder spawns none of them.
    this.#probes = rememberProbesIn(this.#options.dataDir);
    const support = machineSupport();
    for (const [option, level] of [['isolation', options.isolation], ['requireIsolation', options.requireIsolation]] as const) {
      if (level !== undefined && !isIsolationLevel(level)) throw new Error(`${option}: "${level}" is not an isolation level (strict, namespaces, none)`);
    }
    this.#isolation = options.isolation ?? support.levels[0];
    if (!support.levels.includes(this.#isolation)) {
      throw new Error(`isolation "${this.#isolation}" is not available on this machine: ${support.missing[this.#isolation]}`);
    }
  }

  on<E extends HostEventName>(event: E, listener: HostListener<E>): () => void {
    return this.#events.on(event, listener);
  }

  async start(): Promise<void> {
    if (this.#started) throw new Error('the host is already started');
    this.#started = true;
    // Bad paths are refused before anything is created on disk.
    const locations = discoverPlugins(this.#options.pluginsDir, this.#options.devPaths ?? []);
    makeDataFolder(this.#options.dataDir);
    // Before anything in the folder is read or written: a second host is refused with the folder as it was.
    this.#lock = await lockDataFolder(this.#options.dataDir, (socket, token) => answerControl(socket, token, (request) => this.#control(request)));
    this.#probes.open();
    try {
      await this.#startLocked(locations);
    } catch (error) {
      // Whatever failed, nothing of this start is left running, and the folder is free for the next try.
      this.#markAdmitted();
      await this.stop().catch(() => undefined);
      throw error;
    }
  }

  async #startLocked(locations: PluginLocation[]): Promise<void> {
    const audit = new AuditLog(this.auditLogPath);
    this.#audit = audit;
    // A `warden disable` killed mid-write left its temporary file: under the lock, nothing writes the switches now.
    removeInterruptedWrites(this.#options.dataDir, SWITCHES_FILE);
    this.#switches = PluginSwitches.read(this.#options.dataDir);
    for (const { kind, message } of audit.repairs) this.#events.emit('audit-repaired', { pluginId: HOST_ENTRY, kind, message });
    if (this.#switches.damaged) audit.tryAppend({ pluginId: HOST_ENTRY, kind: 'switches.corrupt', ...this.#switches.damaged });
    const trust = await PluginTrust.open({ pluginsDir: this.#options.pluginsDir, dataDir: this.#options.dataDir, registry: this.#options.registry, audit });
    this.#trust = trust;
    trust.on('registry', (status) => {
      this.#events.emit('registry', status);
      void this.#recheckTrust();
    });
    if (trust.registry) this.#events.emit('registry', trust.registry.status());
    trust.on('records', () => void this.#syncInstalled());
    const loaded = await Promise.all([...locations, ...trust.installedLocations()].map((location) => this.#load(location)));
    const ids = loaded.flatMap((plugin) => (plugin ? [plugin.id] : []));
    for (const plugin of loaded) if (plugin) this.#admit(plugin, ids);
    this.#markAdmitted();
    // Writes a killed host left unfinished: under the lock, no store in the folder is being written now.
    for (const plugin of this.#plugins.values()) {
      for (const { name, reason } of removeInterruptedWrites(plugin.dataDir).left) {
        audit.tryAppend({ pluginId: plugin.id, kind: 'storage.leftover', file: join(plugin.dataDir, name), reason });
      }
    }
    if (this.#options.startPlugins === false) return;
    const startups = [...this.#plugins.values()].filter((p) => !p.blocked && !this.#switches?.disabled(p.id) && p.plan.onStartup);
    await Promise.all(startups.map((p) => this.#activate(p, 'onStartup').catch(() => undefined)));
  }

  async stop(): Promise<void> {
    await this.#trust?.close();
    await Promise.all([...this.#plugins.values()].map((p) => p.supervisor?.stop()));
    await stopSpareWorkers();
    this.#audit?.close();
    this.#audit = undefined;
    await this.#releaseLock();
  }

  async #releaseLock(): Promise<void> {
    await this.#lock?.release();
    this.#lock = undefined;
  }

  async executeCommand<T = unknown>(command: string, ...args: unknown[]): Promise<T> {
    return this.#execute(command, args, 'app') as Promise<T>;
  }

  /** `caller`: the app, or the plugin whose ctx.commands.execute this is (only the app's calls earn answer credit). */
  async #execute(command: string, args: unknown[], caller: string): Promise<unknown> {
    const owner = this.#commands.get(command);
    const plugin = owner === undefined ? undefined : this.#plugins.get(owner);
    if (!plugin) throw new Error(`no plugin provides the command "${command}"`);
    if (plugin.blocked) throw new Error(`${plugin.id} is blocked: ${plugin.blocked.join('; ')}`);
    // A module's host call holds its thread until answered, so its own command would wait behind the call asking for
    // it until the call timeout, the worker answering pings meanwhile (measured: 10 s per call, as often as it asked).
    if (plugin.id === caller && isWasmMain(plugin.analysis.manifest.main)) {
      throw new Error(`a WebAssembly plugin cannot run its own command "${command}" through the host: it would wait on itself (call the export directly)`);
    }
    return this.#supervisor(plugin).executeCommand(command, args, `onCommand:${command}`, caller === 'app' ? 'app' : plugin.id === caller ? 'itself' : 'plugin');
  }

  async emitEvent(name: string, payload?: unknown, sender = 'app'): Promise<void> {
    const listeners = [...this.#plugins.values()].filter(
      (p) => p.id !== sender && !p.blocked && !this.#switches?.disabled(p.id) && (p.plan.events.has(name) || p.subscriptions.has(name)),
    );
    await Promise.all(
      listeners.map(async (plugin) => {
        try {
          await this.#supervisor(plugin).deliverEvent(name, payload, sender, `onEvent:${name}`);
        } catch (error) {
          this.#events.emit('log', { pluginId: plugin.id, stream: 'host', line: `event "${name}" not delivered: ${messageOf(error)}` });
        }
      }),
    );
  }

  plugins(): PluginInfo[] {
    return [...this.#plugins.values()].map((p) => ({
      id: p.id,
      version: p.analysis.plugin.version,
      tier: p.tier,
      dev: p.location.dev,
      root: p.location.root,
      state: p.blocked ? 'blocked' : this.#switches?.disabled(p.id) ? 'disabled' : (p.supervisor?.state ?? 'inactive'),
      capabilities: p.analysis.manifest.capabilities ?? {},
      commands: [...this.#commands].filter(([, owner]) => owner === p.id).map(([command]) => command),
      pid: p.supervisor?.pid,
      memory: p.supervisor?.memory,
      restarts: p.supervisor?.restarts ?? 0,
      lastError: p.blocked ? p.blocked.join('; ') : (this.#disabledByHand(p.id) ?? p.supervisor?.lastError),
      isolation: this.#isolation,
      runsIn: this.#inWorker(p.analysis) ? 'worker' : 'process',
    }));
  }

  async disable(pluginId: string): Promise<boolean> {
    const plugin = this.#known(pluginId);
    const switches = this.#running().switches;
    if (plugin.blocked) throw new Error(`${pluginId} is blocked, so it does not run and there is nothing to disable: ${plugin.blocked.join('; ')}`);
    if (switches.disabled(pluginId)) return false;
    this.#audit!.append({ pluginId, kind: 'disabled', reason: DISABLED_BY_HAND, by: 'user' }); // on file before it is done
    await switches.disable(pluginId, DISABLED_BY_HAND);
    await plugin.supervisor?.stop(DISABLED_BY_HAND);
    plugin.supervisor = undefined;
    this.#events.emit('disabled', { pluginId, reason: DISABLED_BY_HAND });
    return true;
  }

  async enable(pluginId: string): Promise<boolean> {
    const plugin = this.#known(pluginId);
    const switches = this.#running().switches;
    // A hand switch on a blocked plugin (set while no host ran) is cleared, or it would outlive the block; the gate's
    // verdict stands either way.
    if (plugin.blocked && !switches.disabled(pluginId)) throw new Error(`${pluginId} is blocked, and enabling does not override the gate: ${plugin.blocked.join('; ')}`);
    const was = this.#disabledByHand(pluginId) ?? (plugin.supervisor?.state === 'disabled' ? plugin.supervisor.lastError : undefined);
    if (was === undefined) return false;
    this.#audit!.append({ pluginId, kind: 'enabled', was, by: 'user' });
    await switches.enable(pluginId);
    plugin.supervisor = undefined; // a fresh supervisor: the crash count starts over
    this.#events.emit('enabled', { pluginId, was });
    if (plugin.plan.onStartup && !plugin.blocked) await this.#activate(plugin, 'enabled').catch(() => undefined);
    return true;
  }

  /** `warden enable/disable` on the folder this host holds. */
  async #control(request: ControlRequest): Promise<ControlAnswer> {
    await this.#admitted; // `warden disable ID` while the host still analyzes: ID is about to be known
    if (request.command === 'plugins') return { message: `${this.#plugins.size} plugins`, plugins: this.plugins() };
    const { command, pluginId } = request;
    const changed = await (command === 'enable' ? this.enable(pluginId) : this.disable(pluginId));
    if (!changed) return { message: `${pluginId} was already ${command}d` };
    const blocked = this.#plugins.get(pluginId)?.blocked;
    if (blocked) return { message: `${pluginId}'s switch is cleared, but it stays blocked by the gate: ${blocked.join('; ')}` };
    return { message: command === 'enable' ? `${pluginId} enabled` : `${pluginId} disabled: it stays off, across host restarts, until \`warden enable ${pluginId}\`` };
  }

  #known(pluginId: string): LoadedPlugin {
    const plugin = this.#plugins.get(pluginId);
    if (!plugin) throw new Error(`no plugin "${pluginId}"`);
    return plugin;
  }

  #running(): { switches: PluginSwitches } {
    if (!this.#audit || !this.#switches) throw new Error('the host is not running: call start() first');
    return { switches: this.#switches };
  }

  #disabledByHand(pluginId: string): string | undefined {
    const off = this.#switches?.disabled(pluginId);
    return off && `${off.reason} since ${off.since} (\`warden enable ${pluginId}\` turns it back on)`;
  }

  async activate(pluginId: string): Promise<void> {
    const plugin = this.#plugins.get(pluginId);
    if (!plugin) throw new Error(`no plugin "${pluginId}"`);
    if (plugin.blocked) throw new Error(`${plugin.id} is blocked: ${plugin.blocked.join('; ')}`);
    await this.#activate(plugin, 'requested');
  }

  async reload(pluginId: string): Promise<void> {
    const plugin = this.#plugins.get(pluginId);
    if (!plugin) throw new Error(`no plugin "${pluginId}"`);
    const wasRunning = plugin.supervisor !== undefined && plugin.supervisor.state !== 'inactive';
    await plugin.supervisor?.stop('reloading');
    plugin.supervisor = undefined;
    plugin.subscriptions.clear();
    this.#forgetCommands(pluginId);
    const fresh = await this.#load(plugin.location);
    if (!fresh) {
      plugin.blocked = ['its manifest can no longer be read (see the message above)'];
      return;
    }
    this.#plugins.delete(pluginId);
    this.#admit(fresh);
    if (!fresh.blocked && (wasRunning || fresh.plan.onStartup)) await this.#activate(fresh, 'reload');
  }

  /** Runs the gate on one plugin; a plugin the gate cannot read is reported as blocked, not thrown. */
  async #load(location: TrustedLocation): Promise<LoadedPlugin | undefined> {
    // An installed plugin is checked against its record before anything in it is read, its manifest included.
    const modified = this.#trust!.integrityProblems(location);
    if (modified.length > 0) {
      this.#refuse(location.record!.id, modified);
      return undefined;
    }
    let analysis: PluginAnalysis;
    try {
      const { id, version } = identityOf(await loadManifest(location.root));
      const tier = this.#trust!.tierFor(location, id, version) ?? this.#options.tierOf?.(id) ?? 'unregistered';
      analysis = await this.#analyze(location.root, tier);
    } catch (error) {
      this.#refuse(location.root, [messageOf(error)]);
      return undefined;
    }
    const id = analysis.plugin.id;
    return {
      id,
      location,
      dataDir: join(this.#options.dataDir, 'plugins', id),
      tier: analysis.tier,
      analysis,
      plan: activationPlan(analysis.manifest),
      blocked: undefined,
      trustRefusals: [],
      supervisor: undefined,
      subscriptions: new Set(),
    };
  }

  #analyze(root: string, tier: Tier): Promise<PluginAnalysis> {
    return analyzePlugin(root, {
      tier,
      ...(this.#options.policy ? { policy: this.#options.policy } : {}),
      cache: this.#options.cache ?? true,
      cacheDir: this.#options.cacheDir ?? join(this.#options.dataDir, 'cache'),
      hostVersion: this.#options.hostVersion ?? WARDEN_VERSION,
    });
  }

  /** Applies the verdict, the engines check and command ownership (`ids`: every plugin loaded with it); announces the outcome. */
  #admit(plugin: LoadedPlugin, ids?: readonly string[]): void {
    const { analysis, location } = plugin;
    const existing = this.#plugins.get(plugin.id);
    if (existing) {
      this.#refuse(plugin.id, [`${location.root} has the same id as the plugin already loaded from ${existing.location.root}`]);
      return;
    }
    this.#emitAnalyzed(plugin);
    this.#plugins.set(plugin.id, plugin);
    // A blocked plugin keeps its commands, so calling one says why it cannot run.
    const reasons = this.#claimCommands(plugin, ids ?? [...this.#plugins.keys(), plugin.id]);
    // What no tier loads (no entry module, an engines.warden range this host is not in) refuses a dev plugin too.
    reasons.push(...(analysis.decision.action !== 'block' ? [] : location.dev ? unloadableReasons(analysis.findings) : analysis.decision.reasons));
    if (!location.dev) {
      plugin.trustRefusals = this.#trust!.refusals(trustSubject(plugin), { integrity: false });
      reasons.push(...plugin.trustRefusals);
    }
    const required = isWasmMain(analysis.manifest.main)
      ? wasmRequiredIsolation(this.#options.requireIsolation)
      : requiredIsolation({ tier: plugin.tier, dev: location.dev }, this.#options.requireIsolation);
    const isolation = isolationProblem(required, this.#isolation, machineSupport());
    if (isolation) reasons.push(isolation);
    if (reasons.length > 0) {
      plugin.blocked = reasons;
      this.#refuse(plugin.id, reasons);
    } else if (analysis.decision.action !== 'allow') {
      // A dev plugin's blocking findings are only warnings: it runs, sandboxed, so its author can work on it.
      const suffix = location.dev && analysis.decision.action === 'block' ? ' (loaded anyway: development plugin)' : '';
      const warnings = analysis.decision.reasons.map((reason) => reason + suffix);
      this.#audit!.tryAppend({ pluginId: plugin.id, kind: 'warned', reasons: warnings });
      this.#events.emit('warned', { pluginId: plugin.id, reasons: warnings });
    }
  }

  /**
   * Binds the commands `plugin` contributes to it, and says why those it cannot have are refused: an id under another
   * plugin's id is that plugin's (the longest id, as for events), and an id two plugins contribute has no
   * contributor — both are refused, so neither can take the other's callers by loading or starting first.
   * `onCommand:` names it does not contribute only bind ids nobody contributes or owns by name.
   */
  #claimCommands(plugin: LoadedPlugin, ids: readonly string[]): string[] {
    const reasons: string[] = [];
    const contributed = new Set((plugin.analysis.manifest.contributes?.commands ?? []).map((entry) => entry.command));
    for (const command of contributed) {
      const byName = nameOwner(command, ids);
      const other = this.#contributors.get(command);
      if (byName !== undefined && byName !== plugin.id) {
        reasons.push(`it contributes the command "${command}", which is under ${byName}'s id`);
      } else if (other !== undefined && other !== plugin.id) {
        const reason = `the command "${command}" is contributed by both ${other} and ${plugin.id}: a command has one contributor, so neither runs it`;
        reasons.push(reason);
        this.#blockOther(other, reason);
      } else {
        this.#contributors.set(command, plugin.id);
        this.#commands.set(command, plugin.id);
      }
    }
    for (const command of plugin.plan.commands) {
      if (contributed.has(command) || this.#commands.has(command) || this.#contributors.has(command)) continue;
      const byName = nameOwner(command, ids);
      if (byName === undefined || byName === plugin.id) this.#commands.set(command, plugin.id);
    }
    return reasons;
  }

  /** Refuses an already loaded plugin (stopping it if it runs), for a reason found while admitting another. */
  #blockOther(pluginId: string, reason: string): void {
    const other = this.#plugins.get(pluginId);
    if (!other) return;
    other.blocked = [...(other.blocked ?? []), reason];
    this.#refuse(pluginId, [reason]);
    void other.supervisor?.stop('blocked');
  }

  /** Unbinds every command of a plugin that is reloaded or gone. */
  #forgetCommands(pluginId: string): void {
    for (const [command, owner] of this.#commands) if (owner === pluginId) this.#commands.delete(command);
    for (const [command, owner] of this.#contributors) if (owner === pluginId) this.#contributors.delete(command);
  }

  #emitAnalyzed(plugin: LoadedPlugin): void {
    const { analysis } = plugin;
    this.#audit!.tryAppend({
      pluginId: plugin.id,
      kind: 'analyzed',
      version: analysis.plugin.version,
      tier: plugin.tier,
      decision: analysis.decision.action,
      findings: analysis.findings.length,
      hashes: analysis.hashes,
    });
    this.#events.emit('analyzed', {
      pluginId: plugin.id,
      version: analysis.plugin.version,
      tier: plugin.tier,
      dev: plugin.location.dev,
      decision: analysis.decision,
      // A dev plugin's author sees every finding; otherwise the policy hides what it hides for the tier.
      findings: plugin.location.dev ? analysis.findings : visibleFindings(analysis.findings, plugin.tier, this.#options.policy ?? defaultPolicy),
      cached: analysis.stats.cached,
    });
  }

  #refuse(pluginId: string, reasons: string[]): void {
    this.#audit!.tryAppend({ pluginId, kind: 'blocked', reasons });
    this.#events.emit('blocked', { pluginId, reasons });
  }

  #activate(plugin: LoadedPlugin, reason: string): Promise<void> {
    return this.#supervisor(plugin).activate(reason);
  }

  #supervisor(plugin: LoadedPlugin): Supervisor {
    if (!this.#audit) throw new Error('the host is not running: call start() first');
    const byHand = this.#disabledByHand(plugin.id);
    if (byHand) throw new Error(`${plugin.id} is ${byHand}`);
    if (plugin.supervisor) return plugin.supervisor;
    const limits = this.#options.inspectPlugin === plugin.id ? { ...this.#limits, ...debuggingLimits(this.#limits) } : this.#limits;
    plugin.supervisor = new Supervisor(plugin.id, () => this.#spawn(plugin), limits, {
      activated: ({ pid, reason, ms, isolation }) => this.#lifecycle(plugin, 'activated', { pid, reason, ms, isolation }),
      deactivated: (reason) => this.#lifecycle(plugin, 'deactivated', { reason }),
      crashed: (reason, crashes) => this.#lifecycle(plugin, 'crashed', { reason, crashes }),
      restarted: (attempt, delayMs) => this.#lifecycle(plugin, 'restarted', { attempt, delayMs }),
      disabled: (reason) => this.#lifecycle(plugin, 'disabled', { reason }),
      startFailed: (reason, retryInMs) => this.#lifecycle(plugin, 'start-failed', { reason, retryInMs }),
    });
    return plugin.supervisor;
  }

  #lifecycle<E extends 'activated' | 'deactivated' | 'crashed' | 'restarted' | 'disabled' | 'start-failed'>(
    plugin: LoadedPlugin,
    kind: E,
    details: Omit<Parameters<HostListener<E>>[0], 'pluginId'>,
  ): void {
    // The plugin process records its own activation (with its pid); the rest are the supervisor's to record.
    if (kind !== 'activated') this.#audit!.tryAppend({ pluginId: plugin.id, kind, ...details });
    this.#events.emit(kind, { pluginId: plugin.id, ...details } as Parameters<HostListener<E>>[0]);
  }

  /**
   * Builds the process for one run, after checking that the files are still
   * those the gate read: an installed plugin that changed is refused, a
   * development plugin is analyzed again.
   */
  async #spawn(plugin: LoadedPlugin): Promise<SupervisedPlugin> {
    const stale = plugin.location.dev ? [] : this.#trust!.staleProblems(plugin.tier);
    const refused = [...this.#trust!.integrityProblems(plugin.location), ...stale];
    if (refused.length > 0) {
      plugin.blocked = refused;
      plugin.trustRefusals = stale; // a later refresh that makes the metadata fresh again lifts these
      this.#refuse(plugin.id, refused);
      throw new Error(`${plugin.id} is blocked: ${refused[0]}`);
    }
    const changed = await changedFiles(plugin);
    if (changed.length > 0) {
      if (!plugin.location.dev) {
        const reasons = [`files changed since the gate read them: ${changed.slice(0, 5).join(', ')}${changed.length > 5 ? ', …' : ''}`];
        plugin.blocked = reasons;
        this.#refuse(plugin.id, reasons);
        throw new Error(`${plugin.id} is blocked: ${reasons[0]}`);
      }
      plugin.analysis = await this.#analyze(plugin.location.root, plugin.tier);
      this.#emitAnalyzed(plugin);
    }
    const allowance = this.#auditAllowance(plugin.id);
    if (allowance.exhausted) {
      plugin.blocked = [allowance.reason];
      this.#refuse(plugin.id, plugin.blocked);
      throw new Error(`${plugin.id} is blocked: ${allowance.reason}`);
    }
    makeDataFolder(plugin.dataDir);
    const { manifest } = plugin.analysis;
    const grantInput = { id: plugin.id, root: plugin.location.root, dataDir: plugin.dataDir, capabilities: manifest.capabilities };
    // An installed plugin gets what its user consented to, never simply what its manifest declares.
    const consented = this.#trust!.grantFor(plugin.location) ?? manifest.capabilities;
    const grant = this.#options.grantFor?.(grantInput) ?? this.#grantOf(plugin, consented);
    const common = {
      pluginId: plugin.id,
      root: plugin.location.root,
      main: resolve(plugin.location.root, manifest.main),
      mainSha256: isWasmMain(manifest.main) ? plugin.analysis.hashes[wasmEntryPath(manifest.main)] : undefined,
      dataDir: plugin.dataDir,
      grant,
      config: this.#options.configFor?.(plugin.id) ?? {},
      audit: this.#audit!,
      host: this.#broker,
      contributedCommands: [...plugin.plan.commands],
      eventOwner: (name: string) => this.#eventOwner(name, plugin.id),
      commandOwner: (command: string) => this.#commandOwner(command),
      auditAllowance: allowance,
    };
    // A WebAssembly module runs in a worker of the host (its sandbox is WebAssembly's) unless the app requires process
    // isolation; JavaScript in a process of its own.
    const wasm = isWasmMain(manifest.main) ? { wasmMemoryMb: this.#limits.wasmMemoryMb, wasmAllocMbPerCall: this.#limits.wasmAllocMbPerCall } : undefined;
    const process = this.#inWorker(plugin.analysis)
      ? new WasmPlugin({ ...common, limits: { ...processLimits(this.#limits), ...wasm! } })
      : new PluginProcess({
          ...common,
          limits: processLimits(this.#limits),
          isolation: this.#isolation,
          nodePath: this.#options.nodePath,
          inspect: this.#options.inspectPlugin === plugin.id,
          wasm,
        });
    process.on('log', (stream: string, line: string) => this.#events.emit('log', { pluginId: plugin.id, stream, line }));
    process.on('denied', (denial: { message: string }) => this.#events.emit('denied', { pluginId: plugin.id, message: denial.message }));
    process.on('storage-corrupt', (file: string, reason: string) => {
      this.#events.emit('storage-corrupt', { pluginId: plugin.id, file, reason });
      this.#events.emit('log', { pluginId: plugin.id, stream: 'host', line: `storage: ${reason}; moved aside to ${file}, the store starts empty` });
    });
    return process;
  }

  /** The grant a declaration gives `plugin`; a declaration reaching past its base or into the host's state refuses it. */
  #grantOf(plugin: LoadedPlugin, declared: DeclaredCapabilities | undefined): Grant {
    const hostState = [
      this.#options.dataDir,
      this.auditLogPath,
      `${this.auditLogPath}.head`,
      this.#options.cacheDir ?? join(this.#options.dataDir, 'cache'),
      ...(this.#options.pluginsDir ? [join(this.#options.pluginsDir, STATE_DIR)] : []),
    ];
    try {
      return grantFromManifest(declared, { pluginRoot: plugin.location.root, dataDir: plugin.dataDir, home: homedir(), hostState });
    } catch (error) {
      if (!(error instanceof GrantRefused)) throw error;
      plugin.blocked = [error.message];
      this.#refuse(plugin.id, plugin.blocked);
      throw new Error(`${plugin.id} is blocked: ${error.message}`);
    }
  }

  /** Who `name` belongs to, when `sender` may not emit it: another plugin (the longest id prefixing it), the app; undefined when it may. */
  #eventOwner(name: string, sender: string): string | undefined {
    const owner = nameOwner(name, this.#plugins.keys());
    if (owner !== undefined) return owner === sender ? undefined : owner;
    const reserved = this.#options.reservedEvents ?? ['*'];
    return reserved.some((pattern) => (pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern)) ? 'app' : undefined;
  }

  #auditAllowance(pluginId: string): AuditAllowance {
    let allowance = this.#auditAllowances.get(pluginId);
    if (!allowance) this.#auditAllowances.set(pluginId, (allowance = new AuditAllowance(this.#limits.auditBytesTotal)));
    return allowance;
  }

  /**
   * Whether a plugin runs in a worker of the host: a WebAssembly one, unless the app requires process isolation or
   * the module reaches files through WASI with a filesystem declaration. Node's WASI follows symbolic links out of the
   * folders it opens, so only a sandboxed process's namespaces bound what such a module reaches.
   */
  #inWorker(analysis: PluginAnalysis): boolean {
    const { main, capabilities } = analysis.manifest;
    if (!isWasmMain(main) || wasmRequiredIsolation(this.#options.requireIsolation) !== undefined) return false;
    return capabilities?.filesystem === undefined || !analysis.findings.some((finding) => isWasiFileImport(finding.symbol));
  }

  /** Who a command id belongs to: the plugin it is bound to (contributed, hinted or registered), else the longest id prefixing it. */
  #commandOwner(command: string): string | undefined {
    return this.#commands.get(command) ?? nameOwner(command, this.#plugins.keys());
  }

  /** What every plugin's `ctx` reaches through its broker, after the grant check. */
  readonly #broker: BrokerCallbacks = {
    executeCommand: (pluginId, command, args) => this.#execute(command, args, pluginId),
    registerCommand: (pluginId, command) => {
      const owner = this.#commandOwner(command);
      if (owner !== pluginId) throw new Error(`the command "${command}" belongs to ${owner ?? 'no plugin'}`);
      this.#commands.set(command, pluginId);
    },
    emitEvent: (pluginId, name, payload) => this.emitEvent(name, payload, pluginId),
    subscribe: (pluginId, name) => {
      this.#plugins.get(pluginId)?.subscriptions.add(name);
    },
    showMessage: (pluginId, level, text) => this.#events.emit('message', { pluginId, level, text }),
    log: (pluginId, level, message) => this.#events.emit('log', { pluginId, stream: level, line: message }),
    profile: () => shareableProfile(this.#options.profile),
  };

  /**
   * After a registry refresh (or a failed one): a plugin the blocklist now names is stopped at once — killed,
   * not asked to deactivate, so it cannot stall — and one no longer named may start again. (Metadata that went
   * stale refuses starts — here for plugins not running, in #spawn for lazy ones — and does not stop running ones.)
   */
  async #recheckTrust(): Promise<void> {
    for (const plugin of this.#plugins.values()) {
      if (plugin.location.dev) continue;
      const state = plugin.supervisor?.state;
      const running = state === 'starting' || state === 'active' || state === 'restarting';
      const refusals = this.#trust!.refusals(trustSubject(plugin), { integrity: false, stale: !running });
      if (refusals.join('\n') === plugin.trustRefusals.join('\n')) continue;
      const others = (plugin.blocked ?? []).filter((reason) => !plugin.trustRefusals.includes(reason));
      plugin.trustRefusals = refusals;
      if (refusals.length === 0) {
        plugin.blocked = others.length > 0 ? others : undefined;
        if (!plugin.blocked && plugin.supervisor?.state === 'stopped') plugin.supervisor = undefined;
        continue;
      }
      plugin.blocked = [...others, ...refusals];
      this.#refuse(plugin.id, refusals);
      const supervisor = plugin.supervisor;
      if (supervisor && running) {
        // kill() first, then stop(): the exit is then a stop, not a crash to restart from.
        supervisor.kill(refusals[0]);
        await supervisor.stop(refusals[0]);
      }
    }
  }

  /** Install records changed under a running host (grant, revoke, update, uninstall, install): follow them. */
  async #syncInstalled(): Promise<void> {
    const current = new Map(this.#trust!.installedLocations().map((location) => [location.record!.id, location]));
    for (const plugin of [...this.#plugins.values()]) {
      if (!plugin.location.record) continue;
      const location = current.get(plugin.id);
      current.delete(plugin.id);
      if (!location) {
        await plugin.supervisor?.stop('uninstalled');
        this.#plugins.delete(plugin.id);
        this.#forgetCommands(plugin.id);
        this.#audit?.append({ pluginId: plugin.id, kind: 'uninstalled' });
      } else if (JSON.stringify(location.record) !== JSON.stringify(plugin.location.record)) {
        plugin.location = location;
        await this.reload(plugin.id);
      }
    }
    for (const location of current.values()) {
      const plugin = await this.#load(location);
      if (plugin) this.#admit(plugin);
    }
  }
}

function trustSubject(plugin: LoadedPlugin) {
  const { manifest, plugin: identity } = plugin.analysis;
  return { id: plugin.id, version: identity.version, publisher: identity.publisher, manifest, tier: plugin.tier, location: plugin.location };
}

/** Files the gate hashed whose bytes differ now or that are gone, and runnable files it never saw. */
async function changedFiles(plugin: LoadedPlugin): Promise<string[]> {
  const { root } = plugin.location;
  const recorded = plugin.analysis.hashes;
  const present = Object.keys(recorded).filter((file) => existsSync(join(root, file)));
  const [now, files] = await Promise.all([hashFiles(root, present), listFiles(root)]);
  const added = [...files.sources, ...files.natives].map((f) => f.path).filter((file) => !(file in recorded));
  return [...Object.keys(recorded).filter((file) => now[file] !== recorded[file]), ...added];
}

/** The findings the policy lets the user see: everything for a plugin's author, not what the tier hides. */
