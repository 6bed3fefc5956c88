/**
 * Analysis of code that is evaluated from a compile-time constant string
 * (`eval('…')`, `new Function('…')`, `vm.runInThisContext('…')`): the string
 * is linted with the gate's own rules, so `Function('return this')()` stays
 * quiet and `new Function("require('child_process')…")` is a child-process
 * finding. Nesting is bounded so a string that evaluates itself cannot recurse.
 */
import { createRequire } from 'node:module';
import type { Linter } from 'eslint';
import { captureReports, type RawReport } from './report.js';

export type EvaluatedSourceType = 'script' | 'module';
type GateConfig = (sourceType: EvaluatedSourceType) => Linter.Config[];
// Registered by rules/index.ts: importing it here would be an import cycle
// (index → no-dynamic-code → embedded → index).
let gateConfig: GateConfig | undefined;

export function useGateConfig(config: GateConfig): void {
  gateConfig = config;
}

/** Lints evaluated code as a script or a module (with the gate config's parser): its raw reports, or undefined if it does not parse. */
export type EvaluatedCodeLinter = (source: string, sourceType: EvaluatedSourceType) => RawReport[] | undefined;
// Set by the gate's own rule runner (analyzer/rule-runner.ts) while it runs
// the rules without ESLint; otherwise ESLint's Linter is used.
let evaluatedCodeLinter: EvaluatedCodeLinter | undefined;

/** Runs `fn` with evaluated code linted by `lint` instead of ESLint. */
export function withEvaluatedCodeLinter<T>(lint: EvaluatedCodeLinter, fn: () => T): T {
  const previous = evaluatedCodeLinter;
  evaluatedCodeLinter = lint;
  try {
    return fn();
  } finally {
    evaluatedCodeLinter = previous;
  }
}

const MAX_NESTING = 4;
let nesting = 0;
let linter: Linter | undefined;
// ESLint is loaded only when evaluated code is met without the gate's runner.
const require = createRequire(import.meta.url);

function lintWithEslint(source: string, sourceType: EvaluatedSourceType): RawReport[] | undefined {
  if (!gateConfig) throw new Error("Warden's rules need the plugin loaded: import 'warden/eslint-plugin'");
  linter ??= new (require('eslint') as typeof import('eslint')).Linter({ configType: 'flat' });
  const { result, reports } = captureReports(() => linter!.verify(source, gateConfig!(sourceType), 'evaluated.js'));
  return result.some((message) => message.fatal) ? undefined : reports;
}

/** Reports for `code`, or undefined when it is not JavaScript (so it cannot run) or nests too deep. A `data:` module is linted as a module. */
export function lintEvaluatedCode(code: string, asFunctionBody: boolean, sourceType: EvaluatedSourceType = 'script'): RawReport[] | undefined {
  if (nesting >= MAX_NESTING) return undefined;
  // A Function body may `return` at top level; the commonjs wrapper allows that.
  const source = asFunctionBody ? `(function () {\n${code}\n})` : code;
  nesting++;
  try {
    return (evaluatedCodeLinter ?? lintWithEslint)(source, sourceType);
  } finally {
    nesting--;
  }
}
