/**
 * Escape analysis for capability roots (capability-roots.ts). Starting from an
 * expression whose value is a root, it follows the value through the shapes
 * the analyzer fully resolves and reports the first place it leaves them.
 *
 * Confined: called (the rules judge the call), a member read by a key that
 * folds (the member is judged in its turn), `typeof`, comparisons and tests,
 * an alias the resolver follows, a `const` literal the file keeps to itself,
 * an argument of a local function whose every call the file sees (its
 * parameter is then followed), a return from such a function, a write target,
 * the argument of a compiler's module-interop helper (its result is followed).
 * Anything else — passed to other code, stored, returned to unknown callers,
 * spread, thrown, exported, iterated, reached with a key that does not fold,
 * read through reflection — is an escape, and so is any use the walker does
 * not know: the list is of good shapes, not of bad ones.
 *
 * A variable the resolver cannot pin to one value (written twice, a parameter
 * fed different things) is followed "strictly": its uses may only read
 * harmless members or test it, since a call through it could not be judged.
 */
import type { Scope, SourceCode } from 'eslint';
import type { AnyNode } from './ast.js';
import { climbWrappers, isFunctionNode, isWriteTarget, plainKeyName, runtimeParams, TRANSPARENT, unwrap } from './ast.js';
import { capabilityRoot, isPowerMember } from './capability-roots.js';
import { isInteropHelperCall } from './interop-helpers.js';
import { calleeLabel, memberName, Resolver, type Ref } from './resolve.js';
import { findVariable } from './scope.js';
import { ValueUses } from './value-uses.js';

export interface Escape {
  /** Where it escapes (the expression handed on). */
  node: AnyNode;
  /** The root that escapes there: the one the walk started with, or a member of it reached on the way. */
  root: Ref;
  /** What happens to it, completing "`require` …": "is passed to load()". */
  how: string;
}

/** Calls that read one property of their first argument by the key in their second. */
const KEYED_READS = new Set(['Reflect.get', 'Object.getOwnPropertyDescriptor', 'Reflect.getOwnPropertyDescriptor']);
/** Calls that only look at their first argument: its names, its type, whether it has a key, or its prototype (followed in turn). */
const HARMLESS_LOOKS = new Set([
  'Object.keys', 'Object.getOwnPropertyNames', 'Object.getOwnPropertySymbols', 'Reflect.ownKeys', 'Object.hasOwn', 'Reflect.has',
  'Object.isFrozen', 'Object.isSealed', 'Object.isExtensible', 'Reflect.isExtensible', 'Array.isArray', 'Object.is', 'String', 'Boolean', 'Number',
]);
const PROTOTYPE_READS = new Set(['Object.getPrototypeOf', 'Reflect.getPrototypeOf']);
/** Calls that write to their first argument: the runtime-tampering rule judges those writes. */
const WRITERS = new Set([
  'Object.defineProperty', 'Object.defineProperties', 'Object.assign', 'Object.setPrototypeOf', 'Object.freeze', 'Object.seal',
  'Object.preventExtensions', 'Reflect.set', 'Reflect.defineProperty', 'Reflect.deleteProperty', 'Reflect.setPrototypeOf', 'Reflect.preventExtensions',
]);
const TIMERS = new Set(['setTimeout', 'setInterval', 'setImmediate']);
/** Deep enough for real code; a chain longer than this is itself not something the gate follows. */
const MAX_STEPS = 200;

export class Confinement {
  private steps = 0;
  /** A value reached with an unknown key that is only tested (`typeof g[k]`, `if (g[k])`) reveals nothing. */
  private readonly uses: ValueUses;

  constructor(
    private readonly resolver: Resolver,
    private readonly sourceCode: SourceCode,
  ) {
    this.uses = new ValueUses(resolver, (node) => sourceCode.getScope(node as never));
  }

  /** Where the root value of `node` escapes, or undefined when every use of it is confined. */
  escapeOf(node: AnyNode, root: Ref): Escape | undefined {
    this.steps = 0;
    return this.walk(node, root, false, new Set());
  }

  private walk(start: AnyNode, startRoot: Ref, strict: boolean, seen: Set<Scope.Variable>): Escape | undefined {
    let root = startRoot;
    let child = start;
    const escape = (node: AnyNode, how: string): Escape => ({ node, root, how });
    for (;;) {
      if (++this.steps > MAX_STEPS) return escape(start, 'flows further than the gate follows');
      const parent = child.parent;
      if (!parent) return undefined;
      switch (parent.type) {
        case 'SequenceExpression':
          if (parent.expressions[parent.expressions.length - 1] !== child) return undefined;
          break;
        case 'ConditionalExpression':
          if (parent.test === child) return undefined;
          break;
        case 'LogicalExpression':
          // The left of `&&` only flows on when falsy: it is a test.
          if (parent.operator === '&&' && parent.left === child) return undefined;
          break;
        case 'AwaitExpression':
          break;
        case 'AssignmentExpression': {
          if (parent.left === child) return undefined;
          if (!['=', '||=', '&&=', '??='].includes(parent.operator)) return undefined;
          const stored = this.store(parent.left, child, root, strict, seen);
          if (stored) return stored;
          const consumer = parent.parent;
          if (!consumer || consumer.type === 'ExpressionStatement') return undefined;
          break;
        }
        case 'MemberExpression': {
          if (parent.object !== child) return undefined; // used as a computed key
          const key = memberName(parent, this.resolver.folder);
          if (key === undefined) {
            if (isWriteTarget(parent) || this.uses.onlyDecides(parent)) return undefined;
            return escape(parent, `is reached with a key the gate cannot fold (${this.text(parent)})`);
          }
          if (isPowerMember(root, key) && !isWriteTarget(parent) && !this.uses.onlyDecides(parent) && !this.readsReportHeader(parent)) return escape(parent, `is used through ${key}`);
          if (!strict || isWriteTarget(parent)) return undefined;
          const member = Resolver.member(root, key);
          // A module's function read off a variable followed strictly is judged as a member of that module, as before functions were roots.
          if (!capabilityRoot(member) || (capabilityRoot(root)?.builtinModule && capabilityRoot(member)?.builtinFunction)) {
            return root.module === undefined && root.path.length === 0 && TIMERS.has(key) ? escape(parent, `reaches ${key} through ${this.text(start)}, which the gate cannot follow`) : undefined;
          }
          root = member;
          break;
        }
        case 'CallExpression':
        case 'NewExpression':
          if (parent.callee === child) return strict ? escape(parent, `is called through ${this.text(start)}, which the gate cannot follow`) : undefined;
          return this.passed(parent, child, root, strict, seen);
        case 'TaggedTemplateExpression':
          if (parent.tag === child) return strict ? escape(parent, `is called through ${this.text(start)}, which the gate cannot follow`) : undefined;
          return undefined;
        case 'VariableDeclarator':
          if (parent.init !== child) return undefined;
          if (parent.parent?.parent?.type === 'ExportNamedDeclaration') return escape(child, 'is exported');
          return this.store(parent.id, child, root, strict, seen);
        case 'Property':
          if (parent.value !== child || parent.parent?.type !== 'ObjectExpression') return undefined;
          return !strict && this.resolver.literals.isConfined(parent.parent) ? undefined : escape(child, 'is stored in an object');
        case 'ArrayExpression':
          return !strict && this.resolver.literals.isConfined(parent) ? undefined : escape(child, 'is stored in an array');
        case 'ReturnStatement':
          return this.returned(enclosingFunction(parent), child, root, strict, seen);
        case 'ArrowFunctionExpression':
          return parent.body === child ? this.returned(parent, child, root, strict, seen) : undefined;
        case 'UnaryExpression':
        case 'BinaryExpression':
        case 'TemplateLiteral':
        case 'ExpressionStatement':
        case 'IfStatement':
        case 'WhileStatement':
        case 'DoWhileStatement':
        case 'ForStatement':
        case 'SwitchStatement':
        case 'SwitchCase':
        case 'ForInStatement':
        case 'ImportExpression':
        case 'UpdateExpression':
        case 'ClassExpression':
        case 'ClassDeclaration':
          return undefined;
        case 'SpreadElement':
          return escape(child, 'is spread');
        case 'ForOfStatement':
          return parent.right === child ? escape(child, 'is iterated with for…of') : undefined;
        case 'YieldExpression':
          return escape(child, 'is yielded');
        case 'ThrowStatement':
          return escape(child, 'is thrown');
        case 'PropertyDefinition':
        case 'AccessorProperty':
          return escape(child, 'is stored in a class field');
        case 'AssignmentPattern':
          return escape(child, 'is a default value');
        case 'WithStatement':
          return escape(child, 'is opened with with');
        case 'ExportDefaultDeclaration':
        case 'ExportSpecifier':
        case 'TSExportAssignment':
          return escape(child, 'is exported');
        default:
          if (TRANSPARENT.has(parent.type)) break;
          return escape(child, `is used in a way the gate does not follow (${parent.type})`);
      }
      child = parent;
    }
  }

  /** `target = value`: an alias the resolver follows, a variable followed strictly, a pattern, or a store into an object. */
  private store(rawTarget: AnyNode, value: AnyNode, root: Ref, strict: boolean, seen: Set<Scope.Variable>): Escape | undefined {
    const target = unwrap(rawTarget);
    const escape = (how: string): Escape => ({ node: value, root, how });
    switch (target.type) {
      case 'Identifier':
        if (!strict && sameRef(this.resolver.resolve(target), root)) return undefined;
        return this.followVariable(target, root, seen, value);
      case 'ObjectPattern':
        return this.destructure(target, value, root, strict, seen);
      case 'MemberExpression': {
        const text = this.text(target);
        return escape(/^(?:module\.)?exports\b/.test(text) ? 'is exported' : `is stored in ${text}`);
      }
      default:
        return escape('is destructured as a list');
    }
  }

  /** `const { a, b: { c } } = root`: every key must fold and nothing is copied wholesale. */
  private destructure(pattern: AnyNode, value: AnyNode, root: Ref, strict: boolean, seen: Set<Scope.Variable>): Escape | undefined {
    for (const property of pattern.properties) {
      if (property.type === 'RestElement') return { node: property, root, how: 'is copied by a rest element' };
      const key = property.computed ? this.resolver.folder.foldString(property.key) : plainKeyName(property.key, false);
      if (key === undefined) return { node: property, root, how: 'is destructured with a key the gate cannot fold' };
      if (isPowerMember(root, key)) return { node: property, root, how: `is used through ${key}` };
      if (!strict) continue; // the resolver follows each bound name along its path
      const member = Resolver.member(root, key);
      if (!capabilityRoot(member)) continue;
      const target = property.value.type === 'AssignmentPattern' ? property.value.left : property.value;
      const escape = target.type === 'Identifier' ? this.followVariable(target, member, seen, value) : target.type === 'ObjectPattern' ? this.destructure(target, value, member, strict, seen) : { node: property, root: member, how: 'is destructured as a list' };
      if (escape) return escape;
    }
    return undefined;
  }

  /** Every read of the variable `identifier` names, followed strictly. */
  private followVariable(identifier: AnyNode, root: Ref, seen: Set<Scope.Variable>, value: AnyNode): Escape | undefined {
    const variable = findVariable(this.sourceCode.getScope(identifier as never), identifier.name);
    if (!variable || variable.defs.length === 0) return { node: value, root, how: `is stored in the global variable ${identifier.name}` };
    if (seen.has(variable)) return undefined;
    seen.add(variable);
    for (const reference of variable.references) {
      if (!reference.isRead()) continue;
      const escape = this.walk(reference.identifier as unknown as AnyNode, root, true, seen);
      if (escape) return escape;
    }
    return undefined;
  }

  /** The root as an argument: a reflective read, a harmless look, a write target, a followed local function, or an escape. */
  private passed(callNode: AnyNode, argument: AnyNode, root: Ref, strict: boolean, seen: Set<Scope.Variable>): Escape | undefined {
    const call = this.resolver.normalizeCall(callNode);
    const escape = (how: string): Escape => ({ node: argument, root, how });
    const label = calleeLabel(this.sourceCode, call);
    if (call.calleeNode === unwrap(argument)) return strict ? escape(`is called through ${label}, which the gate cannot follow`) : undefined;
    const index = call.args ? call.args.findIndex((arg) => arg === argument || unwrap(arg) === unwrap(argument)) : -1;
    if (index < 0) return escape(`is passed to ${label}`);
    // `__importDefault(require('fs'))`: the helper hands back the module, so its result is followed in its place;
    // `Promise.resolve(require('fs'))` is a promise of it: the promise is followed, and what `await` and `then` take out of it is a root of its own.
    if (index === 0 && (isInteropHelperCall(callNode, this.resolver) || this.promises(callNode, root))) return this.walk(callNode, root, strict, seen);
    // `promisify(fs.readFile)` is `fs.readFile` again, as the resolver knows: the wrapped function is followed in its place.
    if (index === 0 && sameRef(this.resolver.resolve(callNode), root)) return this.walk(callNode, root, strict, seen);
    const name = Resolver.nameOf(call.callee);
    if (index === 0 && name !== undefined) {
      if (HARMLESS_LOOKS.has(name) || WRITERS.has(name)) return undefined;
      if (KEYED_READS.has(name) || PROTOTYPE_READS.has(name)) {
        const key = PROTOTYPE_READS.has(name) ? '__proto__' : call.args![1] && this.resolver.folder.foldString(call.args![1]);
        if (key === undefined) return escape(`is read through ${name} with a key the gate cannot fold`);
        if (!strict) return undefined; // the call resolves to the member, which is judged in its turn
        const member = Resolver.member(root, key);
        return capabilityRoot(member) ? this.walk(callNode, member, true, seen) : undefined;
      }
    }
    const fn = isFunctionNode(call.calleeNode) ? call.calleeNode : call.calleeNode.type === 'Identifier' ? this.resolver.declaredFunction(call.calleeNode) : undefined;
    if (!fn || !this.resolver.functions.callSites(fn)?.some((site) => site.call === callNode)) return escape(`is passed to ${label}`);
    if (this.resolver.functions.usesArguments(fn)) return escape(`is passed to ${label}, which reads its own arguments`);
    const parameter = runtimeParams(fn)[index];
    if (!parameter) return undefined; // a function drops what it never names
    if (parameter.type !== 'Identifier') return escape(`is passed to ${label}, which destructures or defaults it`);
    if (!strict && sameRef(this.resolver.resolve(parameter), root)) return undefined;
    return this.followVariable(parameter, root, seen, argument);
  }

  /** `Promise.resolve(root)`, which the resolver knows as a promise of the root. */
  private promises(callNode: AnyNode, root: Ref): boolean {
    const promise = this.resolver.resolve(callNode);
    return root.module !== undefined && promise?.path[0] === '%promise' && sameRef({ module: promise.module, path: promise.path.slice(1) }, root);
  }

  /** `return root`: confined when every call of the function is seen and each call is then followed. */
  private returned(fn: AnyNode | undefined, value: AnyNode, root: Ref, strict: boolean, seen: Set<Scope.Variable>): Escape | undefined {
    if (!fn) return undefined; // a top-level return ends the module; the value goes nowhere
    const sites = this.resolver.functions.callSites(fn);
    if (!sites) return { node: value, root, how: `is returned from ${functionLabel(fn)}` };
    for (const site of sites) {
      if (!strict && sameRef(this.resolver.resolve(site.call), root)) continue; // that call is judged in its turn
      const escape = this.walk(site.call, root, true, seen);
      if (escape) return escape;
    }
    return undefined;
  }

  /**
   * `process.report.getReport().header.glibcVersionRuntime`, as `detect-libc` reads it: one version field of the
   * header, never the environment variables (nor the host name, addresses or command line) the rest of it holds.
   * The report may be kept in a variable first, when every read of it is such a field or a test of its header.
   */
  private readsReportHeader(member: AnyNode): boolean {
    const call = member.parent;
    if (plainKeyName(member.property, member.computed) !== 'getReport' || call?.type !== 'CallExpression' || call.callee !== member) return false;
    const holder = call.parent;
    if (holder?.type !== 'VariableDeclarator' || holder.init !== call || holder.id.type !== 'Identifier') return this.readsVersionField(call);
    const variable = findVariable(this.sourceCode.getScope(holder.id as never), holder.id.name);
    const references = variable?.references ?? [];
    if (references.filter((reference) => reference.isWrite()).length !== 1 || !references.some((reference) => reference.isRead())) return false;
    return references.every((reference) => {
      if (!reference.isRead()) return true;
      const report = reference.identifier as unknown as AnyNode;
      if (this.uses.onlyDecides(report)) return true;
      const header = report.parent;
      return header?.type === 'MemberExpression' && header.object === report && (this.readsVersionField(report) || (this.isHeader(header) && this.uses.onlyDecides(header)));
    });
  }

  /** `report.header.glibcVersionRuntime`: one version field of the header of the report `report` is. */
  private readsVersionField(report: AnyNode): boolean {
    const header = report.parent;
    const field = header?.parent;
    return header?.object === report && this.isHeader(header) && field?.type === 'MemberExpression' && field.object === header && !field.computed && REPORT_VERSION_FIELDS.has(field.property.name);
  }

  /** `report.header`, read by its plain name (a key built at run time to reach it is no version check). */
  private isHeader(member: AnyNode): boolean {
    return member.type === 'MemberExpression' && !member.computed && member.property.name === 'header';
  }

  private text(node: AnyNode): string {
    const text = this.sourceCode.getText(node as never).replace(/\s+/g, ' ');
    return text.length > 40 ? `${text.slice(0, 40)}…` : text;
  }
}

function sameRef(a: Ref | undefined, b: Ref): boolean {
  return a !== undefined && Resolver.nameOf(a) === Resolver.nameOf(b);
}

function enclosingFunction(node: AnyNode): AnyNode | undefined {
  for (let current = node.parent; current; current = current.parent) if (isFunctionNode(current)) return current;
  return undefined;
}

/** `load()`, `a getter`, `an arrow function`: how a message names a function. */
function functionLabel(fn: AnyNode): string {
  if (fn.id?.name) return `${fn.id.name}()`;
  const parent = climbWrappers(fn).parent;
  if (parent?.type === 'VariableDeclarator' && parent.id.type === 'Identifier') return `${parent.id.name}()`;
  if (parent?.type === 'Property' || parent?.type === 'MethodDefinition') {
    const key = plainKeyName(parent.key, parent.computed) ?? '…';
    return parent.kind === 'get' ? `the getter ${key}` : parent.kind === 'set' ? `the setter ${key}` : `${key}()`;
  }
  return fn.type === 'ArrowFunctionExpression' ? 'an arrow function' : 'a function';
}

/** Fields of a report's header that say which software runs: not the host name, addresses, folder or command line. */
const REPORT_VERSION_FIELDS = new Set(['glibcVersionRuntime', 'glibcVersionCompiler', 'nodejsVersion', 'componentVersions', 'osName', 'osRelease', 'osMachine', 'arch', 'platform', 'wordSize']);
