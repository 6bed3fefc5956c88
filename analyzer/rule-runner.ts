/**
 * The gate's own rule runner: it runs Warden's ESLint rules on one file
 * without ESLint's Linter. The gate needs none of what makes the Linter slow
 * for it — code-path analysis, esquery selector matching, config
 * normalisation on every call, tokens, directive processing — so it parses,
 * analyzes scopes, sets `parent` on every node, then makes one traversal
 * calling the rules' `Type` / `Type:exit` listeners. Everything the rules
 * see (AST, scopes, globals, listener order, `sourceCode` methods) is built
 * exactly as ESLint builds it for the gate's config, but for `loc`, which
 * JavaScript nodes do not carry (a report's place comes from its range), and
 * `range`, which their prototype computes;
 * the differential test (test/analyzer/rule-runner.test.ts) checks the
 * reports, places included, on a real corpus.
 *
 * There is deliberately no directive processing: `eslint-disable` comments
 * suppress nothing here, and no-eslint-disable still sees every comment.
 */
import { createRequire } from 'node:module';
import type { Rule, Scope } from 'eslint';
import * as espree from 'espree';
import { analyze } from 'eslint-scope';
import { getKeys } from 'eslint-visitor-keys';
import type { AnyNode } from '../rules/utils/ast.js';
import { withEvaluatedCodeLinter } from '../rules/utils/embedded.js';
import { captureReports, type RawReport } from '../rules/utils/report.js';
import type { WardenRule } from '../rules/meta.js';
import { readShippedJson } from './warden-package.js';

export type SourceType = 'module' | 'commonjs' | 'script';
/** `espree` is what the gate uses for JavaScript; `typescript` is @typescript-eslint/parser, as gateConfig names it. */
export type ParserKind = 'espree' | 'typescript';

/** ESLint 10's `ecmaVersion: 'latest'`, as it hands it to parsers and scope analysis. */
const ECMA_VERSION = 2026;
const RULE_OPTIONS = [{ minSeverity: 'info' }];
const SHEBANG = /^#!([^\r\n\u2028\u2029]*)/u;
const LINE_BREAK = /\r\n|[\r\n\u2028\u2029]/gu;
const LISTENER_KEY = /^[A-Z][A-Za-z]*(:exit)?$/;

/** A file the parser rejected, with ESLint's message and position for it. */
export class ParseError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

type VisitorKeys = Readonly<Record<string, readonly string[] | undefined>>;
interface ScopeManager {
  scopes: Scope.Scope[];
  acquire(node: AnyNode, inner?: boolean): Scope.Scope | null;
  addGlobals(names: string[]): void;
}
interface Parsed {
  ast: AnyNode;
  /** Absent for espree: its scopes are analyzed after the walk, which tells whether the fast visitor keys are exact. */
  scopeManager: ScopeManager | undefined;
  visitorKeys: VisitorKeys;
}

const require = createRequire(import.meta.url);

/**
 * The globals ESLint adds to the global scope for `ecmaVersion: 'latest'`
 * (and `commonjs`). ESLint's own table (conf/globals.js, which its package
 * does not export) is shipped as analyzer/eslint-globals.json, so the gate
 * needs no ESLint at run time; a test holds the copy to the installed ESLint.
 */
interface EslintGlobals {
  es2026: string[];
  commonjs: string[];
}
let eslintGlobals: EslintGlobals | undefined;
const globalNames = new Map<SourceType, string[]>();

function globalsFor(sourceType: SourceType): string[] {
  let names = globalNames.get(sourceType);
  if (!names) {
    eslintGlobals ??= readShippedJson('analyzer/eslint-globals.json') as EslintGlobals;
    names = [...new Set([...eslintGlobals[`es${ECMA_VERSION}`], ...(sourceType === 'commonjs' ? eslintGlobals.commonjs : [])])];
    globalNames.set(sourceType, names);
  }
  return names;
}

/**
 * TypeScript sources need the optional peer dependencies; without them the
 * gate says so for each such file (an unanalyzable finding, never cached).
 */
export class MissingParserError extends Error {}

/**
 * Without `loc`: the rules need positions only for what they report, which
 * rules/utils/report.ts works out from `range` (measured on the bench corpus:
 * three objects fewer per node, less time in the parser and the collector).
 * Without a stored `range` either (see computeRangeFromOffsets).
 */
function parseWithEspree(text: string, sourceType: SourceType): Parsed {
  computeRangeFromOffsets();
  const ast = espree.parse(text, {
    ecmaVersion: ECMA_VERSION,
    sourceType,
    ecmaFeatures: { jsx: true },
    loc: false,
    range: false,
    comment: true,
  }) as unknown as AnyNode;
  return { ast, scopeManager: undefined, visitorKeys: espree.VisitorKeys };
}

/**
 * espree's nodes are built without a `range` array (70 bytes a node: 68 MB of
 * typescript.js's 9 MB); their prototype computes it from `start` and `end`,
 * which espree sets to the same offsets, on each read. A parser that does set
 * `range` on these nodes (ESLint's own espree, in the same process, in tests)
 * still gets its own array, through the setter.
 */
let rangeFromOffsets = false;

function computeRangeFromOffsets(): void {
  if (rangeFromOffsets) return;
  rangeFromOffsets = true;
  const nodePrototype = Object.getPrototypeOf(espree.parse('', { ecmaVersion: ECMA_VERSION })) as object;
  Object.defineProperty(nodePrototype, 'range', {
    configurable: true,
    get(this: { start: number; end: number }) {
      return [this.start, this.end];
    },
    set(this: object, value: unknown) {
      Object.defineProperty(this, 'range', { value, writable: true, enumerable: true, configurable: true });
    },
  });
}

/** ESLint's visitor keys, for node types esrecurse's own table (estraverse's) does not know: JSX, StaticBlock… */
const evkKeys = (node: AnyNode): readonly string[] => espree.VisitorKeys[node.type] ?? getKeys(node);

/**
 * Scope analysis with ESLint's options. ESLint hands eslint-scope its visitor
 * keys as `childVisitorKeys`, which esrecurse merges into a fresh copy of
 * estraverse's table for every pattern visitor it creates — about 40% of
 * eslint-scope's time on the bench corpus. The two tables differ only where eslint-scope has its
 * own handlers (imports, exports) or in types estraverse lacks (given by the
 * fallback), except for `import(source, options)`, whose options estraverse
 * does not visit: a file with one gets ESLint's exact (slower) call.
 */
function analyzeScopes(ast: AnyNode, sourceType: SourceType, hasImportOptions: boolean): ScopeManager {
  return analyze(ast as never, {
    ignoreEval: true,
    ecmaVersion: ECMA_VERSION,
    sourceType,
    childVisitorKeys: hasImportOptions ? espree.VisitorKeys : null,
    fallback: hasImportOptions ? getKeys : evkKeys,
    jsx: true,
  } as never) as unknown as ScopeManager;
}

/** Loaded on the first TypeScript file: a JavaScript-only plugin never pays for the TypeScript compiler. */
let typescriptParser: typeof import('@typescript-eslint/parser') | undefined;

function loadTypescriptParser(): typeof import('@typescript-eslint/parser') {
  try {
    return require('@typescript-eslint/parser') as typeof import('@typescript-eslint/parser');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    throw new MissingParserError(
      'TypeScript sources need the optional peer dependencies typescript and @typescript-eslint/parser, which are not installed (npm install typescript @typescript-eslint/parser)',
    );
  }
}

function parseWithTypescript(text: string, sourceType: SourceType, filename: string): Parsed {
  typescriptParser ??= loadTypescriptParser();
  const result = typescriptParser.parseForESLint(text, {
    ecmaVersion: ECMA_VERSION,
    sourceType: sourceType as 'module',
    ecmaFeatures: { jsx: true },
    loc: true,
    range: true,
    tokens: false,
    comment: true,
    eslintVisitorKeys: true,
    eslintScopeManager: true,
    filePath: filename,
  } as never);
  return { ast: result.ast as unknown as AnyNode, scopeManager: result.scopeManager as unknown as ScopeManager, visitorKeys: result.visitorKeys as VisitorKeys };
}

function parse(text: string, sourceType: SourceType, parser: ParserKind, filename: string): Parsed {
  try {
    return parser === 'espree' ? parseWithEspree(text, sourceType) : parseWithTypescript(text, sourceType, filename);
  } catch (error) {
    if (error instanceof MissingParserError) throw error;
    // Whatever the parser throws is a parse failure, worded as ESLint words it (dropping a leading "line N:").
    const { message, lineNumber, column } = error as { message?: unknown; lineNumber?: number; column?: number };
    throw new ParseError(`Parsing error: ${String(message ?? error).replace(/^line \d+:/iu, '').trim()}`, lineNumber ?? 1, column ?? 1);
  }
}

/** The part of ESLint's `SourceCode` that Warden's rules use. */
class LeanSourceCode {
  #lineStarts: number[] | undefined;
  #lines: string[] | undefined;

  constructor(
    readonly text: string,
    readonly ast: AnyNode,
    readonly scopeManager: ScopeManager,
    readonly visitorKeys: VisitorKeys,
  ) {}

  get lines(): string[] {
    this.#lines ??= this.text.split(LINE_BREAK);
    return this.#lines;
  }

  getText(node?: AnyNode): string {
    return node ? this.text.slice(node.range![0], node.range![1]) : this.text;
  }

  getAllComments(): AnyNode[] {
    return (this.ast.comments as AnyNode[] | undefined) ?? [];
  }

  getLocFromIndex(index: number): { line: number; column: number } {
    if (!this.#lineStarts) {
      const starts = [0];
      for (const match of this.text.matchAll(LINE_BREAK)) starts.push(match.index + match[0].length);
      this.#lineStarts = starts;
    }
    const starts = this.#lineStarts;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle] <= index) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: index - starts[low] };
  }

  /**
   * ESLint's `getScope`: the scope of the nearest node, from `node` upward,
   * that owns one. ESLint asks the scope manager at every step (a WeakMap
   * lookup per ancestor); here each owner's answer is worked out once, into a
   * map as small as the file's scope count.
   */
  getScope(node: AnyNode): Scope.Scope {
    // On Program, the outermost scope (not Node's module-wrapper function scope).
    if (node.type === 'Program') return this.#ownScope(node, false) ?? this.scopeManager.scopes[0];
    const owners = this.#owners();
    for (let current: AnyNode | null | undefined = node; current; current = current.parent) {
      const scope = owners.get(current);
      if (scope) return scope;
    }
    return this.scopeManager.scopes[0];
  }

  #ownerScopes: Map<AnyNode, Scope.Scope> | undefined;

  #owners(): Map<AnyNode, Scope.Scope> {
    if (!this.#ownerScopes) {
      const owners = new Map<AnyNode, Scope.Scope>();
      for (const scope of this.scopeManager.scopes) {
        const block = scope.block as unknown as AnyNode;
        if (owners.has(block)) continue;
        const own = this.#ownScope(block, true);
        if (own) owners.set(block, own);
      }
      this.#ownerScopes = owners;
    }
    return this.#ownerScopes;
  }

  /** What ESLint's `getScope` takes from a node that owns scopes (a function's name scope stands for the function's). */
  #ownScope(node: AnyNode, inner: boolean): Scope.Scope | undefined {
    const scope = this.scopeManager.acquire(node, inner);
    if (!scope) return undefined;
    return scope.type === 'function-expression-name' ? scope.childScopes[0] : scope;
  }
}

type Listener = (node: AnyNode) => void;

/** Each node type's listeners from every rule, in rule order (as ESLint calls them). */
function collectListeners(listenerMaps: Rule.RuleListener[]): { enter: Map<string, Listener[]>; exit: Map<string, Listener[]> } {
  const enter = new Map<string, Listener[]>();
  const exit = new Map<string, Listener[]>();
  for (const listeners of listenerMaps) {
    for (const [key, listener] of Object.entries(listeners)) {
      if (!listener) continue;
      if (!LISTENER_KEY.test(key)) throw new Error(`The gate's rule runner does not support the listener '${key}'`);
      const [type, phase] = key.split(':');
      const table = phase ? exit : enter;
      let list = table.get(type);
      if (!list) table.set(type, (list = []));
      list.push(listener as Listener);
    }
  }
  return { enter, exit };
}

function isNode(value: unknown): value is AnyNode {
  return value !== null && typeof value === 'object' && typeof (value as AnyNode).type === 'string';
}

function childKeys(visitorKeys: VisitorKeys, node: AnyNode): readonly string[] {
  return visitorKeys[node.type] ?? getKeys(node);
}

function forEachChild(node: AnyNode, visitorKeys: VisitorKeys, visit: (child: AnyNode) => void): void {
  for (const key of childKeys(visitorKeys, node)) {
    const child = node[key];
    if (Array.isArray(child)) {
      for (const element of child) if (isNode(element)) visit(element);
    } else if (isNode(child)) {
      visit(child);
    }
  }
}

/**
 * Sets `parent` on every node (ESLint does so before any rule runs; rules
 * walk upward from nodes they have not visited yet) and tells whether some
 * `import()` has an options argument (see analyzeScopes).
 */
function setParents(ast: AnyNode, visitorKeys: VisitorKeys): { importOptions: boolean } {
  let importOptions = false;
  const visit = (node: AnyNode): void => {
    if (node.type === 'ImportExpression' && node.options != null) importOptions = true;
    forEachChild(node, visitorKeys, (child) => {
      child.parent = node;
      visit(child);
    });
  };
  ast.parent = null;
  visit(ast);
  return { importOptions };
}

/**
 * Calls the listeners in the order ESLint does: each node entered, its
 * children, then the node left. A second walk rather than a recorded order:
 * the order's two arrays held 37 MB of typescript.js's peak.
 */
function dispatch(ast: AnyNode, visitorKeys: VisitorKeys, enter: Map<string, Listener[]>, exit: Map<string, Listener[]>): void {
  const visit = (node: AnyNode): void => {
    const entering = enter.get(node.type);
    if (entering) for (const listener of entering) listener(node);
    forEachChild(node, visitorKeys, visit);
    const leaving = exit.get(node.type);
    if (leaving) for (const listener of leaving) listener(node);
  };
  visit(ast);
}

export interface RunOptions {
  /** Rule name (without the `warden/` prefix) → rule, in the order ESLint would run them. */
  rules: Record<string, WardenRule>;
  sourceType: SourceType;
  parser: ParserKind;
  /** As rules see it (`context.filename`). */
  filename: string;
}

/**
 * Every raw report the rules make on `code`. Throws `ParseError` when the
 * parser rejects the file; anything else a rule throws propagates.
 */
export function runRules(code: string, options: RunOptions): RawReport[] {
  const { rules, sourceType, parser, filename } = options;
  // ESLint strips a byte-order mark and turns a shebang line into a comment before parsing.
  const text = code.charCodeAt(0) === 0xfeff ? code.slice(1) : code;
  const parsed = parse(text.replace(SHEBANG, (_match, rest: string) => `//${rest}`), sourceType, parser, filename);
  const { ast, visitorKeys } = parsed;
  const { importOptions } = setParents(ast, visitorKeys);
  const scopeManager = parsed.scopeManager ?? analyzeScopes(ast, sourceType, importOptions);
  scopeManager.addGlobals(globalsFor(sourceType));
  const sourceCode = new LeanSourceCode(text, ast, scopeManager, visitorKeys);
  const languageOptions = { ecmaVersion: ECMA_VERSION, sourceType, parserOptions: { ecmaFeatures: { jsx: true } } };
  // Code a rule finds evaluated from a constant string is run through this runner too, as a script with espree, the parser gateConfig names for JavaScript.
  const lintEvaluated = (source: string, evaluatedType: 'script' | 'module'): RawReport[] | undefined => {
    try {
      return runRules(source, { rules, sourceType: evaluatedType, parser: 'espree', filename: 'evaluated.js' });
    } catch (error) {
      if (error instanceof ParseError) return undefined;
      throw error;
    }
  };
  return withEvaluatedCodeLinter(lintEvaluated, () => captureReports(() => {
    const listenerMaps = Object.entries(rules).map(([name, rule]) =>
      rule.create({
        id: `warden/${name}`,
        options: RULE_OPTIONS,
        settings: {},
        filename,
        physicalFilename: filename,
        cwd: process.cwd(),
        sourceCode,
        languageOptions,
        report() {
          // Warden rules report through rules/utils/report.ts, which hands the gate raw reports and never calls this.
          throw new Error(`Rule ${name} reported outside rules/utils/report.ts`);
        },
      } as unknown as Rule.RuleContext),
    );
    const { enter, exit } = collectListeners(listenerMaps);
    dispatch(ast, visitorKeys, enter, exit);
  }).reports);
}
