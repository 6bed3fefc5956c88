/**
 * `createHost()`: the embedding API. It runs the gate on every plugin,
 * refuses what the policy blocks, and starts each allowed plugin in its own
 * supervised, sandboxed process when its activation event fires. Commands go
 * to the plugin that provides them, events to the plugins that listen, and
 * every lifecycle change lands in the audit log and on `host.on()`.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import semver from 'semver';
import { analyzePlugin, hashFiles } from '../analyzer/index.js';
import { listFiles } from '../analyzer/files.js';
import { identityOf, loadManifest } from '../analyzer/manifest.js';
import { defaultPolicy, visibleFindings } from '../analyzer/policy.js';
import type { Manifest, PluginAnalysis, Policy, Tier } from '../analyzer/types.js';
import { WARDEN_VERSION } from '../analyzer/warden-package.js';
import type { DeclaredCapabilities } from '../rules/utils/manifest.js';
import { activationPlan, type ActivationPlan } from './activation.js';
import { AuditLog } from './audit.js';
import type { BrokerCallbacks } from './broker.js';
import { discoverPlugins, type PluginLocation } from './discovery.js';
import { HostEventEmitter, type HostEventName, type HostListener } from './events.js';
import { DEFAULT_LIMITS, processLimits, type HostLimits } from './limits.js';
import { isolationProblem, requiredIsolation } from './isolation-policy.js';
import { grantFromManifest, type Grant } from './permissions.js';
import { type IsolationLevel, isIsolationLevel, machineSupport } from './platform.js';
import { PluginProcess } from './plugin-process.js';
import { debuggingLimits, messageOf, Supervisor, type PluginState } from './supervisor.js';

export interface HostOptions {
  /** Folder whose subfolders are installed plugins. */
  pluginsDir?: string;
  /** Where plugin data folders, the audit log and the analysis cache live. */
  dataDir: string;
  /** Plugins loaded from source: findings are shown but never block; changed files are re-analyzed. */
  devPaths?: string[];
  /** Tier × severity table; the analyzer's default when absent. */
  policy?: Policy;
  /** No registry exists yet: every plugin is `unregistered` unless this says otherwise. */
  tierOf?: (pluginId: string) => Tier;
  /** What the user allowed a plugin; by default what its manifest declares. */
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
  /** The isolation level it runs with (or would, once started). */
  isolation: IsolationLevel;
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
  readonly auditLogPath: string;
}

interface LoadedPlugin {
  id: string;
  location: PluginLocation;
  dataDir: string;
  tier: Tier;
  analysis: PluginAnalysis;
  plan: ActivationPlan;
  /** Why it may not run; undefined when it may. */
  blocked: string[] | undefined;
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
  #audit: AuditLog | undefined;
  #started = false;

  /** The level every plugin runs with. */
  readonly #isolation: IsolationLevel;

  constructor(options: HostOptions) {
    this.#options = { ...options, dataDir: resolve(options.dataDir) };
    this.#limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.auditLogPath = resolve(options.auditLog ?? join(this.#options.dataDir, 'audit.log'));
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
    mkdirSync(this.#options.dataDir, { recursive: true });
    this.#audit = new AuditLog(this.auditLogPath);
    const loaded = await Promise.all(locations.map((location) => this.#load(location)));
    for (const plugin of loaded) if (plugin) this.#admit(plugin);
    const startups = [...this.#plugins.values()].filter((p) => !p.blocked && p.plan.onStartup);
    await Promise.all(startups.map((p) => this.#activate(p, 'onStartup').catch(() => undefined)));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#plugins.values()].map((p) => p.supervisor?.stop()));
    this.#audit?.close();
    this.#audit = undefined;
  }

  async executeCommand<T = unknown>(command: string, ...args: unknown[]): Promise<T> {
    const owner = this.#commands.get(command);
    const plugin = owner === undefined ? undefined : this.#plugins.get(owner);
    if (!plugin) throw new Error(`no plugin provides the command "${command}"`);
    if (plugin.blocked) throw new Error(`${plugin.id} is blocked: ${plugin.blocked.join('; ')}`);
    return this.#supervisor(plugin).executeCommand(command, args, `onCommand:${command}`) as Promise<T>;
  }

  async emitEvent(name: string, payload?: unknown, sender = 'app'): Promise<void> {
    const listeners = [...this.#plugins.values()].filter(
      (p) => p.id !== sender && !p.blocked && (p.plan.events.has(name) || p.subscriptions.has(name)),
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
      state: p.blocked ? 'blocked' : (p.supervisor?.state ?? 'inactive'),
      capabilities: p.analysis.manifest.capabilities ?? {},
      commands: [...this.#commands].filter(([, owner]) => owner === p.id).map(([command]) => command),
      pid: p.supervisor?.pid,
      memory: p.supervisor?.memory,
      restarts: p.supervisor?.restarts ?? 0,
      lastError: p.blocked ? p.blocked.join('; ') : p.supervisor?.lastError,
      isolation: this.#isolation,
    }));
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
    for (const [command, owner] of this.#commands) if (owner === pluginId) this.#commands.delete(command);
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
  async #load(location: PluginLocation): Promise<LoadedPlugin | undefined> {
    let analysis: PluginAnalysis;
    try {
      const { id } = identityOf(await loadManifest(location.root));
      analysis = await this.#analyze(location.root, this.#options.tierOf?.(id) ?? 'unregistered');
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
    });
  }

  /** Applies the verdict, the engines check and command ownership; announces the outcome. */
  #admit(plugin: LoadedPlugin): void {
    const { analysis, location } = plugin;
    const existing = this.#plugins.get(plugin.id);
    if (existing) {
      this.#refuse(plugin.id, [`${location.root} has the same id as the plugin already loaded from ${existing.location.root}`]);
      return;
    }
    this.#emitAnalyzed(plugin);
    this.#plugins.set(plugin.id, plugin);
    // A blocked plugin keeps its commands, so calling one says why it cannot run.
    for (const command of plugin.plan.commands) if (!this.#commands.has(command)) this.#commands.set(command, plugin.id);
    const reasons = analysis.decision.action === 'block' && !location.dev ? [...analysis.decision.reasons] : [];
    const engines = enginesProblem(analysis.manifest, this.#options.hostVersion ?? WARDEN_VERSION);
    if (engines) reasons.push(engines);
    const required = requiredIsolation({ tier: plugin.tier, dev: location.dev }, this.#options.requireIsolation);
    const isolation = isolationProblem(required, this.#isolation, machineSupport());
    if (isolation) reasons.push(isolation);
    if (reasons.length > 0) {
      plugin.blocked = reasons;
      this.#refuse(plugin.id, reasons);
    } else if (analysis.decision.action !== 'allow') {
      // A dev plugin's blocking findings are only warnings: it runs, sandboxed, so its author can work on it.
      const suffix = location.dev && analysis.decision.action === 'block' ? ' (loaded anyway: development plugin)' : '';
      const warnings = analysis.decision.reasons.map((reason) => reason + suffix);
      this.#audit!.append({ pluginId: plugin.id, kind: 'warned', reasons: warnings });
      this.#events.emit('warned', { pluginId: plugin.id, reasons: warnings });
    }
  }

  #emitAnalyzed(plugin: LoadedPlugin): void {
    const { analysis } = plugin;
    this.#audit!.append({
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
    this.#audit!.append({ pluginId, kind: 'blocked', reasons });
    this.#events.emit('blocked', { pluginId, reasons });
  }

  #activate(plugin: LoadedPlugin, reason: string): Promise<void> {
    return this.#supervisor(plugin).activate(reason);
  }

  #supervisor(plugin: LoadedPlugin): Supervisor {
    if (!this.#audit) throw new Error('the host is not running: call start() first');
    if (plugin.supervisor) return plugin.supervisor;
    const limits = this.#options.inspectPlugin === plugin.id ? { ...this.#limits, ...debuggingLimits(this.#limits) } : this.#limits;
    plugin.supervisor = new Supervisor(plugin.id, () => this.#spawn(plugin), limits, {
      activated: ({ pid, reason, ms, isolation }) => this.#lifecycle(plugin, 'activated', { pid, reason, ms, isolation }),
      deactivated: (reason) => this.#lifecycle(plugin, 'deactivated', { reason }),
      crashed: (reason, crashes) => this.#lifecycle(plugin, 'crashed', { reason, crashes }),
      restarted: (attempt, delayMs) => this.#lifecycle(plugin, 'restarted', { attempt, delayMs }),
      disabled: (reason) => this.#lifecycle(plugin, 'disabled', { reason }),
    });
    return plugin.supervisor;
  }

  #lifecycle<E extends 'activated' | 'deactivated' | 'crashed' | 'restarted' | 'disabled'>(
    plugin: LoadedPlugin,
    kind: E,
    details: Omit<Parameters<HostListener<E>>[0], 'pluginId'>,
  ): void {
    // The plugin process records its own activation (with its pid); the rest are the supervisor's to record.
    if (kind !== 'activated') this.#audit!.append({ pluginId: plugin.id, kind, ...details });
    this.#events.emit(kind, { pluginId: plugin.id, ...details } as Parameters<HostListener<E>>[0]);
  }

  /**
   * Builds the process for one run, after checking that the files are still
   * those the gate read: an installed plugin that changed is refused, a
   * development plugin is analyzed again.
   */
  async #spawn(plugin: LoadedPlugin): Promise<PluginProcess> {
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
    mkdirSync(plugin.dataDir, { recursive: true });
    const { manifest } = plugin.analysis;
    const grantInput = { id: plugin.id, root: plugin.location.root, dataDir: plugin.dataDir, capabilities: manifest.capabilities };
    const grant = this.#options.grantFor?.(grantInput)
      ?? grantFromManifest(manifest.capabilities, { pluginRoot: plugin.location.root, dataDir: plugin.dataDir, home: homedir() });
    const process = new PluginProcess({
      pluginId: plugin.id,
      root: plugin.location.root,
      main: resolve(plugin.location.root, manifest.main),
      dataDir: plugin.dataDir,
      grant,
      config: this.#options.configFor?.(plugin.id) ?? {},
      audit: this.#audit!,
      host: this.#broker,
      limits: processLimits(this.#limits),
      isolation: this.#isolation,
      nodePath: this.#options.nodePath,
      contributedCommands: [...plugin.plan.commands],
      eventOwner: (name) => this.#eventOwner(name, plugin.id),
      inspect: this.#options.inspectPlugin === plugin.id,
    });
    process.on('log', (stream: string, line: string) => this.#events.emit('log', { pluginId: plugin.id, stream, line }));
    process.on('denied', (denial: { message: string }) => this.#events.emit('denied', { pluginId: plugin.id, message: denial.message }));
    return process;
  }

  /** Who `name` belongs to, for a plugin other than `sender` to emit: another plugin (its id), the app, or nobody. */
  #eventOwner(name: string, sender: string): string | undefined {
    for (const id of this.#plugins.keys()) if (id !== sender && name.startsWith(`${id}.`)) return id;
    const reserved = this.#options.reservedEvents ?? ['*'];
    return reserved.some((pattern) => (pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern)) ? 'app' : undefined;
  }

  /** What every plugin's `ctx` reaches through its broker, after the grant check. */
  readonly #broker: BrokerCallbacks = {
    executeCommand: (_pluginId, command, args) => this.executeCommand(command, ...args),
    registerCommand: (pluginId, command) => {
      const owner = this.#commands.get(command);
      if (owner !== undefined && owner !== pluginId) throw new Error(`the command "${command}" belongs to ${owner}`);
      this.#commands.set(command, pluginId);
    },
    emitEvent: (pluginId, name, payload) => this.emitEvent(name, payload, pluginId),
    subscribe: (pluginId, name) => {
      this.#plugins.get(pluginId)?.subscriptions.add(name);
    },
    showMessage: (pluginId, level, text) => this.#events.emit('message', { pluginId, level, text }),
    log: (pluginId, level, message) => this.#events.emit('log', { pluginId, stream: level, line: message }),
  };
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

function enginesProblem(manifest: Manifest, hostVersion: string): string | undefined {
  const range = manifest.engines.warden;
  if (semver.satisfies(hostVersion, range, { includePrerelease: true })) return undefined;
  return `it requires Warden ${range} (engines.warden in package.json) but this is Warden ${hostVersion}`;
}

/** The findings the policy lets the user see: everything for a plugin's author, not what the tier hides. */
