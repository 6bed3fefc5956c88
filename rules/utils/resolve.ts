/**
 * Identity resolution: what a callee or object *is*, whatever it is spelled as.
 *
 * A `Ref` names a value by where it comes from: the global object and a
 * property path (`eval`, `process.env`, `Function`), or a module and a path
 * into its exports (`child_process` → `exec`). Resolution follows single-write
 * aliases and destructuring, folds computed keys, sees through
 * `(0, x)`, `.call/.apply/.bind`, `Reflect.*`, `globalThis`/`window`, and
 * normalises the many roads to the same thing (`module.require`,
 * `process.mainModule.require`, `module.constructor._load`, `createRequire(…)`
 * are all `require`; any `.constructor.constructor` is `Function`).
 *
 * A key that cannot be folded becomes `DYNAMIC` in the path, so rules can tell
 * "unresolvable access on the global object" apart from "not dangerous".
 * Values made in the file start with a marker: `%fn` (a function of a given
 * constructor) and `%value` (a literal: `({}).__proto__` is `Object.prototype`).
 */
import type { Rule, Scope, SourceCode } from 'eslint';
import { isBuiltin } from 'node:module';
import type { AnyNode } from './ast.js';
import { climbToValue, climbWrappers, functionConstructorName, isFunctionNode, isNullish, plainKeyName, runtimeParams, TRANSPARENT, unwrap } from './ast.js';
import { isDetachedMethod } from './detached-methods.js';
import { isInteropHelperCall } from './interop-helpers.js';
import { constructsOrExtends, holderUses, isExportedPlainFunction, mayRunWithGlobalThis } from './exported-functions.js';
import { capabilityRoot } from './capability-roots.js';
import { isBrowserifyModule, shimsOf, shimValue } from './bundler-shims.js';
import { Folder } from './fold.js';
import { CALLER, CJS_ARGUMENTS, FUNCTION_CONSTRUCTORS, IMPORT_META } from './markers.js';
import { evaluatedPath } from './evaluated-values.js';

export { CJS_ARGUMENTS, IMPORT_META };
import { isLiteral, LiteralHolders } from './literals.js';
import { argumentAt, LocalFunctions } from './local-functions.js';
import { bindingOf, enclosingWithObjects, findVariable, writtenExpressions, type Binding, type PathStep } from './scope.js';
import { moduleName } from './specifiers.js';
import { UnwrittenValues } from './unwritten.js';

export const DYNAMIC = '*';

export interface Ref {
  /** Module specifier without `node:`; absent for globals. `DYNAMIC` when unresolvable. */
  module?: string;
  path: string[];
}

export interface NormalizedCall {
  node: AnyNode;
  /** The expression actually called, after `.call`/`.apply`/`Reflect.apply` are seen through. */
  calleeNode: AnyNode;
  callee: Ref | undefined;
  /** The arguments actually passed; undefined when they cannot be known (`f.apply(x, args)`). */
  args: AnyNode[] | undefined;
  isNew: boolean;
  /** The `this` given apart from the callee's object: `.call`/`.apply`'s first argument, `Reflect.apply`'s second, an uncurried call's first. */
  thisNode?: AnyNode;
}

/** Path markers: an instance of a module's class, a property descriptor, `import.meta`, CommonJS's top-level `arguments`. */
const INSTANCE = '%instance';
/** What a module's function returned. */
export const RESULT = '%result';
export const DESCRIPTOR = '%descriptor';
const GLOBAL_OBJECT_NAMES = new Set(['globalThis', 'global']);
/** A sloppy function's own `arguments` (CALLER, in markers.ts, is the function that called it). */
const FUNCTION_ARGUMENTS = '%arguments';
/**
 * The browser's names for the global object. Node defines none of them, so the
 * name itself holds nothing there (`new Reader(self)` in a web worker hands on
 * no power); a member read through one is the global's member all the same.
 */
const BROWSER_GLOBAL_NAMES = new Set(['window', 'self', 'frames', 'top', 'parent']);
export const BROWSER_GLOBAL = '%browser';
/**
 * A class the code declares with `extends X`: `[...X, SUBCLASS]`. Its own members and prototype are the code's,
 * but climbing its chain reaches X (`Object.getPrototypeOf(Sub)` is X, `Sub.prototype.__proto__` is X.prototype).
 */
export const SUBCLASS = '%subclass';
/** Globals that are functions, so `x.constructor` is `Function`. */
const GLOBAL_FUNCTIONS = new Set([
  'Function', 'Object', 'Array', 'String', 'Number', 'Boolean', 'Symbol', 'RegExp', 'Date', 'Promise', 'Error',
  'Map', 'Set', 'WeakMap', 'WeakSet', 'Proxy', 'eval', 'parseInt', 'parseFloat', 'isNaN', 'require', 'setTimeout',
  'setInterval', 'setImmediate', 'fetch', 'atob', 'btoa', 'escape', 'unescape', 'decodeURI', 'decodeURIComponent',
  'encodeURI', 'encodeURIComponent', 'Buffer', 'queueMicrotask', 'structuredClone',
]);
/** Built-in classes whose instances share a prototype other code relies on (the function constructors are judged apart). */
const BUILTIN_CLASSES = new Set([
  'Object', 'Array', 'Promise', 'Map', 'Set', 'WeakMap', 'WeakSet', 'WeakRef', 'Error', 'TypeError', 'RangeError',
  'SyntaxError', 'RegExp', 'Date', 'ArrayBuffer', 'DataView', 'Uint8Array', 'URL', 'URLSearchParams',
]);
const PROMISE_FACTORIES = new Set(['Promise.resolve', 'Promise.reject', 'Promise.all', 'Promise.allSettled', 'Promise.any', 'Promise.race']);
/** Array methods whose callback gets each element as its first parameter. */
export const ITERATION_METHODS = new Set(['forEach', 'map', 'filter', 'some', 'every', 'find', 'findIndex', 'findLast', 'findLastIndex', 'flatMap']);
/** The CommonJS wrapper's parameters, by position: `(exports, require, module, __filename, __dirname)`. */
const WRAPPER_ARGUMENTS: Record<string, string> = { '0': 'exports', '1': 'require', '2': 'module', '3': '__filename', '4': '__dirname' };
const WRAPPER_NAMES = new Set(Object.values(WRAPPER_ARGUMENTS));
/** An array's methods that call their callback with no receiver and take no `thisArg`. */
const UNBOUND_ARRAY_CALLBACKS = new Set(['sort', 'toSorted', 'reduce', 'reduceRight']);
const PROMISE_REACTIONS = new Set(['then', 'catch', 'finally']);
/** Built-ins that return a new Array, and an Array's methods that return one. */
const ARRAY_MAKERS = new Set(['Array.of', 'Array.from', 'Object.keys', 'Object.values', 'Object.entries', 'Object.getOwnPropertyNames', 'Object.getOwnPropertySymbols', 'Reflect.ownKeys']);
const ARRAY_COPIES = new Set(['map', 'filter', 'slice', 'concat', 'flat', 'flatMap', 'toSorted', 'toReversed', 'toSpliced', 'with']);
/** `process.getBuiltinModule` (Node 20.16+) loads a built-in module without `require`. */
const REQUIRE_LIKE = new Set(['require', 'module.require', 'require.main.require', 'process.getBuiltinModule']);
const MAX_DEPTH = 40;
/**
 * The standard streams are sockets: a pipe's `net.Socket`, as the host gives a plugin, or a terminal's `tty` stream
 * built on it. Their class, up to two prototypes up (`Object.getPrototypeOf(process.stdout).constructor`), is `net.Socket`.
 */
const STDIO = new Set(['stdin', 'stdout', 'stderr']);
const TTY_STREAMS = new Set(['ReadStream', 'WriteStream']);

export class Resolver {
  readonly folder: Folder;
  readonly functions: LocalFunctions;
  readonly literals: LiteralHolders;
  readonly unwritten: UnwrittenValues;
  // A Map, not a WeakMap: a resolver lives for one file, and weak maps of every node cost the GC dearly.
  private readonly memo = new Map<AnyNode, Ref | null>();
  private readonly inProgress = new Set<AnyNode>();
  private readonly bindings = new Map<AnyNode, Binding>();
  private readonly calls = new Map<AnyNode, NormalizedCall>();
  // Whether a variable is ever assigned after its declaration, asked once per variable: a file calls
  // its functions thousands of times, and scanning every reference on every call was quadratic.
  private readonly reassigned = new Map<Scope.Variable, boolean>();
  /** Whether the file runs a sloppy function without a receiver somewhere (see handedToUnboundRunner). */
  private readonly unboundRunners = new Map<AnyNode, boolean>();

  /**
   * `filename` is the file's path as rules see it: relative to the plugin root in the gate, so
   * `__dirname` and `import.meta.url` fold to paths under PLUGIN_ROOT; absolute (an editor), they do not fold.
   */
  constructor(
    readonly scopeOf: (node: AnyNode) => Scope.Scope,
    readonly filename = '',
    /** For recognising bundler shims (bundler-shims.ts); without it none is recognised. */
    private readonly sourceCode?: SourceCode,
    /** 'commonjs' when the file runs in Node's module wrapper, where top-level `this` is `exports` whatever the scope analysis says. */
    private readonly sourceType?: string,
  ) {
    this.folder = new Folder(this);
    this.functions = new LocalFunctions(scopeOf);
    this.unwritten = new UnwrittenValues(scopeOf, (call) => Resolver.nameOf(this.normalizeCall(call).callee), (expression) => this.localFunction(expression));
    this.literals = new LiteralHolders(scopeOf, (key) => {
      const value = this.folder.fold(key)?.value;
      return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
    });
  }

  /** The ref of `ref[key]`, normalised as resolution would (`module` + `constructor` is the Module class). */
  static member(ref: Ref, key: string): Ref {
    return normalize({ module: ref.module, path: [...ref.path, key] });
  }

  /** The function a call runs when it is declared in this file and never reassigned: `f(…)` of a local `f`, or an immediately invoked expression. */
  calledFunction(call: AnyNode): AnyNode | undefined {
    return this.localFunction(call.callee);
  }

  /** The function an expression certainly is: one written right there, or a name declared in this file and never reassigned. */
  localFunction(expression: AnyNode): AnyNode | undefined {
    const node = unwrap(expression);
    if (isFunctionNode(node)) return node;
    if (node.type !== 'Identifier') return undefined;
    const fn = this.declaredFunction(node);
    if (!fn) return undefined;
    const variable = findVariable(this.scopeOf(node), node.name);
    return variable && this.isReassigned(variable) ? undefined : fn;
  }

  private isReassigned(variable: Scope.Variable): boolean {
    let known = this.reassigned.get(variable);
    if (known === undefined) {
      known = variable.references.some((ref) => ref.isWrite() && !(ref as { init?: boolean }).init);
      this.reassigned.set(variable, known);
    }
    return known;
  }

  /** True when `identifier` is a plain parameter holding what its caller passed: never reassigned, nor rewritten through a sloppy function's `arguments`. */
  isUnchangedParameter(identifier: AnyNode): boolean {
    const binding = this.bindingOf(identifier);
    return binding.kind === 'parameter' && !this.functions.usesArguments(binding.fn);
  }

  /**
   * What every call site passes for a parameter of a function whose calls the
   * file all sees; undefined for any other parameter, or when a spread hides it.
   * (A call that forwards the parameter to itself, as recursion does, passes nothing new.)
   */
  parameterArguments(identifier: AnyNode): (AnyNode | undefined)[] | undefined {
    const binding = this.bindingOf(identifier);
    return binding.kind === 'parameter' ? this.argumentsAt(binding.fn, binding.index) : undefined;
  }

  /**
   * What the calls pass for a plain parameter, even one the body writes to later: what it may hold at the start, for
   * flows that need no single value (`function (p, a, c, k) { … k = [f]; … k[c] … }` was handed a word list as `k`).
   */
  passedArguments(identifier: AnyNode): (AnyNode | undefined)[] | undefined {
    const variable = findVariable(this.scopeOf(identifier), identifier.name);
    const def = variable?.defs.length === 1 ? (variable.defs[0] as unknown as { type: string; node: AnyNode; name: AnyNode }) : undefined;
    const index = def?.type === 'Parameter' ? runtimeParams(def.node).indexOf(def.name) : -1;
    return index < 0 ? undefined : this.argumentsAt(def!.node, index);
  }

  /** What every call site of a function the file sees whole passes at one parameter's place. */
  private argumentsAt(fn: AnyNode, index: number): (AnyNode | undefined)[] | undefined {
    // A sloppy function's `arguments[0] = …` rewrites the parameter itself: with `arguments` in view, no call tells what it holds.
    if (this.functions.usesArguments(fn)) return undefined;
    const sites = this.functions.callSites(fn);
    if (!sites || sites.length === 0) return undefined;
    const out: (AnyNode | undefined)[] = [];
    for (const site of sites) {
      const argument = argumentAt(site, index);
      if (!argument.known) return undefined;
      if (argument.node && this.isSameParameter(argument.node, fn, index)) continue;
      out.push(argument.node);
    }
    return out.length ? out : undefined;
  }

  private isSameParameter(node: AnyNode, fn: AnyNode, index: number): boolean {
    const inner = unwrap(node);
    if (inner.type !== 'Identifier') return false;
    const other = this.bindingOf(inner);
    return other.kind === 'parameter' && other.fn === fn && other.index === index;
  }

  /** The object or array literal an expression certainly denotes and the file keeps to itself (see literals.ts). */
  literalOf(input: AnyNode): AnyNode | undefined {
    const node = unwrap(input);
    if (isLiteral(node)) return this.literals.isConfined(node) ? node : undefined;
    if (node.type === 'Identifier') {
      const alias = this.aliasedExpression(node);
      return alias && isLiteral(unwrap(alias.node)) ? this.literalOf(alias.node) : undefined;
    }
    if (node.type === 'MemberExpression') {
      const value = this.literalValue(node);
      return value && this.literalOf(value);
    }
    return undefined;
  }

  /** `__webpack_require__.g`, where webpack's global runtime (recognised as generated) stored the global object. */
  private isWebpackGlobal(member: AnyNode): boolean {
    if (!this.sourceCode || member.computed || member.property.name !== 'g' || member.object.type !== 'Identifier') return false;
    return shimsOf(this.sourceCode).some((shim) => {
      const assignment = shim.kind === 'webpack-global' ? shim.node.parent : undefined;
      const target = assignment?.type === 'AssignmentExpression' ? assignment.left : undefined;
      return target?.type === 'MemberExpression' && target.object.type === 'Identifier' && target.object.name === member.object.name && findVariable(this.scopeOf(member.object), member.object.name) === findVariable(this.scopeOf(target.object), target.object.name);
    });
  }

  /** For `holder.key` on a literal the file keeps to itself, the expression stored under the key. */
  literalValue(member: AnyNode): AnyNode | undefined {
    const object = unwrap(member.object);
    if (object.type !== 'Identifier' && object.type !== 'MemberExpression' && !isLiteral(object)) return undefined;
    const literal = this.literalOf(object);
    const key = literal && memberName(member, this.folder);
    return key === undefined ? undefined : this.literals.propertyValue(literal!, key);
  }

  resolve(input: AnyNode): Ref | undefined {
    const node = unwrap(input);
    const cached = this.memo.get(node);
    if (cached !== undefined) return cached ?? undefined;
    if (this.inProgress.has(node) || this.inProgress.size > MAX_DEPTH) return undefined;
    this.inProgress.add(node);
    let ref: Ref | undefined;
    try {
      ref = this.compute(node);
    } finally {
      this.inProgress.delete(node);
    }
    ref = ref && normalize(ref);
    this.memo.set(node, ref ?? null);
    return ref;
  }

  /** `eval`, `process.env`, `child_process:exec`: a readable name for a ref. */
  static nameOf(ref: Ref | undefined): string | undefined {
    if (!ref) return undefined;
    return ref.module === undefined ? ref.path.join('.') : `${ref.module}:${ref.path.join('.')}`;
  }

  /** True inside a `with` body, for a name the body does not declare: it may be the `with` object's member, whatever it is bound to outside. */
  mayBeWithMember(identifier: AnyNode): boolean {
    return enclosingWithObjects(identifier, findVariable(this.scopeOf(identifier), identifier.name)).length > 0;
  }

  /** The expression an identifier stands for, when it is a plain single-write alias. */
  aliasedExpression(identifier: AnyNode): { node: AnyNode } | undefined {
    const binding = this.bindingOf(identifier);
    return binding.kind === 'value' && binding.path.length === 0 ? { node: binding.init } : undefined;
  }

  /**
   * Where a single-write variable's value comes from: `const { a: [, b] } = init`
   * gives `init` and the keys `['a', '1']`. Undefined for a key that cannot be folded.
   */
  destructuredSource(identifier: AnyNode): { node: AnyNode; keys: string[]; fallback?: AnyNode } | undefined {
    const binding = this.bindingOf(identifier);
    if (binding.kind !== 'value' || binding.path.some((step) => !('key' in step))) return undefined;
    return { node: binding.init, keys: binding.path.map(stepName), fallback: binding.fallback };
  }

  /** Like `destructuredSource`, with DYNAMIC for a key that does not fold: `const { [k]: C } = fn` reads `fn[k]`. */
  destructuredPath(identifier: AnyNode): { node: AnyNode; keys: string[] } | undefined {
    const binding = this.bindingOf(identifier);
    return binding.kind === 'value' ? { node: binding.init, keys: binding.path.map(stepName) } : undefined;
  }

  /**
   * The array an identifier walks through: `for (const x of list)` (x never
   * reassigned) or the element parameter of `list.forEach((x) => …)` and its siblings.
   */
  iteratedArray(identifier: AnyNode): AnyNode | undefined {
    const binding = this.bindingOf(identifier);
    if (binding.kind === 'parameter') {
      const call = binding.fn.parent;
      const callee = call?.type === 'CallExpression' && call.arguments[0] === binding.fn ? unwrap(call.callee) : undefined;
      if (callee?.type !== 'MemberExpression' || !this.functions.isOnlyCalledWhereHanded(binding.fn)) return undefined;
      const method = memberName(callee, this.folder);
      const elementIndex = method === 'reduce' || method === 'reduceRight' ? 1 : method && ITERATION_METHODS.has(method) ? 0 : -1;
      return binding.index === elementIndex ? callee.object : undefined;
    }
    const variable = findVariable(this.scopeOf(identifier), identifier.name);
    const declaration = variable?.defs.length === 1 ? (variable.defs[0] as unknown as { parent: AnyNode | null }).parent : undefined;
    const loop = declaration?.parent;
    if (loop?.type !== 'ForOfStatement' || loop.left !== declaration) return undefined;
    return variable!.references.filter((ref) => ref.isWrite()).length === 1 ? loop.right : undefined;
  }

  /** Every expression the file writes to the variable an identifier names (see `writtenExpressions`). */
  writtenExpressions(identifier: AnyNode): AnyNode[] {
    return writtenExpressions(identifier, this.scopeOf);
  }

  /** The function an identifier names when it is declared in this file (`function f(){}`, `const f = () => …`). */
  declaredFunction(identifier: AnyNode): AnyNode | undefined {
    const binding = this.bindingOf(identifier);
    if (binding.kind === 'function') return binding.node;
    if (binding.kind === 'value' && binding.path.length === 0 && isFunctionNode(unwrap(binding.init))) return unwrap(binding.init);
    return undefined;
  }

  /** The class a name stands for: its declaration (never reassigned), or the class expression a single-write variable holds. */
  declaredClass(identifier: AnyNode): AnyNode | undefined {
    const binding = this.bindingOf(identifier);
    if (binding.kind === 'class') return binding.node;
    const held = unwrap(this.aliasedExpression(identifier)?.node ?? identifier);
    return isClass(held) ? held : undefined;
  }

  /** What an identifier is bound to; folding, aliasing and resolution all ask, so it is worked out once. */
  private bindingOf(identifier: AnyNode): Binding {
    let binding = this.bindings.get(identifier);
    if (!binding) {
      binding = bindingOf(identifier, this.scopeOf, (key) => this.folder.foldString(key));
      this.bindings.set(identifier, binding);
    }
    return binding;
  }

  /** Sees through `f.call(t, a)`, `f.apply(t, [a])`, `Reflect.apply(f, t, [a])`, `Reflect.construct(F, [a])`. Worked out once per call: every rule asks. */
  normalizeCall(node: AnyNode): NormalizedCall {
    let call = this.calls.get(node);
    if (!call) {
      call = this.computeCall(node);
      this.calls.set(node, call);
    }
    return call;
  }

  private computeCall(node: AnyNode): NormalizedCall {
    const isNew = node.type === 'NewExpression';
    let calleeNode = unwrap(node.callee);
    let args: AnyNode[] | undefined = node.arguments;
    const direct = this.resolve(calleeNode);
    const name = Resolver.nameOf(direct);
    if ((name === 'Reflect.apply' || name === 'Reflect.construct') && args && args.length >= 2) {
      const argList = name === 'Reflect.apply' ? args[2] : args[1];
      return {
        node,
        calleeNode: unwrap(args[0]),
        callee: this.resolve(args[0]),
        args: this.withBound(unwrap(args[0]), argList ? this.arrayElements(argList) : []),
        isNew: name === 'Reflect.construct',
        ...(name === 'Reflect.apply' ? { thisNode: args[1] } : {}),
      };
    }
    if (calleeNode.type === 'MemberExpression') {
      const method = calleeNode.computed ? this.folder.foldString(calleeNode.property) : plainKeyName(calleeNode.property, false);
      if (method === 'call' || method === 'apply') {
        const target = this.resolve(calleeNode.object);
        if (target && isCallable(target)) {
          calleeNode = unwrap(calleeNode.object);
          args = method === 'call' ? node.arguments.slice(1) : node.arguments[1] ? this.arrayElements(node.arguments[1]) : [];
          return { node, calleeNode, callee: target, args: this.withBound(calleeNode, args), isNew, thisNode: node.arguments[0] };
        }
      }
    }
    // `const define = Function.prototype.call.bind(Object.defineProperty); define(o, a, k, d)` runs
    // `Object.defineProperty.call(o, a, k, d)`: the primordials idiom that uncurries a function.
    const uncurried = name === 'Function.prototype.call' ? this.uncurried(calleeNode) : undefined;
    if (uncurried) return { node, calleeNode: uncurried, callee: this.resolve(uncurried), args: args?.slice(1), isNew, thisNode: args?.[0] };
    return { node, calleeNode, callee: direct, args: this.withBound(calleeNode, args), isNew };
  }

  /** The function `Function.prototype.call.bind(f)` (through the names that hold it) calls: `f`. */
  private uncurried(calleeNode: AnyNode): AnyNode | undefined {
    let node = calleeNode;
    for (let hop = 0; node.type === 'Identifier' && hop < 4; hop++) node = unwrap(this.aliasedExpression(node)?.node ?? node);
    const callee = node.type === 'CallExpression' ? unwrap(node.callee) : undefined;
    if (callee?.type !== 'MemberExpression' || memberName(callee, this.folder) !== 'bind' || !node.arguments[0]) return undefined;
    return Resolver.nameOf(this.resolve(callee.object)) === 'Function.prototype.call' ? unwrap(node.arguments[0]) : undefined;
  }

  /** `const def = f.bind(t, a); def(b)` runs `f(a, b)`: the arguments `.bind` fixed come first (`f.bind(t)` resolves to `f`). */
  private withBound(calleeNode: AnyNode, args: AnyNode[] | undefined): AnyNode[] | undefined {
    const bound = this.boundArguments(calleeNode, 0);
    return bound.length && args ? [...bound, ...args] : args;
  }

  private boundArguments(calleeNode: AnyNode, depth: number): AnyNode[] {
    let node = calleeNode;
    for (let hop = 0; node.type === 'Identifier' && hop < 4; hop++) node = unwrap(this.aliasedExpression(node)?.node ?? node);
    if (node.type !== 'CallExpression' || depth > 4) return [];
    const callee = unwrap(node.callee);
    if (callee.type !== 'MemberExpression' || memberName(callee, this.folder) !== 'bind') return [];
    return [...this.boundArguments(unwrap(callee.object), depth + 1), ...node.arguments.slice(1)];
  }

  /** For a call that loads a module: the specifier node and its folded value. */
  requireCall(node: AnyNode): { specifierNode: AnyNode | undefined; specifier: string | undefined } | undefined {
    // `new require(x)` loads too: `new` of a function that returns an object yields that object, the module's exports.
    if (node.type !== 'CallExpression' && node.type !== 'NewExpression') return undefined;
    const call = this.normalizeCall(node);
    if (!call.callee || call.callee.module !== undefined || !REQUIRE_LIKE.has(call.callee.path.join('.'))) return undefined;
    const specifierNode = call.args?.[0];
    return { specifierNode, specifier: specifierNode ? this.folder.foldString(specifierNode) : undefined };
  }

  private arrayElements(node: AnyNode): AnyNode[] | undefined {
    const list = unwrap(node);
    if (list.type === 'ArrayExpression' && list.elements.every((e: AnyNode | null) => e && e.type !== 'SpreadElement')) {
      return list.elements;
    }
    return undefined;
  }

  private compute(node: AnyNode): Ref | undefined {
    switch (node.type) {
      case 'Identifier':
        return this.resolveIdentifier(node);
      case 'ThisExpression':
        return this.resolveThis(node);
      case 'MemberExpression': {
        const stored = this.literalValue(node);
        if (stored) return this.resolve(stored);
        if (this.isWebpackGlobal(node)) return { path: [] };
        const key = node.computed ? this.folder.fold(node.property)?.value : plainKeyName(node.property, false);
        const name = key === undefined || key === null || typeof key === 'object' ? DYNAMIC : String(key);
        if (name === 'constructor') {
          const inner = unwrap(node.object);
          if (inner.type === 'MemberExpression' && memberName(inner, this.folder) === 'constructor') return { path: ['Function'] };
          if (isFunctionNode(inner)) return { path: [functionConstructorName(inner)] };
          // A class is a function too: `class K {}; K.constructor` is Function.
          if (isClass(inner) || (inner.type === 'Identifier' && this.declaredClass(inner))) return { path: ['Function'] };
        }
        const object = this.resolve(node.object);
        return object && { module: object.module, path: [...object.path, name] };
      }
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
      case 'FunctionDeclaration':
        return { path: ['%fn', functionConstructorName(node)] };
      case 'ObjectExpression':
      case 'ArrayExpression':
      case 'Literal':
      case 'TemplateLiteral': {
        // A literal's `__proto__` and `constructor` are intrinsics: `({}).__proto__` is `Object.prototype`.
        const constructor = literalConstructorName(node);
        return constructor ? { path: ['%value', constructor] } : undefined;
      }
      case 'ImportExpression': {
        const specifier = this.folder.foldString(node.source);
        return { module: specifier === undefined ? DYNAMIC : moduleName(specifier), path: ['%promise'] };
      }
      case 'AwaitExpression': {
        const inner = this.resolve(node.argument);
        if (inner?.path[0] === '%promise') return { module: inner.module, path: inner.path.slice(1) };
        return inner;
      }
      case 'CallExpression':
        return this.resolveCallResult(node);
      case 'TaggedTemplateExpression': {
        // tag`…` calls the tag: a function of this file yields what its body returns.
        const fn = this.localFunction(node.tag);
        return fn && this.agreedReturn(fn);
      }
      case 'NewExpression': {
        const loaded = this.requireCall(node);
        if (loaded) return { module: loaded.specifier === undefined ? DYNAMIC : moduleName(loaded.specifier), path: [] };
        // An instance of a module's class (`new Module()`, `new inspector.Session()`), or of a built-in whose
        // prototype is shared (`Object.getPrototypeOf(new Map())` is `Map.prototype`); other instances stay unknown.
        // A subclass's instance inherits its module base's members: `class Probe extends inspector.Session {}; new
        // Probe()` is a Session. A built-in's subclass instance does not share the built-in's prototype (its own comes first).
        const resolved = this.resolve(node.callee);
        const subclassed = resolved !== undefined && resolved.path.at(-1) === SUBCLASS;
        const callee = resolved && { module: resolved.module, path: resolved.path.filter((step) => step !== SUBCLASS) };
        if (callee?.module !== undefined) return { module: callee.module, path: [...callee.path, INSTANCE] };
        return !subclassed && callee?.path.length === 1 && BUILTIN_CLASSES.has(callee.path[0]) ? { path: ['%value', callee.path[0]] } : undefined;
      }
      case 'MetaProperty':
        return node.meta.name === 'import' && node.property.name === 'meta' ? { path: [IMPORT_META] } : undefined;
      case 'ClassExpression':
      case 'ClassDeclaration': {
        // `class extends Function {}` constructs functions from strings just as Function does.
        const base = node.superClass ? this.resolve(node.superClass) : undefined;
        if (!base) return undefined;
        return base.module === undefined && base.path.length === 1 && FUNCTION_CONSTRUCTORS.has(base.path[0]) ? base : { module: base.module, path: [...base.path, SUBCLASS] };
      }
      case 'Super':
        return this.resolveSuper(node);
      case 'AssignmentExpression':
        return node.operator === '=' ? this.resolve(node.right) : undefined;
      case 'LogicalExpression':
        // `a && b` is `b` unless `a` is falsy, and nothing falsy grants anything; `a || b` and `a ?? b` may be either.
        return node.operator === '&&' ? this.resolve(node.right) : (this.resolve(node.left) ?? this.resolve(node.right));
      case 'ConditionalExpression':
        // `typeof fetch === 'function' ? fetch : polyfill`: either branch may be what runs.
        return this.resolve(node.consequent) ?? this.resolve(node.alternate);
      default:
        return undefined;
    }
  }

  private resolveIdentifier(node: AnyNode): Ref | undefined {
    const binding = this.bindingOf(node);
    switch (binding.kind) {
      case 'global':
        if (binding.name === 'arguments') return this.argumentsRef(node);
        if (BROWSER_GLOBAL_NAMES.has(binding.name)) return { path: [BROWSER_GLOBAL] };
        return GLOBAL_OBJECT_NAMES.has(binding.name) ? { path: [] } : { path: [binding.name] };
      case 'class':
        return this.resolve(binding.node);
      case 'import':
        return { module: moduleName(binding.source), path: binding.imported ? [binding.imported] : [] };
      case 'function':
        return { path: ['%fn', functionConstructorName(binding.node)] };
      case 'parameter':
        // A browserify module function's first parameter is the bundle's require, which falls back to Node's.
        if (binding.index === 0 && this.sourceCode && isBrowserifyModule(this.sourceCode, binding.fn)) return { path: ['require'] };
        return this.resolveThenParameter(binding.fn, binding.index) ?? this.resolveParameter(node);
      case 'value': {
        const base = this.resolve(binding.init);
        // With a default, the name holds the member, or the default where the member is undefined: either may be what runs.
        return base ? { module: base.module, path: [...base.path, ...binding.path.map(stepName)] } : binding.fallback && this.resolve(binding.fallback);
      }
      default:
        return this.resolveAgreedWrites(node);
    }
  }

  /**
   * A variable written more than once, every time with the same thing:
   * `var cp = require('child_process')` declared twice in one script.
   */
  private resolveAgreedWrites(identifier: AnyNode): Ref | undefined {
    const variable = findVariable(this.scopeOf(identifier), identifier.name);
    if (!variable || variable.defs.some((def) => def.type !== 'Variable')) return undefined;
    let agreed: Ref | undefined;
    for (const reference of variable.references) {
      if (!reference.isWrite()) continue;
      const { writeExpr, identifier: target } = reference as unknown as { writeExpr?: AnyNode | null; identifier: AnyNode };
      const parent = target.parent;
      const loop = parent?.parent?.parent;
      const iterates = (loop?.type === 'ForInStatement' || loop?.type === 'ForOfStatement') && loop.left === parent!.parent;
      const plain = (parent?.type === 'VariableDeclarator' && parent.id === target && !iterates) || (parent?.type === 'AssignmentExpression' && parent.operator === '=' && parent.left === target);
      const ref = plain && writeExpr ? this.resolve(writeExpr) : undefined;
      if (!ref || (agreed && Resolver.nameOf(agreed) !== Resolver.nameOf(ref))) return undefined;
      agreed = ref;
    }
    return agreed;
  }

  /**
   * CommonJS's top-level `arguments` are the module wrapper's: `arguments[1]` is `require`.
   * A sloppy function's own are `%arguments`, whose `callee` is the function and whose
   * `callee.caller` the function that called it (the module wrapper, for a function called at top level).
   */
  private argumentsRef(node: AnyNode): Ref | undefined {
    // Only CommonJS has `arguments` outside a function; elsewhere at top level it throws, so it is never anything else.
    for (let current = node.parent; current; current = current.parent) {
      if (isFunctionNode(current) && current.type !== 'ArrowFunctionExpression') return this.scopeOf(node).isStrict ? undefined : { path: [FUNCTION_ARGUMENTS] };
    }
    return { path: [CJS_ARGUMENTS] };
  }

  /**
   * `super` in a class whose heritage is known: the parent class in a static member and for `super(…)`, the
   * parent's prototype in an instance member. An object literal's method has its own home object, not followed.
   */
  private resolveSuper(node: AnyNode): Ref | undefined {
    for (let current = node.parent; current; current = current.parent) {
      if (current.type === 'Property' && (current.method || current.kind !== 'init')) return undefined;
      const member = current.type === 'MethodDefinition' || current.type === 'PropertyDefinition' || current.type === 'AccessorProperty' || current.type === 'StaticBlock';
      if (!member || current.parent?.type !== 'ClassBody') continue;
      const superClass = current.parent.parent?.superClass;
      const base = superClass ? this.resolve(superClass) : undefined;
      if (!base) return undefined;
      const constructs = node.parent?.type === 'CallExpression' && node.parent.callee === node;
      return constructs || current.type === 'StaticBlock' || current.static ? base : { module: base.module, path: [...base.path, 'prototype'] };
    }
    return undefined;
  }

  /**
   * `this` is the global object at the top level of a script, and in a sloppy-mode
   * function every call of which the file sees and calls it plainly (`f()`, an
   * immediately invoked expression, `f.call(null)`), where `this` is not bound to
   * anything else, or in a sloppy method of an object literal the file takes off it (see detached-methods.ts), or
   * in a sloppy function the file exports to callers the file cannot see (see exported-functions.ts). In
   * CommonJS top-level `this` is `exports`; in a module or strict
   * code it is undefined.
   */
  private resolveThis(node: AnyNode): Ref | undefined {
    let fn: AnyNode | undefined;
    for (let current = node.parent; current; current = current.parent) {
      if (current.type === 'PropertyDefinition' || current.type === 'StaticBlock' || current.type === 'AccessorProperty') return undefined;
      if (isFunctionNode(current) && current.type !== 'ArrowFunctionExpression') {
        fn = current;
        break;
      }
    }
    if (!fn) return this.sourceType !== 'commonjs' && this.scopeOf(node).type === 'global' ? { path: [] } : undefined;
    if (this.scopeOf(fn).isStrict || fn.parent?.type === 'MethodDefinition') return undefined;
    // An object literal's method has the object as `this` when called as one, the global object once taken off it.
    if (fn.parent?.type === 'Property') return isDetachedMethod(fn, this.scopeOf, (key, computed) => keyName(key, computed, this.folder)) || this.readsPowerOffExportedThis(node, fn) ? { path: [] } : undefined;
    const sites = this.functions.callSites(fn);
    if (sites?.length && sites.every((site) => this.bindsGlobalThis(site.call, fn!))) return { path: [] };
    // One way the file runs it without a receiver is enough: `this` may then be the global object.
    if (this.handedToUnboundRunner(fn)) return { path: [] };
    return !sites?.length && this.readsPowerOffUnseenThis(node, fn) ? { path: [] } : undefined;
  }

  /**
   * Whether the file runs `fn` without a receiver somewhere: where it is written (`[0].map(function () {…})`), or
   * through a name that holds it (`[0].map(grab)`, `grab.call(null)`, `Reflect.apply(grab, undefined, [])`).
   */
  private handedToUnboundRunner(fn: AnyNode): boolean {
    let answer = this.unboundRunners.get(fn);
    if (answer === undefined) {
      // Plain calls by name are its call sites, judged together; one the file constructs or extends is a constructor.
      const uses = holderUses(fn, this.scopeOf);
      const handOffs = uses.filter((use) => !isCalledDirectly(use));
      answer = this.calledUnbound(fn) || (!uses.some(constructsOrExtends) && handOffs.some((use) => this.calledUnbound(use)));
      this.unboundRunners.set(fn, answer);
    }
    return answer;
  }

  /**
   * `this.process`, `this.Function`, `this.fetch` in a sloppy function its file exports: called bare by an importer, it
   * reads the global's member, and a function meant for some other `this` has no reason to name a capability root
   * of the global object; so does a `const` that holds `this` (`const g = this; g.process`, `const { process } = this`).
   * `this` itself passed on or returned, or its other members (a mixin's `this.emit`), stay unknown: whoever calls
   * the function may give it any object.
   */
  private readsPowerOffExportedThis(thisNode: AnyNode, fn: AnyNode): boolean {
    return this.keysReadOffThis(thisNode).some((key) => capabilityRoot({ path: [key] }) !== undefined && isExportedPlainFunction(fn, this.scopeOf, key, (value) => this.isGlobalObject(value)));
  }

  /**
   * The same for a function whose calls the file does not all see — handed to a call (a callback, whoever runs it),
   * stored, returned or exported: its callers may run it bare, so a capability root read off its `this` is that root.
   */
  private readsPowerOffUnseenThis(thisNode: AnyNode, fn: AnyNode): boolean {
    // `require` and `module` are the module wrapper's, not the global object's: `this.require` there is someone else's.
    return this.keysReadOffThis(thisNode).some((key) => !WRAPPER_NAMES.has(key) && capabilityRoot({ path: [key] }) !== undefined && mayRunWithGlobalThis(fn, this.scopeOf, key, (value) => this.isGlobalObject(value)));
  }

  private isGlobalObject(node: AnyNode): boolean {
    const ref = this.resolve(node);
    return ref !== undefined && ref.module === undefined && ref.path.length === 0;
  }

  /** The member names read off `this` where it is written, or off the variable that holds it (written once). */
  private keysReadOffThis(thisNode: AnyNode): string[] {
    const { node, parent } = climbWrappers(thisNode);
    if (parent?.type === 'MemberExpression' && parent.object === node) {
      const key = memberName(parent, this.folder);
      return key === undefined ? [] : [key];
    }
    if (parent?.type !== 'VariableDeclarator' || parent.init !== node) return [];
    if (parent.id.type === 'ObjectPattern') {
      return parent.id.properties.flatMap((property: AnyNode) => (property.type === 'Property' ? [property.computed ? this.folder.foldString(property.key) : plainKeyName(property.key, false)] : [])).filter((key: string | undefined): key is string => key !== undefined);
    }
    if (parent.id.type !== 'Identifier') return [];
    const holder = findVariable(this.scopeOf(parent.id), parent.id.name);
    // `var self = this` (the sloppy idiom) as well as a `const`, while nothing writes the name again.
    if (holder?.references.some((reference) => reference.isWrite() && !(reference as { init?: boolean }).init)) return [];
    return (holder?.references ?? []).flatMap((reference) => {
      const { node: use, parent: member } = climbWrappers(reference.identifier as unknown as AnyNode);
      const key = member?.type === 'MemberExpression' && member.object === use ? memberName(member, this.folder) : undefined;
      return key === undefined ? [] : [key];
    });
  }

  /**
   * A function, or a read of a name holding one, whose use there leaves `this` unbound:
   * `(0, function () {})()`, `fn.apply(undefined)`, `fn.bind()()`, `Reflect.apply(fn, null, [])`,
   * or a callback of an array method given no `thisArg` (`[0].map(function () { return this; })`).
   */
  private calledUnbound(fn: AnyNode): boolean {
    const { node, parent } = climbToValue(fn);
    if (!parent) return false;
    if (parent.type === 'CallExpression' && parent.callee === node) return true;
    if (parent.type === 'MemberExpression' && parent.object === node) {
      const method = memberName(parent, this.folder);
      const { node: member, parent: call } = climbWrappers(parent);
      if (call?.type !== 'CallExpression' || call.callee !== member) return false;
      if (method === 'call' || method === 'apply') return isNullish(call.arguments[0]);
      // `fn.bind()` binds nothing; its result called plainly (there, or by a `const` holding it) runs with the global `this`.
      if (method !== 'bind' || !isNullish(call.arguments[0])) return false;
      const { node: bound, parent: outer } = climbWrappers(call);
      if (outer?.type === 'CallExpression' && outer.callee === bound) return true;
      if (outer?.type !== 'VariableDeclarator' || outer.init !== bound || outer.id.type !== 'Identifier' || outer.parent?.kind !== 'const') return false;
      return (findVariable(this.scopeOf(outer.id), outer.id.name)?.references ?? []).some((reference) => !reference.init && this.calledUnbound(reference.identifier as unknown as AnyNode));
    }
    if (parent.type === 'NewExpression') return parent.arguments[0] === node && Resolver.nameOf(this.resolve(parent.callee)) === 'Promise';
    if (parent.type !== 'CallExpression') return false;
    const index = parent.arguments.indexOf(node);
    const callee = unwrap(parent.callee);
    const name = Resolver.nameOf(this.resolve(callee));
    if (index === 0 && name === 'Reflect.apply') return isNullish(parent.arguments[1]);
    // `Function.prototype.call.call(fn, null)` is `fn.call(null)` (`.apply` and `Reflect.apply` of those too).
    const through = this.normalizeCall(parent);
    const runner = Resolver.nameOf(through.callee);
    if ((runner === 'Function.prototype.call' || runner === 'Function.prototype.apply') && through.thisNode === node) return through.args !== undefined && isNullish(through.args[0]);
    // Built-ins that run a callback with no receiver (Node's timers give theirs the timer object).
    if (index === 0 && (name === 'queueMicrotask' || name === 'process.nextTick')) return true;
    if (index === 1 && name === 'Array.from') return parent.arguments.length < 3 || isNullish(parent.arguments[2]);
    const method = callee.type === 'MemberExpression' ? memberName(callee, this.folder) : undefined;
    if (method === undefined) return false;
    // Only a literal is certainly an Array or a string, and only a promise's `then` is certainly Promise's (another
    // object's `map` or `then` may bind `this`).
    const receiver = unwrap(callee.object);
    if (this.isCertainArray(receiver)) return index === 0 && (ITERATION_METHODS.has(method) ? parent.arguments.length < 2 || isNullish(parent.arguments[1]) : UNBOUND_ARRAY_CALLBACKS.has(method));
    if ((receiver.type === 'Literal' && typeof receiver.value === 'string') || receiver.type === 'TemplateLiteral') return index === 1 && (method === 'replace' || method === 'replaceAll');
    return (index === 0 || (index === 1 && method === 'then')) && PROMISE_REACTIONS.has(method) && this.isPromise(receiver);
  }

  /**
   * A value that is certainly an Array, whose methods are Array.prototype's: a literal, what `Array.of`/`Array.from`/
   * `Object.keys`/`values`/`entries`/`getOwnPropertyNames`/`getOwnPropertySymbols` and `Reflect.ownKeys` return, a
   * name written once with one of these, a string literal's `split`, and what an
   * array's copying methods (`map`, `filter`, `slice`, `concat`, …) return.
   */
  private isCertainArray(node: AnyNode, depth = 0): boolean {
    const value = unwrap(node);
    if (value.type === 'ArrayExpression') return true;
    if (depth > 4) return false;
    if (value.type === 'Identifier') {
      // A name written once, as a whole (a `const`, a `var` or `let` never written again, `let a; a = […]`).
      const binding = this.bindingOf(value);
      return binding.kind === 'value' && binding.path.length === 0 && !binding.fallback && this.isCertainArray(binding.init, depth + 1);
    }
    if (value.type !== 'CallExpression') return false;
    const callee = unwrap(value.callee);
    if (ARRAY_MAKERS.has(Resolver.nameOf(this.resolve(callee)) ?? '')) return true;
    const method = callee.type === 'MemberExpression' ? memberName(callee, this.folder) : undefined;
    if (method === undefined) return false;
    const receiver = unwrap(callee.object);
    if (method === 'split') return (receiver.type === 'Literal' && typeof receiver.value === 'string') || receiver.type === 'TemplateLiteral';
    return ARRAY_COPIES.has(method) && this.isCertainArray(receiver, depth + 1);
  }

  /** A value that is certainly a promise: `new Promise(…)`, `Promise.resolve(…)` and its siblings, a reaction's result, an import. */
  private isPromise(node: AnyNode): boolean {
    const value = unwrap(node);
    if (value.type === 'NewExpression') return Resolver.nameOf(this.resolve(value.callee)) === 'Promise';
    if (value.type === 'ImportExpression') return true;
    if (value.type !== 'CallExpression') return false;
    const callee = unwrap(value.callee);
    if (callee.type === 'MemberExpression' && PROMISE_REACTIONS.has(memberName(callee, this.folder) ?? '')) return this.isPromise(callee.object);
    return PROMISE_FACTORIES.has(Resolver.nameOf(this.resolve(callee)) ?? '');
  }

  /** True when a call leaves a sloppy function's `this` unbound (so it is the global object) or binds it to the global object. */
  private bindsGlobalThis(call: AnyNode, fn: AnyNode): boolean {
    // A tag runs like a plain call: tag`…` has no receiver.
    if (call.type === 'TaggedTemplateExpression') return unwrap(call.tag).type !== 'MemberExpression';
    if (call.type !== 'CallExpression') return false;
    const callee = unwrap(call.callee);
    if (callee.type !== 'MemberExpression') return true;
    // `f.call(t, …)` / `f.apply(t, […])`: the function's own name is the member's object.
    const method = memberName(callee, this.folder);
    if ((method !== 'call' && method !== 'apply') || (unwrap(callee.object) !== fn && unwrap(callee.object).type !== 'Identifier')) return false;
    const bound = call.arguments[0];
    if (isNullish(bound)) return true;
    const ref = this.resolve(bound);
    return ref !== undefined && ref.module === undefined && ref.path.length === 0;
  }

  /** A parameter every call site fills with the same thing (see `parameterArguments`). */
  private resolveParameter(identifier: AnyNode): Ref | undefined {
    const args = this.parameterArguments(identifier);
    return args && this.agreed(args);
  }

  /** What every one of `values` resolves to, when they all resolve and name the same thing. */
  private agreed(values: (AnyNode | undefined)[]): Ref | undefined {
    let agreed: Ref | undefined;
    for (const value of values) {
      const ref = value && this.resolve(value);
      if (!ref || (agreed && Resolver.nameOf(agreed) !== Resolver.nameOf(ref))) return undefined;
      agreed = ref;
    }
    return agreed;
  }

  /** `import('vm').then((vm) => …)`: the callback's first parameter is the module. */
  private resolveThenParameter(fn: AnyNode, index: number): Ref | undefined {
    const call = fn.parent;
    if (index !== 0 || call?.type !== 'CallExpression' || call.arguments[0] !== fn) return undefined;
    const callee = unwrap(call.callee);
    if (callee.type !== 'MemberExpression' || memberName(callee, this.folder) !== 'then') return undefined;
    const promise = this.resolve(callee.object);
    return promise?.path[0] === '%promise' ? { module: promise.module, path: promise.path.slice(1) } : this.executorResolution(callee.object);
  }

  /** `new Promise((resolve) => resolve(x))`: what every call of the executor's `resolve` agrees on is what the promise holds. */
  private executorResolution(node: AnyNode): Ref | undefined {
    const made = unwrap(node);
    if (made.type !== 'NewExpression' || Resolver.nameOf(this.resolve(made.callee)) !== 'Promise') return undefined;
    const executor = made.arguments[0] && unwrap(made.arguments[0]);
    const settle = executor && isFunctionNode(executor) ? executor.params[0] : undefined;
    if (settle?.type !== 'Identifier') return undefined;
    const settled: AnyNode[] = [];
    for (const reference of findVariable(this.scopeOf(executor.body), settle.name)?.references ?? []) {
      const { node: callee, parent: call } = climbWrappers(reference.identifier as unknown as AnyNode);
      // `resolve` handed on or kept: whoever holds it may settle the promise with anything.
      if (call?.type !== 'CallExpression' || call.callee !== callee || call.arguments.length !== 1) return undefined;
      settled.push(call.arguments[0]);
    }
    return this.agreed(settled);
  }

  private resolveCallResult(node: AnyNode): Ref | undefined {
    const frame = this.callSiteFrame(node);
    if (frame) return frame;
    const shim = this.sourceCode && shimValue(this.sourceCode, node);
    if (shim) return shim === 'require' ? { path: ['require'] } : { path: [] };
    const loaded = this.requireCall(node);
    if (loaded) return { module: loaded.specifier === undefined ? DYNAMIC : moduleName(loaded.specifier), path: [] };
    // `__importDefault(require('fs'))`, `__toESM(require('fs'))`: a compiler's interop helper hands back its module
    // (or an object whose `default` and members are the module's), so `fs_1.default.writeFileSync` is fs's.
    if (isInteropHelperCall(node, this)) return this.resolve(node.arguments[0]);
    const call = this.normalizeCall(node);
    const name = Resolver.nameOf(call.callee);
    if (name === 'module:createRequire') return { path: ['require'] };
    // `Promise.resolve(x)` and its siblings make a promise: its prototype is `Promise.prototype`.
    // `Promise.resolve(require('crypto'))` is a promise of the module, as `import('crypto')` is: what `then` hands on and `await` gives is the module.
    const promised = name === 'Promise.resolve' && call.args?.[0] ? this.resolve(call.args[0]) : undefined;
    if (promised?.module !== undefined && promised.path[0] !== '%promise') return { module: promised.module, path: ['%promise', ...promised.path] };
    if (name !== undefined && PROMISE_FACTORIES.has(name)) return { path: ['%value', 'Promise'] };
    if (name === 'Object.getPrototypeOf' || name === 'Reflect.getPrototypeOf') {
      const target = call.args?.[0] && this.resolve(call.args[0]);
      return target && { module: target.module, path: [...target.path, '__proto__'] };
    }
    if ((name === 'Reflect.get' || name === 'Object.getOwnPropertyDescriptor' || name === 'Reflect.getOwnPropertyDescriptor') && call.args && call.args.length >= 2) {
      const target = this.resolve(call.args[0]);
      const key = this.folder.foldString(call.args[1]) ?? DYNAMIC;
      // A descriptor's `value` is the property itself.
      return target && { module: target.module, path: [...target.path, key, ...(name === 'Reflect.get' ? [] : [DESCRIPTOR])] };
    }
    // `promisify(exec)` runs `exec`.
    if (name === 'util:promisify' && call.args?.[0]) return this.resolve(call.args[0]);
    if (name === 'Function' || name === 'AsyncFunction') {
      // `Function('return this')()` is the classic way to reach the global object.
      return undefined;
    }
    // `eval('pro' + 'cess')`, `vm.runInThisContext('require')`: a constant that is only a name evaluates to what it names.
    if ((name === 'eval' || name === 'vm:runInThisContext') && call.args?.[0]) {
      const source = this.folder.foldString(call.args[0]);
      // Only `eval(…)` written as such runs in the caller's scope; `(0, eval)(…)` and vm run in the global one.
      let callee = node.callee;
      while (TRANSPARENT.has(callee.type)) callee = callee.expression;
      const direct = name === 'eval' && callee.type === 'Identifier' && callee.name === 'eval';
      const path = source === undefined ? undefined : evaluatedPath(source, false, !direct);
      if (path) return { path };
    }
    const callee = unwrap(node.callee);
    if (callee.type === 'MemberExpression' && memberName(callee, this.folder) === 'bind') return this.resolve(callee.object);
    // `Function('return this')()`, `new Function('return process')()`, `[].map.constructor('return require')()`,
    // also run through `.call()`, `.apply(null)`, `Reflect.apply(…)` or a variable holding the built function.
    const built = this.builtFunction(node);
    const builtPath = built && this.factoryResult(built);
    if (builtPath) return { path: builtPath };
    // `new vm.Script('process').runInThisContext()`.
    const scriptPath = this.scriptResult(callee);
    if (scriptPath) return { path: scriptPath };
    // What a module's function returns (`http.request(…)`, `spawn(…)`): an object of that module, members unknown.
    if (call.callee?.module !== undefined && call.callee.module !== DYNAMIC && !call.callee.path.some((step) => step.startsWith('%'))) {
      return { module: call.callee.module, path: [...call.callee.path, RESULT] };
    }
    return this.resolveReturned(node);
  }

  /**
   * A V8 CallSite's `getFunction()` and `getThis()` (what `Error.prepareStackTrace` is handed) give a
   * frame's function and receiver: the module wrapper, whose `arguments` hold `require`, and the global
   * object. A call of either, without arguments, on something the resolver cannot name or on an
   * error's `stack` counts as one, however the method is reached and run: an alias, a computed key,
   * the CallSite's prototype, `.call`, `.apply`, `Reflect.apply` or a `.bind` called at once.
   */
  private callSiteFrame(node: AnyNode): Ref | undefined {
    if (node.type !== 'CallExpression') return undefined;
    const call = this.normalizeCall(node);
    let method = call.calleeNode;
    let args = call.args;
    for (let hop = 0; method.type === 'Identifier' && hop < 4; hop++) method = unwrap(this.aliasedExpression(method)?.node ?? method);
    // `cs.getFunction.bind(cs)()`: the bound method, run with the bound arguments and the call's own.
    if (method.type === 'CallExpression' && unwrap(method.callee).type === 'MemberExpression' && memberName(unwrap(method.callee), this.folder) === 'bind') {
      args = args && [...method.arguments.slice(1), ...args];
      method = unwrap(unwrap(method.callee).object);
    }
    if (args?.length !== 0 || method.type !== 'MemberExpression') return undefined;
    const name = memberName(method, this.folder);
    if (name !== 'getFunction' && name !== 'getThis') return undefined;
    // Unknown, or reached through an error's `stack` (which prepareStackTrace makes an array of CallSites).
    const receiver = this.resolve(method.object);
    if (receiver !== undefined && (receiver.module !== undefined || !receiver.path.includes('stack'))) return undefined;
    return name === 'getFunction' ? { path: [CALLER] } : { path: [] };
  }

  /** What the function a Function-constructor call builds returns when called, if its constant body only returns a name. */
  private factoryResult(factory: AnyNode): string[] | undefined {
    const call = this.normalizeCall(factory);
    const callee = call.callee;
    const constructs = callee?.module === undefined && callee !== undefined && (Resolver.nameOf(callee) === 'Function' || (callee.path.length >= 2 && callee.path[callee.path.length - 1] === 'constructor'));
    if (!constructs || !call.args?.length) return undefined;
    const pieces = call.args.map((arg) => this.folder.foldString(arg));
    if (pieces.includes(undefined)) return undefined;
    const body = pieces.pop()!;
    // A parameter named like the global it returns (`Function('process', 'return process')`) returns the argument instead.
    const params = new Set(pieces.join(',').split(',').map((name) => name.trim()));
    const path = evaluatedPath(body, true);
    return path && !params.has(path[0]) ? path : undefined;
  }

  /** The Function-constructor call whose function `call` runs: `F(…)()`, `F(…).call()`, `Reflect.apply(F(…), …)`, `const f = F(…); f()`. */
  private builtFunction(call: AnyNode): AnyNode | undefined {
    let callee = this.normalizeCall(call).calleeNode;
    if (callee.type === 'MemberExpression' && ['call', 'apply'].includes(memberName(callee, this.folder) ?? '')) callee = unwrap(callee.object);
    if (callee.type === 'Identifier') callee = unwrap(this.aliasedExpression(callee)?.node ?? callee);
    return callee.type === 'CallExpression' || callee.type === 'NewExpression' ? callee : undefined;
  }

  /** `new vm.Script(source).runInThisContext()` evaluates `source` in the global scope. */
  private scriptResult(callee: AnyNode): string[] | undefined {
    if (callee.type !== 'MemberExpression' || memberName(callee, this.folder) !== 'runInThisContext') return undefined;
    const script = unwrap(callee.object);
    if (script.type !== 'NewExpression' || Resolver.nameOf(this.resolve(script.callee)) !== 'vm:Script' || !script.arguments[0]) return undefined;
    const source = this.folder.foldString(script.arguments[0]);
    return source === undefined ? undefined : evaluatedPath(source, false, true);
  }

  /**
   * The function a confined literal holds under a member's key, read directly, through a single-write name, or
   * through another literal that holds the member (`[probe.self][0]`).
   */
  private literalFunction(callee: AnyNode): AnyNode | undefined {
    let node = unwrap(callee);
    for (let hop = 0; hop < 8; hop++) {
      if (isFunctionNode(node)) return node;
      const next = node.type === 'Identifier' ? this.aliasedExpression(node)?.node : node.type === 'MemberExpression' ? this.literalValue(node) : undefined;
      if (!next) return undefined;
      node = unwrap(next);
    }
    return undefined;
  }

  /**
   * A call of a function declared here yields what its body returns, when every `return` agrees: a function a
   * name holds, or one a literal the file keeps to itself holds (`(0, probe.self)()`, `const f = probe.self; f()`).
   */
  private resolveReturned(call: AnyNode): Ref | undefined {
    // `f.call(t, …)` runs `f` as well.
    const seenThrough = this.normalizeCall(call).calleeNode;
    const fn = this.calledFunction(call) ?? (seenThrough !== unwrap(call.callee) ? this.calledFunction({ ...call, callee: seenThrough }) : undefined) ?? this.literalFunction(seenThrough);
    return fn && this.agreedReturn(fn);
  }

  /** What every `return` of `fn` agrees on. */
  private agreedReturn(fn: AnyNode): Ref | undefined {
    const returned = this.functions.returnedExpressions(fn);
    const agreed = returned && this.agreed(returned);
    // An async function's result is a promise of it (a returned promise is not wrapped twice).
    return fn.async && agreed && agreed.path[0] !== '%promise' ? { module: agreed.module, path: ['%promise', ...agreed.path] } : agreed;
  }
}

function isClass(node: AnyNode): boolean {
  return node.type === 'ClassExpression' || node.type === 'ClassDeclaration';
}

/** The built-in constructor of a literal's value; undefined for `null`. */
function literalConstructorName(node: AnyNode): string | undefined {
  if (node.type === 'ObjectExpression') return 'Object';
  if (node.type === 'ArrayExpression') return 'Array';
  if (node.type === 'TemplateLiteral' || typeof node.value === 'string') return 'String';
  if (node.regex) return 'RegExp';
  if (node.bigint !== undefined) return 'BigInt';
  if (typeof node.value === 'number') return 'Number';
  if (typeof node.value === 'boolean') return 'Boolean';
  return undefined;
}

function stepName(step: PathStep): string {
  return 'key' in step ? step.key : DYNAMIC;
}

/** A member's key when it is known: an identifier, or a computed key that folds to a string or a number (`list[0]`). */
export function memberName(node: AnyNode, folder: Folder): string | undefined {
  return keyName(node.property, node.computed, folder);
}

/** A key of a member, a property or a pattern when it is known (see `memberName`). */
export function keyName(keyNode: AnyNode, computed: boolean, folder: Folder): string | undefined {
  if (!computed) return plainKeyName(keyNode, false);
  const key = folder.fold(keyNode)?.value;
  // A key is converted to a string: `o[['get']]` is `o.get`.
  const primitive = (value: unknown) => typeof value === 'string' || typeof value === 'number';
  return primitive(key) || (Array.isArray(key) && key.every(primitive)) ? String(key) : undefined;
}

function isCallable(ref: Ref): boolean {
  return ref.path.length > 0 || ref.module !== undefined;
}

/** Rewrites the many spellings of one thing to its canonical ref. */
export function normalize(ref: Ref): Ref {
  // Most refs need no rewrite: they are returned as they are, without a copy.
  let normalized = ref;
  for (let rewritten = rewriteOnce(ref.module, ref.path); rewritten; rewritten = rewriteOnce(normalized.module, normalized.path)) {
    normalized = rewritten;
  }
  return normalized;
}

function rewriteOnce(module: string | undefined, path: string[]): Ref | undefined {
  const n = path.length;
  const descriptor = path.indexOf(DESCRIPTOR);
  if (descriptor >= 0 && path[descriptor + 1] === 'value') return { module, path: [...path.slice(0, descriptor), ...path.slice(descriptor + 2)] };
  if (module === undefined) {
    if (n >= 1 && GLOBAL_OBJECT_NAMES.has(path[0])) return { path: path.slice(1) };
    if (n >= 1 && BROWSER_GLOBAL_NAMES.has(path[0])) return { path: [BROWSER_GLOBAL, ...path.slice(1)] };
    if (n >= 2 && path[0] === BROWSER_GLOBAL) return { path: path.slice(1) };
    if (n >= 2 && path[0] === CJS_ARGUMENTS && WRAPPER_ARGUMENTS[path[1]]) return { path: [WRAPPER_ARGUMENTS[path[1]], ...path.slice(2)] };
    if (n >= 2 && (path[0] === CJS_ARGUMENTS || path[0] === FUNCTION_ARGUMENTS) && path[1] === 'callee') return { path: ['%fn', 'Function', ...path.slice(2)] };
    if (n >= 2 && path[0] === 'process' && path[1] === 'mainModule') return { path: ['module', ...path.slice(2)] };
    // `(await import('process')).default` is process itself (the global has no such member, so nothing else is meant).
    if (n >= 2 && path[0] === 'process' && path[1] === 'default') return { path: ['process', ...path.slice(2)] };
    if (n >= 2 && path[0] === 'require' && path[1] === 'main') return { path: ['module', ...path.slice(2)] };
    if (n >= 2 && path[0] === 'module' && path[1] === 'require') return { path: ['require', ...path.slice(2)] };
    // Any module object's require (`module.parent.require`, `module.children[0].require`, `require.cache[k].require`) is require.
    const moduleObject = (path[0] === 'module' && n >= 3) || (path[0] === 'require' && path[1] === 'cache' && n >= 4);
    if (moduleObject && path[n - 1] === 'require' && !path.slice(1, -1).includes('exports')) return { path: ['require'] };
    if (n >= 2 && path[0] === 'module' && path[1] === 'constructor') return { module: 'module', path: path.slice(2) };
    if (n >= 2 && path[0] === 'module' && path[1] === '__proto__') return { module: 'module', path: ['prototype', ...path.slice(2)] };
    if (n >= 2 && path[0] === '%fn' && path[2] === 'constructor') return { path: [path[1], ...path.slice(3)] };
    // `arguments.callee` is the function itself; any function's `caller` (sloppy mode) the one that called it, whose `arguments` are the wrapper's when it is the module.
    if (n >= 3 && path[0] === '%fn' && path[2] === 'caller') return { path: [CALLER, ...path.slice(3)] };
    if (n >= 2 && path[0] === CALLER && path[1] === 'caller') return { path: [CALLER, ...path.slice(2)] };
    if (n >= 2 && path[0] === CALLER && path[1] === 'arguments') return { path: [CJS_ARGUMENTS, ...path.slice(2)] };
    if (n >= 3 && path[0] === '%fn' && path[2] === '__proto__') return { path: [path[1], 'prototype', ...path.slice(3)] };
    if (n >= 3 && path[0] === '%value' && path[2] === 'constructor') return { path: [path[1], ...path.slice(3)] };
    if (n >= 3 && path[0] === '%value' && path[2] === '__proto__') return { path: [path[1], 'prototype', ...path.slice(3)] };
    if (n >= 2 && GLOBAL_FUNCTIONS.has(path[0]) && path[1] === 'constructor') return { path: ['Function', ...path.slice(2)] };
    if (n >= 2 && GLOBAL_FUNCTIONS.has(path[0]) && path[1] === '__proto__') return { path: ['Function', 'prototype', ...path.slice(2)] };
    const stdioClass = n >= 3 && path[0] === 'process' && STDIO.has(path[1]) ? path.indexOf('constructor') : -1;
    if (stdioClass >= 2 && stdioClass <= 4 && path.slice(2, stdioClass).every((step) => step === '__proto__')) return { module: 'net', path: ['Socket', ...path.slice(stdioClass + 1)] };
  } else if (module === 'tty') {
    // tty's streams are sockets: `Object.getPrototypeOf(tty.ReadStream.prototype)` is `net.Socket.prototype`.
    if (n >= 3 && TTY_STREAMS.has(path[0]) && path[1] === 'prototype' && path[2] === '__proto__') return { module: 'net', path: ['Socket', 'prototype', ...path.slice(3)] };
    if (n >= 2 && TTY_STREAMS.has(path[0]) && path[1] === '__proto__') return { module: 'net', path: ['Socket', ...path.slice(2)] };
  } else if (module === 'process') {
    // `import { env } from 'node:process'`, `require('process').env`: the same object as the global (once a dynamic
    // import's promise is awaited: `(await import('node:process')).env`).
    if (path[0] !== '%promise') return { path: ['process', ...(path[0] === 'default' ? path.slice(1) : path)] };
  } else if (module === 'module') {
    if (n >= 1 && path[0] === INSTANCE) return { module, path: ['prototype', ...path.slice(1)] };
    if (n >= 1 && (path[0] === '_load' || path[0] === 'require')) return { path: ['require', ...path.slice(1)] };
    if (n >= 2 && path[0] === 'prototype' && path[1] === 'require') return { path: ['require', ...path.slice(2)] };
    if (n >= 1 && (path[0] === 'Module' || path[0] === 'default')) return { module, path: path.slice(1) };
  }
  // A built-in's ESM default export is its CommonJS exports: `(await import('child_process')).default.exec`.
  if (module !== undefined && path[0] === 'default' && isBuiltin(module)) return { module, path: path.slice(1) };
  // Another module's function: its `caller` (sloppy mode) is whatever called it, the module wrapper among them.
  const caller = module !== undefined && module !== DYNAMIC && !path.some((step) => step.startsWith('%')) ? path.indexOf('caller') : -1;
  if (caller >= 0) return { path: [CALLER, ...path.slice(caller + 1)] };
  for (let i = 0; i + 1 < n; i++) {
    // Climbing a declared subclass's chain reaches its parent: `Sub.__proto__` is the parent, `Sub.prototype.__proto__` its prototype.
    if (path[i] === SUBCLASS && path[i + 1] === '__proto__') return { module, path: [...path.slice(0, i), ...path.slice(i + 2)] };
    if (path[i] === SUBCLASS && path[i + 1] === 'prototype' && path[i + 2] === '__proto__') return { module, path: [...path.slice(0, i), 'prototype', ...path.slice(i + 3)] };
    if (path[i] === 'constructor' && path[i + 1] === 'constructor') return { path: ['Function', ...path.slice(i + 2)] };
    // A module's instance was made by its class: `new net.Socket().constructor` is `net.Socket`.
    if (path[i] === INSTANCE && path[i + 1] === 'constructor' && module !== undefined) return { module, path: [...path.slice(0, i), ...path.slice(i + 2)] };
    if (path[i] === 'prototype' && path[i + 1] === 'constructor' && i >= 1) {
      return { module, path: [...path.slice(0, i), ...path.slice(i + 2)] };
    }
    if (path[i] === '__proto__' && path[i + 1] === 'constructor' && i >= 1 && FUNCTION_CONSTRUCTORS.has(path[i - 1])) {
      return { path: ['Function', ...path.slice(i + 2)] };
    }
  }
  return undefined;
}

/**
 * How a message names what was called: `fs:readFileSync`, `JSON.stringify`,
 * or the source text when the callee is local or not fully known (`load`, `this.send`).
 */
export function calleeLabel(sourceCode: SourceCode, call: NormalizedCall): string {
  const name = Resolver.nameOf(call.callee);
  if (name !== undefined && !name.includes('%') && !call.callee!.path.includes(DYNAMIC)) return name;
  const text = sourceCode.getText(call.calleeNode as never).replace(/\s+/g, ' ');
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** One resolver per linted file, shared by every rule that runs on it. */
/** `f(…)` or `new f(…)` where `use` is `f`. */
function isCalledDirectly(use: AnyNode): boolean {
  const { node, parent } = climbWrappers(use);
  return (parent?.type === 'CallExpression' || parent?.type === 'NewExpression') && parent.callee === node;
}

const resolvers = new WeakMap<object, Resolver>();

export function resolverFor(context: Rule.RuleContext): Resolver {
  const sourceCode = context.sourceCode;
  let resolver = resolvers.get(sourceCode);
  if (!resolver) {
    resolver = new Resolver((node) => sourceCode.getScope(node as never), context.filename, sourceCode, context.languageOptions?.sourceType);
    resolvers.set(sourceCode, resolver);
  }
  return resolver;
}
