/**
 * The gate's reading of a WebAssembly plugin. A module has no ambient
 * authority: its import section is the whole list of what it can ask the host
 * for, so the gate reads it (WebAssembly.Module.imports) and judges each
 * import exactly: a Warden or Extism host function is mapped to the
 * capability it uses (cross-checked with the manifest like any other use),
 * WASI functions are shown, and anything else — a function nobody provides, or
 * a memory, table or global the host would have to hand in — is critical. The
 * export section says whether each contributed command has its function.
 *
 * This table is also what the host links (host/wasm/): one list of the
 * functions a WASM plugin may import, read by the gate and the runtime alike.
 */
import type { Capability } from '../rules/meta.js';
import type { RawReport } from '../rules/utils/report.js';
import { checkReport } from './checks.js';
import { importRanges } from './wasm-sections.js';
import type { Manifest } from './types.js';

/** The namespace Extism's PDKs import host functions from (Rust `#[host_fn]`, Go `//go:wasmimport`, AssemblyScript `@external`). */
export const WARDEN_NAMESPACE = 'extism:host/user';
/** Extism's own kernel: memory blocks, input and output, config, vars, logging, HTTP. */
export const EXTISM_NAMESPACE = 'extism:host/env';
export const WASI_NAMESPACE = 'wasi_snapshot_preview1';

interface WardenFunction {
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

type WasiGroup = 'filesystem' | 'clock' | 'random' | 'environment' | 'process';

/** WASI preview 1, by what each function touches. `fd_*` on stdio is the plugin's log; on a preopen, the file system. */
const WASI: Record<string, WasiGroup> = {
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

const WASI_MESSAGE: Record<WasiGroup, string> = {
  filesystem: 'wasiFilesystem',
  clock: 'wasiClock',
  random: 'wasiRandom',
  environment: 'wasiEnvironment',
  process: 'wasiProcess',
};

/** How the gate names an import: `module::name`, the location of a WebAssembly finding (a module has no lines). */
export function importName(module: string, name: string): string {
  // A module names its imports with any text it likes: long names are cut, as the gate cuts any text it quotes.
  return `${module.slice(0, MAX_NAME)}::${name.slice(0, MAX_NAME)}`;
}

const MAX_NAME = 120;

export interface WasmReading {
  reports: RawReport[];
  /** The module's exported function names; undefined when it does not validate. */
  exports: string[] | undefined;
}

/** Reads the module's imports and exports; a module that does not validate is unanalyzable, not an error. */
export function readWasmModule(bytes: Uint8Array, manifest: Pick<Manifest, 'contributes'>): WasmReading {
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(bytes);
  } catch (error) {
    const reason = (error as Error).message.replace(/^WebAssembly\.Module\(\): /, '');
    return { reports: [checkReport('unanalyzable', 'invalidWasm', { reason })], exports: undefined };
  }
  const ranges = importRanges(bytes);
  const reports = WebAssembly.Module.imports(module).flatMap((entry, index) => importReports(entry, ranges[index]));
  const exports = WebAssembly.Module.exports(module).filter((entry) => entry.kind === 'function').map((entry) => entry.name);
  for (const { command } of manifest.contributes?.commands ?? []) {
    const name = commandExport(command);
    if (!exports.includes(name)) reports.push(withSymbol(checkReport('manifest', 'commandExportMissing', { command, export: name }), name));
  }
  return { reports, exports };
}

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

/**
 * A binary has no lines: a WASM finding is on line 1 with 1-based byte columns, the import entry's range in the
 * module (what SARIF's byte regions and a hex viewer want), and its symbol is the import's name.
 */
function importReports(entry: WebAssembly.ModuleImportDescriptor, range: { start: number; end: number } | undefined): RawReport[] {
  const symbol = importName(entry.module, entry.name);
  const loc = range ? { line: 1, column: range.start + 1, endLine: 1, endColumn: range.end + 1 } : undefined;
  const report = (messageId: string, capability?: Capability): RawReport[] => [
    withSymbol(checkReport('wasm-import', messageId, { import: symbol, kind: entry.kind, capability: capability ?? '' }, loc), symbol),
  ];
  switch (importKind(entry)) {
    case 'warden': {
      const { capability } = WARDEN_FUNCTIONS[entry.name as WardenFunctionName] as WardenFunction;
      return capability ? report(capability, capability) : [];
    }
    case 'extism':
      return [];
    case 'extism-http':
      return report('network', 'network');
    case 'wasi':
      return report(WASI_MESSAGE[WASI[entry.name]]);
    case 'unknown':
      return report('unknownImport');
  }
}

function withSymbol(report: RawReport, symbol: string): RawReport {
  return { ...report, symbol };
}

/** The exported function a contributed command calls: the command id's last dot-separated part, `-` read as `_`. */
export function commandExport(command: string): string {
  return command.slice(command.lastIndexOf('.') + 1).replaceAll('-', '_');
}

/** Whether a manifest's entry module is a WebAssembly plugin. */
export function isWasmMain(main: string): boolean {
  return /\.wasm$/i.test(main);
}
