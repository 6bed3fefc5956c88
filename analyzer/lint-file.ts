/**
 * Runs the gate's rules on one source file and returns the raw reports they
 * made. A file the parser rejects under its expected source type is tried
 * under the other one; if it still fails, it is an `unanalyzable` report,
 * never an exception — together with whatever a second reading finds (the
 * other parser, or the file with its offending lines blanked out).
 */
import { extname } from 'node:path';
import type { RawReport } from '../rules/utils/report.js';
import { SOURCE_EXTENSIONS, TYPESCRIPT_EXTENSIONS } from '../rules/extensions.js';
import { captureLoads, LOAD_RECORDER_NAME, loadRecorder, type ImportedWrite, type LoadRecord } from '../rules/utils/load-records.js';
import type { ReExport } from '../rules/utils/exported-functions.js';
import { checkReport } from './checks.js';
import { rules as wardenRules } from '../rules/all.js';
import type { SourceType } from './files.js';
import { MissingParserError, ParseError, runRules, type ParserKind } from './rule-runner.js';

/** What linting one file gives the gate: the rules' raw reports and the modules the file loads. */
export interface LintResult {
  reports: RawReport[];
  loads: LoadRecord[];
  /** Exports whose value is proven in the data folder (`logFile`, `paths.state`); absent when none is. */
  dataExports?: string[];
  /** Exports whose value is a shared built-in (`''` for the module itself); absent when none is. */
  sharedExports?: string[];
  /** Exports that are another file's (`export { a } from './x'`); absent when there are none. */
  reExports?: ReExport[];
  /** Writes on values imported from other files, each a finding when that file exports a shared built-in there. */
  importedWrites?: ImportedWrite[];
}

/** Warden's rules and the module-graph recorder, run in one pass. */
const rules = { ...wardenRules, [LOAD_RECORDER_NAME]: loadRecorder };

/**
 * `filename` is the path relative to the plugin root; rules see it as the file's name.
 * JavaScript is parsed by espree, ESLint's own parser: about 3x faster than
 * the TypeScript parser on plain JS and the same findings on the bench
 * corpus; TypeScript files get the parser gateConfig names.
 */
export function lintSource(code: string, filename: string, sourceType: SourceType): LintResult {
  // Whatever the extension says, and in any case (`.JS`): TypeScript only for TypeScript files, everything else Node could run is JavaScript.
  const extension = extname(filename).toLowerCase();
  const parser: ParserKind = TYPESCRIPT_EXTENSIONS.has(extension) ? 'typescript' : 'espree';
  const { result: reports, loads, dataExports, sharedExports, reExports, importedWrites } = captureLoads(() => {
    try {
      return lintOrReject(code, filename, sourceType, parser);
    } catch (error) {
      // Not the file's fault and not to be cached: the run fails this file, with the reason (see lintPending).
      if (error instanceof MissingParserError) throw error;
      // A rule that throws (or a stack overflow on absurd nesting) must not let the file pass unread.
      return [checkReport('unanalyzable', 'failed', { reason: String((error as Error)?.message ?? error).split('\n')[0] })];
    }
  });
  return {
    reports,
    loads: dedupe(loads),
    ...(dataExports.length ? { dataExports: [...new Set(dataExports)] } : {}),
    ...(sharedExports.length ? { sharedExports: [...new Set(sharedExports)] } : {}),
    ...(reExports.length ? { reExports } : {}),
    ...(importedWrites.length ? { importedWrites } : {}),
  };
}

/** A file read twice (a goal that failed, a salvage attempt) records some loads twice. */
function dedupe(loads: LoadRecord[]): LoadRecord[] {
  const seen = new Set<string>();
  return loads.filter((load) => {
    const key = `${load.specifier}\0${load.prefix}\0${load.line}\0${load.via}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function lintOrReject(code: string, filename: string, sourceType: SourceType, parser: ParserKind): RawReport[] {
  const other: SourceType = sourceType === 'module' ? 'commonjs' : 'module';
  let first: ParseError | undefined;
  // The goal the file expects, then the other one (Node itself retries a .js file as a module).
  for (const type of [sourceType, other]) {
    try {
      return runRules(code, { rules, sourceType: type, parser, filename });
    } catch (error) {
      if (!(error instanceof ParseError)) throw error;
      first ??= error;
    }
  }
  const where = { line: first!.line, column: first!.column, endLine: first!.line, endColumn: first!.column };
  // A loaded file that is not named as code (`import './style.css'`) and is not JavaScript cannot run: Node refuses it.
  if (!SOURCE_EXTENSIONS.has(extname(filename).toLowerCase())) return [checkReport('unanalyzable', 'notJavaScript', { reason: first!.message }, where)];
  // Still unparsable: the gate cannot vouch for the file, but one bad construct must hide nothing else,
  // so it reads the file with the other parser, then with each offending line blanked out, and reports what that finds.
  const unanalyzable = checkReport('unanalyzable', 'parseError', { reason: first!.message }, where);
  return [unanalyzable, ...(salvage(code, filename, sourceType, parser) ?? [])];
}

/** At most this many lines are blanked out while salvaging a file. */
const MAX_BLANKED_LINES = 20;

/** Reports from the best reading of an unparsable file: another parser, then lines blanked one by one. */
function salvage(code: string, filename: string, sourceType: SourceType, parser: ParserKind): RawReport[] | undefined {
  const attempt = (text: string, with_: ParserKind): RawReport[] | ParseError => {
    try {
      return runRules(text, { rules, sourceType, parser: with_, filename: with_ === 'typescript' && parser === 'espree' ? `${filename}.tsx` : filename });
    } catch (error) {
      if (error instanceof ParseError) return error;
      throw error;
    }
  };
  const alternative = attempt(code, parser === 'espree' ? 'typescript' : 'espree');
  if (!(alternative instanceof ParseError)) return alternative;
  let text = code;
  for (let blanked = 0; blanked < MAX_BLANKED_LINES; blanked++) {
    const result = attempt(text, parser);
    if (!(result instanceof ParseError)) return result;
    const next = blankLine(text, result.line);
    if (next === text) return undefined;
    text = next;
  }
  return undefined;
}

/** `text` with line `line` (1-based) replaced by spaces, so every other position stays where it was. */
function blankLine(text: string, line: number): string {
  const lines = text.split('\n');
  if (line < 1 || line > lines.length || lines[line - 1].trim() === '') return text;
  lines[line - 1] = lines[line - 1].replace(/[^\r]/g, ' ');
  return lines.join('\n');
}
