/**
 * Whether an object or array the folder knows can change after it is made.
 * `const cfg = { mod: 'os' }` folds to `{ mod: 'os' }` only while nothing can
 * write to it: a member write (`cfg.mod = …`, `delete`, `++`), a mutating
 * method (`parts.reverse()`, `.sort()`, `.push()`), a reflective write
 * (`Object.assign(cfg, …)`, `Reflect.set`, `Object.defineProperty`), an alias
 * that does any of these, or handing the value to code the gate does not know
 * to be read-only each make it unknown. The list is of read-only shapes, not of
 * writes: a use it does not know counts as one that may write.
 *
 * Members that are primitives cannot be written through, so reading
 * `cfg.mod` and passing the string on anywhere keeps `cfg` unchanged; a member
 * that is itself an object is followed like the value it is part of.
 */
import type { Scope } from 'eslint';
import type { AnyNode } from './ast.js';
import { climbWrappers, descendants, isWriteTarget, plainKeyName } from './ast.js';
import { findVariable, type ScopeOf } from './scope.js';

/** Methods of strings, arrays and plain objects that never change their receiver. */
const READ_ONLY_METHODS = new Set([
  'join', 'slice', 'concat', 'at', 'indexOf', 'lastIndexOf', 'includes', 'toString', 'toLocaleString', 'valueOf',
  'map', 'filter', 'find', 'findIndex', 'findLast', 'findLastIndex', 'some', 'every', 'forEach', 'reduce', 'reduceRight',
  'flat', 'flatMap', 'keys', 'values', 'entries', 'toSorted', 'toReversed', 'toSpliced', 'with',
  'charAt', 'charCodeAt', 'codePointAt', 'split', 'trim', 'trimStart', 'trimEnd', 'startsWith', 'endsWith', 'replace',
  'replaceAll', 'padStart', 'padEnd', 'repeat', 'normalize', 'substring', 'substr', 'toLowerCase', 'toUpperCase',
  'match', 'matchAll', 'search', 'localeCompare', 'hasOwnProperty', 'propertyIsEnumerable', 'isPrototypeOf',
]);
/** Read-only methods whose result may be the receiver itself or one of its elements: where that goes matters too. */
const PASSES_ON_PARTS = new Set([
  'valueOf', 'at', 'find', 'findLast', 'filter', 'slice', 'concat', 'flat', 'flatMap', 'map', 'toSorted', 'toReversed',
  'toSpliced', 'with', 'values', 'entries', 'reduce', 'reduceRight',
]);
/** Buffer methods that only read it, returning a primitive: `equals`, `compare`, `readUInt32LE`, `toJSON` (a copy). */
const BUFFER_READ_METHODS = /^(?:equals|compare|toJSON|read(?:U?Int(?:8|16|32)|BigU?Int64|Float|Double|U?IntBE|U?IntLE)(?:BE|LE)?)$/;
/** Array methods whose callback is handed the array itself, at this parameter index. */
const CALLBACK_ARRAY_INDEX: Record<string, number> = {
  map: 2, filter: 2, find: 2, findIndex: 2, findLast: 2, findLastIndex: 2, some: 2, every: 2, forEach: 2, flatMap: 2,
  reduce: 3, reduceRight: 3,
};
/** Functions that only read the argument they are given (or, for `Object.freeze`, forbid writing it). */
const READ_ONLY_FUNCTIONS = new Set([
  'JSON.stringify', 'String', 'Number', 'Boolean', 'Array.isArray', 'Object.keys', 'Object.values', 'Object.entries',
  'Object.getOwnPropertyNames', 'Object.hasOwn', 'Object.is', 'Object.isFrozen', 'Object.freeze', 'Array.from',
  'require', 'parseInt', 'parseFloat', 'encodeURIComponent', 'decodeURIComponent', 'Buffer.from', 'atob', 'btoa',
  'String.fromCharCode', 'String.fromCodePoint', 'Object.prototype.hasOwnProperty', 'Object.prototype.toString',
]);
/** Uses one file may spend checking: each variable's uses are looked at once per shape, so only a pathological file nears it. */
const MAX_STEPS = 5_000_000;

/** What a use of the module wrapper's `arguments` or of `import.meta` may reach: their members are the file's own location, all strings. */
const WRAPPER_ARGUMENTS_VALUE = ['', '', '', '', ''];
const IMPORT_META_VALUE = { url: '', dirname: '', filename: '' };

/** The anchors a file's own location is read from: CommonJS's `__dirname`/`__filename`, ESM's `import.meta`. */
export type Anchor = 'commonjs' | 'import.meta';

/** A folded value's shape, as far as writes through it are concerned. */
type Shape = 'flat' | 'nested';

/** A part of the value whose own value is not known (a destructured name, a member under a key that does not fold). */
const SOME_OBJECT = Symbol('some object');

export class UnwrittenValues {
  private readonly memo = new Map<Scope.Variable, Map<Shape, AnyNode[]>>();
  private readonly anchors = new Map<Anchor, boolean>();
  private steps = 0;

  constructor(
    private readonly scopeOf: ScopeOf,
    /** The canonical name of what a call calls (`JSON.stringify`), seen through `.call`/`.apply`. */
    private readonly calleeName: (call: AnyNode) => string | undefined,
    /** The function a callback argument certainly is: written in place, or a local name never reassigned. */
    private readonly localFunction: (expression: AnyNode) => AnyNode | undefined,
  ) {}

  /**
   * True when nothing in the file can change `value`, which the variable `identifier` names holds,
   * before this read of it. The read itself may hand the value on (`new Worker(file, options)`):
   * what the callee does with it happens after the value is read.
   */
  isUnwritten(identifier: AnyNode, value: unknown): boolean {
    if (!isObjectLike(value)) return true;
    const variable = findVariable(this.scopeOf(identifier), identifier.name);
    if (!variable || variable.defs.length === 0) return false;
    const writers = this.writers(variable, value, new Set());
    return writers.every((writer) => writer === identifier && isHandedOn(identifier));
  }

  /**
   * True when nothing in the file can change where an anchor says the file is. `__dirname` and `__filename` are the
   * module wrapper's parameters, as writable as any (`__dirname = os.homedir()`, `({ __filename } = …)`, `for
   * (__dirname of …)`, `++`), and in sloppy code the wrapper's `arguments[4]` is the same binding; `import.meta` is an
   * ordinary object whose `dirname` a plain assignment, `Object.assign` or `defineProperty` replaces. Each use must
   * leave them as read-only as `isUnwritten` asks of a folded object (a use it does not know counts as a write).
   * A local `var __dirname` is another variable, which the resolver follows as it does any.
   */
  anchorUnwritten(anyNode: AnyNode, anchor: Anchor): boolean {
    const known = this.anchors.get(anchor);
    if (known !== undefined) return known;
    let scope: Scope.Scope = this.scopeOf(anyNode);
    while (scope.upper) scope = scope.upper;
    const unwritten = anchor === 'commonjs' ? this.wrapperUnwritten(scope) : descendants(scope.block as AnyNode, (node) => node.type === 'MetaProperty' && node.meta.name === 'import').every((meta) => isResolveCall(meta) || this.useUnwritten(meta, IMPORT_META_VALUE, new Set()));
    this.anchors.set(anchor, unwritten);
    return unwritten;
  }

  /** No reference of the file writes `__dirname` or `__filename`, nor writes through the wrapper's `arguments`. */
  private wrapperUnwritten(global: Scope.Scope): boolean {
    // Unresolved names are the wrapper's (or globals'); a scope analysis that models the wrapper declares `arguments` in the module's function scope.
    const moduleScope = global.childScopes.find((child) => child.type === 'function' && (child.block as AnyNode).type === 'Program');
    const wrapperArguments = [...global.through.filter((ref) => ref.identifier.name === 'arguments'), ...(moduleScope?.set.get('arguments')?.references ?? [])];
    const own = global.through.filter((ref) => ref.identifier.name === '__dirname' || ref.identifier.name === '__filename');
    return own.every((ref) => !ref.isWrite()) && wrapperArguments.every((ref) => this.useUnwritten(ref.identifier as AnyNode, WRAPPER_ARGUMENTS_VALUE, new Set()));
  }

  /**
   * The primitives a flat local array `identifier` names may gain, when the only writes to it are `push`/`unshift`
   * calls whose arguments `foldPrimitive` knows (`locales.push('./locales/de.json')`) and every other use leaves it
   * unwritten: its elements are then always among the initial ones and these. Undefined for any other write.
   */
  constantAdditions(identifier: AnyNode, value: unknown[], foldPrimitive: (node: AnyNode) => { value: unknown } | undefined): unknown[] | undefined {
    if (shapeOf(value) !== 'flat') return undefined;
    const variable = findVariable(this.scopeOf(identifier), identifier.name);
    if (!variable || variable.defs.length !== 1) return undefined;
    const added: unknown[] = [];
    for (const reference of variable.references) {
      const ref = reference as unknown as { init?: boolean; isWrite(): boolean; identifier: AnyNode };
      if (ref.isWrite()) {
        if (ref.init) continue;
        return undefined;
      }
      const pushed = pushedArguments(ref.identifier);
      const values = pushed?.map((argument) => (argument.type === 'SpreadElement' ? undefined : foldPrimitive(argument)));
      if (values?.every((folded) => folded !== undefined && !isObjectLike(folded.value))) added.push(...values.map((folded) => folded!.value));
      else if (!this.useUnwritten(ref.identifier, value, new Set([variable]))) return undefined;
    }
    return added;
  }

  private variableUnwritten(variable: Scope.Variable, value: unknown, seen: Set<Scope.Variable>): boolean {
    return !isObjectLike(value) || this.writers(variable, value, seen).length === 0;
  }

  /** The references of a variable holding `value` through which it may be written (at most two: more tell nothing new). */
  private writers(variable: Scope.Variable, value: unknown, seen: Set<Scope.Variable>): AnyNode[] {
    const shape = shapeOf(value);
    const known = this.memo.get(variable)?.get(shape);
    if (known !== undefined) return known;
    if (seen.has(variable)) return [];
    seen.add(variable);
    const writers: AnyNode[] = [];
    for (const reference of variable.references) {
      const ref = reference as unknown as { init?: boolean; isWrite(): boolean; isRead(): boolean; identifier: AnyNode };
      const writes = ref.isWrite() ? !ref.init : ref.isRead() && !this.useUnwritten(ref.identifier, value, seen);
      if (writes) writers.push(ref.identifier);
      if (writers.length > 1) break;
    }
    if (!this.memo.has(variable)) this.memo.set(variable, new Map());
    this.memo.get(variable)!.set(shape, writers);
    return writers;
  }

  /** One use of `value` (or of a part of it), where `start` evaluates to it. */
  private useUnwritten(start: AnyNode, value: unknown, seen: Set<Scope.Variable>): boolean {
    if (!isObjectLike(value)) return true; // a primitive cannot be written through
    if (++this.steps > MAX_STEPS) return false;
    const { node, parent } = climbWrappers(start);
    if (parent?.type !== 'MemberExpression' || parent.object !== node) return this.wholeValueUnwritten(node, parent, value, seen);
    const key = plainKeyName(parent.property, parent.computed && parent.property.type !== 'Literal');
    const { node: member, parent: consumer } = climbWrappers(parent);
    if (isWriteTarget(member) || isPatternTarget(member, consumer)) return false;
    if (ArrayBuffer.isView(value)) {
      // A Buffer's `slice` shares its memory, as its `buffer` is that memory: writes through them change it.
      if (key === 'buffer' || key === 'subarray') return false;
      if (key === 'slice' && consumer?.type === 'CallExpression' && consumer.callee === member) return this.useUnwritten(consumer, value, seen);
      if (key !== undefined && BUFFER_READ_METHODS.test(key) && consumer?.type === 'CallExpression' && consumer.callee === member) return true;
    }
    if ((consumer?.type === 'CallExpression' || consumer?.type === 'NewExpression') && consumer.callee === member) {
      // `parts.reverse()`, `cfg.load()` (its `this` is `cfg`): only methods known not to write.
      if (key === undefined || !READ_ONLY_METHODS.has(key) || !this.callbacksCannotWrite(consumer, key)) return false;
      // `parts.valueOf()` is `parts` itself, flat or not.
      if (key === 'valueOf') return this.useUnwritten(consumer, value, seen);
      return !PASSES_ON_PARTS.has(key) || shapeOf(value) === 'flat' || this.useUnwritten(consumer, SOME_OBJECT, seen);
    }
    return this.useUnwritten(member, partOf(value, key), seen);
  }

  /** The value itself (not a member of it) used by its parent. */
  private wholeValueUnwritten(node: AnyNode, parent: AnyNode | null | undefined, value: unknown, seen: Set<Scope.Variable>): boolean {
    if (!parent) return false;
    const flat = shapeOf(value) === 'flat';
    switch (parent.type) {
      case 'UnaryExpression':
        return parent.operator !== 'delete';
      case 'BinaryExpression':
      case 'TemplateLiteral':
      case 'ExpressionStatement':
      case 'IfStatement':
      case 'WhileStatement':
      case 'DoWhileStatement':
      case 'SwitchStatement':
      case 'SwitchCase':
      case 'ForInStatement':
        return true;
      case 'ForStatement':
        return parent.test === node;
      case 'ConditionalExpression':
        return parent.test === node || this.useUnwritten(parent, value, seen);
      case 'LogicalExpression':
        return (parent.operator === '&&' && parent.left === node) || this.useUnwritten(parent, value, seen);
      case 'MemberExpression':
        return parent.property === node; // used as a key
      case 'SpreadElement':
        // `[...parts]` copies the elements into a new array.
        return parent.parent?.type === 'ArrayExpression' && (flat || this.useUnwritten(parent.parent, SOME_OBJECT, seen));
      case 'ForOfStatement':
        return parent.right === node && (flat || this.boundNamesUnwritten(parent.left, SOME_OBJECT, seen));
      case 'VariableDeclarator':
        if (parent.init !== node) return false;
        if (parent.id.type === 'Identifier') return this.boundNamesUnwritten(parent.id, value, seen);
        // `const { a, b } = cfg`: each name is a member of the value, so of a flat one a primitive.
        return flat || this.boundNamesUnwritten(parent.id, SOME_OBJECT, seen);
      case 'CallExpression': {
        if (parent.callee === node) return false;
        const name = this.calleeName(parent);
        return name !== undefined && READ_ONLY_FUNCTIONS.has(name);
      }
      default:
        return false;
    }
  }

  /** Every variable a declaration's target binds holds `value` (or a part of it): each must leave it unwritten. */
  private boundNamesUnwritten(target: AnyNode, value: unknown, seen: Set<Scope.Variable>): boolean {
    const declaration = target.type === 'VariableDeclaration' ? target.declarations[0]?.id : target;
    if (!declaration) return false;
    for (const identifier of boundIdentifiers(declaration)) {
      const variable = findVariable(this.scopeOf(identifier), identifier.name);
      if (!variable || !this.variableUnwritten(variable, value, seen)) return false;
    }
    return true;
  }

  /** An array method's callback may write to the array it is handed: only an inline function that never names it (nor `arguments`). */
  private callbacksCannotWrite(call: AnyNode, method: string): boolean {
    // Own keys only: `toString` or `valueOf` would find Object.prototype's.
    const index = Object.hasOwn(CALLBACK_ARRAY_INDEX, method) ? CALLBACK_ARRAY_INDEX[method] : undefined;
    if (index === undefined) return true;
    // `parts.reduce(concat)` of a local `function concat(a, b)` is as visible as a callback written in place.
    const callback = call.arguments[0] && this.localFunction(call.arguments[0]);
    if (!callback) return false;
    if (callback.params.length > index) return false;
    if (callback.type === 'ArrowFunctionExpression') return true;
    return (this.scopeOf(callback).set.get('arguments')?.references.length ?? 0) === 0;
  }
}

/** `import.meta.resolve(…)`: it only reads `import.meta`. */
function isResolveCall(meta: AnyNode): boolean {
  const { node, parent } = climbWrappers(meta);
  if (parent?.type !== 'MemberExpression' || parent.object !== node || plainKeyName(parent.property, parent.computed && parent.property.type !== 'Literal') !== 'resolve') return false;
  const { node: member, parent: call } = climbWrappers(parent);
  return call?.type === 'CallExpression' && call.callee === member;
}

/** `value[key]`, or "some object" when the key is unknown and the value has objects in it. */
function partOf(value: unknown, key: string | undefined): unknown {
  if (value === SOME_OBJECT) return SOME_OBJECT;
  if (key !== undefined && Object.prototype.hasOwnProperty.call(value, key)) return (value as Record<string, unknown>)[key];
  return shapeOf(value) === 'flat' ? undefined : SOME_OBJECT;
}

/** The arguments of `list.push(…)` or `list.unshift(…)` called directly on `identifier`. */
function pushedArguments(identifier: AnyNode): AnyNode[] | undefined {
  const { node, parent } = climbWrappers(identifier);
  if (parent?.type !== 'MemberExpression' || parent.object !== node) return undefined;
  const key = plainKeyName(parent.property, parent.computed && parent.property.type !== 'Literal');
  const { node: member, parent: call } = climbWrappers(parent);
  return (key === 'push' || key === 'unshift') && call?.type === 'CallExpression' && call.callee === member ? call.arguments : undefined;
}

/** The value passed as an argument, as it is: `f(cfg)`, `new Worker(file, options)`. */
function isHandedOn(identifier: AnyNode): boolean {
  const { node, parent } = climbWrappers(identifier);
  return (parent?.type === 'CallExpression' || parent?.type === 'NewExpression') && parent.callee !== node;
}

function isObjectLike(value: unknown): boolean {
  return value === SOME_OBJECT || (typeof value === 'object' && value !== null);
}

/** 'flat' when every own value is a primitive (so no member can be written through). */
function shapeOf(value: unknown): Shape {
  if (value === SOME_OBJECT) return 'nested';
  if (Buffer.isBuffer(value) || value instanceof RegExp) return 'flat';
  return Object.values(value as object).every((member) => !isObjectLike(member)) ? 'flat' : 'nested';
}

/** `[cfg.a] = …`, `({ x: cfg.a } = …)`, `for (cfg.a of …)`: a member written by destructuring or a loop. */
function isPatternTarget(node: AnyNode, parent: AnyNode | null | undefined): boolean {
  if (!parent) return false;
  if (parent.type === 'ForOfStatement' || parent.type === 'ForInStatement') return parent.left === node;
  if (parent.type === 'ArrayPattern' || parent.type === 'RestElement' || parent.type === 'AssignmentPattern') return true;
  return parent.type === 'Property' && parent.value === node && parent.parent?.type === 'ObjectPattern';
}

function boundIdentifiers(pattern: AnyNode): AnyNode[] {
  switch (pattern.type) {
    case 'Identifier':
      return [pattern];
    case 'ObjectPattern':
      return pattern.properties.flatMap((property: AnyNode) => boundIdentifiers(property.type === 'RestElement' ? property.argument : property.value));
    case 'ArrayPattern':
      return pattern.elements.flatMap((element: AnyNode | null) => (element ? boundIdentifiers(element) : []));
    case 'AssignmentPattern':
      return boundIdentifiers(pattern.left);
    case 'RestElement':
      return boundIdentifiers(pattern.argument);
    default:
      return [];
  }
}
