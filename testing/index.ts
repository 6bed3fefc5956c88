/**
 * `warden/testing`: a plugin's own tests run it in a real host — through the
 * gate, in its sandboxed process, over JSON-RPC — and assert on what the
 * host saw: command results, messages, storage, denials, the audit log.
 * Works from vitest, node's test runner or any other.
 *
 *   const plugin = await startPlugin('.');
 *   assert.equal(await plugin.run('hello.sayHello', 'Ada'), 'Hello, Ada!');
 *   assert.deepEqual(plugin.messages, [{ level: 'info', text: 'Hello, Ada!' }]);
 *   await plugin.stop();
 *
 * The plugin is loaded as a development plugin (its findings are recorded in
 * `findings`, never block), in a data folder of its own that `stop()`
 * removes. What it is granted is what its manifest declares unless
 * `capabilities` says otherwise, so denials are tested as users would meet them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { defaultCacheDir } from '../analyzer/cache.js';
import type { Decision, Finding, Tier } from '../analyzer/types.js';
import { readAuditLog, type AuditEntry } from '../host/audit.js';
import { createHost, type Host } from '../host/host.js';
import type { HostEvents } from '../host/events.js';
import { DEFAULT_LIMITS, type HostLimits } from '../host/limits.js';
import { grantFromManifest } from '../host/permissions.js';
import { PluginStorage } from '../host/storage.js';
import type { DeclaredCapabilities } from '../rules/utils/manifest.js';

export interface StartOptions {
  /** What the user granted, in the manifest's `capabilities` shape (default: what the manifest declares). */
  capabilities?: DeclaredCapabilities;
  /** `ctx.config`. */
  config?: Record<string, unknown>;
  /** The tier the gate judges it for, so `decision` says what users of that tier would get (default: unregistered). */
  tier?: Tier;
  /** Any of the host's bounds (timeouts, memory, restarts). */
  limits?: Partial<HostLimits>;
}

export type Message = Omit<HostEvents['message'], 'pluginId'>;
export type LogLine = Omit<HostEvents['log'], 'pluginId'>;

export interface PluginUnderTest {
  readonly id: string;
  /** What the gate found, and what it decided for the tier. */
  readonly findings: Finding[];
  readonly decision: Decision;
  /** `ctx.window.showMessage` calls, in order. */
  readonly messages: Message[];
  /** `ctx` calls the grant refused, as the host words them. */
  readonly denials: string[];
  /** The plugin's stdout/stderr lines and `ctx.log` calls. */
  readonly logs: LogLine[];
  /** Why its process stopped, each time it did (a crash, the supervisor killing it). */
  readonly crashes: string[];
  /** The host itself, for anything else. */
  readonly host: Host;
  /** Runs one of its commands (activating it first if need be) and returns the result. */
  run<T = unknown>(command: string, ...args: unknown[]): Promise<T>;
  /** Delivers an event to it (and any other listener). */
  emit(name: string, payload?: unknown): Promise<void>;
  /** What `ctx.storage` holds now, read as the host stores it. */
  storage(): Promise<Record<string, unknown>>;
  /** The audit log's entries for this plugin. */
  audit(): AuditEntry[];
  /** Stops the plugin and the host, and removes the data folder. */
  stop(): Promise<void>;
}

export async function startPlugin(path: string, options: StartOptions = {}): Promise<PluginUnderTest> {
  const root = resolve(path);
  const dataDir = mkdtempSync(join(tmpdir(), 'warden-testing-'));
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const host = createHost({
    dataDir,
    devPaths: [root],
    // The user's analysis cache (keyed by content), so a test run over unchanged files reads them once.
    cacheDir: defaultCacheDir(),
    limits,
    ...(options.tier ? { tierOf: () => options.tier! } : {}),
    ...(options.config ? { configFor: () => options.config! } : {}),
    ...(options.capabilities
      ? { grantFor: (plugin) => grantFromManifest(options.capabilities, { pluginRoot: plugin.root, dataDir: plugin.dataDir, home: homedir() }) }
      : {}),
  });
  const messages: Message[] = [];
  const denials: string[] = [];
  const logs: LogLine[] = [];
  const crashes: string[] = [];
  const refusals: string[] = [];
  let analyzed: HostEvents['analyzed'] | undefined;
  host.on('message', ({ level, text }) => messages.push({ level, text }));
  host.on('denied', ({ message }) => denials.push(message));
  host.on('log', ({ stream, line }) => logs.push({ stream, line }));
  host.on('crashed', ({ reason }) => crashes.push(reason));
  host.on('blocked', ({ reasons }) => refusals.push(...reasons));
  host.on('analyzed', (event) => {
    analyzed = event;
  });
  const stop = async () => {
    await host.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await host.start();
  } catch (error) {
    await stop();
    throw error;
  }
  const info = host.plugins()[0];
  if (!info || info.state === 'blocked' || !analyzed) {
    await stop();
    throw new Error(`warden/testing: ${path} cannot be loaded: ${refusals.join('; ') || 'the gate could not read it'}`);
  }
  const pluginDataDir = join(dataDir, 'plugins', info.id);
  return {
    id: info.id,
    findings: analyzed.findings,
    decision: analyzed.decision,
    messages,
    denials,
    logs,
    crashes,
    host,
    run: (command, ...args) => host.executeCommand(command, ...args),
    emit: (name, payload) => host.emitEvent(name, payload),
    storage: async () => {
      // A fresh reader each time: the broker's own instance writes every change to disk before answering the plugin.
      const store = new PluginStorage(pluginDataDir, limits.storageQuotaBytes);
      const keys = await store.keys();
      const values = await Promise.all(keys.map(async (key) => [key, (await store.get(key)).value] as const));
      return Object.fromEntries(values);
    },
    audit: () => readAuditLog(host.auditLogPath).filter((entry) => entry.pluginId === info.id),
    stop,
  };
}
