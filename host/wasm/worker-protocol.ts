/**
 * What the host thread and a WASM plugin's worker (worker.ts) say to each other: Warden's own messages, not the
 * plugin API (that is the host functions, analyzer/wasm-imports.ts, answered by the broker).
 */

import type { MessagePort } from 'node:worker_threads';

export interface WorkerSetup {
  module: WebAssembly.Module;
  /** Extism config (`config_get`): the plugin's config, each value as text. */
  config: Record<string, string>;
  /** Whether to link WASI (the module imports it), and the folders it may open: guest path → host path. */
  wasi: boolean;
  preopens: Record<string, string>;
  /** Warden host functions the module imports (the only ones linked). */
  wardenFunctions: string[];
  /** Extism's own HTTP functions (http_request, http_status_code) are linked, through the broker's net/fetch. */
  extismHttp: boolean;
  /** Host function answers come back through this: [0] the flag, [1] the length, then the UTF-8 JSON. */
  shared: SharedArrayBuffer;
  /** Calls and pings arrive on this port, taken with receiveMessageOnPort when the doorbell rings. */
  requests: MessagePort;
  /** One Int32 the host adds to after each request it posts, and notifies: the idle worker waits on it. */
  doorbell: SharedArrayBuffer;
  /** Bytes of Extism memory (alloc) one call may take; Extism keeps those blocks outside the module's memory. */
  allocBytesPerCall: number;
}

/** Host thread → worker. */
export type WorkerRequest = { type: 'call'; id: number; name: string; input: string } | { type: 'ping'; id: number };

/** Worker → host thread. */
export type WorkerMessage =
  | { type: 'ready'; memoryBytes: number }
  | { type: 'failed'; error: string }
  | { type: 'answer'; id: number; output?: string | null; error?: string; memoryBytes: number }
  /** The module trapped (or went over a bound): the answer to the call, then this worker ends. */
  | { type: 'trapped'; id: number; reason: string; memoryBytes: number }
  | { type: 'host'; name: string; params: string };

export const ANSWER_HEADER_BYTES = 8;
