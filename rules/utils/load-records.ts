/**
 * What a file loads, for the gate's module graph: every specifier the rules
 * see a file load (folded, or each side of a choice), a literal prefix when
 * only that folds (`'./locales/' + lang`), or neither when nothing does —
 * and every file it starts as a thread or a Node process (started-files.ts),
 * which the graph follows the same way. It runs beside the rules in the
 * gate's lint pass and reports no findings.
 */
import type { Rule } from 'eslint';
import type { WardenRule } from '../meta.js';
import type { AnyNode } from './ast.js';
import { isFunctionNode, unwrap } from './ast.js';
import { combineListeners } from './listeners.js';
import { moduleLoadListeners, type ModuleLoad } from './modules.js';
import { locOf } from './report.js';
import { moduleName } from './specifiers.js';
import { posix } from 'node:path';
import { memberName, Resolver, resolverFor } from './resolve.js';
import { startedFileListeners, type StartedFile } from './started-files.js';
import { PathProver, concatOperands } from './path-proof.js';
import type { StartVia } from './start-vias.js';
import type { RawReport } from './report.js';
import type { ReExport } from './exported-functions.js';

export interface LoadRecord {
  /** The folded specifier, without `node:` unless the code wrote it (`node:test`, `node:sqlite` are built-ins only so spelled). */
  specifier?: string;
  /** The literal start of a specifier built at run time, when that is all that folds. */
  prefix?: string;
  /**
   * The rest after `prefix` is one name (`path.basename(x)`): it stays in the prefix's folder. Any other rest can
   * climb (`'../lib/x'`) to any file of the plugin.
   */
  oneName?: true;
  /** The loader, or how a started file is started (a path from the working directory, not a module specifier). */
  via: ModuleLoad['via'] | StartVia;
  line: number;
  /** Made inside a `try` block: the code expects the module may be absent (`try { require('./local.config') } catch {}`). */
  optional?: true;
}

/**
 * A write the file makes on a value it imports from another file of the plugin (`base.shell = '/bin/sh'` with
 * `import { base } from './lib/base.mjs'`): a finding only if that file exports a shared value under `key`
 * (`''` for the module itself), which the analyzer joins over both files' results.
 */
export interface ImportedWrite {
  specifier: string;
  via: 'require' | 'import';
  key: string;
  report: RawReport;
}

/** What the gate joins across files: each file's loads, and facts about its exports and its imports. */
export interface CrossFileFacts {
  loads: LoadRecord[];
  /** The file's exports whose value is proven in the data folder (PathProver.dataExportKeys). */
  dataExports: string[];
  /** The file's exports whose value is a shared built-in (a prototype, a namespace, the global object): no-runtime-tampering. */
  sharedExports: string[];
  /** The file's exports that are another file's: what a write on one of them reaches. */
  reExports: ReExport[];
  importedWrites: ImportedWrite[];
}

const sinks: CrossFileFacts[] = [];

/** The facts of the file being linted inside the gate; undefined in an author's editor, where files are read one by one. */
export function crossFileFacts(): CrossFileFacts | undefined {
  return sinks[sinks.length - 1];
}

/** Runs `fn` (a lint) and returns every load the recorder saw during it, evaluated constant code included, and the cross-file facts. */
export function captureLoads<T>(fn: () => T): { result: T } & CrossFileFacts {
  const sink: CrossFileFacts = { loads: [], dataExports: [], sharedExports: [], reExports: [], importedWrites: [] };
  sinks.push(sink);
  try {
    return { result: fn(), ...sink };
  } finally {
    sinks.pop();
  }
}

/** Not one of Warden's rules: the gate adds it to the rules it runs, under this name. */
export const LOAD_RECORDER_NAME = 'module-graph';

export const loadRecorder: WardenRule = {
  meta: {
    type: 'problem',
    docs: { description: "Records the modules a file loads for the gate's module graph.", url: '', recommended: false },
    messages: {},
    warden: { findings: {} },
  },
  create(context) {
    const resolver = resolverFor(context);
    const record = (load: ModuleLoad | StartedFile) => {
      const sink = sinks[sinks.length - 1];
      if (!sink) return;
      const line = locOf(context, load.node).start.line;
      if (load.specifier !== undefined) {
        // The rules name built-ins without `node:`; the graph needs it back for those that exist only with it.
        const written = load.specifierNode && resolver.folder.foldString(load.specifierNode);
        const specifier = written?.startsWith('node:') && moduleName(written) === load.specifier ? `node:${load.specifier}` : load.specifier;
        sink.loads.push({ specifier, via: load.via, line, ...(insideTry(load.node) ? { optional: true as const } : {}) });
      }
      else {
        const prefix = load.specifierNode && literalPrefix(resolver, load.specifierNode);
        sink.loads.push({ prefix, via: load.via, line, ...(prefix !== undefined && restIsOneName(resolver, load.specifierNode!) ? { oneName: true as const } : {}) });
      }
    };
    // What another file's path from one of these exports is (`fs.readFileSync(logFile(ctx))`): matched by the analyzer.
    const recordDataExports = (program: AnyNode) => {
      const sink = sinks[sinks.length - 1];
      // Only a file that names the data folder (a `dataDir`, `process.cwd()`) can prove an export inside it.
      if (sink && /dataDir|cwd/.test(context.sourceCode.text)) sink.dataExports.push(...new PathProver(resolver, (node) => context.sourceCode.getScope(node as never), false, () => false).dataExportKeys(program));
    };
    return combineListeners(moduleLoadListeners(context, record), startedFileListeners(context, record), { 'Program:exit': recordDataExports } as Rule.RuleListener);
  },
};

/**
 * The literal start of a string built at run time: `'./a/' + x` → `./a/`,
 * `` `./p/${x}` `` → `./p/`, `path.join(__dirname, '..', x)` → the folded
 * folder and a `/`, `'../'.repeat(n) + x` → `../` (a piece repeated an
 * unknown number of times is taken once: it is there to climb).
 */
export function literalPrefix(resolver: Resolver, input: AnyNode, depth = 0): string | undefined {
  if (depth > MAX_PREFIX_DEPTH) return undefined;
  const node = unwrap(input);
  const whole = resolver.folder.foldString(node);
  if (whole !== undefined) return whole;
  if (node.type === 'BinaryExpression' && node.operator === '+') {
    const left = resolver.folder.foldString(node.left);
    if (left === undefined) return literalPrefix(resolver, node.left, depth + 1);
    return left + (literalPrefix(resolver, node.right, depth + 1) ?? '');
  }
  if (node.type === 'TemplateLiteral') {
    let text = node.quasis[0].value.cooked as string;
    for (let i = 0; i < node.expressions.length; i++) {
      const part = resolver.folder.foldString(node.expressions[i]) ?? literalPrefix(resolver, node.expressions[i], depth + 1);
      if (part === undefined) return text || undefined;
      text += part;
      // Only a piece that folded whole lets the text after it count.
      if (resolver.folder.foldString(node.expressions[i]) === undefined) return text;
      text += node.quasis[i + 1].value.cooked as string;
    }
    return text;
  }
  if (node.type === 'Identifier') {
    const alias = resolver.aliasedExpression(node);
    return alias && literalPrefix(resolver, alias.node, depth + 1);
  }
  if (node.type === 'CallExpression') return callPrefix(resolver, node);
  return undefined;
}

/** The parts of a built specifier that do not fold are each one name: `path.basename(…)`, whose result has no separator. */
function restIsOneName(resolver: Resolver, input: AnyNode): boolean {
  const node = unwrap(input);
  const parts = node.type === 'TemplateLiteral' ? node.expressions : node.type === 'BinaryExpression' ? concatOperands(node) : undefined;
  const unknown = (parts as AnyNode[] | undefined)?.filter((part) => resolver.folder.foldString(part) === undefined);
  return unknown !== undefined && unknown.length > 0 && unknown.every((part) => isOneName(resolver, part));
}

function isOneName(resolver: Resolver, input: AnyNode): boolean {
  const node = unwrap(input);
  return node.type === 'CallExpression' && /^path:(?:(?:posix|win32)\.)?basename$/.test(Resolver.nameOf(resolver.resolve(node.callee)) ?? '');
}

const MAX_PREFIX_DEPTH = 8;
const PATH_JOINS = new Set(['path:join', 'path:resolve', 'path:posix.join', 'path:posix.resolve']);

/** `'../'.repeat(n)` and `path.join(a, b, x)`: the pieces that fold, in order. */
function callPrefix(resolver: Resolver, node: AnyNode): string | undefined {
  const callee = unwrap(node.callee);
  if (callee.type === 'MemberExpression' && memberName(callee, resolver.folder) === 'repeat') return resolver.folder.foldString(callee.object);
  if (!PATH_JOINS.has(Resolver.nameOf(resolver.resolve(callee)) ?? '')) return undefined;
  const parts: string[] = [];
  for (const argument of node.arguments) {
    const part = resolver.folder.foldString(argument);
    if (part === undefined) break;
    parts.push(part);
  }
  // The folded parts are whole segments: the unknown rest starts a new one.
  if (!parts.length) return undefined;
  const joined = posix.join(...parts);
  return joined.endsWith('/') ? joined : `${joined}/`;
}

/** Inside the `block` of a `try` statement of the same function (not its handler or finalizer). */
function insideTry(node: AnyNode): boolean {
  for (let child = node, parent = node.parent; parent; child = parent, parent = parent.parent) {
    if (parent.type === 'TryStatement' && parent.block === child) return true;
    if (isFunctionNode(parent)) return false;
  }
  return false;
}
