/**
 * Prototype pollution through a helper: a deep merge or a path setter writes
 * `target[key] = …` with keys that come from its arguments, so a call that
 * hands it `'__proto__'`, `'constructor.prototype'` or an object with an own
 * `__proto__` key (`JSON.parse('{"__proto__": …}')`) writes into
 * `Object.prototype`. The helper itself is ordinary code (every merge
 * function looks like that); the finding is the call with the polluting key.
 */
import type { AnyNode } from './ast.js';
import { isAssignedTo, isFunctionNode, unwrap } from './ast.js';
import { isBuiltin } from 'node:module';
import type { Ref, Resolver } from './resolve.js';
import { Resolver as ResolverClass } from './resolve.js';

/** Library functions that merge objects or set a value at a path given as a string or an array. */
const KNOWN_HELPERS = new Set([
  'lodash:set', 'lodash:setWith', 'lodash:merge', 'lodash:mergeWith', 'lodash:defaultsDeep', 'lodash:zipObjectDeep', 'lodash:update', 'lodash:updateWith',
  'lodash.set:', 'lodash.merge:', 'lodash.mergewith:', 'lodash.defaultsdeep:', 'set-value:', 'dot-prop:setProperty', 'dot-prop:set', 'object-path:set',
  'deep-extend:', 'deepmerge:', 'deepmerge:all', 'mixin-deep:', 'merge-deep:', 'assign-deep:', 'defaults-deep:', 'extend:', 'just-extend:', 'dset:dset',
  'flat:unflatten', 'jquery:extend', '@hapi/hoek:merge', '@hapi/hoek:applyToDefaults', 'merge:', 'merge:recursive', 'nested-property:set', 'dottie:set',
]);
const POLLUTING = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_SCAN = 5000;

export class PollutionHelpers {
  private readonly helpers = new Map<AnyNode, boolean>();

  constructor(private readonly resolver: Resolver) {}

  /**
   * The polluting key a call hands to a merge or path-set helper, if it does. `unread` marks a function the
   * gate cannot read (imported from another file or package, a parameter, a method of an unknown object):
   * it is judged by what it is handed, since data with an own `__proto__` key or a `constructor.prototype`
   * path has no use but reaching a prototype (see analyzer/polluting-data.ts).
   */
  pollutingKey(call: AnyNode): { key: string; helper: string; unread?: boolean } | undefined {
    const normalized = this.resolver.normalizeCall(call);
    if (!normalized.args) return undefined;
    // `import _ from 'lodash'; _.set(…)` is lodash's `set`.
    const callee = normalized.callee && normalized.callee.path[0] === 'default' ? { module: normalized.callee.module, path: normalized.callee.path.slice(1) } : normalized.callee;
    const name = ResolverClass.nameOf(callee);
    const local = this.resolver.calledFunction(call) ?? (normalized.calleeNode.type === 'Identifier' ? this.resolver.declaredFunction(normalized.calleeNode) : undefined);
    const known = name !== undefined && KNOWN_HELPERS.has(name.includes(':') ? name : `${name}:`);
    if ((local && this.writesKeysFromParameters(local)) || known) {
      for (const argument of normalized.args) {
        const key = pollutingIn(this.resolver.folder.fold(argument)?.value);
        if (key) return { key, helper: local ? (local.id?.name ?? sourceName(call)) : name!.replace(/:$/, '') };
      }
      return undefined;
    }
    if (local || isPlatformFunction(callee)) return undefined;
    for (const argument of normalized.args) {
      const key = pollutingData(this.resolver.folder.fold(argument)?.value);
      if (key) return { key, helper: sourceName(call), unread: true };
    }
    return undefined;
  }

  /** A function with two or more parameters that writes a computed key it cannot fold (`target[key] = …`, `obj[parts[i]] = …`). */
  private writesKeysFromParameters(fn: AnyNode): boolean {
    let known = this.helpers.get(fn);
    if (known === undefined) {
      known = fn.params.length >= 2 && hasComputedWrite(fn.body, this.resolver);
      this.helpers.set(fn, known);
    }
    return known;
  }
}

function hasComputedWrite(body: AnyNode, resolver: Resolver): boolean {
  let scanned = 0;
  const visit = (node: AnyNode): boolean => {
    if (++scanned > MAX_SCAN) return false;
    // `target[key] = …`, and the same store by destructuring or a loop head (`[target[key]] = [v]`, `for (target[key] of …)`).
    if (node.type === 'MemberExpression' && node.computed && isAssignedTo(node) && resolver.folder.fold(node.property) === undefined) return true;
    for (const key of Object.keys(node)) {
      if (key === 'parent') continue;
      const value = node[key];
      const children = Array.isArray(value) ? value : [value];
      for (const child of children) {
        if (child && typeof child === 'object' && typeof child.type === 'string' && !(isFunctionNode(child) && child.type !== 'ArrowFunctionExpression') && visit(child)) return true;
      }
    }
    return false;
  };
  return visit(body);
}

/** `'__proto__.isAdmin'`, `['constructor', 'prototype', 'x']`, `{ __proto__: … }` as an own key: the key that reaches a prototype. */
function pollutingIn(value: unknown, depth = 0): string | undefined {
  if (depth > 4) return undefined;
  if (typeof value === 'string') {
    const segments = value.split(/[.[\]'"]+/).filter(Boolean);
    return segments.includes('__proto__') || (segments.includes('constructor') && segments.includes('prototype')) ? value : undefined;
  }
  if (Array.isArray(value)) return value.every((step) => typeof step === 'string') ? pollutingIn(value.join('.')) : undefined;
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const key of Object.keys(value)) {
      if (key === '__proto__') return key;
      const inner = (value as Record<string, unknown>)[key];
      if (key === 'constructor' && inner && typeof inner === 'object' && Object.hasOwn(inner, 'prototype')) return 'constructor.prototype';
      const nested = POLLUTING.has(key) ? undefined : pollutingIn(inner, depth + 1);
      if (nested && typeof inner === 'object') return `${key}.${nested}`;
    }
  }
  return undefined;
}

/**
 * What reaches a prototype whatever function receives it: an object with an own `__proto__` key (what
 * `JSON.parse` makes of one) or a `constructor.prototype` pair, a list of path steps, a dotted path. A bare
 * `'__proto__'` is left out: code that guards against pollution hands it to `has`, `includes` and `hasOwnProperty`.
 */
function pollutingData(value: unknown): string | undefined {
  if (typeof value === 'string') return /^[\w$]+(\.[\w$]+)+$/.test(value) ? pollutingIn(value) : undefined;
  if (Array.isArray(value) && value.length < 2) return undefined;
  return pollutingIn(value);
}

/** A function of the language, of Node's globals or of a built-in module: the gate knows none of them merges keys into a prototype. */
function isPlatformFunction(callee: Ref | undefined): boolean {
  if (!callee) return false;
  if (callee.module !== undefined) return isBuiltin(callee.module);
  return callee.path.length > 0 && callee.path[0] in globalThis;
}

function sourceName(call: AnyNode): string {
  const callee = unwrap(call.callee);
  if (callee.type === 'Identifier') return callee.name;
  if (callee.type === 'MemberExpression' && !callee.computed && callee.property.type === 'Identifier') return callee.property.name;
  return 'a merge helper';
}
