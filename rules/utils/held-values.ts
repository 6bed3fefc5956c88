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
import { childNodes, climbWrappers, isFunctionNode, isWithin, plainKeyName, runtimeParams, unwrap } from './ast.js';
import type { Scope } from 'eslint';
import { holderUses } from './exported-functions.js';
import { LISTENING, argumentAt } from './local-functions.js';
import { DYNAMIC, ITERATION_METHODS, type Ref, type Resolver } from './resolve.js';
import { enclosingWithObjects, findVariable, isRuntimeDefinition, type ScopeOf } from './scope.js';

/** Calls on a collection that hand back one of its elements (`deref` is a `WeakRef`'s). */
const ELEMENT_READS = new Set(['get', 'at', 'find', 'findLast', 'pop', 'shift', 'deref']);
/** Calls on a collection whose result holds its elements. */
const DERIVED_COLLECTIONS = new Set(['slice', 'concat', 'filter', 'reverse', 'sort', 'toReversed', 'toSorted', 'toSpliced', 'flat', 'values', 'entries', 'splice', 'with']);
/** The arguments (as slice bounds) that a derived collection holds as elements. */
const ADDED_ARGUMENTS: Record<string, [number, number?]> = { concat: [0], with: [1, 2], toSpliced: [2] };
/** Statics whose result holds what their arguments hold. */
const COLLECTING_STATICS = new Set(['Object.values', 'Object.entries', 'Object.fromEntries', 'Array.from', 'Array.of', 'Object.groupBy', 'Map.groupBy']);
/** Calls whose result holds what their callback returns: `Array.from(src, () => P)`, `list.map(() => P)`. */
const MAPPING_STATICS = new Set(['Array.from']);
const MAPPING_METHODS = new Set(['map', 'flatMap']);
const COLLECTION_CLASSES = new Set(['Map', 'Set', 'WeakMap', 'WeakSet']);
/** Constructors whose instance holds their first argument itself: a `WeakRef` hands it back from `deref()`, `Proxy.revocable` as `.proxy`. */
const SINGLE_HOLDERS = new Set(['WeakRef', 'Proxy.revocable', 'Promise.resolve']);
/** Events an `EventTarget` dispatches: `new CustomEvent(type, { detail })` holds what its second argument holds. */
const EVENT_CLASSES = new Set(['Event', 'CustomEvent', 'MessageEvent']);
/** Promise methods whose callback receives the promise's value (`then`'s first, `finally` none). */
const SETTLED_CALLBACKS = new Set(['then']);
/** Calls that put their arguments into the collection they are called on. */
/** Methods whose callbacks' parameters the gate reads from their receiver (elements, an accumulator, a settled value). */
const OWN_CALLBACK_METHODS = new Set([...ITERATION_METHODS, 'reduce', 'reduceRight', 'then', 'catch', 'finally', 'sort', 'toSorted']);
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
        const key = this.memberKey(node);
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
      case 'AwaitExpression':
        // `await p` is the promise's value, or the value itself when it is not a promise.
        return [...this.values(node.argument, walk), ...this.contents(node.argument, walk)];
      case 'NewExpression':
        // A proxy without a `set` trap writes its target, and one with a trap hands the target to it: `new Proxy(JSON, {}).parse = f`.
        return this.globalName(node.callee) === 'Proxy' && node.arguments[0] ? this.values(node.arguments[0], walk) : [];
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
        return node.properties.flatMap((property: AnyNode) => (property.type === 'SpreadElement' ? this.contents(property.argument, walk) : this.isIteratorKey(property) ? this.iterated(property.value, walk) : property.kind === 'init' ? this.element(property.value, walk) : property.kind === 'get' ? this.returned(property.value, walk) : []));
      case 'NewExpression': {
        const constructed = this.globalName(node.callee) ?? '';
        if (COLLECTION_CLASSES.has(constructed)) return node.arguments[0] ? this.contents(node.arguments[0], walk) : [];
        if (SINGLE_HOLDERS.has(constructed)) return node.arguments[0] ? this.element(node.arguments[0], walk) : [];
        if (EVENT_CLASSES.has(constructed)) return node.arguments[1] ? this.contents(node.arguments[1], walk) : [];
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
        // A local async function's promise holds what it returns.
        if (generator?.async) return this.returned(generator, walk);
        const called = this.globalName(callee) ?? '';
        const mapped = MAPPING_STATICS.has(called);
        if (COLLECTING_STATICS.has(called)) return node.arguments.flatMap((argument: AnyNode) => (mapped && isFunctionNode(unwrap(argument)) ? this.returned(argument, walk) : this.contents(argument, walk)));
        if (SINGLE_HOLDERS.has(called)) return node.arguments[0] ? this.element(node.arguments[0], walk) : [];
        // `once(bus, 'codec')`: a promise of the argument list of that event's emits.
        if (this.isEventsOnce(callee) && node.arguments.length >= 2) {
          const emits = this.emitsOf(node.arguments[0], this.resolver.folder.foldString(node.arguments[1]));
          return [...emits.lists.flat(), ...emits.loose].flatMap((argument) => this.element(argument, walk));
        }
        const method = callee.type === 'MemberExpression' ? this.methodName(callee) : undefined;
        // `p.then((x) => x)`: the next promise holds what the callback returns.
        if (method !== undefined && SETTLED_CALLBACKS.has(method) && node.arguments[0]) return this.returned(node.arguments[0], walk);
        if (method !== undefined && MAPPING_METHODS.has(method) && node.arguments[0]) return this.returned(node.arguments[0], walk);
        // `groups.get('all')[0]`: an element that is itself a collection holds what the collection's nested parts hold.
        if (method !== undefined && ELEMENT_READS.has(method)) return this.contents(callee.object, walk);
        if (method === undefined || !DERIVED_COLLECTIONS.has(method)) return [];
        // Only some arguments become elements: all of concat's, the value `with` puts in, what `toSpliced` inserts;
        // filter's predicate, sort's comparator and slice's indices do not (`list.filter(Boolean)` holds no Boolean).
        return [callee.object, ...node.arguments.slice(...(ADDED_ARGUMENTS[method] ?? [0, 0]))].flatMap((part: AnyNode) => this.element(part, walk));
      }
      case 'Identifier': {
        // `[...arguments]`, `for (const P of arguments)`, `Array.from(arguments)`: everything the calls pass.
        const implicit = this.implicitArguments(node);
        if (implicit) return this.argumentValues(implicit, undefined, walk);
        return [...this.identifierValues(node, walk, true), ...this.writtenIn(node, walk)];
      }
      case 'MemberExpression':
        return this.picked(node.object, this.memberKey(node), walk, true);
      // `const [P] = await p`: a part of what the promise holds, or of the value itself.
      case 'AwaitExpression':
        return this.contents(node.argument, walk);
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
    const holder = unwrap(holderNode);
    const implicit = holder.type === 'Identifier' ? this.implicitArguments(holder) : undefined;
    if (implicit) return this.argumentValues(implicit, key, walk);
    // A class the code declares, read by a static member: its static fields and getters (`static get p() { return JSON; }`).
    const declared = holder.type === 'Identifier' ? this.resolver.declaredClass(holder) : holder.type === 'ClassExpression' ? holder : undefined;
    if (declared) return this.staticValues(declared, key, walk);
    const literal = this.literalBehind(holderNode);
    // `{ get list() { return Array.prototype; } }.list`: what that getter returns.
    const property = literal?.type === 'ObjectExpression' && key !== undefined ? this.resolver.literals.property(literal, key) : undefined;
    const getter = property?.kind === 'get' ? property.value : undefined;
    if (getter) return asCollection ? (this.resolver.functions.returnedExpressions(getter) ?? []).flatMap((expression) => this.contents(expression, walk)) : this.returned(getter, walk);
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
    // `try { throw Array.prototype } catch (P) {…}`: what the try block throws.
    const caught = variable.defs.find((def) => def.type === 'CatchClause');
    if (caught) {
      const whole = unwrap((caught.node as AnyNode).param).type === 'Identifier';
      out.push(...this.thrown((caught.node as AnyNode).parent!.block, walk).flatMap((thrown) => (whole ? of(thrown) : this.contents(thrown, walk))));
    }
    const parameter = variable.defs.find((def) => def.type === 'Parameter');
    if (parameter) {
      const whole = runtimeParams(parameter.node as AnyNode).includes(parameter.name as AnyNode);
      out.push(...this.handedOver(parameter.node as AnyNode).flatMap((argument) => (argument.type === 'SpreadElement' ? this.contents(argument.argument, walk) : whole && !asCollection ? this.element(argument, walk) : this.contents(argument, walk))));
      // An element of what it walks (`contents` already reaches into nested collections), or what its calls pass.
      const walked = this.resolver.iteratedArray(identifier);
      const collections = walked ? [walked] : this.walkedByName(parameter.node as AnyNode, parameter.name as AnyNode);
      out.push(...collections.flatMap((collection) => this.contents(collection, walk)));
      out.push(...(this.resolver.parameterArguments(identifier) ?? []).flatMap((argument) => (argument ? of(argument) : [])));
      const fn = parameter.node as AnyNode;
      // The parameter the name is, or is destructured from (`([P]) => …` holds a part of what it is given).
      const position = runtimeParams(fn).findIndex((param: AnyNode) => isWithin(parameter.name as AnyNode, param));
      const call = fn.parent;
      const callee = call?.type === 'CallExpression' && call.arguments[0] === fn ? unwrap(call.callee) : undefined;
      const method = callee?.type === 'MemberExpression' ? this.methodName(callee) : undefined;
      // A reducer's accumulator: what it starts as, or what the reducer returns.
      if ((method === 'reduce' || method === 'reduceRight') && runtimeParams(fn)[0] === parameter.name) out.push(...this.accumulated(call!, walk));
      // `Promise.resolve(JSON).then((J) => …)`: the value the promise settles with.
      if (method !== undefined && SETTLED_CALLBACKS.has(method) && position === 0) out.push(...this.contents(callee!.object, walk));
      // A listener's parameter: what any emit of its event the file writes passes there.
      out.push(...this.emitted(fn, position).flatMap((argument) => (whole && !asCollection ? this.element(argument, walk) : this.contents(argument, walk))));
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
      // `const [J] = arguments`: what the calls pass there (and, for a deeper key, anything that holds).
      const implicit = unwrap(node).type === 'Identifier' ? this.implicitArguments(unwrap(node)) : undefined;
      if (implicit) return this.argumentValues(implicit, key, walk);
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
    return [...(start ? this.element(start, walk) : []), ...(reducer ? this.returned(reducer, walk) : [])];
  }

  /** What a function the code wrote returns (a getter, a reducer), each value and what it holds. */
  private returned(input: AnyNode, walk: Walk): Ref[] {
    const fn = unwrap(input);
    if (!isFunctionNode(fn)) return [];
    return (this.resolver.functions.returnedExpressions(fn) ?? []).flatMap((expression) => this.element(expression, walk));
  }

  /**
   * What the emits of the file pass at parameter `index` of `fn` where `fn` is registered as a listener, written in
   * place or by a name that holds it (`bus.on('codec', patch)`, `target.addEventListener('codec', patch)`): each emit
   * or dispatch of that event on the same name (emitsOf), whether or not the file sees every emit (the emitter may also
   * be handed on: what it emits here still arrives).
   */
  private emitted(fn: AnyNode, index: number): AnyNode[] {
    if (index < 0) return [];
    const out: AnyNode[] = [];
    for (const use of [fn, ...holderUses(fn, this.scopeOf)]) {
      const { node, parent: call } = climbWrappers(use);
      const callee = call?.type === 'CallExpression' && call.arguments[1] === node ? unwrap(call.callee) : undefined;
      if (callee?.type !== 'MemberExpression' || !LISTENING.has(this.methodName(callee) ?? '')) continue;
      const emits = this.emitsOf(callee.object, this.resolver.folder.foldString(call!.arguments[0]));
      for (const args of emits.lists) {
        const spread = args.findIndex((argument) => argument.type === 'SpreadElement');
        // A spread shifts the arguments after it: any of them may land at the parameter.
        if (spread !== -1 && spread <= index) out.push(...args.slice(spread));
        else if (args[index]) out.push(args[index]);
      }
      out.push(...emits.loose);
    }
    return out;
  }

  /**
   * What the file's emits of `event` on the emitter `emitter` names pass after the event name, one list per emit
   * (spreads of literal lists spread out; a list that starts with a spread may be any event's). An emit read in a
   * shape not interpreted here (`Function.prototype.call.call(bus.emit, …)`) may pass any value its call is handed,
   * at any position, whatever the event: `loose`. Nothing when the event does not fold or the emitter is not a plain name.
   */
  private emitsOf(emitter: AnyNode, event: string | undefined): { lists: AnyNode[][]; loose: AnyNode[] } {
    const out = { lists: [] as AnyNode[][], loose: [] as AnyNode[] };
    const holder = unwrap(emitter);
    if (event === undefined || holder.type !== 'Identifier') return out;
    for (const reference of this.referencesOf(holder)) {
      const { node: held, parent: member } = climbWrappers(reference.identifier as unknown as AnyNode);
      if (member?.type !== 'MemberExpression' || member.object !== held) continue;
      const method = this.methodName(member);
      if (method === 'dispatchEvent') this.dispatched(member, event, out);
      if (method !== 'emit') continue;
      const lists = this.emitArguments(member);
      if (lists.length === 0) out.loose.push(...this.handedAlong(member));
      for (const args of lists.map((list) => this.spreadOut(list))) {
        if (args[0]?.type === 'SpreadElement') out.lists.push(args);
        else if (args[0] !== undefined && this.resolver.folder.foldString(args[0]) === event) out.lists.push(args.slice(1));
      }
    }
    return out;
  }

  /**
   * `target.dispatchEvent(e)`: the event `e` is its listeners' one argument, when it is made in place with a type that
   * folds to `event` (`new CustomEvent('codec', { detail: JSON })`); any other may be any type's.
   */
  private dispatched(member: AnyNode, event: string, out: { lists: AnyNode[][]; loose: AnyNode[] }): void {
    const { node: read, parent: call } = climbWrappers(member);
    const dispatched = call?.type === 'CallExpression' && call.callee === read ? call.arguments[0] : undefined;
    if (!dispatched) {
      out.loose.push(...this.handedAlong(member));
      return;
    }
    const made = unwrap(dispatched);
    const known = made.type === 'NewExpression' && EVENT_CLASSES.has(this.globalName(made.callee) ?? '') && made.arguments[0];
    if (!known) out.loose.push(dispatched);
    else if (this.resolver.folder.foldString(made.arguments[0]) === event) out.lists.push([dispatched]);
  }

  /** `once` of Node's `events` module (`events.once`, `EventEmitter.once`, a destructured `once`). */
  private isEventsOnce(callee: AnyNode): boolean {
    const ref = this.resolver.resolve(callee);
    const path = ref?.path.join('.');
    return (ref?.module === 'events' || ref?.module === 'node:events') && (path === 'once' || path === 'EventEmitter.once' || path === 'default.once');
  }

  /**
   * An argument list with each spread of an array literal replaced by its elements: one written in place, or held by a
   * name used only in spreads (one that is also pushed to or handed on may hold more).
   */
  private spreadOut(args: AnyNode[]): AnyNode[] {
    return args.flatMap((argument) => {
      const spread = argument.type === 'SpreadElement' ? unwrap(argument.argument) : undefined;
      const onlySpread = spread?.type === 'Identifier' && findVariable(this.scopeOf(spread), spread.name)?.references.every((reference) => reference.init || climbWrappers(reference.identifier as unknown as AnyNode).parent?.type === 'SpreadElement');
      const literal = spread && (spread.type === 'ArrayExpression' || onlySpread) ? this.literalBehind(spread) : undefined;
      return literal?.type === 'ArrayExpression' && literal.elements.every((element: AnyNode | null) => element) ? this.spreadOut(literal.elements) : [argument];
    });
  }

  /**
   * The other arguments of the call `value` is handed to, inside array literals and spreads too (`f(x, [value, JSON])`):
   * what a call the gate does not read may pass along with it.
   */
  private handedAlong(value: AnyNode): AnyNode[] {
    let { node, parent } = climbWrappers(value);
    while (parent?.type === 'ArrayExpression' || parent?.type === 'SpreadElement') ({ node, parent } = climbWrappers(parent));
    if ((parent?.type !== 'CallExpression' && parent?.type !== 'NewExpression') || !parent.arguments.includes(node)) return [];
    return parent.arguments.filter((argument: AnyNode) => argument !== node);
  }

  /** Every reference to the variable `identifier` names, or for a global no scope declares (`process`), every use of that name in the file. */
  private referencesOf(identifier: AnyNode): Scope.Reference[] {
    const variable = findVariable(this.scopeOf(identifier), identifier.name);
    if (variable) return variable.references;
    let scope: Scope.Scope | null = this.scopeOf(identifier);
    while (scope?.upper) scope = scope.upper;
    return (scope?.through ?? []).filter((reference) => reference.identifier.name === identifier.name);
  }

  /**
   * The argument lists an emit passes, event name first: `e.emit(…)`, `e.emit.call(e, …)`, `e.emit.apply(e, [...])`,
   * `Reflect.apply(e.emit, e, [...])`, and each plain call of `const emit = e.emit.bind(e, …)` (the bound arguments first).
   */
  private emitArguments(emit: AnyNode): AnyNode[][] {
    const { node, parent } = climbWrappers(emit);
    if (parent?.type === 'CallExpression' && parent.callee === node) return [parent.arguments];
    // `Reflect.apply(e.emit, e, [...])`, read as the call it makes.
    const through = parent?.type === 'CallExpression' && parent.arguments[0] === node ? this.resolver.normalizeCall(parent) : undefined;
    if (through?.calleeNode === unwrap(emit) && through.args) return [through.args];
    if (parent?.type !== 'MemberExpression' || parent.object !== node) return [];
    const how = this.methodName(parent);
    const { node: callee, parent: call } = climbWrappers(parent);
    if (call?.type !== 'CallExpression' || call.callee !== callee) return [];
    if (how === 'call') return [call.arguments.slice(1)];
    const list = how === 'apply' && call.arguments[1] ? unwrap(call.arguments[1]) : undefined;
    if (list?.type === 'ArrayExpression') return list.elements.every((element: AnyNode | null) => element) ? [list.elements] : [];
    const { node: bound, parent: holder } = climbWrappers(call);
    if (how !== 'bind' || holder?.type !== 'VariableDeclarator' || holder.init !== bound || holder.id.type !== 'Identifier') return [];
    return (findVariable(this.scopeOf(holder.id), holder.id.name)?.references ?? []).flatMap((reference) => {
      const { node: name, parent: use } = climbWrappers(reference.identifier as unknown as AnyNode);
      return use?.type === 'CallExpression' && use.callee === name ? [[...call.arguments.slice(1), ...use.arguments]] : [];
    });
  }

  /**
   * A function written as an argument of a call the gate does not read — a builtin that calls back (timers,
   * `queueMicrotask`, `Array.from`, `Object.groupBy`), a library's helper — may be handed any other argument of that
   * call, or a part of one (`Array.from(list, fn)` and `Object.groupBy` walk theirs): `setTimeout((J) => { J.parse = f }, 0, JSON)`.
   * A local function's calls are followed instead.
   */
  private handedOver(fn: AnyNode): AnyNode[] {
    const { node, parent } = climbWrappers(fn);
    if (parent?.type !== 'CallExpression' || !parent.arguments.includes(node) || this.resolver.calledFunction(parent)) return [];
    // An array's or a promise's own callback methods are read where their parameters are: `forEach(cb, thisArg)` hands `thisArg` to `this`.
    const callee = unwrap(parent.callee);
    if (callee.type === 'MemberExpression' && OWN_CALLBACK_METHODS.has(this.methodName(callee) ?? '')) return [];
    return parent.arguments.filter((argument: AnyNode) => argument !== node);
  }

  /**
   * What a block throws (`throw x`), and what the functions of this file it calls throw (`fail()` whose body throws
   * `Array.prototype`); its nested functions' and nested try blocks' throws not included.
   */
  private thrown(block: AnyNode, walk: Walk): AnyNode[] {
    const out: AnyNode[] = [];
    const entered = new Set<AnyNode>();
    const visit = (node: AnyNode): void => {
      if (node.type === 'ThrowStatement') out.push(node.argument);
      const called = node.type === 'CallExpression' || node.type === 'NewExpression' ? this.resolver.calledFunction(node) : undefined;
      if (called && !entered.has(called)) {
        entered.add(called);
        visit(called.body);
      }
      // A nested try with a catch stops its block's throws.
      const children = node.type === 'TryStatement' && node.handler ? childNodes(node).filter((child) => child !== node.block) : childNodes(node);
      if (++walk.steps <= MAX_STEPS) for (const child of children) if (!isFunctionNode(child)) visit(child);
    };
    visit(block);
    return out;
  }

  /** `[Symbol.iterator]` (or its async twin) as a literal's key. */
  private isIteratorKey(property: AnyNode): boolean {
    if (property.type !== 'Property' || !property.computed) return false;
    const ref = this.resolver.resolve(property.key);
    return ref?.module === undefined && ref?.path.length === 2 && ref.path[0] === 'Symbol' && (ref.path[1] === 'iterator' || ref.path[1] === 'asyncIterator');
  }

  /**
   * What a for-of over an object with this `[Symbol.iterator]` gets: a generator's yields, or the `value` of what the
   * returned iterator's `next()` returns (anything its results hold when they are not literals).
   */
  private iterated(input: AnyNode, walk: Walk): Ref[] {
    const fn = unwrap(input);
    if (!isFunctionNode(fn)) return [];
    if (fn.generator) return this.yielded(fn, walk);
    return (this.resolver.functions.returnedExpressions(fn) ?? []).flatMap((iterator) => {
      const literal = this.literalBehind(iterator);
      const next = literal?.type === 'ObjectExpression' ? this.resolver.literals.propertyValue(literal, 'next') : undefined;
      if (!next || !isFunctionNode(unwrap(next))) return this.contents(iterator, walk);
      return (this.resolver.functions.returnedExpressions(unwrap(next)) ?? []).flatMap((result) => this.picked(result, 'value', walk));
    });
  }

  /**
   * What a function's implicit `arguments` holds, at a folded index or at any: what the file's calls of the
   * function pass there (`function f() { arguments[0].x = 1 } f(Promise.prototype)`). Nothing when some call is unseen.
   */
  private argumentValues(variable: Scope.Variable, index: string | undefined, walk: Walk): Ref[] {
    const fn = variable.scope.block as AnyNode;
    const sites = isFunctionNode(fn) ? this.resolver.functions.callSites(fn) : undefined;
    const position = index === undefined ? NaN : Number(index);
    return (sites ?? []).flatMap((site) => {
      if (!Number.isInteger(position)) return site.args.flatMap((argument) => this.element(argument, walk));
      const argument = argumentAt(site, position);
      return argument.known ? (argument.node ? this.element(argument.node, walk) : []) : site.args.flatMap((any) => this.element(any, walk));
    });
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
      // `get p() { return Array.prototype; }`: what the instance's getter hands out.
      if (member.kind === 'get') out.push(...this.returned(member.value, walk));
      const visit = (node: AnyNode): void => {
        if (node.type === 'AssignmentExpression' && node.operator === '=' && unwrap(node.left).type === 'MemberExpression' && unwrap(unwrap(node.left).object).type === 'ThisExpression') out.push(...this.element(node.right, walk));
        for (const child of childNodes(node)) if (!(isFunctionNode(child) && child.type !== 'ArrowFunctionExpression')) visit(child);
      };
      visit(member.value.body);
    }
    return out;
  }

  /** A declared class's static fields and getters named `key` (any, when it does not fold). */
  private staticValues(declared: AnyNode, key: string | undefined, walk: Walk): Ref[] {
    const out: Ref[] = [];
    for (const member of declared.body.body as AnyNode[]) {
      if (!member.static || (key !== undefined && !member.computed && plainKeyName(member.key, false) !== key)) continue;
      if (member.type === 'PropertyDefinition' && member.value) out.push(...this.element(member.value, walk));
      if (member.type === 'MethodDefinition' && member.kind === 'get') out.push(...this.returned(member.value, walk));
    }
    return out;
  }

  /** The `arguments` object of the function an identifier is in: the implicit variable, not one the code declares. */
  private implicitArguments(identifier: AnyNode): Scope.Variable | undefined {
    if (identifier.name !== 'arguments') return undefined;
    const variable = findVariable(this.scopeOf(identifier), 'arguments');
    return variable && variable.defs.length === 0 && variable.scope.type === 'function' ? variable : undefined;
  }

  /** The key a member reads, a folded number as its string (`arguments[0]`, `list[1]`). */
  private memberKey(member: AnyNode): string | undefined {
    if (!member.computed) return plainKeyName(member.property, false);
    const value = this.resolver.folder.fold(member.property)?.value;
    return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
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
