/**
 * The host's typed lifecycle events: what an embedding app (and `warden run
 * --json`) listens to. One map from event name to payload, so `host.on()`
 * is checked by the compiler and the CLI can print any event generically.
 */
import { EventEmitter } from 'node:events';
import type { Decision, Finding, Tier } from '../analyzer/types.js';
import type { IsolationLevel } from './platform.js';
import type { RegistryStatus } from './registry/client.js';

export interface PluginRef {
  pluginId: string;
}

export interface HostEvents {
  /** The gate read the plugin; `findings` are what the policy shows for its tier. */
  analyzed: PluginRef & { version: string; tier: Tier; dev: boolean; decision: Decision; findings: Finding[]; cached: number };
  /** Refused: the gate's verdict, an `engines.warden` mismatch, or files changed since analysis. */
  blocked: PluginRef & { reasons: string[] };
  /** Loaded after showing these warnings. */
  warned: PluginRef & { reasons: string[] };
  /** `isolation`: the level it runs with (strict, namespaces, none). */
  activated: PluginRef & { pid: number | undefined; reason: string; ms: number; isolation: IsolationLevel | undefined };
  deactivated: PluginRef & { reason: string };
  /** The process died or was killed (`reason` says which and why). */
  crashed: PluginRef & { reason: string; crashes: number };
  restarted: PluginRef & { attempt: number; delayMs: number };
  /** Too many crashes (no more restarts until enabled or the host starts again), or `host.disable()` (off until enabled). */
  disabled: PluginRef & { reason: string };
  /** `host.enable()` turned it back on; `was` is why it had been off. */
  enabled: PluginRef & { was: string };
  /** A start failed for a reason outside the plugin (a full or read-only disk): not a crash; tried again after `retryInMs`. */
  'start-failed': PluginRef & { reason: string; retryInMs: number };
  /** A `ctx` call the plugin's grant does not allow. */
  denied: PluginRef & { message: string };
  /** `ctx.window.showMessage` */
  message: PluginRef & { level: 'info' | 'warning' | 'error'; text: string };
  /** A line the plugin wrote to stdout/stderr or `ctx.log`. */
  log: PluginRef & { stream: string; line: string };
  /** The plugin's `storage.json` could not be read as a store: moved aside to `file`, the store starts empty. */
  'storage-corrupt': PluginRef & { file: string; reason: string };
  /** What the audit log's open found and recorded about the log itself (`pluginId` is 'warden'). */
  'audit-repaired': PluginRef & { kind: string; message: string };
  /** The registry's state: at start, and after every refresh (successful or not). */
  registry: RegistryStatus;
}

export type HostEventName = keyof HostEvents;
export type HostListener<E extends HostEventName> = (payload: HostEvents[E]) => void;

export const HOST_EVENT_NAMES: readonly HostEventName[] = [
  'analyzed', 'blocked', 'warned', 'activated', 'deactivated', 'crashed', 'restarted', 'disabled', 'enabled', 'denied', 'message', 'log',
  'start-failed', 'storage-corrupt', 'audit-repaired', 'registry',
];

/** An EventEmitter whose `emit`/`on` only accept the events above with their payloads. */
export class HostEventEmitter {
  readonly #emitter = new EventEmitter();

  on<E extends HostEventName>(event: E, listener: HostListener<E>): () => void {
    // A throwing listener is the app's bug: it surfaces as the app's uncaught exception, but only after the
    // host has finished the step it was reporting (a crash must still lead to its restart).
    const guarded = (payload: HostEvents[E]) => {
      try {
        listener(payload);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    };
    this.#emitter.on(event, guarded);
    return () => this.#emitter.off(event, guarded);
  }

  emit<E extends HostEventName>(event: E, payload: HostEvents[E]): void {
    this.#emitter.emit(event, payload);
  }
}
