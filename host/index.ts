/**
 * `warden`: embed the extension host in an application.
 *
 *   const host = createHost({ pluginsDir: './plugins', dataDir: './.warden' });
 *   host.on('message', ({ pluginId, text }) => console.log(`[${pluginId}] ${text}`));
 *   await host.start();
 *   await host.executeCommand('hello.sayHello');
 */
export { createHost } from './host.js';
export type { Host, HostOptions, PluginInfo, PluginStatus } from './host.js';
export type { HostEventName, HostEvents, HostListener } from './events.js';
export { DEFAULT_LIMITS } from './limits.js';
export type { HostLimits } from './limits.js';
export type { PluginLimits } from './plugin-process.js';
export type { SupervisorLimits } from './supervisor.js';
export type { IsolationLevel } from './platform.js';
export { grantFromManifest } from './permissions.js';
export type { Grant } from './permissions.js';
export { verifyAuditLog } from './audit.js';
export { DataFolderInUse } from './data-lock.js';
export type { LockHolder } from './data-lock.js';
export type { PluginContext, PluginModule } from '../api/index.js';
