/**
 * The API the host hands a plugin (api/context.ts, which rules may not import: dependencies point one way), as far
 * as the gate needs it: which members of `activate`'s `ctx` are functions. A function's `constructor` is Function,
 * so `ctx.log.info.constructor(text)` builds code from text whatever is done with the result; an unknown object's
 * `constructor` may be any class (`new err.constructor(msg)`), and the gate can tell the two apart only because it
 * knows the contract. test/rules/utils/plugin-api.test.ts checks this table against api/context.ts.
 */
import type { Rule } from 'eslint';
import { unwrap, type AnyNode } from './ast.js';
import { memberName, type Resolver } from './resolve.js';
import { findVariable } from './scope.js';

const MAX_DEPTH = 8;
const LOG_LEVELS = ['debug', 'info', 'warn', 'error'];
/** Methods of a value's built-in prototype: what `ctx.subscriptions.push` and `ctx.dataDir.slice` are. */
const methodsOf = (prototype: object) => Object.getOwnPropertyNames(prototype).filter((name) => name !== 'constructor' && typeof Object.getOwnPropertyDescriptor(prototype, name)?.value === 'function');

/** The members of the context that are functions, by the object holding them. */
export const CONTEXT_FUNCTIONS: Readonly<Record<string, readonly string[]>> = {
  commands: ['register', 'execute'],
  events: ['on', 'emit'],
  storage: ['get', 'set', 'delete', 'keys'],
  window: ['showMessage'],
  net: ['fetch'],
  user: ['profile'],
  log: LOG_LEVELS,
  subscriptions: methodsOf(Array.prototype),
  pluginId: methodsOf(String.prototype),
  dataDir: methodsOf(String.prototype),
};

/** True when `node` is a member of the plugin's context that the API makes a function (`ctx.log.info`, `const { net } = ctx; net.fetch`). */
export function isContextFunction(context: Rule.RuleContext, resolver: Resolver, node: AnyNode): boolean {
  const path = contextPath(context, resolver, node, 0);
  return path?.length === 2 && CONTEXT_FUNCTIONS[path[0]]?.includes(path[1]) === true;
}

/**
 * The keys that lead from the context to `node`: `[]` for the context itself (activate's first parameter, or the
 * parameter of a helper every call of which the file sees passing it), then through members, aliases and
 * destructurings (`const { log } = ctx`, `activate({ log: { info } })`). Undefined when `node` is not reached from it.
 */
function contextPath(context: Rule.RuleContext, resolver: Resolver, input: AnyNode, depth: number): string[] | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const node = unwrap(input);
  if (node.type === 'MemberExpression') {
    const key = memberName(node, resolver.folder);
    const holder = key === undefined ? undefined : contextPath(context, resolver, node.object, depth + 1);
    return holder && [...holder, key!];
  }
  if (node.type !== 'Identifier') return undefined;
  const source = resolver.destructuredSource(node);
  if (source) {
    const holder = contextPath(context, resolver, source.node, depth + 1);
    return holder && [...holder, ...source.keys];
  }
  const variable = findVariable(context.sourceCode.getScope(node as never), node.name);
  const definition = variable?.defs.length === 1 ? variable.defs[0] : undefined;
  if (definition?.type !== 'Parameter' || variable!.references.some((reference) => reference.isWrite())) return undefined;
  const fn = definition.node as unknown as AnyNode;
  const pattern = patternPath(definition.name as unknown as AnyNode, fn.params[0]);
  if (pattern === undefined) return undefined;
  if (isActivate(fn)) return pattern;
  const passed = pattern.length === 0 ? resolver.parameterArguments(node) : undefined;
  const paths = passed?.map((argument) => (argument === undefined ? undefined : contextPath(context, resolver, argument, depth + 1)));
  return paths?.length && paths.every((path) => path?.length === 0) ? [] : undefined;
}

/** The keys from a function's first parameter to a name it binds (`[]` for the parameter itself); undefined for a name bound elsewhere. */
function patternPath(name: AnyNode, first: AnyNode | undefined): string[] | undefined {
  const keys: string[] = [];
  let node = name;
  while (node !== first) {
    const parent = node.parent;
    if (parent?.type === 'Property' && parent.value === node && !parent.computed && parent.parent?.type === 'ObjectPattern') {
      keys.unshift(parent.key.type === 'Identifier' ? parent.key.name : String(parent.key.value));
      node = parent.parent;
    } else if (parent?.type === 'AssignmentPattern' && parent.left === node) node = parent;
    else return undefined;
  }
  return keys;
}

/** A function the plugin exports or names as `activate`: the host calls it with the context. */
function isActivate(fn: AnyNode): boolean {
  if (fn.id?.name === 'activate') return true;
  const parent = fn.parent;
  if ((parent?.type === 'Property' || parent?.type === 'MethodDefinition') && parent.value === fn) return keyIsActivate(parent.key, parent.computed);
  if (parent?.type === 'AssignmentExpression' && parent.right === fn && parent.left.type === 'MemberExpression') return keyIsActivate(parent.left.property, parent.left.computed);
  return parent?.type === 'VariableDeclarator' && parent.init === fn && parent.id.type === 'Identifier' && parent.id.name === 'activate';
}

function keyIsActivate(key: AnyNode, computed: boolean): boolean {
  return computed ? key.type === 'Literal' && key.value === 'activate' : key.type === 'Identifier' && key.name === 'activate';
}
