/**
 * Analysis of code that is evaluated from a compile-time constant string
 * (`eval('…')`, `new Function('…')`, `vm.runInThisContext('…')`): the string
 * is linted with the gate's own rules, so `Function('return this')()` stays
 * quiet and `new Function("require('child_process')…")` is a child-process
 * finding. Nesting is bounded so a string that evaluates itself cannot recurse.
 */
import { Linter } from 'eslint';
import { captureReports, type RawReport } from './report.js';

type GateConfig = (sourceType: 'script') => Linter.Config[];
// Registered by rules/index.ts: importing it here would be an import cycle
// (index → no-dynamic-code → embedded → index).
let gateConfig: GateConfig | undefined;

export function useGateConfig(config: GateConfig): void {
  gateConfig = config;
}

const MAX_NESTING = 4;
let nesting = 0;
let linter: Linter | undefined;

/** Reports for `code`, or undefined when it is not JavaScript (so it cannot run) or nests too deep. */
export function lintEvaluatedCode(code: string, asFunctionBody: boolean): RawReport[] | undefined {
  if (nesting >= MAX_NESTING) return undefined;
  if (!gateConfig) throw new Error("Warden's rules need the plugin loaded: import 'warden/eslint-plugin'");
  linter ??= new Linter({ configType: 'flat' });
  // A Function body may `return` at top level; the commonjs wrapper allows that.
  const source = asFunctionBody ? `(function () {\n${code}\n})` : code;
  nesting++;
  try {
    const { result, reports } = captureReports(() => linter!.verify(source, gateConfig!('script'), 'evaluated.js'));
    if (result.some((message) => message.fatal)) return undefined;
    return reports;
  } finally {
    nesting--;
  }
}
