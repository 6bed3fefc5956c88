/**
 * Every bound the host enforces on a plugin, in one place with its default,
 * so docs/host.md, the CLI and an embedding app all speak of the same numbers.
 */
import type { PluginLimits } from './plugin-process.js';
import { DEFAULT_SUPERVISOR_LIMITS, type SupervisorLimits } from './supervisor.js';
import type { WasmLimits } from './wasm/wasm-worker.js';

export type HostLimits = SupervisorLimits & PluginLimits & WasmLimits;

export const DEFAULT_LIMITS: HostLimits = {
  ...DEFAULT_SUPERVISOR_LIMITS,
  heapMb: 128,
  maxMessageBytes: 4 * 1024 * 1024,
  maxMessagesPerSecond: 5000,
  maxQueuedBytes: 32 * 1024 * 1024,
  maxCallsInFlight: 256,
  fetchTimeoutMs: 10_000,
  fetchMaxBytes: 8 * 1024 * 1024,
  storageQuotaBytes: 4 * 1024 * 1024,
  dataQuotaBytes: 64 * 1024 * 1024,
  dataMaxEntries: 10_000,
  openFiles: 256,
  processes: 128,
  logLinesPerSecond: 100,
  messagesPerSecond: 20,
  auditBytesPerMinute: 32 * 1024 * 1024,
  auditBytesTotal: 512 * 1024 * 1024,
  wasmMemoryMb: 64,
  wasmAllocMbPerCall: 16,
};

/** The bounds the plugin's process enforces itself (the rest are the supervisor's); memoryMb sets its data-segment limit. */
export function processLimits(limits: HostLimits): PluginLimits {
  const {
    heapMb, memoryMb, maxMessageBytes, maxMessagesPerSecond, maxQueuedBytes, maxCallsInFlight, fetchTimeoutMs, fetchMaxBytes,
    storageQuotaBytes, dataQuotaBytes, dataMaxEntries, openFiles, processes, logLinesPerSecond, messagesPerSecond, auditBytesPerMinute,
    auditBytesTotal,
  } = limits;
  return {
    heapMb, memoryMb, maxMessageBytes, maxMessagesPerSecond, maxQueuedBytes, maxCallsInFlight, fetchTimeoutMs, fetchMaxBytes,
    storageQuotaBytes, dataQuotaBytes, dataMaxEntries, openFiles, processes, logLinesPerSecond, messagesPerSecond, auditBytesPerMinute,
    auditBytesTotal,
  };
}
