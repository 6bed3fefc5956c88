/**
 * The WASM plugin API: what a module may import, and what each import is.
 * One list, read by the gate (analyzer/wasm-imports.ts judges each import)
 * and by the runtime (host/wasm/ links only these), wherever the module runs.
 * Documented for authors in docs/wasm.md.
 */
import { posix } from 'node:path';
import type { Capability } from '../rules/meta.js';

/** The namespace Extism's PDKs import host functions from (Rust `#[host_fn]`, Go `//go:wasmimport`, AssemblyScript `@external`). */
export const WARDEN_NAMESPACE = 'extism:host/user';
/** Extism's own kernel: memory blocks, input and output, config, vars, logging, HTTP. */
export const EXTISM_NAMESPACE = 'extism:host/env';
export const WASI_NAMESPACE = 'wasi_snapshot_preview1';

export interface WardenFunction {
  /** The host API method (api/protocol.ts HostApi) the function calls, with the JSON it is given as its params. */
  method: string;
  capability?: Capability;
}

/**
 * Warden's host functions: each takes the offset of a JSON params object in Extism memory and returns the offset of
 * a JSON answer (`{"result": …}` or `{"error": "…", "denied": bool}`). The host checks every name here against the
 * protocol at compile time (host/wasm/host-functions.ts).
 */
export const WARDEN_FUNCTIONS = {
  commands_execute: { method: 'commands/execute' },
  events_subscribe: { method: 'events/subscribe' },
  events_emit: { method: 'events/emit' },
  storage_get: { method: 'storage/get' },
  storage_set: { method: 'storage/set' },
  storage_delete: { method: 'storage/delete' },
  storage_keys: { method: 'storage/keys' },
  window_show_message: { method: 'window/showMessage' },
  log_write: { method: 'log/write' },
  user_profile: { method: 'user/profile' },
  net_fetch: { method: 'net/fetch', capability: 'network' },
} as const satisfies Record<string, WardenFunction>;

export type WardenFunctionName = keyof typeof WARDEN_FUNCTIONS;

/** Extism kernel functions that reach nothing outside the plugin's own memory, input, output, config and log. */
const EXTISM_KERNEL = new Set([
  'alloc', 'free', 'length', 'length_unsafe', 'load_u8', 'load_u64', 'store_u8', 'store_u64',
  'input_offset', 'input_length', 'input_load_u8', 'input_load_u64', 'output_set', 'error_set',
  'config_get', 'var_get', 'var_set', 'log_warn', 'log_info', 'log_debug', 'log_error',
]);
/** Extism's HTTP: the host performs it through Warden's broker, so it is the network capability like net_fetch. */
const EXTISM_NETWORK = new Set(['http_request', 'http_status_code']);

export type WasiGroup = 'filesystem' | 'clock' | 'random' | 'environment' | 'process';

/** WASI preview 1, by what each function touches. `fd_*` on stdio is the plugin's log; on a preopen, the file system. */
export const WASI: Record<string, WasiGroup> = {
  ...Object.fromEntries(
    ['fd_advise', 'fd_allocate', 'fd_close', 'fd_datasync', 'fd_fdstat_get', 'fd_fdstat_set_flags', 'fd_fdstat_set_rights', 'fd_filestat_get',
      'fd_filestat_set_size', 'fd_filestat_set_times', 'fd_pread', 'fd_prestat_get', 'fd_prestat_dir_name', 'fd_pwrite', 'fd_read', 'fd_readdir',
      'fd_renumber', 'fd_seek', 'fd_sync', 'fd_tell', 'fd_write', 'path_create_directory', 'path_filestat_get', 'path_filestat_set_times',
      'path_link', 'path_open', 'path_readlink', 'path_remove_directory', 'path_rename', 'path_symlink', 'path_unlink_file'].map((name) => [name, 'filesystem']),
  ),
  clock_res_get: 'clock',
  clock_time_get: 'clock',
  random_get: 'random',
  args_get: 'environment',
  args_sizes_get: 'environment',
  environ_get: 'environment',
  environ_sizes_get: 'environment',
  proc_exit: 'process',
  proc_raise: 'process',
  sched_yield: 'process',
  poll_oneoff: 'clock',
};

/** What an import is: one of Warden's functions, Extism's kernel or its HTTP, WASI, or something nobody provides. */
export type ImportKind = 'warden' | 'extism' | 'extism-http' | 'wasi' | 'unknown';

export function importKind({ module, name, kind }: WebAssembly.ModuleImportDescriptor): ImportKind {
  if (kind !== 'function') return 'unknown';
  if (module === WARDEN_NAMESPACE && Object.hasOwn(WARDEN_FUNCTIONS, name)) return 'warden';
  if (module === EXTISM_NAMESPACE && EXTISM_KERNEL.has(name)) return 'extism';
  if (module === EXTISM_NAMESPACE && EXTISM_NETWORK.has(name)) return 'extism-http';
  if (module === WASI_NAMESPACE && Object.hasOwn(WASI, name)) return 'wasi';
  return 'unknown';
}

/** The exported function a contributed command calls: the command id's last dot-separated part, `-` read as `_`. */
export function commandExport(command: string): string {
  return command.slice(command.lastIndexOf('.') + 1).replaceAll('-', '_');
}

/** Whether a manifest's entry module is a WebAssembly plugin. */
export function isWasmMain(main: string): boolean {
  return /\.wasm$/i.test(main);
}

/** The module's path inside its package as the gate names it (its key in the analysis's hashes). */
export function wasmEntryPath(main: string): string {
  return posix.normalize(main.replaceAll('\\', '/'));
}

/** Whether an import, named `module::name` as the gate's findings name it, is a WASI function that touches files. */
export function isWasiFileImport(symbol: string | undefined): boolean {
  return symbol !== undefined && symbol.startsWith(`${WASI_NAMESPACE}::`) && WASI[symbol.slice(WASI_NAMESPACE.length + 2)] === 'filesystem';
}
