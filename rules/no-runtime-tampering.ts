/**
 * no-runtime-tampering: changing what every other piece of code in the
 * process relies on — the module loader (`require.cache`, `Module._load`…),
 * built-in prototypes and global intrinsics — and loading the modules that
 * reach into the running process (`module`, `inspector`, `v8`, `repl`,
 * `trace_events`).
 */
import type { Rule } from 'eslint';
import { builtinModules } from 'node:module';
import { defineRule } from './meta.js';
import type { AnyNode } from './utils/ast.js';
import { assignedTargets, isFunctionNode, isWriteTarget, plainKeyName, unwrap } from './utils/ast.js';
import { combineListeners } from './utils/listeners.js';
import { loadsModuleBuiltinOrdinarily } from './utils/module-builtin.js';
import { moduleLoadListeners } from './utils/modules.js';
import { HeldValues } from './utils/held-values.js';
import { isRestoredOverride, savedOriginal } from './utils/restored-override.js';
import { enclosingWithObjects, findVariable, isRuntimeDefinition } from './utils/scope.js';
import { packageName } from './utils/specifiers.js';
import { PollutionHelpers } from './utils/pollution.js';
import { rawReport, report } from './utils/report.js';
import { crossFileFacts } from './utils/load-records.js';
import { exportedValues, reExportsOf } from './utils/exported-functions.js';
import { BROWSER_GLOBAL, DESCRIPTOR, DYNAMIC, RESULT, Resolver, SUBCLASS, resolverFor, type Ref } from './utils/resolve.js';

/** `Module` statics and prototype members that decide how every module is found, compiled and cached. */
const MODULE_INTERNALS = new Set([
  '_load', '_resolveFilename', '_compile', '_extensions', '_cache', '_pathCache', '_findPath', '_nodeModulePaths',
  '_resolveLookupPaths', '_initPaths', '_preloadModules', 'wrap', 'wrapper', 'globalPaths', 'prototype', DYNAMIC,
]);
const REQUIRE_INTERNALS = new Set(['cache', 'extensions', DYNAMIC]);
const INTRINSICS = new Set([
  'Object', 'Function', 'Array', 'String', 'Number', 'Boolean', 'Symbol', 'BigInt', 'Promise', 'RegExp', 'Date',
  'Error', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError', 'AggregateError',
  'Map', 'Set', 'WeakMap', 'WeakSet', 'WeakRef', 'FinalizationRegistry', 'Proxy', 'Reflect', 'JSON', 'Math', 'Atomics',
  'Intl', 'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array',
  'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
  'eval', 'parseInt', 'parseFloat', 'isNaN', 'isFinite', 'encodeURI', 'encodeURIComponent', 'decodeURI',
  'decodeURIComponent', 'escape', 'unescape', 'Buffer', 'URL', 'URLSearchParams', 'TextEncoder', 'TextDecoder',
  'structuredClone', 'queueMicrotask', 'setTimeout', 'setInterval', 'setImmediate', 'fetch', 'AsyncFunction',
  'GeneratorFunction', 'AsyncGeneratorFunction', 'Iterator',
  // Node's own globals are shared by every module of the process just as the language's are.
  'atob', 'btoa', 'clearTimeout', 'clearInterval', 'clearImmediate', 'console', 'crypto', 'Crypto', 'CryptoKey',
  'SubtleCrypto', 'performance', 'Performance', 'PerformanceEntry', 'PerformanceMark', 'PerformanceMeasure',
  'PerformanceObserver', 'PerformanceObserverEntryList', 'PerformanceResourceTiming', 'navigator', 'Navigator',
  'Request', 'Response', 'Headers', 'FormData', 'WebSocket', 'EventSource', 'Blob', 'File', 'AbortController',
  'AbortSignal', 'Event', 'EventTarget', 'CustomEvent', 'MessageChannel', 'MessagePort', 'MessageEvent',
  'BroadcastChannel', 'DOMException', 'WebAssembly', 'ReadableStream', 'ReadableStreamDefaultReader',
  'ReadableStreamBYOBReader', 'ReadableStreamBYOBRequest', 'ReadableByteStreamController',
  'ReadableStreamDefaultController', 'WritableStream', 'WritableStreamDefaultWriter',
  'WritableStreamDefaultController', 'TransformStream', 'TransformStreamDefaultController', 'ByteLengthQueuingStrategy',
  'CountQueuingStrategy', 'TextEncoderStream', 'TextDecoderStream', 'CompressionStream', 'DecompressionStream',
  // The global object's own prototype chain.
  '__proto__',
]);
/** Intrinsic members meant to be configured: V8's stack depth knob and Buffer's pool size change no behaviour other code relies on. */
const CONFIGURABLE = new Set(['Error.stackTraceLimit', 'Buffer.poolSize']);
const PROCESS_MODULES = new Set(['module', 'inspector', 'v8', 'repl', 'trace_events']);
/** Node's built-in modules, without `node:`: their exports are shared by every module of the process. */
const BUILTINS = new Set(builtinModules.map((name) => name.replace(/^node:/, '')));
/**
 * Calls that write to their first argument, and which property they write: the
 * one their second argument names (`KEY_ARGUMENT`), any (`DYNAMIC`), or the prototype.
 */
const KEY_ARGUMENT = 'key argument';
const WRITERS: Record<string, string> = {
  'Object.defineProperty': KEY_ARGUMENT,
  'Reflect.defineProperty': KEY_ARGUMENT,
  'Reflect.set': KEY_ARGUMENT,
  'Reflect.deleteProperty': KEY_ARGUMENT,
  'Object.defineProperties': DYNAMIC,
  'Object.assign': DYNAMIC,
  'Object.setPrototypeOf': '__proto__',
  'Reflect.setPrototypeOf': '__proto__',
};
/**
 * Test doubles that replace a member of the object they are given for the whole process: node:test's
 * `mock.method(JSON, 'parse', …)` (also `t.mock`, `getter`, `setter`, `property`), Jest's and Vitest's `spyOn`,
 * sinon's `stub` and `replace`. Outside a test run they are writes like `Object.defineProperty`.
 */
const MOCK_MEMBERS = new Set(['method', 'getter', 'setter', 'property']);
const SPY_OWNERS = new Set(['jest.spyOn', 'vi.spyOn', 'sinon.stub', 'sinon.replace']);

function isMockReplacement(callee: AnyNode, ref: Ref | undefined): boolean {
  // `import { mock } from 'node:test'` (any alias, or the default export's `test.mock`).
  if (ref?.module === 'test' && ref.path.length === 2 && ref.path[0] === 'mock' && MOCK_MEMBERS.has(ref.path[1])) return true;
  if (callee.type !== 'MemberExpression') return false;
  const method = plainKeyName(callee.property, callee.computed);
  const owner = unwrap(callee.object);
  if (method !== undefined && MOCK_MEMBERS.has(method) && owner.type === 'MemberExpression' && plainKeyName(owner.property, owner.computed) === 'mock') return true;
  return owner.type === 'Identifier' && SPY_OWNERS.has(`${owner.name}.${method}`);
}

/** How an export's key is marked when the write is on what calling it returns: `base()`. */
const CALLED = '()';
/** The key of a member named by a symbol: never an intrinsic's name. */
const SYMBOL_KEY = '@@symbol';
/** How many names deep an export's shared values are recorded (`protos.deep.str`). */
const MAX_EXPORT_DEPTH = 3;

/**
 * The export a path from an import reads: `''` the module, `base`, `base()` (`()` the module called), or members of an
 * export (`protos.str`, up to three); undefined for unknown steps.
 */
function importedKey(path: string[]): string | undefined {
  const [first = '', second] = path;
  if (first === RESULT) return second === undefined ? CALLED : undefined;
  if (second === RESULT) return path.length === 2 && !first.startsWith('%') ? `${first}${CALLED}` : undefined;
  // One step more than an export records: the name a barrel re-exports the module under.
  const plain = path.length <= MAX_EXPORT_DEPTH + 1 && path.every((step) => step !== DYNAMIC && step !== RESULT && !step.startsWith('%'));
  return plain ? path.join('.') : undefined;
}

/** SIGUSR1's number on Linux, where plugins run (`os.constants.signals.SIGUSR1`). */
const LINUX_SIGUSR1 = 10;
/** Signal 0: `process.kill(pid, 0)` only asks whether the process exists. */
const EXISTENCE_TEST = 'existence test';
const PROTOTYPE_READS = new Set(['Object.getPrototypeOf', 'Reflect.getPrototypeOf']);
/** Legacy accessors every object inherits: `Object.prototype.__defineGetter__('x', f)` writes `x`. */
const LEGACY_DEFINERS = new Set(['__defineGetter__', '__defineSetter__']);
/** Array methods that change their `this` in place: `module.paths.unshift(dir)`, `[].push.call(Object.prototype, v)`. */
const IN_PLACE_MUTATORS = new Set(['push', 'unshift', 'splice', 'pop', 'shift', 'fill', 'copyWithin', 'reverse', 'sort']);

const rule = defineRule({
  name: 'no-runtime-tampering',
  description: 'Disallow changing the module loader, built-in prototypes and global intrinsics, and loading process-internals modules.',
  messages: {
    moduleLoader: "Changes {{target}}, part of Node's module loader, so it can intercept or rewrite every module loaded after it.",
    loaderRead: "Reads {{target}}, Node's table of module compilers, to call or wrap how every module is loaded.",
    loaderHook: 'Registers module loader hooks ({{target}}), which can rewrite every module loaded after them.',
    intrinsic: 'Changes the built-in {{target}}, which all other code in the process relies on.',
    builtinExport: "Changes {{target}}, an export of a Node built-in module that every other module using it shares.",
    processMethod: 'Replaces {{target}}, a method of process that other code and Node itself call.',
    inheritedArguments: "Changes {{target}}, the Node options every child process forked after it is started with: a '--import' or '--require' added there runs in each of them first.",
    pollution: 'Writes through {{target}} with a key chosen at run time, which can change Object.prototype for every object (prototype pollution).',
    heldShared: 'Changes {{target}} through {{through}}, which holds it: a built-in shared by all other code in the process was put in an array, Map, object, parameter or default and taken back out.',
    importedShared: "Changes {{target}}, which {{from}} exports: there it is a built-in shared by all other code in the process (a prototype, a namespace, a built-in module or the global object).",
    prototypeWrite: 'Writes {{target}}, a prototype reached from an object, which changes every object that shares it (prototype pollution).',
    pollutingCall: "Calls {{helper}} with the key '{{key}}', which a merge or path-set writes into Object.prototype for every object (prototype pollution).",
    pollutingHandOff: "Hands {{helper}}, a function the gate cannot read, data with the key '{{key}}', which has no use but reaching a prototype: a merge or path-set there writes it into Object.prototype for every object (prototype pollution).",
    polyfill: 'Adds {{target}} to a built-in only where it is missing (a polyfill).',
    restoredOverride: 'Replaces {{target}} only for a synchronous block, and a finally puts the original back: no other code sees it.',
    debugger: '{{target}} makes a Node process open its inspector, through which anyone on the port can run code in it.',
    unknownSignal: '{{target}} sends a signal the gate cannot determine ({{signal}}) to a process that is not the plugin\'s own child; SIGUSR1 (10 on Linux) would open that process\'s inspector to anyone on its port.',
    unknownSignalToSelf: '{{target}} sends the plugin\'s own process a signal the gate cannot determine ({{signal}}); SIGUSR1 would open its inspector.',
    foreignSignal: '{{target}} sends {{signal}} to {{pid}}, which is not the plugin\'s own process or a child it started: it can stop, kill or disturb the host or other processes.',
    foreignPriority: '{{target}} changes the scheduling priority of {{pid}}, which is not the plugin\'s own process or a child it started: it can starve the host or other processes of CPU time.',
    processModule: "Loads the '{{module}}' module, which can inspect or alter the running Node process.",
  },
  findings: {
    moduleLoader: { category: 'runtime-tampering', severity: 'critical' },
    loaderRead: { category: 'runtime-tampering', severity: 'critical' },
    loaderHook: { category: 'runtime-tampering', severity: 'critical' },
    intrinsic: { category: 'runtime-tampering', severity: 'high' },
    builtinExport: { category: 'runtime-tampering', severity: 'high' },
    processMethod: { category: 'runtime-tampering', severity: 'high' },
    inheritedArguments: { category: 'child-process', severity: 'high' },
    pollution: { category: 'runtime-tampering', severity: 'high' },
    heldShared: { category: 'runtime-tampering', severity: 'high' },
    importedShared: { category: 'runtime-tampering', severity: 'high' },
    prototypeWrite: { category: 'runtime-tampering', severity: 'high' },
    pollutingCall: { category: 'runtime-tampering', severity: 'high' },
    pollutingHandOff: { category: 'runtime-tampering', severity: 'high' },
    polyfill: { category: 'runtime-tampering', severity: 'low' },
    restoredOverride: { category: 'runtime-tampering', severity: 'low' },
    debugger: { category: 'runtime-tampering', severity: 'critical' },
    unknownSignal: { category: 'runtime-tampering', severity: 'critical' },
    unknownSignalToSelf: { category: 'runtime-tampering', severity: 'medium' },
    foreignSignal: { category: 'runtime-tampering', severity: 'high' },
    foreignPriority: { category: 'runtime-tampering', severity: 'high' },
    processModule: { category: 'runtime-tampering', severity: 'high' },
  },
  create(context) {
    const resolver = resolverFor(context);
    const pollutionHelpers = new PollutionHelpers(resolver);
    const heldValues = new HeldValues(resolver, (node) => context.sourceCode.getScope(node as never));

    /** Judges a write to `key` (DYNAMIC: unknown or any key) of the object `objectNode`; true when it was reported. */
    const checkWrite = (node: AnyNode, objectNode: AnyNode, key: string): boolean => {
      const object = resolver.resolve(objectNode);
      const target = object && writtenPath(object, key);
      const kind = target && classify(target);
      // `X.m = prev` with `const prev = X.m` read before: the original put back, not a change.
      if (target && kind && savedOriginal(context.sourceCode, node) !== undefined) return true;
      if (target && kind) {
        // `if (!Array.prototype.findLast) Array.prototype.findLast = …`: filling a gap, not replacing what others use.
        // A key of the global object chosen at run time may name any intrinsic; the same key tested absent first is a polyfill loader.
        const anyGlobal = target.module === undefined && target.path.length === 1 && key === DYNAMIC;
        const messageId = kind !== 'intrinsic' || (key === DYNAMIC && !anyGlobal) ? kind : guardedByAbsence(node, target, objectNode, key) ? 'polyfill' : isRestoredOverride(context.sourceCode, node) ? 'restoredOverride' : kind;
        report(context, rule, { node, messageId, data: { target: describe(target) } });
        return true;
      }
      if (checkHeldWrite(node, objectNode, key)) return true;
      if (object) recordImportedWrite(node, objectNode, object, key);
      return false;
    };

    /**
     * `base.shell = '/bin/sh'` with `base` imported from another file of the plugin: that file may export a shared
     * built-in there, which this file cannot see. The gate records the write and its finding, and the analyzer
     * keeps it when the other file's exports say so (load-records.ts); an author's editor reads one file and cannot.
     */
    const recordImportedWrite = (node: AnyNode, objectNode: AnyNode, object: Ref, key: string) => {
      const facts = crossFileFacts();
      const specifier = object.module;
      if (!facts || specifier === undefined || !/^\.{0,2}\//.test(specifier)) return;
      // `base.x`, or `base().x`: what the export `base`, or what calling it, hands back (`''` is the module itself).
      const exported = importedKey(object.path);
      if (exported === undefined) return;
      const target = context.sourceCode.getText(objectNode as never).slice(0, 40) + step(key);
      const report = rawReport(context, rule, { node, messageId: 'importedShared', data: { target, from: specifier } });
      facts.importedWrites.push({ specifier, via: context.languageOptions.sourceType === 'module' ? 'import' : 'require', key: exported, report });
    };

    /** A value that is a shared built-in (a prototype, a namespace, the global object), directly or as what a name holds. */
    const sharedValue = (value: AnyNode) => {
      const direct = resolver.resolve(value);
      const refs = [...(direct && !direct.path.some((part) => part.startsWith('%')) ? [direct] : []), ...heldValues.refsOf(value)];
      return refs.some((ref) => classify(writtenPath(ref, DYNAMIC)) !== undefined);
    };

    /** The keys under which this file exports a shared built-in, for the writes other files make on them. */
    const recordSharedExports = (program: AnyNode) => {
      const facts = crossFileFacts();
      if (!facts) return;
      const shared = sharedValue;
      const returnsShared = (fn: AnyNode) => (resolver.functions.returnedExpressions(fn) ?? []).some(shared);
      const scopeOf = (node: AnyNode) => context.sourceCode.getScope(node as never);
      facts.reExports.push(...reExportsOf(program, scopeOf, (fn) => resolver.functions.returnedExpressions(fn)));
      for (const [name, exported, how] of exportedValues(program, scopeOf)) {
        const value = unwrap(exported);
        // A getter's reader gets what it returns; an exported function's caller gets what it returns, as `name()`.
        if (how === 'getter' ? isFunctionNode(value) && returnsShared(value) : shared(value)) facts.sharedExports.push(name);
        if (how !== 'getter' && isFunctionNode(value) && returnsShared(value)) facts.sharedExports.push(`${name}${CALLED}`);
        if (how !== 'getter' && name !== '') facts.sharedExports.push(...sharedMembers(value, name, 1));
      }
    };

    /** `exports.protos = { str: String.prototype }`: the members of an exported literal that hold a shared built-in, as `protos.str`. */
    const sharedMembers = (literal: AnyNode, prefix: string, depth: number): string[] => {
      if (literal.type !== 'ObjectExpression' || depth >= MAX_EXPORT_DEPTH) return [];
      return (literal.properties as AnyNode[]).flatMap((property) => {
        const key = property.type === 'Property' && property.kind === 'init' ? plainKeyName(property.key, property.computed) : undefined;
        if (key === undefined) return [];
        const value = unwrap(property.value);
        return [...(sharedValue(value) ? [`${prefix}.${key}`] : []), ...sharedMembers(value, `${prefix}.${key}`, depth + 1)];
      });
    };

    /**
     * The object written came out of a place the resolver does not follow (a loop variable, a callback's
     * parameter, `list[i]`, `m.get(k)`, `const [P] = list`, `with`): it is judged as every shared value
     * the code put into that place, unless a folded key on a literal picks one of them.
     */
    const checkHeldWrite = (node: AnyNode, objectNode: AnyNode, key: string): boolean => {
      for (const held of heldValues.refsOf(objectNode)) {
        const target = writtenPath(held, key);
        const kind = classify(target);
        if (!kind) continue;
        const guarded = kind === 'intrinsic' && key !== DYNAMIC && guardedByAbsence(node, target, objectNode, key);
        const messageId = guarded ? 'polyfill' : kind === 'moduleLoader' ? 'moduleLoader' : 'heldShared';
        const through = context.sourceCode.getText(objectNode as never).slice(0, 40);
        report(context, rule, { node, messageId, data: { target: describe(target), through } });
        return true;
      }
      return false;
    };

    const keyOf = (keyNode: AnyNode | undefined) => (keyNode && (resolver.folder.foldString(keyNode) ?? symbolKey(keyNode))) ?? DYNAMIC;

    /**
     * A key that is certainly a symbol (`Symbol.for('signal-exit emitter')`, `Symbol('x')`, `Symbol.iterator`, a `const`
     * holding one): it names no intrinsic, which are all string-keyed, but is still a member of whatever it is written on.
     */
    const symbolKey = (keyNode: AnyNode): string | undefined => {
      let node = unwrap(keyNode);
      if (node.type === 'Identifier') node = unwrap(resolver.aliasedExpression(node)?.node ?? node);
      const made = node.type === 'CallExpression' ? Resolver.nameOf(resolver.normalizeCall(node).callee) : undefined;
      const named = node.type === 'MemberExpression' ? resolver.resolve(node) : undefined;
      const wellKnown = named?.module === undefined && named?.path.length === 2 && named.path[0] === 'Symbol' && typeof (Symbol as unknown as Record<string, unknown>)[named.path[1]] === 'symbol';
      return made === 'Symbol' || made === 'Symbol.for' || wellKnown ? SYMBOL_KEY : undefined;
    };

    /** The keys `Object.assign`'s sources or `Object.defineProperties`' descriptors write: an object literal's own, DYNAMIC for any other. */
    const keysCopied = (sources: AnyNode[]): string[] =>
      sources.flatMap((source) => {
        const literal = unwrap(source).type === 'ObjectExpression' ? unwrap(source) : resolver.literalOf(source);
        if (literal?.type !== 'ObjectExpression') return [DYNAMIC];
        return literal.properties.map((property: AnyNode) => (property.type === 'Property' ? (property.computed ? keyOf(property.key) : plainKeyName(property.key, false)) : undefined) ?? DYNAMIC);
      });

    /** True when `node` only runs where the written member is missing. */
    const guardedByAbsence = (node: AnyNode, target: Ref, objectNode?: AnyNode, key?: string): boolean => {
      const text = (part: AnyNode) => context.sourceCode.getText(unwrap(part) as never);
      // The same member spelled the same way (`P.at` tested, `P.at` written), for an object the resolver cannot name.
      // A key chosen at run time, or a symbol, is the same key only spelled the same way (`globalThis[k]` tested, `globalThis[k]` written).
      const written = node.type === 'AssignmentExpression' ? unwrap(node.left) : undefined;
      const sameDynamic = (candidate: AnyNode) => written !== undefined && candidate.type === 'MemberExpression' && text(candidate) === text(written);
      const spelledAlike = (candidate: AnyNode) => objectNode !== undefined && candidate.type === 'MemberExpression' && memberKey(candidate) === key && text(candidate.object) === text(objectNode) && (key !== SYMBOL_KEY || sameDynamic(candidate));
      const same = (candidate: AnyNode) => (candidate.type === 'MemberExpression' || candidate.type === 'Identifier') && (key === DYNAMIC ? sameDynamic(candidate) : Resolver.nameOf(resolver.resolve(candidate)) === Resolver.nameOf(target) || spelledAlike(candidate));
      if (node.type === 'AssignmentExpression' && ['||=', '??='].includes(node.operator)) return true;
      // `X.p = X.p || function () {}`
      if (node.type === 'AssignmentExpression' && node.right.type === 'LogicalExpression' && node.right.operator !== '&&' && same(unwrap(node.right.left))) return true;
      for (let child = node, parent = node.parent; parent; child = parent, parent = parent.parent) {
        if ((parent.type === 'IfStatement' || parent.type === 'ConditionalExpression') && parent.test !== child && testsAbsence(parent.test, parent.consequent === child || parent.consequent?.body?.includes?.(child), same)) return true;
        if (parent.type === 'LogicalExpression' && parent.right === child && parent.operator === '||' && same(unwrap(parent.left))) return true;
        if (parent.type === 'Program' || parent.type.startsWith('Function') || parent.type === 'ArrowFunctionExpression') break;
      }
      return false;
    };

    /**
     * A prototype reached from an unknown object — `x.__proto__`, `x.constructor.prototype`,
     * `Object.getPrototypeOf(x)` — and written: with a key chosen at run time it is
     * pollution by whatever key arrives; through `__proto__` or `constructor.prototype`
     * with a fixed key it is a write into whatever prototype `x` has (Object.prototype for a plain object).
     */
    const checkPollution = (node: AnyNode, targetNode: AnyNode) => {
      const member = unwrap(targetNode);
      if (member.type === 'MemberExpression') checkPrototypeWrite(node, member.object, memberKey(member) === DYNAMIC, member);
    };

    /** A write into `holderNode` (by a key chosen at run time when `dynamic`), when it is a prototype reached from an unknown object. */
    const checkPrototypeWrite = (node: AnyNode, holderNode: AnyNode, dynamic: boolean, written: AnyNode) => {
      let holder = unwrap(holderNode);
      // `const proto = Object.getPrototypeOf(o); proto.shell = …`: the prototype kept in a name first.
      if (holder.type === 'Identifier') holder = unwrap(resolver.aliasedExpression(holder)?.node ?? holder);
      const reflected = holder.type === 'CallExpression' && (PROTOTYPE_READS.has(Resolver.nameOf(resolver.normalizeCall(holder).callee) ?? '') || callsPrototypeGetter(holder));
      if (holder.type !== 'MemberExpression' && !reflected) return;
      const through = reflected ? undefined : memberKey(holder);
      const viaConstructor = through === 'prototype' && unwrap(holder.object).type === 'MemberExpression' && memberKey(unwrap(holder.object)) === 'constructor';
      // A fixed key through `Object.getPrototypeOf(x)` writes x's prototype, which may be a built-in one
      // (`getPrototypeOf(new Store())`'s own prototype's is `Map.prototype`), unless x is an instance member's `this`.
      if (through !== '__proto__' && !viaConstructor && !(reflected && (dynamic || !isOwnInstance(resolver.normalizeCall(holder).args?.[0])))) return;
      // A known intrinsic (`({}).__proto__[k]`) is judged as a write to it above.
      const known = resolver.resolve(holder);
      if (known && classify({ module: known.module, path: [...known.path, DYNAMIC] })) return;
      const target = context.sourceCode.getText((dynamic ? holder : written) as never).slice(0, 60);
      report(context, rule, { node, messageId: dynamic ? 'pollution' : 'prototypeWrite', data: { target } });
    };

    /**
     * `Object.getOwnPropertyDescriptor(Object.prototype, '__proto__').get.call(x)`: the accessor behind `x.__proto__`,
     * taken out and called, reads the prototype of whatever it is called on, as `Object.getPrototypeOf(x)` does.
     */
    const callsPrototypeGetter = (call: AnyNode): boolean => {
      const path = resolver.normalizeCall(call).callee?.path ?? [];
      return path.slice(-3).join('\0') === ['__proto__', DESCRIPTOR, 'get'].join('\0');
    };

    const checkMemberWrite = (node: AnyNode, targetNode: AnyNode) => {
      const member = unwrap(targetNode);
      // `super.x = v` stores on `this`, not on the parent's prototype (reading `super.prototype` and writing into it does not).
      if (member.type === 'MemberExpression') {
        if (member.object.type !== 'Super') checkWrite(node, member.object, memberKey(member));
      } else if (member.type === 'Identifier') checkGlobalWrite(node, member);
    };

    /**
     * `fetch = logger`, `[JSON] = [fake]`: a bare name no scope declares (TypeScript's `declare var fetch` is erased)
     * is the global's own property; inside `with (Math)` a name the with body does not declare may be the object's member.
     */
    const checkGlobalWrite = (node: AnyNode, identifier: AnyNode) => {
      const variable = findVariable(context.sourceCode.getScope(identifier as never), identifier.name);
      for (const object of enclosingWithObjects(identifier, variable)) if (checkWrite(node, object, identifier.name)) return;
      if (variable?.defs.some(isRuntimeDefinition)) return;
      const target = { path: [identifier.name] };
      if (classify(target) !== 'intrinsic') return;
      report(context, rule, { node, messageId: guardedByAbsence(node, target) ? 'polyfill' : 'intrinsic', data: { target: describe(target) } });
    };

    /**
     * Every place an assignment or a for-in/for-of head stores into, judged as `x.y = …` is:
     * `[Object.prototype.x] = [v]`, `({ a: JSON.parse = f } = o)`, `for (Object.prototype.x of list)`.
     * A plain assignment is reported whole; a destructured or loop target where it stands.
     */
    const checkAssigned = (node: AnyNode, left: AnyNode) => {
      const whole = node.type === 'AssignmentExpression' && unwrap(left).type === 'MemberExpression';
      for (const target of assignedTargets(left)) {
        checkMemberWrite(whole ? node : target, target);
        checkPollution(whole ? node : target, target);
      }
    };

    /**
     * A signal is judged by its value (`'SIGSTOP'`, 9, `os.constants.signals.SIGKILL`, a member of a constant table)
     * and by whose process receives it. SIGUSR1 opens the inspector of any process it reaches. Any other signal is
     * the plugin's own business only for its own process and the children it started: sent to the host
     * (`process.ppid`), to every process (`-1`), to a group (`0`, `-pid`) or to a pid the gate cannot place, it
     * tampers with another process. Signal 0 delivers nothing (an existence test) and is quiet everywhere.
     */
    const checkSignal = (node: AnyNode, called: string, [pidNode, signalNode]: AnyNode[]) => {
      const signal = signalNode ? signalSent(signalNode) : 'SIGTERM';
      if (signal === 'SIGUSR1') {
        report(context, rule, { node, messageId: 'debugger', data: { target: `${called}(…, SIGUSR1)` } });
        return;
      }
      if (signal === EXISTENCE_TEST || !pidNode) return;
      const pid = pidOwner(pidNode);
      if (pid === 'child') return;
      const signalText = signalNode ? context.sourceCode.getText(signalNode as never).slice(0, 40) : 'SIGTERM';
      if (signal === undefined) {
        report(context, rule, { node, messageId: pid === 'self' ? 'unknownSignalToSelf' : 'unknownSignal', data: { target: called, signal: signalText } });
      } else if (pid === 'other') {
        report(context, rule, { node, messageId: 'foreignSignal', data: { target: called, signal: signalText, pid: context.sourceCode.getText(pidNode as never).slice(0, 40) } });
      }
    };

    /** The signal's name when it is known (`SIGUSR1` for 10, Linux's number; EXISTENCE_TEST for 0), undefined when the gate cannot tell. */
    const signalSent = (signalNode: AnyNode): string | undefined => {
      const ref = resolver.resolve(signalNode);
      const path = ref?.path ?? [];
      // `os.constants.signals.SIGUSR1`, `require('constants').SIGUSR1`, however reached.
      const fromTable = (ref?.module === 'os' && path.length === 3 && path[0] === 'constants' && path[1] === 'signals') || (ref?.module === 'constants' && path.length === 1);
      if (fromTable) return path[path.length - 1] === DYNAMIC ? undefined : path[path.length - 1];
      const values = resolver.folder.possibleValues(signalNode);
      if (!values) return undefined;
      if (values.some((value) => value === 'SIGUSR1' || value === LINUX_SIGUSR1)) return 'SIGUSR1';
      return values.every((value) => value === 0) ? EXISTENCE_TEST : 'another signal';
    };

    /**
     * `os.setPriority([pid,] priority)` renices one process: the plugin's own with one argument or pid 0 (or its own
     * pid), else whichever the pid names. Any but the plugin's own process or a child it started is another's
     * business: renicing the host or every pid starves them. A pid the gate cannot place, or an argument list it
     * cannot see (`apply(os, args)`), may be any of them.
     */
    const checkPriority = (node: AnyNode, called: string, args: AnyNode[] | undefined) => {
      const known = args?.every((arg) => arg.type !== 'SpreadElement');
      if (known && args!.length < 2) return;
      const pidNode = known ? args![0] : undefined;
      if (pidNode && (resolver.folder.possibleValues(pidNode)?.every((value) => value === 0) || pidOwner(pidNode) !== 'other')) return;
      const pid = pidNode ? context.sourceCode.getText(pidNode as never).slice(0, 40) : 'a process the gate cannot tell';
      report(context, rule, { node, messageId: 'foreignPriority', data: { target: called.replace(':', '.'), pid } });
    };

    /** Whose process a pid is: the plugin's own child (`spawn(…).pid`, `-child.pid`), the plugin's own process, or any other. */
    const pidOwner = (pidNode: AnyNode): 'child' | 'self' | 'other' => {
      const node = unwrap(pidNode);
      // `-pid` is the process group: for a child spawned detached its own group, for the plugin's pid everything in
      // the plugin's group (the host's other children included when they share it).
      const group = node.type === 'UnaryExpression' && node.operator === '-';
      const ref = resolver.resolve(group ? node.argument : node);
      if (ref?.module === 'child_process' && ref.path.length === 3 && ref.path[1] === RESULT && ref.path[2] === 'pid') return 'child';
      return !group && Resolver.nameOf(ref) === 'process.pid' ? 'self' : 'other';
    };

    return combineListeners(
      {
        'Program:exit': recordSharedExports,
        AssignmentExpression: (node: AnyNode) => checkAssigned(node, node.left),
        ForInStatement: (node: AnyNode) => checkAssigned(node, node.left),
        ForOfStatement: (node: AnyNode) => checkAssigned(node, node.left),
        MemberExpression: (node: AnyNode) => {
          // Reading Node's compilers table is how a loader hook starts (`const js = require.extensions['.js']`).
          if (!node.computed && node.property.name !== 'extensions' && node.property.name !== '_extensions') return;
          const ref = resolver.resolve(node);
          const name = Resolver.nameOf(ref);
          if (name !== 'require.extensions' && name !== 'module:_extensions') return;
          const parent = node.parent;
          if (parent?.type === 'MemberExpression' && parent.object === node && isWriteTarget(parent)) return;
          if (isWriteTarget(node)) return;
          report(context, rule, { node, messageId: 'loaderRead', data: { target: describe(ref!) } });
        },
        UpdateExpression: (node: AnyNode) => checkMemberWrite(node, node.argument),
        UnaryExpression: (node: AnyNode) => {
          if (node.operator === 'delete') checkMemberWrite(node, node.argument);
        },
        CallExpression: (node: AnyNode) => {
          const polluting = pollutionHelpers.pollutingKey(node);
          if (polluting) report(context, rule, { node, messageId: polluting.unread ? 'pollutingHandOff' : 'pollutingCall', data: { key: polluting.key, helper: polluting.helper } });
          const call = resolver.normalizeCall(node);
          const callee = unwrap(call.calleeNode);
          const definer = callee.type === 'MemberExpression' ? memberKey(callee) : call.callee?.path.at(-1);
          if (definer !== undefined && LEGACY_DEFINERS.has(definer)) {
            // The object it defines on is its `this`: the receiver, or what `.call`/`.apply`/`Reflect.apply` hands it.
            const receiver = call.thisNode ?? (callee.type === 'MemberExpression' ? callee.object : undefined);
            const key = keyOf(call.args?.[0]);
            if (receiver && !checkWrite(node, receiver, key)) checkPrototypeWrite(node, receiver, key === DYNAMIC, receiver);
            return;
          }
          if (definer !== undefined && IN_PLACE_MUTATORS.has(definer)) {
            // Its elements (any index, and `length`) are written on its `this`, however the method is reached;
            // `super.push(x)` runs the parent's method on this instance, which is the code's own.
            const receiver = call.thisNode ?? (callee.type === 'MemberExpression' && callee.object.type !== 'Super' ? callee.object : undefined);
            if (receiver && checkWrite(node, receiver, DYNAMIC)) return;
          }
          const called = Resolver.nameOf(call.callee);
          if (called === 'module:register' || called === 'module:registerHooks') {
            report(context, rule, { node, messageId: 'loaderHook', data: { target: called.replace('module:', 'module.') } });
            return;
          }
          if (called === 'process._debugProcess') {
            report(context, rule, { node, messageId: 'debugger', data: { target: 'process._debugProcess()' } });
            return;
          }
          if ((called === 'process.kill' || called === 'process._kill') && call.args) {
            checkSignal(node, called, call.args);
            return;
          }
          if (called === 'os:setPriority') {
            checkPriority(node, called, call.args);
            return;
          }
          const name = call.callee?.module === undefined ? call.callee?.path.join('.') : undefined;
          const written = name !== undefined && name in WRITERS ? WRITERS[name] : isMockReplacement(call.calleeNode, call.callee) ? KEY_ARGUMENT : undefined;
          if (written === undefined || !call.args?.[0]) return;
          const keys = written === KEY_ARGUMENT ? [keyOf(call.args[1])] : written === DYNAMIC ? keysCopied(call.args.slice(1)) : [written];
          for (const key of keys) if (checkWrite(node, call.args[0], key)) break;
          // `Object.assign(obj.__proto__, payload)`, `Object.defineProperty(Object.getPrototypeOf(o), k, …)`.
          if (written !== '__proto__') checkPrototypeWrite(node, call.args[0], keys.includes(DYNAMIC), call.args[0]);
        },
      } as Rule.RuleListener,
      moduleLoadListeners(context, (load) => {
        const name = load.specifier === undefined ? undefined : packageName(load.specifier);
        if (!name || !PROCESS_MODULES.has(name)) return;
        // `createRequire(import.meta.url)` and `builtinModules` reach nothing of the loader: each created require is judged where it is called.
        if (name === 'module' && loadsModuleBuiltinOrdinarily(context, load.node)) return;
        report(context, rule, { node: load.node, messageId: 'processModule', data: { module: name } });
      }),
    );

    function memberKey(member: AnyNode): string {
      const key = member.computed ? (resolver.folder.foldString(member.property) ?? symbolKey(member.property)) : plainKeyName(member.property, false);
      return key ?? DYNAMIC;
    }
  },
});

/** `this` in a class's instance method or field: an instance of the class the code declares, so its prototype is the code's own. */
function isOwnInstance(argument: AnyNode | undefined): boolean {
  if (!argument || unwrap(argument).type !== 'ThisExpression') return false;
  for (let current = argument.parent; current; current = current.parent) {
    if (current.type === 'PropertyDefinition') return !current.static;
    if (current.type === 'FunctionExpression' || current.type === 'FunctionDeclaration') return current.parent?.type === 'MethodDefinition' && !current.parent.static;
  }
  return false;
}

/** The path a write to `key` of `object` changes: `window.x` is the global's `x` (the name alone is nothing in Node). */
function writtenPath(object: Ref, key: string): Ref {
  const base = object.path[0] === BROWSER_GLOBAL ? object.path.slice(1) : object.path;
  return { module: object.module, path: [...base, key] };
}

/** What a written path is: part of the module loader, an intrinsic, a built-in module's export, a process method, or none of them. */
function classify(target: Ref): 'moduleLoader' | 'intrinsic' | 'builtinExport' | 'processMethod' | 'inheritedArguments' | undefined {
  const [first, second] = target.path;
  if (target.module === 'module') return MODULE_INTERNALS.has(first) ? 'moduleLoader' : undefined;
  if (target.module !== undefined) {
    // `crypto.createHash = …`, `require('events').prototype.emit = …`; what a module's function returned is its own.
    return BUILTINS.has(target.module) && first !== undefined && !target.path.some((step) => step.startsWith('%')) ? 'builtinExport' : undefined;
  }
  if (first === 'process' && target.path.length === 2 && typeof (process as unknown as Record<string, unknown>)[second] === 'function') return 'processMethod';
  // What every `fork` inherits (`--import` preloads among its flags): the children's start, changed for all of them.
  if (first === 'process' && second === 'execArgv') return 'inheritedArguments';
  // Where this module's bare `require('name')` looks: a folder put there makes any name load code from it.
  if ((first === 'module' && second === 'paths') || (first === 'require' && second === 'main' && target.path[2] === 'paths')) return 'moduleLoader';
  // `require` here is also what `Module._load` and `Module.prototype.require` normalise to.
  if (first === 'require') return second === undefined || REQUIRE_INTERNALS.has(second) ? 'moduleLoader' : undefined;
  // `globalThis[k] = v`: a key the gate cannot fold may be `fetch`, `JSON` or any other intrinsic.
  if (first === DYNAMIC && target.path.length === 1) return 'intrinsic';
  // A subclass the code declares (`class List extends Array`) is its own, members and prototype alike.
  return INTRINSICS.has(first) && !target.path.includes(SUBCLASS) && !CONFIGURABLE.has(target.path.join('.')) ? 'intrinsic' : undefined;
}

/** Whether `test` holds where the written member is missing: `!X.p`, `typeof X.p === 'undefined'`, `X.p == null`, `!('p' in X)`. */
function testsAbsence(test: AnyNode, inConsequent: boolean, same: (node: AnyNode) => boolean): boolean {
  const node = unwrap(test);
  if (node.type === 'UnaryExpression' && node.operator === '!') return inConsequent ? isPresence(unwrap(node.argument), same) : false;
  if (node.type === 'BinaryExpression') {
    const [a, b] = [unwrap(node.left), unwrap(node.right)];
    const typeofTarget = (x: AnyNode) => x.type === 'UnaryExpression' && x.operator === 'typeof' && same(unwrap(x.argument));
    const missing = (x: AnyNode) => (x.type === 'Literal' && (x.value === 'undefined' || x.value === null)) || (x.type === 'Identifier' && x.name === 'undefined');
    const checks = (typeofTarget(a) || same(a)) && (missing(b) || (b.type === 'Literal' && typeof b.value === 'string'));
    if (!checks) return false;
    const equal = node.operator === '===' || node.operator === '==';
    return b.type === 'Literal' && typeof b.value === 'string' && b.value !== 'undefined' ? !equal === inConsequent : equal === inConsequent;
  }
  if (node.type === 'LogicalExpression') return testsAbsence(node.left, inConsequent, same) || testsAbsence(node.right, inConsequent, same);
  return !inConsequent && isPresence(node, same);
}

function isPresence(node: AnyNode, same: (node: AnyNode) => boolean): boolean {
  return same(node) || (node.type === 'BinaryExpression' && node.operator === 'in');
}

/** `Object.prototype.x`, `require.cache[…]`, `require.extensions[".css"]`. */
function describe(target: Ref): string {
  const [first, ...rest] = target.path;
  if (target.module !== undefined && target.module !== 'module') return target.path.reduce((text, key) => text + step(key), target.module);
  let text = target.module === 'module' ? `Module${step(first)}` : first === DYNAMIC ? 'globalThis[…]' : first;
  for (const key of rest) text += step(key);
  return text;
}

function step(key: string): string {
  if (key === DYNAMIC) return '[…]';
  if (key === SYMBOL_KEY) return '[symbol]';
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

export default rule;
