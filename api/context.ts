/**
 * What a plugin's `activate(ctx)` receives: its only door to the app. Every
 * call goes over JSON-RPC to the host, which checks it against the plugin's
 * grant and writes it to the audit log.
 */
import type { FetchRequest, LogLevel, MessageLevel, UserProfile } from './protocol.js';

export interface Disposable {
  dispose(): void | Promise<void>;
}

export interface FetchResult {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  ok: boolean;
  text(): string;
  json<T = unknown>(): T;
  bytes(): Uint8Array;
}

/** Who sent an event, as the host vouches: set by the host, never by the sender. */
export interface EventOrigin {
  name: string;
  from: string;
}

export interface PluginContext {
  readonly pluginId: string;
  readonly dataDir: string;
  readonly commands: {
    register(command: string, handler: (...args: any[]) => unknown): Disposable;
    execute<T = unknown>(command: string, ...args: unknown[]): Promise<T>;
  };
  readonly events: {
    /** `event.from` is who emitted it: a plugin's id, or `'app'` for the application itself. */
    on(name: string, listener: (payload: unknown, event: EventOrigin) => void): Disposable;
    /** Emits `name`, which must start with this plugin's id and a dot unless the app opens other names to plugins. */
    emit(name: string, payload?: unknown): Promise<void>;
  };
  readonly storage: {
    get<T = unknown>(key: string): Promise<T | undefined>;
    set(key: string, value: unknown): Promise<void>;
    delete(key: string): Promise<void>;
    keys(): Promise<string[]>;
  };
  readonly window: {
    showMessage(text: string, level?: MessageLevel): Promise<void>;
  };
  readonly net: {
    fetch(url: string, init?: Omit<FetchRequest, 'url'>): Promise<FetchResult>;
  };
  readonly user: {
    /** Only what the app chose to share (display name, locale); fields it did not share are absent. */
    profile(): Promise<UserProfile>;
  };
  readonly config: Readonly<Record<string, unknown>>;
  readonly log: Record<LogLevel, (...parts: unknown[]) => void>;
  /** Disposed, in reverse order, when the plugin is deactivated. */
  readonly subscriptions: Disposable[];
}

export interface PluginModule {
  activate(ctx: PluginContext): void | Promise<void>;
  deactivate?(): void | Promise<void>;
}
