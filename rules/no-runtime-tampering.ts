/**
 * no-runtime-tampering: changing what every other piece of code in the
 * process relies on — the module loader (`require.cache`, `Module._load`…),
 * built-in prototypes and global intrinsics — and loading the modules that
 * reach into the running process (`module`, `inspector`, `v8`, `repl`,
 * `trace_events`).
 */
import type { Rule } from 'eslint';
import { defineRule } from './meta.js';
import type { AnyNode } from './utils/ast.js';
import { plainKeyName, unwrap } from './utils/ast.js';
import { combineListeners } from './utils/listeners.js';
import { moduleLoadListeners, packageName } from './utils/modules.js';
import { report } from './utils/report.js';
import { BROWSER_GLOBAL, DYNAMIC, resolverFor, type Ref } from './utils/resolve.js';

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
  'GeneratorFunction', 'AsyncGeneratorFunction',
  // The global object's own prototype chain.
  '__proto__',
]);
/** Intrinsic members meant to be configured: V8's stack depth knob changes no behaviour other code relies on. */
const CONFIGURABLE = new Set(['Error.stackTraceLimit']);
const PROCESS_MODULES = new Set(['module', 'inspector', 'v8', 'repl', 'trace_events']);
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
/** Legacy accessors every object inherits: `Object.prototype.__defineGetter__('x', f)` writes `x`. */
const LEGACY_DEFINERS = new Set(['__defineGetter__', '__defineSetter__']);

const rule = defineRule({
  name: 'no-runtime-tampering',
  description: 'Disallow changing the module loader, built-in prototypes and global intrinsics, and loading process-internals modules.',
  messages: {
    moduleLoader: "Changes {{target}}, part of Node's module loader, so it can intercept or rewrite every module loaded after it.",
    intrinsic: 'Changes the built-in {{target}}, which all other code in the process relies on.',
    processModule: "Loads the '{{module}}' module, which can inspect or alter the running Node process.",
  },
  findings: {
    moduleLoader: { category: 'runtime-tampering', severity: 'critical' },
    intrinsic: { category: 'runtime-tampering', severity: 'high' },
    processModule: { category: 'runtime-tampering', severity: 'high' },
  },
  create(context) {
    const resolver = resolverFor(context);

    /** Judges a write to `key` (DYNAMIC: unknown or any key) of the object `objectNode`. */
    const checkWrite = (node: AnyNode, objectNode: AnyNode, key: string) => {
      const object = resolver.resolve(objectNode);
      if (!object) return;
      // `window.x` is the global's `x` (the name alone is nothing in Node).
      const base = object.path[0] === BROWSER_GLOBAL ? object.path.slice(1) : object.path;
      const target = { module: object.module, path: [...base, key] };
      const kind = classify(target);
      if (kind) report(context, rule, { node, messageId: kind, data: { target: describe(target) } });
    };

    const checkMemberWrite = (node: AnyNode, targetNode: AnyNode) => {
      const member = unwrap(targetNode);
      if (member.type === 'MemberExpression') checkWrite(node, member.object, memberKey(member));
    };

    return combineListeners(
      {
        AssignmentExpression: (node: AnyNode) => checkMemberWrite(node, node.left),
        UpdateExpression: (node: AnyNode) => checkMemberWrite(node, node.argument),
        UnaryExpression: (node: AnyNode) => {
          if (node.operator === 'delete') checkMemberWrite(node, node.argument);
        },
        CallExpression: (node: AnyNode) => {
          const call = resolver.normalizeCall(node);
          const keyOf = (keyNode: AnyNode | undefined) => (keyNode && resolver.folder.foldString(keyNode)) ?? DYNAMIC;
          const callee = unwrap(call.calleeNode);
          if (callee.type === 'MemberExpression' && LEGACY_DEFINERS.has(memberKey(callee))) {
            checkWrite(node, callee.object, keyOf(call.args?.[0]));
            return;
          }
          const name = call.callee?.module === undefined ? call.callee?.path.join('.') : undefined;
          if (name === undefined || !(name in WRITERS) || !call.args?.[0]) return;
          const written = WRITERS[name];
          checkWrite(node, call.args[0], written === KEY_ARGUMENT ? keyOf(call.args[1]) : written);
        },
      } as Rule.RuleListener,
      moduleLoadListeners(context, (load) => {
        const name = load.specifier === undefined ? undefined : packageName(load.specifier);
        if (name && PROCESS_MODULES.has(name)) report(context, rule, { node: load.node, messageId: 'processModule', data: { module: name } });
      }),
    );

    function memberKey(member: AnyNode): string {
      const key = member.computed ? resolver.folder.foldString(member.property) : plainKeyName(member.property, false);
      return key ?? DYNAMIC;
    }
  },
});

/** What a written path is: part of the module loader, an intrinsic, or neither. */
function classify(target: Ref): 'moduleLoader' | 'intrinsic' | undefined {
  const [first, second] = target.path;
  if (target.module === 'module') return MODULE_INTERNALS.has(first) ? 'moduleLoader' : undefined;
  if (target.module !== undefined) return undefined;
  // `require` here is also what `Module._load` and `Module.prototype.require` normalise to.
  if (first === 'require') return second === undefined || REQUIRE_INTERNALS.has(second) ? 'moduleLoader' : undefined;
  return INTRINSICS.has(first) && !CONFIGURABLE.has(target.path.join('.')) ? 'intrinsic' : undefined;
}

/** `Object.prototype.x`, `require.cache[…]`, `require.extensions[".css"]`. */
function describe(target: Ref): string {
  const [first, ...rest] = target.path;
  let text = target.module === 'module' ? `Module${step(first)}` : first;
  for (const key of rest) text += step(key);
  return text;
}

function step(key: string): string {
  if (key === DYNAMIC) return '[…]';
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

export default rule;
