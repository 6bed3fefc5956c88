/**
 * The module-interop helpers compilers emit around every `require` of an ES
 * import: TypeScript's `__importDefault`/`__importStar`, Babel's
 * `_interopRequireDefault`/`_interopRequireWildcard`, esbuild's and
 * rolldown's `__toESM`. Each hands back the module it is given (or an object
 * whose `default` and members are that module's), so its result stands for
 * the module and the module handed to it goes nowhere else.
 *
 * A helper is taken at its word only when it is given nothing but the module
 * (and literal flags), and it comes from the runtime packages that ship these
 * helpers (`tslib`, `@babel/runtime`) or the file declares it helper-shaped:
 * it calls nothing but the reflection built-ins, the other helpers and its
 * own functions, hands them only its own values, and writes nothing declared
 * outside it. A function that merely bears the name and hands the module to
 * other code is no helper, and the module passed to it is followed as usual.
 */
import type { AnyNode } from './ast.js';
import { isFunctionNode, unwrap } from './ast.js';
import type { Resolver } from './resolve.js';
import { packageName } from './specifiers.js';

const HELPERS = new Set(['__importDefault', '__importStar', '_interopRequireDefault', '_interopRequireWildcard', '__toESM']);
/** What the helpers' bodies call besides each other: property copying and prototype reads. */
const HELPER_INTERNALS = new Set([
  '__create', '__getProtoOf', '__copyProps', '__defProp', '__getOwnPropNames', '__getOwnPropDesc', '__hasOwnProp', '__createBinding',
  '__setModuleDefault', 'ownKeys', '_getRequireWildcardCache', '_typeof',
]);
const HELPER_PACKAGES = new Set(['tslib', '@babel/runtime']);

/** True when `call` is an interop helper applied to its first argument (see the file's comment). */
export function isInteropHelperCall(call: AnyNode, resolver: Resolver): boolean {
  if ((call.type !== 'CallExpression' && call.type !== 'NewExpression') || call.arguments.length === 0) return false;
  // `__toESM(mod, 1)`: the module is all the helper is given, so it can hand it to nothing the caller chose.
  if (!call.arguments.slice(1).every(isFlag)) return false;
  const callee = unwrap(call.callee);
  if (callee.type === 'MemberExpression') {
    if (callee.computed || !HELPERS.has(callee.property.name)) return false;
    const owner = resolver.resolve(callee.object);
    return owner?.module !== undefined && owner.path.length === 0 && HELPER_PACKAGES.has(packageName(owner.module));
  }
  return callee.type === 'Identifier' && HELPERS.has(callee.name) && isDeclaredHelper(callee, resolver, new Set());
}

/**
 * The file declares `identifier` as a helper: a helper-shaped function (`function f(){}`, `var f = function…`,
 * TypeScript's `var f = (this && this.f) || function…` or `|| (function () { …; return function… })()`), or an
 * alias of a reflection built-in (`var __defProp = Object.defineProperty`).
 */
function isDeclaredHelper(identifier: AnyNode, resolver: Resolver, checking: Set<string>): boolean {
  if (checking.has(identifier.name)) return true; // a helper calling itself (`ownKeys`) is judged once
  checking.add(identifier.name);
  const declared = resolver.declaredFunction(identifier);
  if (declared) return isHelperShaped(declared, resolver, checking);
  const written = resolver.writtenExpressions(identifier);
  if (written.length !== 1) return false;
  let value = unwrap(written[0]);
  if (value.type === 'LogicalExpression' && value.operator === '||') value = unwrap(value.right);
  if (value.type === 'ConditionalExpression') return [value.consequent, value.alternate].every((branch) => isHelperValue(unwrap(branch), resolver, checking));
  return isHelperValue(value, resolver, checking);
}

function isHelperValue(value: AnyNode, resolver: Resolver, checking: Set<string>): boolean {
  if (isFunctionNode(value)) return isHelperShaped(value, resolver, checking);
  // `(function () { … return function (mod) { … }; })()`: the factory's whole body is the helper.
  if (value.type === 'CallExpression' && value.arguments.length === 0 && isFunctionNode(unwrap(value.callee))) return isHelperShaped(unwrap(value.callee), resolver, checking);
  return reflectionMember(value);
}

/**
 * Copies and wraps, and nothing else: it calls only reflection built-ins, the other helpers and its own
 * functions, hands them only its own values, and writes only its own variables and the objects they hold. What
 * it is given can then leave it only through its result, which the caller follows.
 */
function isHelperShaped(fn: AnyNode, resolver: Resolver, checking: Set<string>): boolean {
  // Its own names first: parameters and variables of it and its inner functions. Only its variables may be
  // called (their functions are inside it, judged here); a parameter may hold anything.
  const own = new Set<string>();
  const variables = new Set<string>();
  const addVariable = (name: string) => {
    own.add(name);
    variables.add(name);
  };
  walkNodes(fn, (node) => {
    if (isFunctionNode(node)) {
      for (const param of node.params) if (param.type === 'Identifier') own.add(param.name);
      // Babel's `_getRequireWildcardCache` replaces itself with its memoized form.
      if (node.id?.type === 'Identifier') addVariable(node.id.name);
    }
    if (node.type === 'VariableDeclarator' && node.id.type === 'Identifier') addVariable(node.id.name);
    return true;
  });
  /** An own value: an own name, a member of one, a value built here (literals, objects, functions, calls judged in their turn). */
  const isOwnValue = (raw: AnyNode): boolean => {
    const node = unwrap(raw);
    switch (node.type) {
      case 'Identifier':
        return own.has(node.name) || node.name === 'undefined';
      case 'MemberExpression':
        return isOwnValue(node.object);
      case 'ThisExpression':
      case 'SpreadElement':
        return false;
      case 'ConditionalExpression':
        return isOwnValue(node.consequent) && isOwnValue(node.alternate);
      case 'LogicalExpression':
        return isOwnValue(node.left) && isOwnValue(node.right);
      case 'SequenceExpression':
        return isOwnValue(node.expressions[node.expressions.length - 1]);
      case 'AssignmentExpression':
        return isOwnValue(node.right);
      default:
        return true;
    }
  };
  const isInternalCallee = (callee: AnyNode): boolean => {
    // A function written here, called in place (`(memo = function (e) { … })(e)`): its body is judged here too.
    if (isFunctionNode(callee) || (callee.type === 'AssignmentExpression' && isFunctionNode(unwrap(callee.right)))) return true;
    if (callee.type === 'Identifier') {
      if (variables.has(callee.name) || callee.name === 'WeakMap') return true;
      return (HELPERS.has(callee.name) || HELPER_INTERNALS.has(callee.name)) && isDeclaredHelper(callee, resolver, checking);
    }
    if (callee.type !== 'MemberExpression' || callee.computed) return false;
    if (reflectionMember(callee)) return true;
    const object = unwrap(callee.object);
    // `__hasOwnProp.call(to, key)`, `((k) => from[k]).bind(null, key)` (its body is judged here too), `cache.get(mod)` on the helper's own WeakMap.
    if (callee.property.name === 'call') return isInternalCallee(object);
    if (callee.property.name === 'bind' && isFunctionNode(object)) return true;
    // `{}.hasOwnProperty`: a method of an empty literal is the intrinsic itself.
    if (object.type === 'ObjectExpression' && object.properties.length === 0) return true;
    return object.type === 'Identifier' && variables.has(object.name) && ['get', 'set', 'has'].includes(callee.property.name);
  };
  return walkNodes(fn, (node) => {
    if (node.type === 'CallExpression' || node.type === 'NewExpression') return isInternalCallee(unwrap(node.callee)) && node.arguments.every(isOwnValue);
    if (node.type === 'AssignmentExpression') {
      const target = unwrap(node.left);
      return target.type === 'Identifier' ? own.has(target.name) : isOwnValue(target);
    }
    return true;
  });
}

/** `1`, `true`, `!0`, `void 0`: the flags compilers pass helpers. */
function isFlag(raw: AnyNode): boolean {
  const node = unwrap(raw);
  return node.type === 'Literal' || (node.type === 'UnaryExpression' && unwrap(node.argument).type === 'Literal');
}

/** Visits `node` and everything below it until `visit` returns false; true when it never did. */
function walkNodes(node: AnyNode, visit: (node: AnyNode) => boolean): boolean {
  if (!visit(node)) return false;
  for (const key of Object.keys(node)) {
    if (key === 'parent') continue;
    const child = node[key];
    for (const item of Array.isArray(child) ? child : [child]) if (item && typeof item.type === 'string' && !walkNodes(item, visit)) return false;
  }
  return true;
}

/** `Object.defineProperty`, `Object.prototype.hasOwnProperty`, `Reflect.ownKeys`: a member of a reflection built-in. */
function reflectionMember(node: AnyNode): boolean {
  let current = unwrap(node);
  if (current.type !== 'MemberExpression') return false;
  while (current.type === 'MemberExpression' && !current.computed) current = unwrap(current.object);
  return current.type === 'Identifier' && (current.name === 'Object' || current.name === 'Reflect');
}

/** True when `node` sits in the body of a helper the file declares: the helper's handling of its module is what it is meant to do. */
export function insideInteropHelper(node: AnyNode, resolver: Resolver): boolean {
  for (let current = node.parent; current; current = current.parent) {
    const id = current.type === 'VariableDeclarator' || current.type === 'FunctionDeclaration' ? current.id : undefined;
    if (id?.type === 'Identifier' && (HELPERS.has(id.name) || HELPER_INTERNALS.has(id.name))) return isDeclaredHelper(id, resolver, new Set());
  }
  return false;
}
