/**
 * Values that reach an expression through places the resolver does not follow
 * one by one: an array, object literal, `Map` or `Set` they were put in (also
 * later, by `push`/`set`/`add`/`x[k] = v`), and whatever takes them back out —
 * a for-of variable, an iteration callback's parameter, `list[i]`,
 * `m.get(k)`, `const [P] = list`, a local function's parameter, a name inside
 * `with (o)`, a reducer's accumulator, a local generator's yields, the fields
 * of a local class's instance. The gate tracks what goes INTO such a place rather than every
 * way out: a value taken out of a place holds anything that was put in it,
 * unless a folded key on a literal picks one element.
 */
import type { AnyNode } from './ast.js';
import { childNodes, isFunctionNode, plainKeyName, runtimeParams, unwrap } from './ast.js';
import { DYNAMIC, ITERATION_METHODS, type Ref, type Resolver } from './resolve.js';
import { enclosingWithObjects, findVariable, isRuntimeDefinition, type ScopeOf } from './scope.js';

/** Calls on a collection that hand back one of its elements. */
const ELEMENT_READS = new Set(['get', 'at', 'find', 'findLast', 'pop', 'shift']);
/** Calls on a collection whose result holds its elements. */
const DERIVED_COLLECTIONS = new Set(['slice', 'concat', 'filter', 'reverse', 'sort', 'toReversed', 'toSorted', 'toSpliced', 'flat', 'values', 'entries', 'splice', 'with']);
/** The arguments (as slice bounds) that a derived collection holds as elements. */
const ADDED_ARGUMENTS: Record<string, [number, number?]> = { concat: [0], with: [1, 2], toSpliced: [2] };
/** Statics whose result holds what their arguments hold. */
const COLLECTING_STATICS = new Set(['Object.values', 'Object.entries', 'Object.fromEntries', 'Array.from', 'Array.of']);
const COLLECTION_CLASSES = new Set(['Map', 'Set', 'WeakMap', 'WeakSet']);
/** Calls that put their arguments into the collection they are called on. */
const WRITE_INS = new Set(['push', 'unshift', 'set', 'add', 'splice', 'fill']);
const MAX_STEPS = 200;

interface Walk {
  steps: number;
  seen: Set<AnyNode>;
}

export class HeldValues {
  constructor(
    private readonly resolver: Resolver,
    private readonly scopeOf: ScopeOf,
  ) {}

  /** The resolved values `node` may hold because they came out of a place the resolver does not follow; empty when none did. */
  refsOf(node: AnyNode): Ref[] {
    return this.values(node, { steps: 0, seen: new Set() }, true);
  }

  /** What `input` may be. `outOfPlace` skips the resolver's own answer for the expression asked about (the caller already has it). */
  private values(input: AnyNode, walk: Walk, outOfPlace = false): Ref[] {
    const node = unwrap(input);
    if (++walk.steps > MAX_STEPS || walk.seen.has(node)) return [];
    walk.seen.add(node);
    if (!outOfPlace) {
      const ref = this.resolver.resolve(node);
      // `%value`, `%result`…: an instance or a call's result is the code's own, not a shared object.
      if (ref && !ref.path.some((step) => step.startsWith('%'))) return [ref];
    }
    switch (node.type) {
      case 'Identifier':
        return this.identifierValues(node, walk);
      case 'MemberExpression': {
        const key = node.computed ? this.resolver.folder.foldString(node.property) : plainKeyName(node.property, false);
        // `C.prototype` where C walks `[Array, String]`: the member of each, then anything the holder holds.
        const owners = this.values(node.object, walk).map((ref) => ({ module: ref.module, path: [...ref.path, key ?? DYNAMIC] }));
        return [...owners, ...this.picked(node.object, key, walk)];
      }
      case 'CallExpression': {
        const callee = unwrap(node.callee);
        const method = callee.type === 'MemberExpression' ? this.methodName(callee) : undefined;
        if (method !== undefined && ELEMENT_READS.has(method)) return this.contents(callee.object, walk);
        // `list.reduce((acc) => acc, crypto)`: what the accumulator starts as, or what the reducer returns.
        if (method === 'reduce' || method === 'reduceRight') return this.accumulated(node, walk);
        return [];
      }
      case 'ConditionalExpression':
        return [...this.values(node.consequent, walk), ...this.values(node.alternate, walk)];
      case 'LogicalExpression':
        return [...this.values(node.left, walk), ...this.values(node.right, walk)];
      case 'AssignmentExpression':
        return node.operator === '=' ? this.values(node.right, walk) : [];
      default:
        return [];
    }
  }

  /** Everything a collection may hold, at any depth of nested literals (a Map's entries, `Object.entries` pairs). */
  private contents(input: AnyNode, walk: Walk): Ref[] {
    const node = unwrap(input);
    if (++walk.steps > MAX_STEPS) return [];
    switch (node.type) {
      case 'ArrayExpression':
        return node.elements.flatMap((element: AnyNode | null) => (element ? this.element(element, walk) : []));
      case 'ObjectExpression':
        return node.properties.flatMap((property: AnyNode) => (property.type === 'SpreadElement' ? this.contents(property.argument, walk) : property.kind === 'init' ? this.element(property.value, walk) : []));
      case 'NewExpression': {
        if (COLLECTION_CLASSES.has(this.globalName(node.callee) ?? '')) return node.arguments[0] ? this.contents(node.arguments[0], walk) : [];
        // An instance of a class the file declares holds its fields: `class H { p = Array.prototype }`, `this.p = JSON` in a method.
        const callee = unwrap(node.callee);
        const declared = callee.type === 'ClassExpression' ? callee : callee.type === 'Identifier' ? this.resolver.declaredClass(callee) : undefined;
        return declared ? this.fieldValues(declared, walk) : [];
      }
      case 'CallExpression': {
        const callee = unwrap(node.callee);
        // A generator the file declares yields into whatever walks its result: `for (const J of g())`.
        const generator = this.resolver.calledFunction(node);
        if (generator?.generator) return this.yielded(generator, walk);
        if (COLLECTING_STATICS.has(this.globalName(callee) ?? '')) return node.arguments.flatMap((argument: AnyNode) => this.contents(argument, walk));
        const method = callee.type === 'MemberExpression' ? this.methodName(callee) : undefined;
        if (method === undefined || !DERIVED_COLLECTIONS.has(method)) return [];
        // Only some arguments become elements: all of concat's, the value `with` puts in, what `toSpliced` inserts;
        // filter's predicate, sort's comparator and slice's indices do not (`list.filter(Boolean)` holds no Boolean).
        return [callee.object, ...node.arguments.slice(...(ADDED_ARGUMENTS[method] ?? [0, 0]))].flatMap((part: AnyNode) => this.element(part, walk));
      }
      case 'Identifier':
        return [...this.identifierValues(node, walk, true), ...this.writtenIn(node, walk)];
      case 'MemberExpression':
        return this.picked(node.object, node.computed ? this.resolver.folder.foldString(node.property) : plainKeyName(node.property, false), walk, true);
      case 'ConditionalExpression':
        return [...this.contents(node.consequent, walk), ...this.contents(node.alternate, walk)];
      case 'LogicalExpression':
        return [...this.contents(node.left, walk), ...this.contents(node.right, walk)];
      default:
        return [];
    }
  }

  /** A value stored in a collection: itself, and what it holds when it is a collection too. */
  private element(input: AnyNode, walk: Walk): Ref[] {
    const node = unwrap(input);
    if (node.type === 'SpreadElement') return this.contents(node.argument, walk);
    if (isFunctionNode(node)) return [];
    return [...this.values(node, walk), ...this.contents(node, walk)];
  }

  /** `holder[key]`: the element a folded key picks from a literal, or anything the holder holds. */
  private picked(holderNode: AnyNode, key: string | undefined, walk: Walk, asCollection = false): Ref[] {
    const literal = this.literalBehind(holderNode);
    const chosen = literal && key !== undefined ? this.resolver.literals.propertyValue(literal, key) : undefined;
    if (chosen) {
      const extra = unwrap(holderNode).type === 'Identifier' ? this.writtenIn(unwrap(holderNode), walk) : [];
      return [...(asCollection ? this.contents(chosen, walk) : this.values(chosen, walk)), ...extra];
    }
    return this.contents(holderNode, walk);
  }

  /** The array or object literal an expression is, directly or through a single-write alias. */
  private literalBehind(input: AnyNode): AnyNode | undefined {
    const node = unwrap(input);
    if (node.type === 'ArrayExpression' || node.type === 'ObjectExpression') return node;
    const alias = node.type === 'Identifier' ? this.resolver.aliasedExpression(node) : undefined;
    const aliased = alias && unwrap(alias.node);
    return aliased && (aliased.type === 'ArrayExpression' || aliased.type === 'ObjectExpression') ? aliased : undefined;
  }

  /**
   * What a name may hold: each value written to it (a for-of variable or a
   * destructured name holds a part of what it walks), a parameter's arguments,
   * and inside `with (o)` the member of `o` it may name.
   */
  private identifierValues(identifier: AnyNode, walk: Walk, asCollection = false): Ref[] {
    const variable = findVariable(this.scopeOf(identifier), identifier.name);
    const out = enclosingWithObjects(identifier, variable).flatMap((object) => {
      // `with (Math) { random… }`: the name is the object's member when it has one.
      const ref = this.resolver.resolve(object);
      const member = ref && !asCollection && !ref.path.some((step) => step.startsWith('%')) ? [{ module: ref.module, path: [...ref.path, identifier.name] }] : [];
      return [...member, ...this.picked(object, identifier.name, walk, asCollection)];
    });
    if (!variable || !variable.defs.some((def) => isRuntimeDefinition(def))) return out;
    const of = (node: AnyNode) => (asCollection ? this.contents(node, walk) : this.values(node, walk));
    const parameter = variable.defs.find((def) => def.type === 'Parameter');
    if (parameter) {
      // An element of what it walks (`contents` already reaches into nested collections), or what its calls pass.
      const walked = this.resolver.iteratedArray(identifier);
      const collections = walked ? [walked] : this.walkedByName(parameter.node as AnyNode, parameter.name as AnyNode);
      out.push(...collections.flatMap((collection) => this.contents(collection, walk)));
      out.push(...(this.resolver.parameterArguments(identifier) ?? []).flatMap((argument) => (argument ? of(argument) : [])));
      const fn = parameter.node as AnyNode;
      const call = fn.parent;
      const callee = call?.type === 'CallExpression' && call.arguments[0] === fn ? unwrap(call.callee) : undefined;
      const method = callee?.type === 'MemberExpression' ? this.methodName(callee) : undefined;
      // A reducer's accumulator: what it starts as, or what the reducer returns.
      if ((method === 'reduce' || method === 'reduceRight') && runtimeParams(fn)[0] === parameter.name) out.push(...this.accumulated(call!, walk));
    }
    for (const reference of variable.references) {
      const write = reference as unknown as { writeExpr?: AnyNode | null; identifier: AnyNode };
      if (!reference.isWrite() || !write.writeExpr) continue;
      const target = write.identifier;
      const parent = target.parent;
      const declaration = parent?.type === 'VariableDeclarator' ? parent.parent : undefined;
      const loop = declaration?.parent?.type === 'ForOfStatement' || declaration?.parent?.type === 'ForInStatement' ? declaration.parent : parent?.type === 'ForOfStatement' || parent?.type === 'ForInStatement' ? parent : undefined;
      // A for-in variable holds keys, which are strings.
      if (loop?.type === 'ForInStatement') continue;
      // A default (`p = Array.prototype`, `{ a = JSON } = o`) is written whole.
      const fallback = parent?.type === 'AssignmentPattern' && parent.left === target && write.writeExpr === parent.right;
      const whole = fallback || (!loop && ((parent?.type === 'VariableDeclarator' && parent.id === target) || (parent?.type === 'AssignmentExpression' && parent.left === target && parent.operator === '=')));
      if (whole) out.push(...of(write.writeExpr));
      else out.push(...this.destructured(identifier, write.writeExpr, loop !== undefined, walk, asCollection));
    }
    return out;
  }

  /** A name destructured from (or walking) a value: the part a folded path picks from literals, else anything the value holds. */
  private destructured(identifier: AnyNode, source: AnyNode, walks: boolean, walk: Walk, asCollection: boolean): Ref[] {
    const path = walks ? undefined : this.resolver.destructuredSource(identifier);
    let node = source;
    for (const key of path?.node === source ? path.keys : []) {
      const literal = this.literalBehind(node);
      const chosen = literal && this.resolver.literals.propertyValue(literal, key);
      if (!chosen) return this.contents(node, walk);
      node = chosen;
    }
    if (path?.node === source) return asCollection ? this.contents(node, walk) : this.values(node, walk);
    return this.contents(source, walk);
  }

  /** The collections a named function walks when it is handed by name to `list.forEach(patch)` (and its siblings), for its element parameter. */
  private walkedByName(fn: AnyNode, parameterName: AnyNode): AnyNode[] {
    const name = fn.type === 'FunctionDeclaration' ? fn.id : fn.parent?.type === 'VariableDeclarator' && fn.parent.init === fn ? fn.parent.id : undefined;
    if (name?.type !== 'Identifier') return [];
    const index = runtimeParams(fn).indexOf(parameterName);
    const variable = findVariable(this.scopeOf(name), name.name);
    const out: AnyNode[] = [];
    for (const reference of variable?.references ?? []) {
      const call = (reference.identifier as AnyNode).parent;
      const callee = call?.type === 'CallExpression' && call.arguments[0] === reference.identifier ? unwrap(call.callee) : undefined;
      const method = callee?.type === 'MemberExpression' ? this.methodName(callee) : undefined;
      const elementIndex = method === 'reduce' || method === 'reduceRight' ? 1 : method && ITERATION_METHODS.has(method) ? 0 : -1;
      if (callee && index >= 0 && index === elementIndex) out.push(callee.object);
    }
    return out;
  }

  /** What the code later puts into a collection a variable holds: `list.push(v)`, `m.set(k, v)`, `s.add(v)`, `o[k] = v`. */
  private writtenIn(identifier: AnyNode, walk: Walk): Ref[] {
    const variable = findVariable(this.scopeOf(identifier), identifier.name);
    if (!variable || !variable.defs.some((def) => isRuntimeDefinition(def))) return [];
    const out: Ref[] = [];
    for (const reference of variable.references) {
      // Counted like a step, so a variable written thousands of times is not scanned once per write.
      if (++walk.steps > MAX_STEPS) break;
      const member = (reference.identifier as AnyNode).parent;
      if (member?.type !== 'MemberExpression' || member.object !== reference.identifier) continue;
      const parent = member.parent;
      if (parent?.type === 'CallExpression' && parent.callee === member && WRITE_INS.has(this.methodName(member) ?? '')) {
        out.push(...parent.arguments.flatMap((argument: AnyNode) => this.element(argument, walk)));
      } else if (parent?.type === 'AssignmentExpression' && parent.left === member) {
        out.push(...this.element(parent.right, walk));
      }
    }
    return out;
  }

  /** `list.reduce(reducer, start)`: `start` and what the reducer returns. */
  private accumulated(call: AnyNode, walk: Walk): Ref[] {
    const [reducer, start] = call.arguments as AnyNode[];
    const returned = reducer && isFunctionNode(unwrap(reducer)) ? (this.resolver.functions.returnedExpressions(unwrap(reducer)) ?? []) : [];
    return [...(start ? this.element(start, walk) : []), ...returned.flatMap((expression) => this.element(expression, walk))];
  }

  /** What a generator yields (`yield x`, and what `yield* list` walks), its nested functions' yields not included. */
  private yielded(generator: AnyNode, walk: Walk): Ref[] {
    const out: Ref[] = [];
    const visit = (node: AnyNode): void => {
      if (node.type === 'YieldExpression' && node.argument) out.push(...(node.delegate ? this.contents(node.argument, walk) : this.element(node.argument, walk)));
      for (const child of childNodes(node)) if (!isFunctionNode(child)) visit(child);
    };
    visit(generator.body);
    return out;
  }

  /** The values a class's instances hold in their own fields: field initialisers and `this.x = v` in its methods. */
  private fieldValues(declared: AnyNode, walk: Walk): Ref[] {
    const out: Ref[] = [];
    for (const member of declared.body.body as AnyNode[]) {
      if (member.type === 'PropertyDefinition' && !member.static && member.value) out.push(...this.element(member.value, walk));
      if (member.type !== 'MethodDefinition' || member.static) continue;
      const visit = (node: AnyNode): void => {
        if (node.type === 'AssignmentExpression' && node.operator === '=' && unwrap(node.left).type === 'MemberExpression' && unwrap(unwrap(node.left).object).type === 'ThisExpression') out.push(...this.element(node.right, walk));
        for (const child of childNodes(node)) if (!(isFunctionNode(child) && child.type !== 'ArrowFunctionExpression')) visit(child);
      };
      visit(member.value.body);
    }
    return out;
  }

  private methodName(member: AnyNode): string | undefined {
    return member.computed ? this.resolver.folder.foldString(member.property) : plainKeyName(member.property, false);
  }

  /** `Map`, `Object.values`: the name of a global the expression resolves to. */
  private globalName(node: AnyNode): string | undefined {
    const ref = this.resolver.resolve(node);
    return ref && ref.module === undefined ? ref.path.join('.') : undefined;
  }
}
