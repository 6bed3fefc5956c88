/**
 * Every bound the host enforces on a plugin, in one place with its default,
 * so docs/host.md, the CLI and an embedding app all speak of the same numbers.
 */
import type { PluginLimits } from './plugin-process.js';
import { DEFAULT_SUPERVISOR_LIMITS, type SupervisorLimits } from './supervisor.js';

export type HostLimits = SupervisorLimits & PluginLimits;

export const DEFAULT_LIMITS: HostLimits = {
  ...DEFAULT_SUPERVISOR_LIMITS,
  heapMb: 128,
  maxMessageBytes: 4 * 1024 * 1024,
  maxMessagesPerSecond: 5000,
  fetchTimeoutMs: 10_000,
  fetchMaxBytes: 8 * 1024 * 1024,
  storageQuotaBytes: 4 * 1024 * 1024,
  logLinesPerSecond: 100,
};

export function processLimits(limits: HostLimits): PluginLimits {
  const { heapMb, maxMessageBytes, maxMessagesPerSecond, fetchTimeoutMs, fetchMaxBytes, storageQuotaBytes, logLinesPerSecond } = limits;
  return { heapMb, maxMessageBytes, maxMessagesPerSecond, fetchTimeoutMs, fetchMaxBytes, storageQuotaBytes, logLinesPerSecond };
}
