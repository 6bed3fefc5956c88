/**
 * A sloppy-mode function a CommonJS file exports runs with whatever `this` its callers give it, and its callers are
 * in other files: `const { run } = require('./run'); run()` calls it bare, and a bare call hands a sloppy function the
 * global object as `this`. The resolver asks whether a function is exported so, to read its `this` as the global
 * object. A function that looks like a constructor or a prototype's method is not asked about: its `this` is the
 * object it builds or serves (`function Client() { this.fetch = … }`, `Client.prototype.get = function () {…}`).
 */
import { childNodes, climbWrappers, isFunctionNode, isWriteTarget, plainKeyName, type AnyNode } from './ast.js';
import { findVariable, type ScopeOf } from './scope.js';

/** True when `fn` is exported by its CommonJS file (directly, or by its declaration's name) and does not look like a constructor. */
export function isExportedPlainFunction(fn: AnyNode, scopeOf: ScopeOf): boolean {
  if (looksLikeConstructor(fn)) return false;
  if (fn.type !== 'FunctionDeclaration') return isExportedValue(fn, scopeOf);
  if (!fn.id) return false;
  const variable = findVariable(scopeOf(fn).upper ?? scopeOf(fn), fn.id.name);
  const uses = variable?.references.map((reference) => reference.identifier as unknown as AnyNode) ?? [];
  return !uses.some(constructsOrExtends) && uses.some((use) => isExportedValue(use, scopeOf));
}

/** `module.exports = v`, `module.exports.name = v`, `exports.name = v`, or `v` a property of an object literal assigned so. */
function isExportedValue(value: AnyNode, scopeOf: ScopeOf): boolean {
  let { node, parent } = climbWrappers(value);
  if (parent?.type === 'Property' && parent.value === node && parent.kind === 'init' && parent.parent?.type === 'ObjectExpression') {
    ({ node, parent } = climbWrappers(parent.parent));
  }
  return parent?.type === 'AssignmentExpression' && parent.operator === '=' && parent.right === node && isExportsTarget(parent.left, scopeOf);
}

function isExportsTarget(target: AnyNode, scopeOf: ScopeOf): boolean {
  if (target.type !== 'MemberExpression') return false;
  const key = plainKeyName(target.property, target.computed);
  const object = target.object;
  if (object.type === 'Identifier') return (object.name === 'module' ? key === 'exports' : object.name === 'exports') && isFreeName(object, scopeOf);
  // `module.exports.name = v`
  return object.type === 'MemberExpression' && object.object.type === 'Identifier' && object.object.name === 'module' && plainKeyName(object.property, object.computed) === 'exports' && isFreeName(object.object, scopeOf);
}

/** Not declared in the file: CommonJS's own `module` and `exports`. */
function isFreeName(identifier: AnyNode, scopeOf: ScopeOf): boolean {
  return (findVariable(scopeOf(identifier), identifier.name)?.defs.length ?? 0) === 0;
}

/** A capitalised name, or a body that writes `this.x`: what builds an object rather than uses one. */
function looksLikeConstructor(fn: AnyNode): boolean {
  const name: string | undefined = fn.id?.name;
  if (name !== undefined && /^[A-Z]/.test(name)) return true;
  return writesOwnThis(fn.body);
}

function writesOwnThis(node: AnyNode): boolean {
  if (node.type === 'ThisExpression') {
    const { node: self, parent } = climbWrappers(node);
    return parent?.type === 'MemberExpression' && parent.object === self && isWriteTarget(parent);
  }
  // A nested non-arrow function has its own `this`.
  return childNodes(node).some((child) => !(isFunctionNode(child) && child.type !== 'ArrowFunctionExpression') && writesOwnThis(child));
}

/** `new f(…)`, `f.prototype`, `class extends f`: the function is a constructor. */
function constructsOrExtends(use: AnyNode): boolean {
  const { node, parent } = climbWrappers(use);
  if (parent?.type === 'NewExpression' && parent.callee === node) return true;
  if (parent?.type === 'MemberExpression' && parent.object === node && plainKeyName(parent.property, parent.computed) === 'prototype') return true;
  return (parent?.type === 'ClassDeclaration' || parent?.type === 'ClassExpression') && parent.superClass === node;
}
