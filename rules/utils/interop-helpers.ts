/**
 * The module-interop helpers compilers emit around every `require` of an ES
 * import: TypeScript's `__importDefault`/`__importStar`, Babel's
 * `_interopRequireDefault`/`_interopRequireWildcard`, esbuild's and
 * rolldown's `__toESM`. Each hands back the module it is given (or an object
 * whose `default` and members are that module's), so its result stands for
 * the module (`fs_1.default.writeFileSync` is fs's) and the module handed to
 * it goes nowhere else.
 *
 * A helper is taken at its word only when it is given nothing but the module
 * (and literal flags), and it comes from the runtime packages that ship these
 * helpers (`tslib`, `@babel/runtime`) or the file declares it helper-shaped,
 * which is a matter of what it does, not of its name:
 * - it reads no name from outside but the reflection built-ins and the other
 *   helpers, calls only those and its own functions, hands them only its own
 *   values, and writes nothing declared outside it;
 * - it reaches into what it is given by a written-out name (`m.__esModule`)
 *   only to decide a condition or to copy the member under that same name
 *   (`enumerable: desc.enumerable`); what it copies elsewhere it reads by the
 *   keys it learns at run time (`o[k] = m[k]`), and the only names it passes
 *   are the interop protocol's (`defineProperty(o, "default", …)`);
 * - the reflection built-ins it holds (`ownKeys = Object.getOwnPropertyNames`)
 *   are only called or tested, never stored or returned;
 * - what it returns is its module, an object holding the module under
 *   `default`, or an object it built itself and filled as above.
 * A function that merely bears the name and hands the module to other code,
 * reaches past it (`m.constructor`), or returns anything else is no helper,
 * and the module passed to it is followed as usual.
 */
import type { AnyNode } from './ast.js';
import { climbWrappers, isFunctionNode, isReferenceIdentifier, isWriteTarget, plainKeyName, unwrap } from './ast.js';
import type { Resolver } from './resolve.js';
import { packageName } from './specifiers.js';

const HELPERS = new Set(['__importDefault', '__importStar', '_interopRequireDefault', '_interopRequireWildcard', '__toESM']);
/** What the helpers' bodies call besides each other: property copying and prototype reads. */
const HELPER_INTERNALS = new Set([
  '__create', '__getProtoOf', '__copyProps', '__defProp', '__getOwnPropNames', '__getOwnPropDesc', '__hasOwnProp', '__createBinding',
  '__setModuleDefault', 'ownKeys', '_getRequireWildcardCache', '_typeof',
]);
const HELPER_PACKAGES = new Set(['tslib', '@babel/runtime']);
/** The names of the interop protocol: the flag a compiled ES module carries, and where a CommonJS module is put. */
const INTEROP_KEYS = new Set(['__esModule', 'default']);
/** Built-ins a helper may name besides the reflection roots, none a power: Babel's cache is a WeakMap, its `_typeof` tests for Symbol. */
const HELPER_GLOBALS = new Set(['WeakMap', 'Symbol', 'undefined']);

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
  return callee.type === 'Identifier' && HELPERS.has(callee.name) && isJudgedHelper(callee, resolver);
}

/** Verdicts by declaration (the function, or the one value the name is written): every rule asks at every import. */
const verdicts = new WeakMap<AnyNode, boolean>();

/** `isDeclaredHelper`, worked out once per declaration. */
function isJudgedHelper(identifier: AnyNode, resolver: Resolver): boolean {
  const declaration = resolver.declaredFunction(identifier) ?? resolver.writtenExpressions(identifier)[0];
  if (!declaration) return false;
  let verdict = verdicts.get(declaration);
  if (verdict === undefined) {
    verdict = isDeclaredHelper(identifier, resolver, new Set());
    verdicts.set(declaration, verdict);
  }
  return verdict;
}

/**
 * The file declares `identifier` as a helper: a helper-shaped function (`function f(){}`, `var f = function…`,
 * TypeScript's `var f = (this && this.f) || function…` or `|| (function () { …; return function… })()`), or an
 * alias of a reflection built-in (`var __defProp = Object.defineProperty`). One of the helpers that is given the
 * module (HELPERS) must also hand it back.
 */
function isDeclaredHelper(identifier: AnyNode, resolver: Resolver, checking: Set<string>): boolean {
  if (checking.has(identifier.name)) return true; // a helper calling itself (`ownKeys`) is judged once
  checking.add(identifier.name);
  const judge = (fn: AnyNode) => isHelperShaped(fn, resolver, checking) && (!HELPERS.has(identifier.name) || returnsItsModule(fn, resolver));
  const declared = resolver.declaredFunction(identifier);
  if (declared) return judge(declared);
  const written = resolver.writtenExpressions(identifier);
  if (written.length !== 1) return false;
  let value = unwrap(written[0]);
  if (value.type === 'LogicalExpression' && value.operator === '||') value = unwrap(value.right);
  const branches = value.type === 'ConditionalExpression' ? [unwrap(value.consequent), unwrap(value.alternate)] : [value];
  return branches.every((branch) => {
    if (isFunctionNode(branch)) return judge(branch);
    // `(function () { … return function (mod) { … }; })()`: the factory's whole body is the helper, and what it returns is the function given the module.
    const factory = branch.type === 'CallExpression' && branch.arguments.length === 0 ? unwrap(branch.callee) : undefined;
    if (factory && isFunctionNode(factory)) {
      const made = (resolver.functions.returnedExpressions(factory) ?? []).map(unwrap);
      return isHelperShaped(factory, resolver, checking) && made.length > 0 && made.every((fn) => isFunctionNode(fn) && (!HELPERS.has(identifier.name) || returnsItsModule(fn, resolver)));
    }
    return !HELPERS.has(identifier.name) && reflectionMember(branch);
  });
}

/** The names a helper declares: parameters and variables of it and its inner functions, and which of them are variables. */
function ownNames(fn: AnyNode): { own: Set<string>; variables: Set<string> } {
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
  return { own, variables };
}

/** The helper's variables a reflection built-in is written to (`ownKeys = Object.getOwnPropertyNames || …`, Babel's `a = Object.defineProperty && …`). */
function toolVariables(fn: AnyNode): Set<string> {
  const tools = new Set<string>();
  walkNodes(fn, (node) => {
    const [target, value] = node.type === 'VariableDeclarator' ? [node.id, node.init] : node.type === 'AssignmentExpression' ? [node.left, node.right] : [];
    if (target?.type === 'Identifier' && value && choices(value).some(reflectionMember)) tools.add(target.name);
    return true;
  });
  return tools;
}

/**
 * Copies and wraps, and nothing else (see the file's comment): what it is given can then leave it only through its
 * result, which the caller follows, and that result holds nothing but what it was given and its own literals.
 */
function isHelperShaped(fn: AnyNode, resolver: Resolver, checking: Set<string>): boolean {
  // Only its variables may be called (their functions are inside it, judged here); a parameter may hold anything.
  const { own, variables } = ownNames(fn);
  const tools = toolVariables(fn);
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
  /** A key written out in the code: a plain name, or a computed key that folds (`m['constr' + 'uctor']`). */
  const writtenKey = (member: AnyNode): string | undefined => (member.computed ? resolver.folder.foldString(member.property) : plainKeyName(member.property, false));
  return walkNodes(fn, (node) => {
    switch (node.type) {
      case 'CallExpression':
      case 'NewExpression':
        if (!isInternalCallee(unwrap(node.callee)) || !node.arguments.every(isOwnValue)) return false;
        // A name it passes (`defineProperty(o, "default", …)`) is the protocol's: any other could pick a member to move elsewhere.
        return node.arguments.every((argument: AnyNode) => {
          const key = resolver.folder.foldString(argument);
          return key === undefined || INTEROP_KEYS.has(key);
        });
      case 'AssignmentExpression': {
        const target = unwrap(node.left);
        return target.type === 'Identifier' ? own.has(target.name) : isOwnValue(target);
      }
      case 'ThisExpression':
        return false;
      case 'Identifier':
        if (!isReferenceIdentifier(node)) return true;
        if (tools.has(node.name)) return isCalledOrTested(node);
        if (own.has(node.name) || HELPER_GLOBALS.has(node.name) || isReflectionRoot(node)) return true;
        return (HELPERS.has(node.name) || HELPER_INTERNALS.has(node.name)) && isDeclaredHelper(node, resolver, checking);
      case 'MemberExpression': {
        if (isInChain(node) || isWriteTarget(node)) return true;
        // A reflection built-in is only called or tested: stored, it would be a power the result hands on.
        if (reflectionMember(node)) return isCalledOrTested(node);
        const key = writtenKey(node);
        return key === undefined || unwrap(node.object).type === 'ObjectExpression' || decidesOrKeepsName(node, key, writtenKey, (name) => readsOf(fn, name));
      }
      default:
        return true;
    }
  });
}

/**
 * What the helper given the module returns is that module or stands for it: the module itself (`return mod`), an
 * object holding it under `default` (`{ "default": mod }`), an object the helper built (`var result = {}`, `__create(…)`,
 * filled only as `isHelperShaped` allows), a cache entry of its own (`cache.get(mod)`), or what a helper or
 * reflection call that hands back its first argument returns (`__copyProps(target, mod)`, `Object.defineProperty(o, …)`).
 * A constant, a flag it was given, or anything else returned is not the module.
 */
function returnsItsModule(fn: AnyNode, resolver: Resolver): boolean {
  const module = fn.params[0]?.type === 'Identifier' ? fn.params[0].name : undefined;
  const returned = resolver.functions.returnedExpressions(fn);
  if (module === undefined || !returned?.length) return false;
  const { variables } = ownNames(fn);
  const seen = new Set<string>();
  /** Every value an own name is written: its declaration's and its assignments' (a parameter's incoming flag is not the module). */
  const writes = (name: string): AnyNode[] => {
    const out: AnyNode[] = [];
    walkNodes(fn, (node) => {
      if (node.type === 'VariableDeclarator' && node.id.type === 'Identifier' && node.id.name === name && node.init) out.push(node.init);
      if (node.type === 'AssignmentExpression' && node.operator === '=' && unwrap(node.left).type === 'Identifier' && unwrap(node.left).name === name) out.push(node.right);
      return true;
    });
    return out;
  };
  const built = (raw: AnyNode): boolean => {
    const node = unwrap(raw);
    if (node.type === 'ObjectExpression' || node.type === 'NewExpression') return true;
    return node.type === 'CallExpression' ? yields(node) : choices(node).length > 1 && choices(node).every(built);
  };
  const yields = (raw: AnyNode): boolean => {
    const node = unwrap(raw);
    const options = choices(node);
    if (options.length > 1) return options.every(yields);
    switch (node.type) {
      case 'Identifier': {
        if (node.name === module) return true;
        if (!variables.has(node.name) && !fn.params.some((param: AnyNode) => param.type === 'Identifier' && param.name === node.name)) return false;
        if (seen.has(node.name)) return true;
        seen.add(node.name);
        const values = writes(node.name);
        return values.length > 0 && values.every((value) => built(value) || yields(value));
      }
      case 'ObjectExpression':
        return node.properties.some((property: AnyNode) => property.type === 'Property' && plainKeyName(property.key, property.computed) === 'default' && unwrap(property.value).type === 'Identifier' && unwrap(property.value).name === module);
      case 'CallExpression': {
        const callee = unwrap(node.callee);
        // `cache.get(mod)`: an entry of the helper's own cache, which holds only what it built.
        if (callee.type === 'MemberExpression' && unwrap(callee.object).type === 'Identifier' && variables.has(unwrap(callee.object).name)) return true;
        // `__create(__getProtoOf(mod))`, `Object.create(null)`: a new object; `__copyProps(to, from)`, `__defProp(o, …)`: their first argument.
        if (reflectionCreates(callee, resolver)) return true;
        return node.arguments.length > 0 && yields(node.arguments[0]);
      }
      default:
        return false;
    }
  };
  return returned.every(yields);
}

/** `Object.create`, or a helper that aliases it (`var __create = Object.create`): it makes a new object. */
function reflectionCreates(callee: AnyNode, resolver: Resolver): boolean {
  const target = callee.type === 'Identifier' ? resolver.writtenExpressions(callee) : [callee];
  return target.length === 1 && unwrap(target[0]).type === 'MemberExpression' && reflectionMember(unwrap(target[0])) && plainKeyName(unwrap(target[0]).property, unwrap(target[0]).computed) === 'create';
}

/**
 * A member read by a name written out only decides a condition (`if (m.__esModule)`, `!desc || desc.writable`,
 * `i < k.length`, `ar[ar.length] = k`), is the method a call runs (`cache.get(mod)`), is read further, or is copied
 * under that same name (`enumerable: desc.enumerable`, `o.default = m.default`); kept in a variable of the helper
 * first (`n = keys.length`), each read of the variable is held to the same.
 */
function decidesOrKeepsName(member: AnyNode, key: string, writtenKey: (member: AnyNode) => string | undefined, readsOf: (name: string) => AnyNode[], held = new Set<string>()): boolean {
  const { node, parent, decided } = destination(member);
  if (decided || !parent) return decided;
  const heldIn = (target: AnyNode) => {
    if (held.has(target.name)) return true;
    held.add(target.name);
    return readsOf(target.name).every((read) => decidesOrKeepsName(read, key, writtenKey, readsOf, held));
  };
  switch (parent.type) {
    case 'VariableDeclarator':
      return parent.init === node && parent.id.type === 'Identifier' && heldIn(parent.id);
    case 'CallExpression':
    case 'NewExpression':
      return parent.callee === node;
    case 'MemberExpression':
      return parent.object === node || parent.property === node;
    case 'Property':
      return parent.value === node && plainKeyName(parent.key, parent.computed) === key;
    case 'AssignmentExpression': {
      const target = unwrap(parent.left);
      if (parent.right !== node) return false;
      return target.type === 'Identifier' ? heldIn(target) : target.type === 'MemberExpression' && writtenKey(target) === key;
    }
    default:
      return false;
  }
}

/** The places in `fn` that read the variable `name` (the helper's own names are not shadowed in the code compilers emit). */
function readsOf(fn: AnyNode, name: string): AnyNode[] {
  const reads: AnyNode[] = [];
  walkNodes(fn, (node) => {
    if (node.type === 'Identifier' && node.name === name && isReferenceIdentifier(node)) reads.push(node);
    return true;
  });
  return reads;
}

/** A reflection built-in, or a name holding one, used only as a callee (`ownKeys(o)`, `__hasOwnProp.call(…)`) or a test (`a ? … : null`). */
function isCalledOrTested(node: AnyNode): boolean {
  const { node: value, parent, decided } = destination(node);
  if (decided || !parent) return decided;
  if ((parent.type === 'CallExpression' || parent.type === 'NewExpression') && parent.callee === value) return true;
  // Written to a variable of the helper, which is itself held to this (see `toolVariables`).
  if (parent.type === 'VariableDeclarator') return parent.init === value && parent.id.type === 'Identifier';
  if (parent.type === 'AssignmentExpression') return parent.right === value && unwrap(parent.left).type === 'Identifier';
  return parent.type === 'MemberExpression' && parent.object === value && !parent.computed && ['call', 'bind'].includes(parent.property.name);
}

/**
 * Where a value goes past the choices that hand it on (`a || v`, `c ? v : x`, `(0, v)`), and whether it is a test
 * on the way (`if (v)`, `!v`, `v === x`, `"get" in v`, the left of `v && x`, a computed key `o[v]`): a test only
 * decides which branch runs.
 */
function destination(start: AnyNode): { node: AnyNode; parent: AnyNode | null | undefined; decided: boolean } {
  let { node, parent } = climbWrappers(start);
  for (;;) {
    if (!parent) return { node, parent, decided: false };
    switch (parent.type) {
      case 'LogicalExpression':
        if (parent.operator === '&&' && parent.left === node) return { node, parent, decided: true };
        break;
      case 'ConditionalExpression':
      case 'IfStatement':
      case 'WhileStatement':
      case 'DoWhileStatement':
      case 'ForStatement':
        if (parent.test === node) return { node, parent, decided: true };
        if (parent.type !== 'ConditionalExpression') return { node, parent, decided: false };
        break;
      case 'SequenceExpression':
        if (parent.expressions[parent.expressions.length - 1] !== node) return { node, parent, decided: true };
        break;
      case 'UnaryExpression':
        return { node, parent, decided: parent.operator !== 'delete' };
      case 'BinaryExpression':
        return { node, parent, decided: TESTS.has(parent.operator) };
      case 'MemberExpression':
        return { node, parent, decided: parent.computed && parent.property === node };
      default:
        return { node, parent, decided: false };
    }
    ({ node, parent } = climbWrappers(parent));
  }
}

const TESTS = new Set(['===', '!==', '==', '!=', '<', '>', '<=', '>=', 'in', 'instanceof']);

/** The values an expression may be: each branch of a choice (`a || b`, `c ? a : b`), the last of a sequence, an assignment's value. */
function choices(raw: AnyNode): AnyNode[] {
  const node = unwrap(raw);
  if (node.type === 'LogicalExpression') return node.operator === '&&' ? choices(node.right) : [...choices(node.left), ...choices(node.right)];
  if (node.type === 'ConditionalExpression') return [...choices(node.consequent), ...choices(node.alternate)];
  if (node.type === 'AssignmentExpression' && node.operator === '=') return choices(node.right);
  return [node];
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

/** `Object` or `Reflect` at the root of a member chain: the built-in is named only to reach its members. */
function isReflectionRoot(identifier: AnyNode): boolean {
  const { node, parent } = climbWrappers(identifier);
  return (identifier.name === 'Object' || identifier.name === 'Reflect') && parent?.type === 'MemberExpression' && parent.object === node && !parent.computed;
}

/** An inner link of a member chain (`Object.prototype` in `Object.prototype.hasOwnProperty`): the chain is judged whole, at its end. */
function isInChain(member: AnyNode): boolean {
  const { node, parent } = climbWrappers(member);
  return parent?.type === 'MemberExpression' && parent.object === node && reflectionMember(parent);
}

/** True when `node` sits in the body of a helper the file declares: the helper's handling of its module is what it is meant to do. */
export function insideInteropHelper(node: AnyNode, resolver: Resolver): boolean {
  for (let current = node.parent; current; current = current.parent) {
    const id = current.type === 'VariableDeclarator' || current.type === 'FunctionDeclaration' ? current.id : undefined;
    if (id?.type === 'Identifier' && (HELPERS.has(id.name) || HELPER_INTERNALS.has(id.name))) return isJudgedHelper(id, resolver);
  }
  return false;
}
