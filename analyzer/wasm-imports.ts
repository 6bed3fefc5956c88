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
 * What a module may import is the WASM plugin API (api/wasm-api.ts): one
 * list, read by the gate here and linked by the host (host/wasm/).
 */
import type { Capability } from '../rules/meta.js';
import type { RawReport } from '../rules/utils/report.js';
import { commandExport, importKind, WASI, WARDEN_FUNCTIONS, type WardenFunction, type WardenFunctionName, type WasiGroup } from '../api/wasm-api.js';
import { checkReport } from './checks.js';
import { importRanges } from './wasm-sections.js';
import type { Manifest } from './types.js';

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
