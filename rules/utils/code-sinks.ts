/**
 * Where a string becomes code: `eval`, the `Function` constructors,
 * `vm`'s compilers, `Module._compile` and inspector evaluations. Shared by the rule that judges the
 * evaluation itself (no-dynamic-code) and the one that judges what flows into
 * it (no-obfuscation), so both agree on what a sink is.
 */
import type { Rule } from 'eslint';
import type { AnyNode } from './ast.js';
import { climbWrappers, isFunctionNode, plainKeyName, unwrap } from './ast.js';
import { FUNCTION_CONSTRUCTORS } from './markers.js';
import { DYNAMIC, memberName, resolverFor, Resolver, type NormalizedCall, type Ref } from './resolve.js';
import { isContextFunction } from './plugin-api.js';
import { findVariable } from './scope.js';

const TIMERS = new Set(['setTimeout', 'setInterval', 'setImmediate']);
/** `vm` members that compile source text (`measureMemory` and friends do not). */
const VM_COMPILERS = new Set(['runInThisContext', 'runInNewContext', 'runInContext', 'Script', 'compileFunction', 'SourceTextModule']);
/** Calls whose result is a string, so passing it to a timer passes no callback. */
const STRING_RESULTS = new Set([
  'toString', 'join', 'replace', 'replaceAll', 'concat', 'slice', 'substring', 'substr', 'trim', 'toLowerCase',
  'toUpperCase', 'repeat', 'padStart', 'padEnd', 'fromCharCode', 'fromCodePoint', 'atob', 'btoa', 'decodeURIComponent',
  'decodeURI', 'unescape', 'String', 'stringify',
]);
const MAX_STRING_DEPTH = 8;
const MAX_ALIAS_HOPS = 4;

export interface CodeSink {
  /** `eval`, `Function`, `setTimeout`, `vm.runInThisContext`… */
  name: string;
  kind: 'eval' | 'function' | 'vm';
  call: NormalizedCall;
  /** The source-text argument; undefined when the arguments cannot be known (`eval.apply(null, args)`). */
  code: AnyNode | undefined;
  /** `Function`'s parameter-list arguments. */
  params: AnyNode[];
  /** True when the code is a function body (`Function`, `vm.compileFunction`). */
  asFunctionBody: boolean;
  /** An inspector method not known to run no code, with no code to see in its parameters: what it makes the debugger do cannot be reviewed. */
  unlisted?: boolean;
  /**
   * True for the plain spelling `eval(…)` / `Function(…)` / `new Function(…)` of
   * the real global; false when reached through an alias, a computed key, the
   * global object, a constructor chain, `.call/.apply` or `Reflect`.
   */
  direct: boolean;
  /**
   * `x.constructor(…)` of a value the resolver cannot name: Function if `x` is a function, an ordinary constructor
   * otherwise (`new err.constructor(message)`). Constant text that is not JavaScript is then no code at all.
   */
  unknownReceiver?: boolean;
}

/**
 * A timer given a string (`setTimeout('code', n)`): browsers evaluate it, but
 * Node throws ERR_INVALID_ARG_TYPE for a non-function callback (checked on
 * Node 20, 22 and 24), so in a plugin it runs nothing and is no code sink.
 */
export function stringTimerOf(context: Rule.RuleContext, node: AnyNode): string | undefined {
  const resolver = resolverFor(context);
  const { callee, args } = resolver.normalizeCall(node);
  const global = callee?.module === undefined || callee.module === 'timers';
  const name = global && callee?.path.length === 1 ? callee.path[0] : undefined;
  return name !== undefined && TIMERS.has(name) && args?.[0] && looksLikeString(resolver, args[0], 0) ? name : undefined;
}

/** The code sink `node` (a call or `new`) calls, if any. */
export function codeSinkOf(context: Rule.RuleContext, node: AnyNode): CodeSink | undefined {
  const resolver = resolverFor(context);
  const call = resolver.normalizeCall(node);
  const callee = call.callee;
  const args = call.args;
  if (!callee || callee.path[callee.path.length - 1] === DYNAMIC) {
    // `ctx.subscriptions.push.constructor('return process')()`: nothing proves the unknown value is no function, whose
    // constructor is Function. A constant is read as code (what it does is the finding, if it is code at all); text
    // built at run time counts only when what it makes is called, as a Function's result is: `new err.constructor(msg)`
    // or `new value.constructor(String(value))` make an instance, the everyday idiom.
    const code = args?.[args.length - 1];
    const receiver = code === undefined ? undefined : constructorReceiver(context, resolver, call.calleeNode);
    if (receiver === undefined) return undefined;
    const sink = { name: 'Function', kind: 'function' as const, call, code, params: args!.slice(0, -1), asFunctionBody: true };
    // A class's or function's own `.constructor` is Function for certain: reached indirectly, whatever the code.
    if (receiver === 'function') return { ...sink, direct: false };
    // A key that does not fold may be `constructor` or any other method: only text given to it can make it code.
    const anyKey = receiver === 'any-key';
    const constant = anyKey ? args!.every((arg) => resolver.folder.foldString(arg) !== undefined) : resolver.folder.foldString(code!) !== undefined;
    if (constant) return { ...sink, unknownReceiver: true, direct: true };
    const mayBeCode = !anyKey || looksLikeString(resolver, code!, 0);
    return mayBeCode && resultIsCalled(context, node) ? { ...sink, unknownReceiver: true, direct: false } : undefined;
  }
  if (callee.module === undefined && callee.path.length === 1) {
    const name = callee.path[0];
    const direct = isPlainGlobal(context, node, name) && args === node.arguments;
    if (name === 'eval') return { name, kind: 'eval', call, code: args?.[0], params: [], asFunctionBody: false, direct };
    if (FUNCTION_CONSTRUCTORS.has(name)) {
      const code = args?.[args.length - 1];
      return { name, kind: 'function', call, code, params: args?.slice(0, -1) ?? [], asFunctionBody: true, direct };
    }
  }
  if (callee.path.length >= 2 && callee.path[callee.path.length - 1] === 'constructor' && !isPrototypeConstructor(callee.path)) {
    // `[].map.constructor(…)`, `require('fs').readFile.constructor(…)`: a function's constructor is Function.
    const code = args?.[args.length - 1];
    return { name: 'Function', kind: 'function', call, code, params: args?.slice(0, -1) ?? [], asFunctionBody: true, direct: false };
  }
  // `module._compile(src, file)`, `new Module()._compile`, `require.cache[k]._compile`, `Module.prototype._compile.call(…)`.
  if (callee.path[callee.path.length - 1] === '_compile' && (callee.module === 'module' || (callee.module === undefined && (callee.path[0] === 'module' || callee.path[0] === 'require')))) {
    return { name: 'Module._compile', kind: 'vm', call, code: args?.[0], params: [], asFunctionBody: true, direct: args === node.arguments };
  }
  // An inspector session asked to run code in this process: a method not known to run none, or code in its parameters.
  if ((callee.module === 'inspector' || callee.module === 'inspector/promises') && isSessionPost(callee.path)) return inspectorSinkOf(context, call);
  if (callee.module === 'vm' && callee.path.length === 1 && VM_COMPILERS.has(callee.path[0])) {
    const name = `vm.${callee.path[0]}`;
    const asFunctionBody = callee.path[0] === 'compileFunction';
    return { name, kind: 'vm', call, code: args?.[0], params: [], asFunctionBody, direct: args === node.arguments };
  }
  return undefined;
}

/**
 * Inspector protocol methods that run no code of the caller's: enabling domains, profiling, coverage and heap
 * snapshots. Any other method can make the debugger run code (breakpoint conditions, evaluations, script edits).
 */
const INSPECTOR_HARMLESS = new Set([
  'Runtime.enable', 'Runtime.disable', 'Runtime.getHeapUsage', 'Runtime.runIfWaitingForDebugger', 'Debugger.enable',
  'Debugger.disable', 'Profiler.enable', 'Profiler.disable', 'Profiler.start', 'Profiler.stop', 'Profiler.setSamplingInterval',
  'Profiler.startPreciseCoverage', 'Profiler.stopPreciseCoverage', 'Profiler.takePreciseCoverage', 'Profiler.getBestEffortCoverage',
  'HeapProfiler.enable', 'HeapProfiler.disable', 'HeapProfiler.takeHeapSnapshot', 'HeapProfiler.collectGarbage',
  'HeapProfiler.startSampling', 'HeapProfiler.stopSampling', 'HeapProfiler.getSamplingProfile',
  'HeapProfiler.startTrackingHeapObjects', 'HeapProfiler.stopTrackingHeapObjects', 'NodeTracing.getCategories',
  'NodeTracing.start', 'NodeTracing.stop', 'Schema.getDomains',
]);
/** Parameters the debugger reads as source text, whatever the method: `Runtime.evaluate`'s expression, a breakpoint's condition… */
const INSPECTOR_CODE_FIELDS = ['expression', 'condition', 'functionDeclaration', 'source', 'scriptSource'];

/**
 * How a call's callee may be a function's `constructor`: `'function'` when it is the `constructor` of a class or
 * function (Function for certain), `'unknown'` when it is the `constructor` of a value the resolver cannot name,
 * `'any-key'` when it is read by a key that does not fold from a function or an unknown value. Every spelling of the
 * read is the same read: a member (`x.constructor`, `x?.['constr' + 'uctor']`, `fn[k]`), through aliases, or a
 * destructuring (`const { constructor: C } = x`). A member of the plugin's context is what the API says it is (see
 * plugin-api.ts). Only a class's own `this` is known to be an instance, whose
 * constructor is the class rather than Function.
 */
function constructorReceiver(context: Rule.RuleContext, resolver: Resolver, calleeNode: AnyNode): 'function' | 'unknown' | 'any-key' | undefined {
  const read = propertyRead(resolver, throughAliases(resolver, calleeNode));
  if (!read || (read.key !== 'constructor' && read.key !== DYNAMIC)) return undefined;
  const object = read.object && throughAliases(resolver, read.object);
  if (object?.type === 'ThisExpression' && inClassBody(object)) return undefined;
  // A member of the plugin's context that the API makes a function (`ctx.log.info`) is one, as a class is.
  const isFunction = object !== undefined && (FUNCTION_NODES.has(object.type) || isFunctionRef(resolver.resolve(object)) || isContextFunction(context, resolver, object));
  if (read.key === DYNAMIC) return isFunction || !object || !resolver.resolve(object) ? 'any-key' : undefined;
  return isFunction ? 'function' : 'unknown';
}

/** The property `node` reads and what it reads it from (undefined when a destructuring reads it from a nested member); DYNAMIC for a key that does not fold. */
function propertyRead(resolver: Resolver, node: AnyNode): { object: AnyNode | undefined; key: string } | undefined {
  if (node.type === 'MemberExpression') return { object: node.object, key: memberName(node, resolver.folder) ?? (node.computed ? DYNAMIC : '') };
  const source = node.type === 'Identifier' ? resolver.destructuredPath(node) : undefined;
  if (!source?.keys.length) return undefined;
  return { object: source.keys.length === 1 ? source.node : undefined, key: source.keys[source.keys.length - 1] };
}

const FUNCTION_NODES = new Set(['ClassExpression', 'ClassDeclaration', 'FunctionExpression', 'FunctionDeclaration', 'ArrowFunctionExpression']);

/** A ref the resolver knows to be a function: its own `constructor` is one of the Function constructors. */
function isFunctionRef(ref: Ref | undefined): boolean {
  return ref !== undefined && ref.module === undefined && FUNCTION_CONSTRUCTORS.has(Resolver.nameOf(Resolver.member(ref, 'constructor')) ?? '');
}

/** What an expression names once its aliases (`const C = K`, `const K = class {}`) are followed. */
function throughAliases(resolver: Resolver, input: AnyNode): AnyNode {
  let node = unwrap(input);
  for (let hop = 0; node.type === 'Identifier' && hop < MAX_ALIAS_HOPS; hop++) {
    const alias = resolver.aliasedExpression(node);
    if (!alias) return node;
    node = unwrap(alias.node);
  }
  return node;
}

/** `X.prototype.constructor`, `Object.getPrototypeOf(X.prototype).constructor`: a prototype's constructor is a class, not Function. */
function isPrototypeConstructor(path: string[]): boolean {
  let step = path.length - 2;
  while (step > 0 && path[step] === '__proto__') step--;
  return path[step] === 'prototype';
}

/**
 * `f(…)()`, `f(…).call(…)`, `f(…).apply(…)`, `f(…)?.()`, or handed to what calls it later (`setTimeout(f(…))`,
 * `new Promise(f(…))`, `{ dispose: f(…) }`): what the call made is run, there or through the constant that holds it
 * (`const run = f(…); setTimeout(run)`).
 */
function resultIsCalled(context: Rule.RuleContext, node: AnyNode): boolean {
  const resolver = resolverFor(context);
  const { node: made, parent } = climbWrappers(node);
  if (isRunThere(resolver, made)) return true;
  const list = listHolding(made);
  if (list) return elementIsCalled(context, resolver, list);
  if (parent?.type !== 'VariableDeclarator' || parent.init !== made || parent.id.type !== 'Identifier') return false;
  const variable = findVariable(context.sourceCode.getScope(parent.id as never), parent.id.name);
  const writes = variable?.references.filter((reference) => reference.isWrite()).length;
  return writes === 1 && variable!.references.some((reference) => reference.isRead() && isRunThere(resolver, climbWrappers(reference.identifier as unknown as AnyNode).node));
}

/** Calls that put their arguments into the array they are called on. */
const ADDS_ELEMENTS = new Set(['push', 'unshift']);
/** Array methods that call their callback with each element as its first parameter. */
const ELEMENT_CALLBACKS = new Set(['forEach', 'map', 'flatMap', 'filter', 'some', 'every', 'find', 'findIndex', 'findLast', 'findLastIndex']);
/** Array methods that hand back one element. */
const ELEMENT_TAKERS = new Set(['pop', 'shift', 'at']);

/** The name of the array a value is kept in: `list.push(v)`, `list.unshift(v)`, `const list = [v]`, `list[i] = v`. */
function listHolding(made: AnyNode): AnyNode | undefined {
  const parent = made.parent;
  if (parent?.type === 'CallExpression' && parent.arguments.includes(made)) {
    const callee = unwrap(parent.callee);
    const method = callee.type === 'MemberExpression' ? plainKeyName(callee.property, callee.computed) : undefined;
    return method && ADDS_ELEMENTS.has(method) && unwrap(callee.object).type === 'Identifier' ? unwrap(callee.object) : undefined;
  }
  if (parent?.type === 'ArrayExpression') {
    const holder = climbWrappers(parent).parent;
    return holder?.type === 'VariableDeclarator' && holder.id.type === 'Identifier' ? holder.id : undefined;
  }
  if (parent?.type === 'AssignmentExpression' && parent.right === made && parent.left.type === 'MemberExpression' && parent.left.computed) {
    return unwrap(parent.left.object).type === 'Identifier' ? unwrap(parent.left.object) : undefined;
  }
  return undefined;
}

/**
 * An element of the array `list` names is called: in an element callback (`list.forEach((f) => f())`), through a
 * for-of variable, by index (`list[0]()`) or as taken out (`list.pop()()`). A list of functions made from text that
 * are then run is code run later, as a timer's would be.
 */
function elementIsCalled(context: Rule.RuleContext, resolver: Resolver, list: AnyNode): boolean {
  const variable = findVariable(context.sourceCode.getScope(list as never), list.name);
  const calledName = (identifier: AnyNode) => {
    const named = findVariable(context.sourceCode.getScope(identifier as never), identifier.name);
    return named?.references.some((reference) => isRunThere(resolver, climbWrappers(reference.identifier as unknown as AnyNode).node)) ?? false;
  };
  return (variable?.references ?? []).some((reference) => {
    if (!reference.isRead()) return false;
    const { node: use, parent } = climbWrappers(reference.identifier as unknown as AnyNode);
    if (parent?.type === 'ForOfStatement' && parent.right === use) {
      const declared = parent.left.type === 'VariableDeclaration' ? parent.left.declarations[0]?.id : parent.left;
      return declared?.type === 'Identifier' && calledName(declared);
    }
    if (parent?.type !== 'MemberExpression' || parent.object !== use) return false;
    const { node: member, parent: grand } = climbWrappers(parent);
    if (parent.computed && isRunThere(resolver, member)) return true;
    const method = memberName(parent, resolver.folder);
    if (grand?.type !== 'CallExpression' || grand.callee !== member || method === undefined) return false;
    if (ELEMENT_TAKERS.has(method)) return isRunThere(resolver, climbWrappers(grand).node);
    if (!ELEMENT_CALLBACKS.has(method)) return false;
    const callback = grand.arguments[0] && unwrap(grand.arguments[0]);
    const element = callback && isFunctionNode(callback) ? callback.params[0] : undefined;
    return element?.type === 'Identifier' && calledName(element);
  });
}

/** Globals that call the function they are given: timers, microtasks, a Promise's executor. */
const CALLING_GLOBALS = new Set([...TIMERS, 'queueMicrotask', 'process.nextTick', 'Promise']);
/** Methods that call the function they are given: reactions, listeners, command handlers, array callbacks. */
const CALLING_METHODS = new Set([
  'then', 'catch', 'finally', 'on', 'once', 'addListener', 'prependListener', 'prependOnceListener', 'addEventListener',
  'register', 'forEach', 'map', 'flatMap', 'filter', 'some', 'every', 'find', 'findIndex', 'findLast', 'findLastIndex',
  'reduce', 'reduceRight', 'sort', 'toSorted',
]);

function isRunThere(resolver: Resolver, node: AnyNode): boolean {
  const parent = node.parent;
  if (parent?.type === 'CallExpression' && parent.callee === node) return true;
  if (parent?.type === 'Property' && parent.value === node && plainKeyName(parent.key, parent.computed) === 'dispose') return true;
  if ((parent?.type === 'CallExpression' || parent?.type === 'NewExpression') && parent.arguments.includes(node)) {
    const callee = unwrap(parent.callee);
    const name = Resolver.nameOf(resolver.resolve(callee));
    return (name !== undefined && CALLING_GLOBALS.has(name)) || (callee.type === 'MemberExpression' && CALLING_METHODS.has(memberName(callee, resolver.folder) ?? ''));
  }
  if (parent?.type !== 'MemberExpression' || parent.object !== node) return false;
  const { node: member, parent: grand } = climbWrappers(parent);
  return grand?.type === 'CallExpression' && grand.callee === member && ['call', 'apply', 'bind'].includes(memberName(parent, resolver.folder) ?? '');
}

function inClassBody(node: AnyNode): boolean {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type === 'ClassBody') return true;
    if (current.type === 'FunctionDeclaration' || (current.type === 'FunctionExpression' && current.parent?.type !== 'MethodDefinition')) return false;
  }
  return false;
}

/** `session.post`, `Session.prototype.post`, or a session member reached by a key the gate cannot fold (which may be `post`). */
function isSessionPost(path: string[]): boolean {
  const last = path[path.length - 1];
  return last === 'post' || (last === DYNAMIC && path[0] === 'Session');
}

/**
 * What an inspector `post` runs: the code field of its parameters (a constant one is analyzed as code),
 * or, when there is none to see, the method and parameters themselves (a method that does not fold,
 * parameters that cannot be seen into, or a method not known to run no code are all unreviewable).
 */
function inspectorSinkOf(context: Rule.RuleContext, call: NormalizedCall): CodeSink | undefined {
  const resolver = resolverFor(context);
  const [methodNode, paramsNode] = call.args ?? [];
  // A wrapper's parameter (`const post = (m, p) => new Promise((r) => session.post(m, p, r))`) takes each method its calls pass.
  const methods = methodNode && resolver.folder.possibleValues(methodNode);
  const params = paramsNode ? inspectorParams(resolver, paramsNode) : { visible: true };
  const sink = { kind: 'vm' as const, call, params: [], asFunctionBody: false, direct: true };
  if (!methods?.length || methods.some((method) => typeof method !== 'string')) return { ...sink, name: 'inspector session.post', code: methodNode };
  const method = (methods as string[]).find((candidate) => !INSPECTOR_HARMLESS.has(candidate));
  if (!params.code && method === undefined) return undefined;
  const name = `inspector ${method ?? methods[0]}`;
  if (params.code) return { ...sink, name, code: params.code.value, asFunctionBody: params.code.field === 'functionDeclaration' };
  if (!params.visible) return { ...sink, name, code: paramsNode };
  return { ...sink, name, code: undefined, unlisted: true };
}

/** The first code-bearing field of an inspector method's parameters, and whether every field could be seen. */
function inspectorParams(resolver: Resolver, input: AnyNode): { code?: { field: string; value: AnyNode }; visible: boolean } {
  const node = unwrap(input);
  const literal = node.type === 'ObjectExpression' ? node : resolver.literalOf(node);
  if (literal?.type !== 'ObjectExpression') return { visible: false };
  let visible = true;
  for (const property of literal.properties) {
    const key = property.type === 'Property' ? (property.computed ? resolver.folder.foldString(property.key) : plainKeyName(property.key, false)) : undefined;
    if (key === undefined) visible = false;
    else if (INSPECTOR_CODE_FIELDS.includes(key)) return { code: { field: key, value: property.value }, visible };
  }
  return { visible };
}

/** `eval(…)` written as the bare identifier of the real global, not `(0, eval)`, `e`, `window.eval`. */
function isPlainGlobal(context: Rule.RuleContext, node: AnyNode, name: string): boolean {
  let callee = node.callee;
  while (callee.type === 'ChainExpression' || callee.type === 'TSNonNullExpression') callee = callee.expression;
  if (callee.type !== 'Identifier' || callee.name !== name) return false;
  const variable = findVariable(context.sourceCode.getScope(callee as never), name);
  return !variable || variable.defs.length === 0;
}

/** True when an expression evidently yields a string (so a timer given it gets no callback). */
export function looksLikeString(resolver: Resolver, input: AnyNode, depth: number): boolean {
  if (depth > MAX_STRING_DEPTH) return false;
  const node = unwrap(input);
  switch (node.type) {
    case 'Literal':
      return typeof node.value === 'string';
    case 'TemplateLiteral':
    case 'TaggedTemplateExpression':
      return true;
    case 'BinaryExpression':
      return node.operator === '+' && (looksLikeString(resolver, node.left, depth + 1) || looksLikeString(resolver, node.right, depth + 1));
    case 'ConditionalExpression':
      return looksLikeString(resolver, node.consequent, depth + 1) || looksLikeString(resolver, node.alternate, depth + 1);
    case 'Identifier': {
      const alias = resolver.aliasedExpression(node);
      return alias !== undefined && looksLikeString(resolver, alias.node, depth + 1);
    }
    case 'CallExpression': {
      const name = Resolver.nameOf(resolver.resolve(node.callee));
      const last = name?.split('.').pop() ?? calleeMethodName(node.callee);
      return last !== undefined && STRING_RESULTS.has(last);
    }
    default:
      return false;
  }
}

function calleeMethodName(callee: AnyNode): string | undefined {
  const node = unwrap(callee);
  if (node.type !== 'MemberExpression') return undefined;
  if (!node.computed && node.property.type === 'Identifier') return node.property.name;
  return node.property.type === 'Literal' ? String(node.property.value) : undefined;
}
