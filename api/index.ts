/** `warden/api`: the types a plugin author codes against. */
export type { Disposable, EventOrigin, FetchResult, PluginContext, PluginModule } from './context.js';
export type { FetchRequest, LogLevel, MessageLevel, UserProfile } from './protocol.js';
