/**
 * Functions declared in the file whose every call the file can see: never
 * exported, stored, passed or reassigned, only called (`f(a)`, `f.call(t, a)`,
 * a tagged template, an immediately invoked expression). For those, what a parameter holds is
 * what the call sites pass and what a call yields is what the body returns,
 * so the resolver and the confinement check can follow a capability through
 * them instead of giving up (`function load(l, n) { return l(n); } load(require, 'fs')`).
 */
import type { Scope } from 'eslint';
import type { AnyNode } from './ast.js';
import { climbWrappers, isFunctionNode, plainKeyName, unwrap } from './ast.js';
import { bindingOf, findVariable, type ScopeOf } from './scope.js';

export interface CallSite {
  call: AnyNode;
  /** The arguments as passed to the function (after `.call`'s `this`), spreads included. */
  args: AnyNode[];
}

/** What a call site passes at parameter `index`: `known` is false when a spread hides the position. */
export function argumentAt(site: CallSite, index: number): { known: boolean; node?: AnyNode } {
  for (let i = 0; i <= index && i < site.args.length; i++) if (site.args[i].type === 'SpreadElement') return { known: false };
  return { known: true, node: site.args[index] };
}

export class LocalFunctions {
  private readonly sites = new Map<AnyNode, CallSite[] | null>();
  private readonly returns = new Map<AnyNode, AnyNode[] | null>();

  constructor(private readonly scopeOf: ScopeOf) {}

  /** The emits that call a listener registered by name (see emitSites). */
  private readonly listenerSites = (node: AnyNode, parent: AnyNode): CallSite[] | undefined => this.emitSites(node, parent);

  /** Every call of `fn` when the file sees them all; undefined when `fn` can be reached some other way. */
  callSites(fn: AnyNode): CallSite[] | undefined {
    let sites = this.sites.get(fn);
    if (sites === undefined) {
      sites = this.computeSites(fn) ?? null;
      this.sites.set(fn, sites);
    }
    return sites ?? undefined;
  }

  /** The expressions `fn` returns; undefined for generators and for a bare `return;`. */
  returnedExpressions(fn: AnyNode): AnyNode[] | undefined {
    let returned = this.returns.get(fn);
    if (returned === undefined) {
      returned = computeReturns(fn) ?? null;
      this.returns.set(fn, returned);
    }
    return returned ?? undefined;
  }

  /** True when a non-arrow function reads its own `arguments`, which hands its parameters on unseen. */
  usesArguments(fn: AnyNode): boolean {
    if (fn.type === 'ArrowFunctionExpression') return false;
    const variable = this.scopeOf(fn).set.get('arguments');
    return (variable?.references.length ?? 0) > 0;
  }

  /**
   * Whether a function expression's parameters hold only what the call it is handed to passes (`list.forEach((n) =>
   * …)`, `p.then(function (v) { … })`): its body never calls it again by its own name, and never reads `arguments`,
   * whose `arguments[0] = …` rewrites a sloppy function's parameter.
   */
  isOnlyCalledWhereHanded(fn: AnyNode): boolean {
    if (this.usesArguments(fn)) return false;
    const nameScope = this.scopeOf(fn).upper;
    if (fn.type !== 'FunctionExpression' || !fn.id || nameScope?.type !== 'function-expression-name') return true;
    return (nameScope.set.get(fn.id.name)?.references.length ?? 0) === 0;
  }

  /**
   * An event is a call of its listeners: `bus.on('codec', (c) => …)` is called by every `bus.emit('codec', JSON)`,
   * with the arguments after the name. Only where the file sees every emit: `bus` is made here with `new` and written
   * once (`const bus = new E()`, or `let bus; bus = new E()`), used only through its listener methods (chained ones
   * too), and every event name is a literal, a plain template, or a name written once with one. `listener` is the
   * function, or a name for it (`bus.on('x', f)`).
   */
  private emitSites(listener: AnyNode, call: AnyNode): CallSite[] | undefined {
    const event = call.type === 'CallExpression' && call.arguments[1] === listener ? this.eventName(call.arguments[0]) : undefined;
    if (event === undefined) return undefined;
    const callee = unwrap(call.callee);
    if (callee.type !== 'MemberExpression' || !EMITTER_LISTENING.has(plainKeyName(callee.property, callee.computed) ?? '')) return undefined;
    const emitterName = chainStart(callee.object);
    if (emitterName?.type !== 'Identifier') return undefined;
    const emitter = findVariable(this.scopeOf(emitterName), emitterName.name);
    if (!emitter || this.wholeValueOf(emitterName)?.type !== 'NewExpression') return undefined;
    const sites: CallSite[] = [];
    for (const reference of emitter.references) {
      if (reference.isWrite()) continue; // the one creation wholeValueOf allowed
      // `bus.on(…)`, also chained: `bus.on('a', f).on('b', g)` (the listener methods return the emitter).
      let current = reference.identifier as unknown as AnyNode;
      for (;;) {
        const { node, parent: member } = climbWrappers(current);
        if (member?.type !== 'MemberExpression' || member.object !== node) return undefined;
        const method = plainKeyName(member.property, member.computed);
        const { node: methodCallee, parent: use } = climbWrappers(member);
        if (method === undefined || use?.type !== 'CallExpression' || use.callee !== methodCallee) return undefined;
        if (method === 'emit') {
          const emitted = this.eventName(use.arguments[0]);
          if (emitted === undefined) return undefined;
          if (emitted === event) sites.push({ call: use, args: use.arguments.slice(1) });
          break;
        }
        if (!EMITTER_LISTENING.has(method) && !LISTENER_UPKEEP.has(method)) return undefined;
        const after = climbWrappers(use).parent;
        if (after?.type !== 'MemberExpression' || after.object !== climbWrappers(use).node) break;
        current = use;
      }
    }
    return sites;
  }

  /** An event name the file writes out: a string literal or plain template, or a name bound to one and never written again. */
  private eventName(node: AnyNode | undefined): string | undefined {
    const value = node && unwrap(node);
    if (value?.type === 'Literal') return typeof value.value === 'string' ? value.value : undefined;
    if (value?.type === 'TemplateLiteral') return value.expressions.length === 0 ? (value.quasis[0].value.cooked as string) : undefined;
    if (value?.type !== 'Identifier') return undefined;
    const held = this.wholeValueOf(value);
    return held?.type === 'Literal' && typeof held.value === 'string' ? held.value : undefined;
  }

  /** What a name holds when it is written once, whole (`const n = v`, or `let n; n = v`). */
  private wholeValueOf(identifier: AnyNode): AnyNode | undefined {
    const held = bindingOf(identifier, this.scopeOf, (key) => plainKeyName(key, false));
    return held.kind === 'value' && held.path.length === 0 ? unwrap(held.init) : undefined;
  }

  private computeSites(fn: AnyNode): CallSite[] | undefined {
    if (!isFunctionNode(fn)) return undefined;
    const sites: CallSite[] = [];
    if (fn.type === 'FunctionDeclaration') {
      if (!fn.id || isExported(fn)) return undefined;
      const variable = this.scopeOf(fn).upper?.set.get(fn.id.name);
      if (!variable || variable.defs.length !== 1 || !collectCalls(variable, sites, undefined, this.listenerSites)) return undefined;
    } else {
      const { node: outer, parent } = climbChoices(fn);
      const direct = parent && siteOf(outer, parent);
      const emits = direct ? undefined : parent && this.emitSites(outer, parent);
      if (direct) {
        sites.push(direct);
      } else if (emits) {
        sites.push(...emits);
      } else if (parent?.type === 'VariableDeclarator' && parent.init === outer && parent.id.type === 'Identifier') {
        if (isExported(parent.parent)) return undefined;
        const variable = findVariable(this.scopeOf(parent.id), parent.id.name);
        if (!variable || variable.defs.length !== 1 || !collectCalls(variable, sites, outer, this.listenerSites)) return undefined;
      } else {
        return undefined;
      }
    }
    // A named function expression can also be called by its own name, from inside.
    const nameScope = this.scopeOf(fn).upper;
    if (fn.type === 'FunctionExpression' && fn.id && nameScope?.type === 'function-expression-name') {
      const own = nameScope.set.get(fn.id.name);
      if (own && !collectCalls(own, sites)) return undefined;
    }
    return sites;
  }
}

/** The name a chain of listener registrations starts from: `bus` in `bus.on('a', f).on('b', g)`. */
function chainStart(object: AnyNode): AnyNode {
  let node = unwrap(object);
  while (node.type === 'CallExpression') {
    const callee = unwrap(node.callee);
    const method = callee.type === 'MemberExpression' ? plainKeyName(callee.property, callee.computed) : undefined;
    if (method === undefined || (!EMITTER_LISTENING.has(method) && !LISTENER_UPKEEP.has(method))) return node;
    node = unwrap(callee.object);
  }
  return node;
}

/** An emitter's methods that add a listener, and those that change or read its listeners without calling them. */
export const EMITTER_LISTENING = new Set(['on', 'once', 'addListener', 'prependListener', 'prependOnceListener']);
/** How any listener is registered: an emitter's methods, and an `EventTarget`'s (the DOM's, Node's). */
export const LISTENING = new Set([...EMITTER_LISTENING, 'addEventListener']);
const LISTENER_UPKEEP = new Set(['off', 'removeListener', 'removeAllListeners', 'listenerCount', 'setMaxListeners']);

/**
 * `fn` and its parent once the choices it is one branch of are climbed past: TypeScript's
 * `var __createBinding = (this && this.__createBinding) || (Object.create ? (function (o, m, k) {…}) : …)` gives the
 * name one of several functions, and each, when it is the one given, runs at every call of the name.
 */
function climbChoices(fn: AnyNode): { node: AnyNode; parent: AnyNode | null | undefined } {
  let { node, parent } = climbWrappers(fn);
  while ((parent?.type === 'ConditionalExpression' && parent.test !== node) || parent?.type === 'LogicalExpression') ({ node, parent } = climbWrappers(parent));
  return { node, parent };
}

/**
 * Adds every reference's call to `sites`; false when some reference is anything but a call (or a write other than
 * the definition). `handedSites` gives the calls of a reference that is handed on (a listener's emits), if known.
 */
function collectCalls(variable: Scope.Variable, sites: CallSite[], definition?: AnyNode, handedSites?: (node: AnyNode, parent: AnyNode) => CallSite[] | undefined): boolean {
  for (const reference of variable.references) {
    const ref = reference as unknown as { init?: boolean; writeExpr?: AnyNode | null; isWrite(): boolean; identifier: AnyNode };
    if (ref.isWrite()) {
      if (ref.init && definition && ref.writeExpr === definition) continue;
      return false;
    }
    const { node, parent } = climbWrappers(ref.identifier);
    const site = parent && siteOf(node, parent);
    const handed = site || !parent ? undefined : handedSites?.(node, parent);
    if (!site && !handed) return false;
    sites.push(...(site ? [site] : handed!));
  }
  return true;
}

/** The call that `node` (the function, or a name for it) is the callee of, directly or through `.call`/`.apply([…])`. */
function siteOf(node: AnyNode, parent: AnyNode): CallSite | undefined {
  if ((parent.type === 'CallExpression' || parent.type === 'NewExpression') && parent.callee === node) return { call: parent, args: parent.arguments };
  // A tag is called with the template's strings, then each substitution: tag`a${x}` is tag(['a', ''], x).
  if (parent.type === 'TaggedTemplateExpression' && parent.tag === node) return { call: parent, args: [parent.quasi, ...parent.quasi.expressions] };
  if (parent.type !== 'MemberExpression' || parent.object !== node) return undefined;
  const method = plainKeyName(parent.property, parent.computed && parent.property.type !== 'Literal');
  const { node: member, parent: call } = climbWrappers(parent);
  if (call?.type !== 'CallExpression' || call.callee !== member) return undefined;
  if (method === 'call') return { call, args: call.arguments.slice(1) };
  const list = call.arguments[1];
  if (method === 'apply' && list?.type === 'ArrayExpression' && list.elements.every((element: AnyNode | null) => element)) return { call, args: list.elements };
  return undefined;
}

function isExported(node: AnyNode | null | undefined): boolean {
  const type = node?.parent?.type;
  return type === 'ExportNamedDeclaration' || type === 'ExportDefaultDeclaration';
}

function computeReturns(fn: AnyNode): AnyNode[] | undefined {
  if (fn.generator) return undefined;
  if (fn.type === 'ArrowFunctionExpression' && fn.body.type !== 'BlockStatement') return [fn.body];
  const out: AnyNode[] = [];
  let bare = false;
  const visit = (node: AnyNode): void => {
    if (node.type === 'ReturnStatement') {
      if (node.argument) out.push(node.argument);
      else bare = true;
      return;
    }
    for (const key of Object.keys(node)) {
      if (key === 'parent') continue;
      const value = node[key];
      if (Array.isArray(value)) {
        for (const child of value) if (isStatementLike(child)) visit(child);
      } else if (isStatementLike(value)) {
        visit(value);
      }
    }
  };
  visit(fn.body);
  return bare ? undefined : out;
}

/** Nodes a return can sit in: statements and their parts, never nested functions or classes (their returns are theirs). */
function isStatementLike(value: unknown): value is AnyNode {
  if (!value || typeof value !== 'object' || typeof (value as AnyNode).type !== 'string') return false;
  const type = (value as AnyNode).type;
  return !isFunctionNode(value as AnyNode) && type !== 'ClassExpression' && type !== 'ClassDeclaration' && !type.endsWith('Expression') && type !== 'Identifier' && type !== 'Literal';
}
