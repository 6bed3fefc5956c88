/**
 * Runs the gate's rules on one source file and returns the raw reports they
 * made. A file the parser rejects under its expected source type is tried
 * under the other one; if it still fails, it is an `unanalyzable` report,
 * never an exception.
 */
import { extname } from 'node:path';
import type { RawReport } from '../rules/utils/report.js';
import { JAVASCRIPT_EXTENSIONS } from '../rules/extensions.js';
import { checkReport } from './checks.js';
import { rules } from '../rules/all.js';
import type { SourceType } from './files.js';
import { MissingParserError, ParseError, runRules, type ParserKind } from './rule-runner.js';

/**
 * `filename` is the path relative to the plugin root; rules see it as the file's name.
 * JavaScript is parsed by espree, ESLint's own parser: about 3x faster than
 * the TypeScript parser on plain JS and the same findings on the bench
 * corpus; TypeScript files get the parser gateConfig names.
 */
export function lintSource(code: string, filename: string, sourceType: SourceType): RawReport[] {
  const parser: ParserKind = JAVASCRIPT_EXTENSIONS.has(extname(filename)) ? 'espree' : 'typescript';
  try {
    return lintOrReject(code, filename, sourceType, parser);
  } catch (error) {
    // Not the file's fault and not to be cached: the run fails this file, with the reason (see lintPending).
    if (error instanceof MissingParserError) throw error;
    // A rule that throws (or a stack overflow on absurd nesting) must not let the file pass unread.
    return [checkReport('unanalyzable', 'failed', { reason: String((error as Error)?.message ?? error).split('\n')[0] })];
  }
}

function lintOrReject(code: string, filename: string, sourceType: SourceType, parser: ParserKind): RawReport[] {
  let first: ParseError;
  try {
    return runRules(code, { rules, sourceType, parser, filename });
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    first = error;
  }
  try {
    return runRules(code, { rules, sourceType: sourceType === 'module' ? 'commonjs' : 'module', parser, filename });
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
  }
  const { message, line, column } = first;
  return [checkReport('unanalyzable', 'parseError', { reason: message }, { line, column, endLine: line, endColumn: column })];
}
