/**
 * A sloppy-mode function runs with whatever `this` its callers give it, and a bare call gives it the global object:
 * a CommonJS file's importers call its exports so (`const { run } = require('./run'); run()`), and so do the callers
 * the file never sees of a function it hands on (a callback, a stored function). The resolver asks whether such a
 * function, for the member `key` it reads off `this`, may be running with the global object. A function that builds
 * that member or serves an object is not asked about: its `this` is the object it builds or serves
 * (`function Client() { this.fetch = … }`, `new Client`, `Client.prototype`, `Client.prototype.get = function () {…}`,
 * `api.get = function () {…}`), and neither is a method whose object literal has a member of the key read
 * (`{ process(t) {…}, run() { this.process(t) } }`). A capitalised name is no sign: nothing stops a bare call of it.
 * A function is followed through the names that hold it (`const run = function () {…}`, `const r = run`) to where it
 * is exported, also by `Object.assign(module.exports, { run })`.
 */
import { childNodes, climbWrappers, descendants, isFunctionNode, isNullish, isReferenceIdentifier, isWriteTarget, plainKeyName, unwrap, type AnyNode } from './ast.js';
import { LISTENING } from './local-functions.js';
import { bindingOf, findVariable, writtenExpressions, type ScopeOf } from './scope.js';

/** True when `fn` is exported by its CommonJS file (directly, or by a name that holds it) and may run with the global `this` for `key`. */
export function isExportedPlainFunction(fn: AnyNode, scopeOf: ScopeOf, key: string, isGlobalObject: (node: AnyNode) => boolean): boolean {
  if (!mayRunWithGlobalThis(fn, scopeOf, key, isGlobalObject)) return false;
  return isExportedValue(fn, scopeOf) || holderUses(fn, scopeOf).some((use) => isExportedValue(use, scopeOf));
}

/**
 * True when a function whose calls the file does not all see may run with the global object as `this`, as far as
 * the member `key` tells: it neither builds that member, nor is constructed or extended, nor is a method of an object.
 */
export function mayRunWithGlobalThis(fn: AnyNode, scopeOf: ScopeOf, key: string, isGlobalObject: (node: AnyNode) => boolean): boolean {
  if (writesOwnThis(fn.body, key) || literalHasMember(fn, key) || isAssignedMethod(fn, scopeOf) || isGivenAReceiver(fn, isGlobalObject)) return false;
  return !holderUses(fn, scopeOf).some(constructsOrExtends);
}

/**
 * A function handed on with the `this` it is to run with: bound (`function () {…}.bind(this)`), given a context
 * argument after it (`list.forEach(fn, this)`, `_.each(list, fn, this)`, `$.proxy(fn, this)`, `model.on('change', fn,
 * this)`), or registered as a listener (`bus.on('x', function () { this.emit… })`, where `this` is the emitter).
 */
function isGivenAReceiver(fn: AnyNode, isGlobalObject: (node: AnyNode) => boolean): boolean {
  // The global object given as the receiver is no other object (`fn.bind(globalThis)`, `list.forEach(fn, g)`).
  const receiver = (argument: AnyNode) => !isNullish(argument) && !isGlobalObject(argument);
  const { node, parent } = climbWrappers(fn);
  if (parent?.type === 'MemberExpression' && parent.object === node && plainKeyName(parent.property, parent.computed) === 'bind') {
    const call = climbWrappers(parent).parent;
    return call?.type === 'CallExpression' && call.arguments.length > 0 && receiver(call.arguments[0]);
  }
  if (parent?.type !== 'CallExpression' || parent.callee === node) return false;
  const after = parent.arguments.slice(parent.arguments.indexOf(node) + 1) as AnyNode[];
  if (after.some((argument) => unwrap(argument).type !== 'Literal' && receiver(argument))) return true;
  const callee = unwrap(parent.callee);
  // An emitter runs its listeners with itself as `this`, as the DOM's `addEventListener` does with the element.
  const method = callee.type === 'MemberExpression' ? plainKeyName(callee.property, callee.computed) : undefined;
  return method !== undefined && LISTENING.has(method);
}

/**
 * `Client.prototype.get = function () {…}`, `api.get = function () {…}`: a method of the object it is stored on
 * (exports aside, which importers call bare), unless the file takes it off that object (`list.forEach(api.get)`,
 * `const g = api.get`), after which a bare call runs it with the global `this`.
 */
function isAssignedMethod(fn: AnyNode, scopeOf: ScopeOf): boolean {
  const { node, parent } = climbWrappers(fn);
  if (parent?.type !== 'AssignmentExpression' || parent.right !== node || parent.left.type !== 'MemberExpression' || exportsKey(parent.left, scopeOf) !== false) return false;
  const object = unwrap(parent.left.object);
  const key = plainKeyName(parent.left.property, parent.left.computed);
  if (object.type !== 'Identifier' || key === undefined) return true;
  return !(findVariable(scopeOf(object), object.name)?.references ?? []).some((reference) => {
    const { node: held, parent: member } = climbWrappers(reference.identifier as unknown as AnyNode);
    if (member?.type !== 'MemberExpression' || member.object !== held || plainKeyName(member.property, member.computed) !== key || isWriteTarget(member)) return false;
    const { node: read, parent: use } = climbWrappers(member);
    return !(use?.type === 'CallExpression' && use.callee === read);
  });
}

/** Every read of a name that holds `fn`: its declaration's name, the variable a function expression initialises, and `const` aliases of those. */
export function holderUses(fn: AnyNode, scopeOf: ScopeOf): AnyNode[] {
  let variable: ReturnType<typeof findVariable>;
  if (fn.type === 'FunctionDeclaration' && fn.id) variable = findVariable(scopeOf(fn).upper ?? scopeOf(fn), fn.id.name);
  else {
    const { node, parent } = climbWrappers(fn);
    if (parent?.type === 'VariableDeclarator' && parent.init === node && parent.id.type === 'Identifier') variable = findVariable(scopeOf(parent.id), parent.id.name);
  }
  const uses: AnyNode[] = [];
  const seen = new Set<unknown>();
  const visit = (held: typeof variable) => {
    if (!held || seen.has(held)) return;
    seen.add(held);
    for (const reference of held.references) {
      if (!reference.isRead()) continue;
      const use = reference.identifier as unknown as AnyNode;
      uses.push(use);
      const { node, parent } = climbWrappers(use);
      if (parent?.type === 'VariableDeclarator' && parent.init === node && parent.id.type === 'Identifier' && parent.parent?.kind === 'const') visit(findVariable(scopeOf(parent.id), parent.id.name));
      uses.push(...memberReads(node, parent, scopeOf));
    }
  };
  visit(variable);
  return uses;
}

/**
 * `const h = { grab }` (or `{ run: grab }`): each read of `h.grab` off that `const` holds the function too. Written
 * members are not followed (what else the key may hold is someone else's question).
 */
function memberReads(node: AnyNode, parent: AnyNode | null | undefined, scopeOf: ScopeOf): AnyNode[] {
  if (parent?.type !== 'Property' || parent.value !== node || parent.kind !== 'init' || parent.parent?.type !== 'ObjectExpression') return [];
  const key = plainKeyName(parent.key, parent.computed);
  const { node: literal, parent: declarator } = climbWrappers(parent.parent);
  if (key === undefined || declarator?.type !== 'VariableDeclarator' || declarator.init !== literal || declarator.id.type !== 'Identifier' || declarator.parent?.kind !== 'const') return [];
  return (findVariable(scopeOf(declarator.id), declarator.id.name)?.references ?? []).flatMap((reference) => {
    const { node: held, parent: member } = climbWrappers(reference.identifier as unknown as AnyNode);
    return member?.type === 'MemberExpression' && member.object === held && plainKeyName(member.property, member.computed) === key && !isWriteTarget(member) ? [member] : [];
  });
}

/** A method whose object literal has its own member `key`: `this.key` names the sibling when called as a method. */
function literalHasMember(fn: AnyNode, key: string): boolean {
  const { node, parent } = climbWrappers(fn);
  if (parent?.type !== 'Property' || parent.value !== node || parent.parent?.type !== 'ObjectExpression') return false;
  return parent.parent.properties.some((property: AnyNode) => property.type === 'Property' && plainKeyName(property.key, property.computed) === key);
}

/**
 * `module.exports = v`, `module.exports.name = v`, `exports.name = v`, or `v` a property of an object literal
 * assigned so or merged into the exports (`Object.assign(module.exports, { v })`).
 */
function isExportedValue(value: AnyNode, scopeOf: ScopeOf): boolean {
  let { node, parent } = climbWrappers(value);
  if (parent?.type === 'Property' && parent.value === node && parent.kind === 'init' && parent.parent?.type === 'ObjectExpression') {
    ({ node, parent } = climbWrappers(parent.parent));
    if (isMergeIntoExports(parent, node, scopeOf)) return true;
  }
  return parent?.type === 'AssignmentExpression' && parent.operator === '=' && parent.right === node && isExportsTarget(parent.left, scopeOf);
}

/** `Object.assign(module.exports, …, literal)`: the literal's members become the exports'. */
function isMergeIntoExports(call: AnyNode | null | undefined, literal: AnyNode, scopeOf: ScopeOf): boolean {
  if (call?.type !== 'CallExpression' || call.arguments.indexOf(literal) < 1) return false;
  const callee = unwrap(call.callee);
  const isAssign = callee.type === 'MemberExpression' && unwrap(callee.object).type === 'Identifier' && unwrap(callee.object).name === 'Object' && plainKeyName(callee.property, callee.computed) === 'assign';
  const target = unwrap(call.arguments[0]);
  return isAssign && ((target.type === 'Identifier' && target.name === 'exports' && isFreeName(target, scopeOf)) || isModuleExports(target, scopeOf));
}

function isModuleExports(node: AnyNode, scopeOf: ScopeOf): boolean {
  return node.type === 'MemberExpression' && node.object.type === 'Identifier' && node.object.name === 'module' && plainKeyName(node.property, node.computed) === 'exports' && isFreeName(node.object, scopeOf);
}

function isExportsTarget(target: AnyNode, scopeOf: ScopeOf): boolean {
  return exportsKey(target, scopeOf) !== false;
}

/**
 * What an assignment target names of CommonJS's own exports: `''` for `module.exports` itself, the key of
 * `exports.key` or `module.exports.key` (undefined when the key does not fold), false for anything else.
 */
export function exportsKey(target: AnyNode, scopeOf: ScopeOf): string | undefined | false {
  if (target.type !== 'MemberExpression') return false;
  const key = plainKeyName(target.property, target.computed);
  const object = target.object;
  if (object.type === 'Identifier' && object.name === 'module') return key === 'exports' && isFreeName(object, scopeOf) ? '' : false;
  if (object.type === 'Identifier') return object.name === 'exports' && isFreeName(object, scopeOf) ? key : false;
  // `module.exports.name = v`
  return isModuleExports(object, scopeOf) ? key : false;
}

/** `Object.defineProperty(exports, 'a', { get() { return v } })` or `{ value: v }`: the export `a`. */
function definedExport(call: AnyNode, scopeOf: ScopeOf): ExportedValue[] {
  const callee = call.type === 'CallExpression' ? unwrap(call.callee) : undefined;
  if (callee?.type !== 'MemberExpression' || unwrap(callee.object).type !== 'Identifier' || unwrap(callee.object).name !== 'Object' || plainKeyName(callee.property, callee.computed) !== 'defineProperty') return [];
  const [target, keyNode, descriptor] = (call.arguments as AnyNode[]).map((argument) => argument && unwrap(argument));
  const exportsObject = target?.type === 'Identifier' ? target.name === 'exports' && isFreeName(target, scopeOf) : target !== undefined && isModuleExports(target, scopeOf);
  const key = keyNode?.type === 'Literal' && typeof keyNode.value === 'string' ? keyNode.value : undefined;
  if (!exportsObject || key === undefined || descriptor?.type !== 'ObjectExpression') return [];
  return (descriptor.properties as AnyNode[]).flatMap((property): ExportedValue[] => {
    const name = property.type === 'Property' ? plainKeyName(property.key, property.computed) : undefined;
    if (name === 'value') return [[key, property.value]];
    return name === 'get' ? [[key, property.value, 'getter']] : [];
  });
}

/**
 * The variables whose members become the module's exports: `module.exports = x`, or a call handed `x`
 * (`module.exports = __toCommonJS(x)`, esbuild's copy of `x`'s getters onto the exports).
 */
function exportsSources(program: AnyNode, scopeOf: ScopeOf): Set<unknown> {
  const out = new Set<unknown>();
  for (const statement of loadTimeStatements(program)) {
    if (statement.type !== 'ExpressionStatement') continue;
    const { targets, value } = assignmentChain(statement.expression);
    if (!targets.some((target) => exportsKey(target, scopeOf) === '')) continue;
    for (const source of value.type === 'CallExpression' ? (value.arguments as AnyNode[]) : [value]) {
      const name = unwrap(source);
      if (name.type === 'Identifier') out.add(findVariable(scopeOf(name), name.name));
    }
  }
  out.delete(undefined);
  return out;
}

/**
 * esbuild's CommonJS, `__export(target, { a: () => a, b: () => b })`: a call handed the exports (or a variable that
 * becomes them, see exportsSources) and a literal of functions defines each key as a getter that runs its function.
 */
function getterTableExports(call: AnyNode, holders: Set<unknown>, scopeOf: ScopeOf): ExportedValue[] {
  if (call.type !== 'CallExpression' || call.arguments.length !== 2) return [];
  // `Object.assign(exports, { a: () => v })` exports the functions themselves (exportedValues' merges).
  const callee = unwrap(call.callee);
  if (callee.type === 'MemberExpression' && plainKeyName(callee.property, callee.computed) === 'assign') return [];
  const [target, table] = (call.arguments as AnyNode[]).map((argument) => unwrap(argument));
  const exportsObject = target.type === 'Identifier' ? (target.name === 'exports' && isFreeName(target, scopeOf)) || holders.has(findVariable(scopeOf(target), target.name)) : isModuleExports(target, scopeOf);
  if (!exportsObject || table.type !== 'ObjectExpression') return [];
  return (table.properties as AnyNode[]).flatMap((property): ExportedValue[] => {
    const key = property.type === 'Property' && property.kind === 'init' ? plainKeyName(property.key, property.computed) : undefined;
    return key !== undefined && isFunctionNode(unwrap(property.value)) ? [[key, property.value, 'getter']] : [];
  });
}

/** Not declared in the file: CommonJS's own `module` and `exports`. */
function isFreeName(identifier: AnyNode, scopeOf: ScopeOf): boolean {
  return (findVariable(scopeOf(identifier), identifier.name)?.defs.length ?? 0) === 0;
}

/**
 * A body that writes `this.key` itself: what builds the member rather than uses the global's. Writing some other
 * member (`this.ready = true`) says nothing: a bare call writes that onto the global object too.
 */
function writesOwnThis(node: AnyNode, key: string): boolean {
  if (node.type === 'ThisExpression') {
    const { node: self, parent } = climbWrappers(node);
    return parent?.type === 'MemberExpression' && parent.object === self && isWriteTarget(parent) && (parent.computed || plainKeyName(parent.property, false) === key);
  }
  // A nested non-arrow function has its own `this`.
  return childNodes(node).some((child) => !(isFunctionNode(child) && child.type !== 'ArrowFunctionExpression') && writesOwnThis(child, key));
}

/** `new f(…)`, `f.prototype`, `class extends f`: the function is a constructor. */
export function constructsOrExtends(use: AnyNode): boolean {
  const { node, parent } = climbWrappers(use);
  if (parent?.type === 'NewExpression' && parent.callee === node) return true;
  if (parent?.type === 'MemberExpression' && parent.object === node && plainKeyName(parent.property, parent.computed) === 'prototype') return true;
  return (parent?.type === 'ClassDeclaration' || parent?.type === 'ClassExpression') && parent.superClass === node;
}

/** The object literal `value` is, written in place or held by a `const`. */
function literalOf(value: AnyNode, scopeOf: ScopeOf): AnyNode | undefined {
  const node = unwrap(value);
  if (node.type !== 'Identifier') return node.type === 'ObjectExpression' ? node : undefined;
  const definition = findVariable(scopeOf(node), node.name)?.defs[0];
  const declarator = definition?.type === 'Variable' ? (definition.node as AnyNode) : undefined;
  const init = declarator?.parent?.kind === 'const' && declarator.init ? unwrap(declarator.init) : undefined;
  return init?.type === 'ObjectExpression' ? init : undefined;
}

/**
 * `export const { list, text: t } = { list: Array.prototype, text: String.prototype }` (or a `const` holding that
 * literal): each name and the literal's value for it.
 */
function destructuredExports(pattern: AnyNode, init: AnyNode | undefined): ExportedValue[] {
  if (init?.type !== 'ObjectExpression') return [];
  return (pattern.properties as AnyNode[]).flatMap((property): ExportedValue[] => {
    const key = property.type === 'Property' ? plainKeyName(property.key, property.computed) : undefined;
    const target = property.type === 'Property' ? unwrap(property.value) : undefined;
    const source = (init.properties as AnyNode[]).findLast((member) => member.type === 'Property' && member.kind === 'init' && plainKeyName(member.key, member.computed) === key);
    return key !== undefined && target?.type === 'Identifier' && source ? [[target.name, source.value]] : [];
  });
}

/** An export's name and what it is: the value itself, or a getter whose returns are what an importer reads (`how: 'getter'`). */
export type ExportedValue = [name: string, value: AnyNode, how?: 'getter'];

/**
 * What a file exports, by name: `exports.a = v`, `module.exports.a = v`, `module.exports = { a: v, b }`,
 * `export function a` / `export const a = v`, `export { v as a }`, and TypeScript's CommonJS emit
 * `Object.defineProperty(exports, 'a', { get: () => v })` (or `{ value: v }`); `''` names the module itself
 * (`module.exports = v`, `export default v`), which a default import or a whole `require` reads.
 */
export function exportedValues(program: AnyNode, scopeOf: ScopeOf): ExportedValue[] {
  const out: ExportedValue[] = [];
  // Function declarations are hoisted: one exported above where it is written is that function too.
  const declared = new Map<string, AnyNode>((program.body as AnyNode[]).filter((statement) => statement.type === 'FunctionDeclaration' && statement.id).map((statement) => [statement.id.name, statement]));
  const holders = exportsSources(program, scopeOf);
  for (const statement of loadTimeStatements(program)) {
    const declaration = statement.type === 'ExportNamedDeclaration' ? statement.declaration : undefined;
    if (declaration?.type === 'FunctionDeclaration' && declaration.id) out.push([declaration.id.name, declaration]);
    for (const declarator of declaration?.type === 'VariableDeclaration' ? declaration.declarations : []) {
      if (declarator.id.type === 'Identifier' && declarator.init) out.push([declarator.id.name, declarator.init]);
      if (declarator.id.type === 'ObjectPattern' && declarator.init) out.push(...destructuredExports(declarator.id, literalOf(declarator.init, scopeOf)));
    }
    if (statement.type === 'ExportNamedDeclaration' && !statement.source) {
      for (const specifier of statement.specifiers as AnyNode[]) {
        const name = plainKeyName(specifier.exported, false);
        if (name !== undefined && specifier.local.type === 'Identifier') out.push([name === 'default' ? '' : name, declared.get(specifier.local.name) ?? specifier.local]);
      }
    }
    if (statement.type === 'ExportDefaultDeclaration') out.push(['', statement.declaration]);
    if (statement.type === 'ExpressionStatement') out.push(...definedExport(statement.expression, scopeOf), ...getterTableExports(statement.expression, holders, scopeOf));
    if (statement.type !== 'ExpressionStatement') continue;
    // `exports.a = exports.b = v`, `exports = module.exports = v`: every target of a chain gets the value.
    const { targets, value: right } = assignmentChain(statement.expression);
    for (const left of targets) {
      const target = exportsKey(left, scopeOf);
      if (typeof target === 'string' && target !== '') out.push([target, right.type === 'Identifier' ? (declared.get(right.name) ?? right) : right]);
      if (target === '' && right.type !== 'ObjectExpression') out.push(['', right]);
      if (target === '' && right.type === 'ObjectExpression') {
        for (const property of right.properties as AnyNode[]) {
          const key = property.type === 'Property' && property.kind === 'init' ? plainKeyName(property.key, property.computed) : undefined;
          if (key === undefined) continue;
          const value = property.value.type === 'Identifier' ? (declared.get(property.value.name) ?? property.value) : property.value;
          out.push([key, value]);
        }
      }
    }
  }
  return out;
}

/** The targets of `a = b = … = v` (plain `=` only) and the value `v`. */
function assignmentChain(expression: AnyNode): { targets: AnyNode[]; value: AnyNode } {
  const targets: AnyNode[] = [];
  let value = expression;
  while (value.type === 'AssignmentExpression' && value.operator === '=') {
    targets.push(value.left);
    value = unwrap(value.right);
  }
  return { targets, value };
}

/**
 * The statements a file runs as it loads, where its exports are written: the top level, and the blocks of top-level
 * `if`, `try` and bare blocks (`if (typeof module === 'object') { module.exports = … }`).
 */
function loadTimeStatements(program: AnyNode): AnyNode[] {
  const out: AnyNode[] = [];
  const visit = (statement: AnyNode | null | undefined): void => {
    if (!statement) return;
    if (statement.type === 'BlockStatement') for (const inner of statement.body as AnyNode[]) visit(inner);
    else if (statement.type === 'IfStatement') [statement.consequent, statement.alternate].forEach(visit);
    else if (statement.type === 'TryStatement') [statement.block, statement.handler?.body, statement.finalizer].forEach(visit);
    else out.push(statement);
  };
  for (const statement of program.body as AnyNode[]) visit(statement);
  return out;
}

/** A name a file exports that is another file's export: `name` here is `imported` there (`*` for every name). */
export interface ReExport {
  name: string;
  specifier: string;
  via: 'require' | 'import';
  imported: string;
}

/**
 * What a file exports straight from another file, by the other file's name: `export { a as b } from './x'`,
 * `export * from './x'`, `import { a } from './x'; export { a }`, `module.exports = require('./x')`,
 * `exports.b = require('./x').a`, and the same through a name that holds the module (`const x = require('./x');
 * module.exports = x`) or a getter that returns it (TypeScript's `get: function () { return x_1.a; }`). A statement
 * that hands another file's module and this file's exports to a call, or writes the exports under keys it learns at
 * run time while it reads that module (tsc's `__exportStar(require('./x'), exports)`, Babel's `Object.keys(_x)
 * .forEach(…)`, `Object.assign(exports, require('./x'))`), re-exports all of it. A barrel hands on the very value,
 * so a write on it is a write on the original. `returned` gives a getter's returned expressions.
 */
export function reExportsOf(program: AnyNode, scopeOf: ScopeOf, returned: (fn: AnyNode) => AnyNode[] | undefined): ReExport[] {
  const out: ReExport[] = [];
  for (const statement of loadTimeStatements(program)) {
    const specifier = typeof statement.source?.value === 'string' ? (statement.source.value as string) : undefined;
    if (statement.type === 'ExportAllDeclaration' && specifier !== undefined && !statement.exported) out.push({ name: '*', specifier, via: 'import', imported: '*' });
    if (statement.type === 'ExpressionStatement' && copiesIntoExports(statement.expression, scopeOf)) {
      for (const module of descendants(statement.expression, (node) => node.type === 'Identifier' || node.type === 'CallExpression').flatMap((node) => importedValues(node, scopeOf))) {
        if (module.imported === '') out.push({ name: '*', specifier: module.specifier, via: module.via, imported: '*' });
      }
    }
    if (statement.type === 'ExpressionStatement') out.push(...spreadIntoExports(statement.expression, scopeOf));
    if (statement.type !== 'ExportNamedDeclaration' || specifier === undefined) continue;
    for (const exported of statement.specifiers as AnyNode[]) {
      const [name, imported] = [plainKeyName(exported.exported, false), plainKeyName(exported.local, false)];
      if (name !== undefined && imported !== undefined) out.push({ name: name === 'default' ? '' : name, specifier, via: 'import', imported: imported === 'default' ? '' : imported });
    }
  }
  for (const [name, value, how] of exportedValues(program, scopeOf)) {
    const held = how === 'getter' ? (isFunctionNode(unwrap(value)) ? (returned(unwrap(value)) ?? []) : []) : [value];
    for (const imported of held.flatMap((expression) => importedValues(expression, scopeOf))) {
      const { specifier, via } = imported;
      out.push(name === '' && imported.imported === '' ? { name: '*', specifier, via, imported: '*' } : { name, specifier, via, imported: imported.imported });
    }
  }
  return out;
}

/** `module.exports = { ...require('./x'), version }`: all of x handed on beside the literal's own members. */
function spreadIntoExports(expression: AnyNode, scopeOf: ScopeOf): ReExport[] {
  const { targets, value } = assignmentChain(expression);
  if (value.type !== 'ObjectExpression' || !targets.some((target) => exportsKey(target, scopeOf) === '')) return [];
  return (value.properties as AnyNode[])
    .filter((member) => member.type === 'SpreadElement')
    .flatMap((member) => importedValues(member.argument, scopeOf))
    .filter((module) => module.imported === '')
    .map((module) => ({ name: '*', specifier: module.specifier, via: module.via, imported: '*' }));
}

/**
 * Whether a top-level statement copies members into this file's exports by keys it does not write out: it hands
 * `exports` (or `module.exports`) to a call, or writes a computed member of it.
 */
function copiesIntoExports(expression: AnyNode, scopeOf: ScopeOf): boolean {
  return descendants(expression, (node) => isExportsObject(node, scopeOf)).some((exportsNode) => {
    const { node, parent } = climbWrappers(exportsNode);
    // `Object.defineProperty(exports, 'a', …)` names what it defines: exportedValues reads it.
    if (parent?.type === 'CallExpression' && parent.arguments.includes(node)) return !namesItsKey(parent);
    return parent?.type === 'MemberExpression' && parent.object === node && parent.computed && plainKeyName(parent.property, true) === undefined && isWriteTarget(parent);
  });
}

/** `Object.defineProperty(target, 'literal', …)`: a definition of one written-out key. */
function namesItsKey(call: AnyNode): boolean {
  const callee = unwrap(call.callee);
  const key = call.arguments[1] && unwrap(call.arguments[1]);
  return callee.type === 'MemberExpression' && plainKeyName(callee.property, callee.computed) === 'defineProperty' && key?.type === 'Literal' && typeof key.value === 'string';
}

/** CommonJS's own `exports` or `module.exports`. */
function isExportsObject(node: AnyNode, scopeOf: ScopeOf): boolean {
  return (node.type === 'Identifier' && node.name === 'exports' && isReferenceIdentifier(node) && isFreeName(node, scopeOf)) || isModuleExports(node, scopeOf);
}

/** How deep `importedValues` follows names holding names: `const b = a; const a = require('./x')`. */
const MAX_HOLDER_HOPS = 3;

type Imported = Omit<ReExport, 'name'> & {
  /** Read through an interop helper, whose `.default` is the module itself. */
  wrapped?: boolean;
};

/**
 * Which other file's export `node` is: `require('./x')` (the module, `imported: ''`), `require('./x').a`, an imported
 * binding, or a name every write of which is one of those (`const x_1 = require('./x')`), with members read off it
 * (`x_1.a.b`).
 */
function importedValues(start: AnyNode, scopeOf: ScopeOf, hops = 0): Imported[] {
  const node = unwrap(start);
  if (node.type === 'MemberExpression') {
    const key = plainKeyName(node.property, node.computed);
    if (key === undefined) return [];
    return importedValues(node.object, scopeOf, hops).map((base) =>
      // `__importDefault(require('./x')).default` is x's module itself.
      key === 'default' && base.wrapped ? { ...base, wrapped: false } : { specifier: base.specifier, via: base.via, imported: base.imported === '' ? key : `${base.imported}.${key}` },
    );
  }
  if (node.type === 'CallExpression') {
    const callee = unwrap(node.callee);
    const argument = node.arguments[0];
    const isRequire = callee.type === 'Identifier' && callee.name === 'require' && isFreeName(callee, scopeOf) && node.arguments.length === 1;
    if (isRequire) return argument?.type === 'Literal' && typeof argument.value === 'string' ? [{ specifier: argument.value, via: 'require', imported: '' }] : [];
    // The interop helpers compilers wrap a `require` in, and `Object.create(m)`, read through to the module's members.
    return node.arguments.length >= 1 && isModuleWrapper(callee) ? importedValues(argument, scopeOf, hops).map((module) => ({ ...module, wrapped: module.imported === '' })) : [];
  }
  if (node.type !== 'Identifier') return [];
  const binding = importedBinding(node, scopeOf);
  if (binding) return [binding];
  if (hops >= MAX_HOLDER_HOPS) return [];
  const held = bindingOf(node, scopeOf, (key) => plainKeyName(key, false));
  // `const { list } = require('./x')`: the member the pattern picks.
  if (held.kind === 'value' && held.path.length > 0) {
    const keys = held.path.map((step) => ('key' in step ? step.key : undefined));
    if (keys.some((key) => key === undefined)) return [];
    return importedValues(held.init, scopeOf, hops + 1).map((base) => ({ ...base, imported: [base.imported, ...keys].filter((part) => part !== '').join('.') }));
  }
  return writtenExpressions(node, scopeOf).filter(isWholeValueWrite).flatMap((written) => importedValues(written, scopeOf, hops + 1));
}

/** TypeScript's, Babel's and esbuild's module interop helpers, by name, and `Object.create`. */
const MODULE_WRAPPERS = new Set(['__importDefault', '__importStar', '_interopRequireDefault', '_interopRequireWildcard', '__toESM', '__toCommonJS']);

function isModuleWrapper(callee: AnyNode): boolean {
  if (callee.type === 'Identifier') return MODULE_WRAPPERS.has(callee.name);
  return callee.type === 'MemberExpression' && unwrap(callee.object).type === 'Identifier' && unwrap(callee.object).name === 'Object' && plainKeyName(callee.property, callee.computed) === 'create';
}

/** `x = v` or `const x = v`: the name holds all of `v` (not a destructured part, nor `v` added on). */
function isWholeValueWrite(written: AnyNode): boolean {
  const { node, parent } = climbWrappers(written);
  if (parent?.type === 'VariableDeclarator') return parent.init === node && parent.id.type === 'Identifier';
  return parent?.type === 'AssignmentExpression' && parent.operator === '=' && parent.right === node && parent.left.type === 'Identifier';
}

/** `import { a } from './x'` (or a default import) for the name `identifier` reads. */
function importedBinding(identifier: AnyNode, scopeOf: ScopeOf): Omit<ReExport, 'name'> | undefined {
  const definition = findVariable(scopeOf(identifier), identifier.name)?.defs[0];
  const declaration = definition?.type === 'ImportBinding' ? (definition.parent as AnyNode) : undefined;
  if (typeof declaration?.source?.value !== 'string') return undefined;
  const binding = definition!.node as AnyNode;
  if (binding.type === 'ImportDefaultSpecifier') return { specifier: declaration.source.value, via: 'import', imported: '' };
  const imported = binding.type === 'ImportSpecifier' ? plainKeyName(binding.imported, false) : undefined;
  return imported === undefined ? undefined : { specifier: declaration.source.value, via: 'import', imported: imported === 'default' ? '' : imported };
}

