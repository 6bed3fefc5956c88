/**
 * A method of an object literal runs with the object as `this` only when it is called as `obj.method(…)`. Taken off
 * the object (`const { grab } = probe`, `const g = probe.grab`, `[0].map(probe.grab)`, `probe.grab.call(null)`) and
 * called bare, a sloppy-mode function gets the global object as `this`. The resolver asks whether the file detaches
 * a method so; a method only ever called as a method (jQuery-style `return this` chaining among them) is not.
 */
import { climbWrappers, isNullish, isWriteTarget, type AnyNode } from './ast.js';
import { findVariable, type ScopeOf } from './scope.js';

/** A key's name, folded when it is computed (`{ ['se' + 'lf']() {} }`, `probe['se' + 'lf']`). */
type KeyOf = (key: AnyNode, computed: boolean) => string | undefined;

/** True when `fn`, a plain (not getter or setter) method of an object literal a variable holds, is read off it other than as the callee of a call. */
export function isDetachedMethod(fn: AnyNode, scopeOf: ScopeOf, keyOf: KeyOf): boolean {
  const property = fn.parent;
  if (property?.type !== 'Property' || property.value !== fn || property.kind !== 'init') return false;
  const key = keyOf(property.key, property.computed);
  const { node: literal, parent: declarator } = climbWrappers(property.parent as AnyNode);
  if (key === undefined || declarator?.type !== 'VariableDeclarator' || declarator.init !== literal || declarator.id.type !== 'Identifier') return false;
  const variable = findVariable(scopeOf(declarator.id), declarator.id.name);
  return variable?.references.some((reference) => reference.isRead() && detaches(reference.identifier as unknown as AnyNode, key, keyOf)) ?? false;
}

/** A read of the holder that takes `key` off it: destructured, or a member read that is not called as a method. */
function detaches(holder: AnyNode, key: string, keyOf: KeyOf): boolean {
  const { node, parent } = climbWrappers(holder);
  if (parent?.type === 'VariableDeclarator' && parent.init === node && parent.id.type === 'ObjectPattern') return takesKey(parent.id, key, keyOf);
  if (parent?.type === 'AssignmentExpression' && parent.right === node && parent.left.type === 'ObjectPattern') return takesKey(parent.left, key, keyOf);
  if (parent?.type !== 'MemberExpression' || parent.object !== node || keyOf(parent.property, parent.computed) !== key || isWriteTarget(parent)) return false;
  const { node: member, parent: user } = climbWrappers(parent);
  if ((user?.type === 'CallExpression' || user?.type === 'TaggedTemplateExpression') && (user.callee ?? user.tag) === member) return false;
  if (user?.type === 'MemberExpression' && user.object === member) {
    // `probe.grab.call(self)` binds `this`; `.call()`, `.call(null)` and `.bind(undefined)` leave it to the global object.
    const method = keyOf(user.property, user.computed);
    const call = climbWrappers(user);
    if (method !== 'call' && method !== 'apply' && method !== 'bind') return false;
    return call.parent?.type !== 'CallExpression' || call.parent.callee !== call.node || isNullish(call.parent.arguments[0]);
  }
  return !isLookedAt(member);
}

/** Looking at the method (`typeof probe.grab`, `probe.grab === f`, `if (a && probe.grab)`) takes nothing off the object. */
function isLookedAt(start: AnyNode): boolean {
  let { node, parent } = climbWrappers(start);
  while (parent?.type === 'LogicalExpression') ({ node, parent } = climbWrappers(parent));
  if (!parent) return false;
  return INSPECTING.has(parent.type) || (TESTING.has(parent.type) && parent.test === node);
}

const TESTING = new Set(['IfStatement', 'ConditionalExpression', 'WhileStatement', 'DoWhileStatement', 'ForStatement']);

const INSPECTING = new Set(['UnaryExpression', 'BinaryExpression', 'ExpressionStatement', 'MemberExpression']);

function takesKey(pattern: AnyNode, key: string, keyOf: KeyOf): boolean {
  return pattern.properties.some((property: AnyNode) => property.type === 'Property' && keyOf(property.key, property.computed) === key);
}
