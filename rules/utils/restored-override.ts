/**
 * A built-in swapped for the length of a synchronous block and put back: the `callsites` idiom
 *
 *     const prev = Error.prepareStackTrace;
 *     try { Error.prepareStackTrace = (_, frames) => frames; stack = new Error().stack; }
 *     finally { Error.prepareStackTrace = prev; }
 *
 * Between the two writes only the code of this block runs, and the `finally` restores the original whatever is
 * thrown; other code in the process never sees the replacement. Only that exact shape counts: the original read
 * into a `const` before the write, the write inside the `try` block (or the statement just before it), a `finally`
 * whose first statements write that `const` back to the member written (nothing before them can throw or leave the
 * finally first), and no `await`, `for await` or `yield` in between (which would let other code run while the
 * replacement is in place). "The same member" is the same reference, not the same text: each name in it is bound
 * to the same variable at both places and never reassigned, and each computed key is a constant — `o.m` under a
 * shadowing `const o = Object.prototype`, or `P[k]` after `k` changed, is another member.
 */
import type { SourceCode } from 'eslint';
import type { AnyNode } from './ast.js';
import { childNodes, TRANSPARENT, unwrap } from './ast.js';
import { findVariable } from './scope.js';

/** True when the assignment `write` (`X.m = …`) is undone by a `finally` that writes back what `X.m` held before. */
export function isRestoredOverride(sourceCode: SourceCode, write: AnyNode): boolean {
  if (write.type !== 'AssignmentExpression' || write.operator !== '=' || unwrap(write.left).type !== 'MemberExpression') return false;
  const statement = write.parent?.type === 'ExpressionStatement' ? write.parent : undefined;
  const attempt = statement && enclosingTry(statement);
  if (!attempt?.finalizer || containsPause(attempt.block)) return false;
  // Only the leading run of restores surely runs: any other statement before one may throw, return or break first.
  for (const restore of attempt.finalizer.body as AnyNode[]) {
    const assignment = restore.type === 'ExpressionStatement' ? restore.expression : undefined;
    const saved = assignment && savedOriginal(sourceCode, assignment);
    if (saved === undefined) return false;
    if (saved.range![1] <= write.range![0] && sameReference(sourceCode, assignment.left, write.left)) return true;
  }
  return false;
}

/**
 * For `X.m = prev`, where `const prev = X.m` (the same reference) was read before: that read. Such a write puts back
 * what the member held, so it changes nothing of its own.
 */
export function savedOriginal(sourceCode: SourceCode, assignment: AnyNode): AnyNode | undefined {
  if (assignment.type !== 'AssignmentExpression' || assignment.operator !== '=' || unwrap(assignment.left).type !== 'MemberExpression') return undefined;
  const saved = withoutTypes(assignment.right);
  if (saved.type !== 'Identifier') return undefined;
  const definition = findVariable(sourceCode.getScope(saved as never), saved.name)?.defs;
  if (definition?.length !== 1 || definition[0].type !== 'Variable' || definition[0].parent.kind !== 'const') return undefined;
  const init = definition[0].node.init as AnyNode | null;
  if (!init || init.range![1] > assignment.range![0]) return undefined;
  return sameReference(sourceCode, init, assignment.left) ? init : undefined;
}

/** The expression without the wrappers that only speak to the type checker (and `?.`); a sequence or a call stays. */
function withoutTypes(node: AnyNode): AnyNode {
  let current = node;
  while (TRANSPARENT.has(current.type)) current = current.expression;
  return current;
}

/**
 * True when `a` and `b` name the same place whenever each is evaluated: the same chain of members, each name bound to
 * the same variable (or the same global) and never reassigned, each computed key a literal or such a name. Anything
 * else (`this`, a call, an assignment, a sequence) may differ between the two.
 */
function sameReference(sourceCode: SourceCode, a: AnyNode, b: AnyNode): boolean {
  const left = withoutTypes(a);
  const right = withoutTypes(b);
  if (left.type !== right.type) return false;
  switch (left.type) {
    case 'Literal':
      return typeof left.value === 'string' || typeof left.value === 'number' ? left.value === right.value : false;
    case 'TemplateLiteral':
      return left.expressions.length === 0 && right.expressions.length === 0 && left.quasis[0].value.cooked === right.quasis[0].value.cooked;
    case 'Identifier': {
      if (left.name !== right.name || insideWith(sourceCode, left) || insideWith(sourceCode, right)) return false;
      const variable = findVariable(sourceCode.getScope(left as never), left.name);
      if (variable !== findVariable(sourceCode.getScope(right as never), right.name)) return false;
      return !variable || !variable.references.some((reference) => reference.isWrite() && !reference.init);
    }
    case 'MemberExpression': {
      if (!isStableObject(left.object) || !sameReference(sourceCode, left.object, right.object)) return false;
      const [leftKey, rightKey] = [constantKey(left), constantKey(right)];
      if (leftKey !== undefined || rightKey !== undefined) return leftKey === rightKey;
      return left.computed && right.computed && sameReference(sourceCode, left.property, right.property);
    }
    default:
      return false;
  }
}

/**
 * An object that stays the same between the save and the restore once its names are fixed: a name (`Error`) or its
 * `prototype` (`Array.prototype`). A deeper chain (`o.p.x`) can change under a const `o` when `o.p` is written.
 */
function isStableObject(node: AnyNode): boolean {
  const object = withoutTypes(node);
  return object.type === 'Identifier' || (object.type === 'MemberExpression' && withoutTypes(object.object).type === 'Identifier' && constantKey(object) === 'prototype');
}

/** A name inside `with`, which looks it up on an object each time (a getter may answer differently). */
function insideWith(sourceCode: SourceCode, name: AnyNode): boolean {
  for (let scope = sourceCode.getScope(name as never) as { type: string; upper: unknown } | null; scope; scope = scope.upper as typeof scope) if (scope.type === 'with') return true;
  return false;
}

/** A member's key when it is written as a constant (`.m`, `["m"]`, `[`m`]`, `[0]`), else undefined. */
function constantKey(member: AnyNode): string | undefined {
  const key = withoutTypes(member.property);
  if (!member.computed) return key.type === 'Identifier' ? key.name : undefined;
  if (key.type === 'Literal' && (typeof key.value === 'string' || typeof key.value === 'number')) return String(key.value);
  return key.type === 'TemplateLiteral' && key.expressions.length === 0 ? key.quasis[0].value.cooked : undefined;
}

/** The `try` whose block holds `statement`, or that follows it directly in the same block. */
function enclosingTry(statement: AnyNode): AnyNode | undefined {
  const parent = statement.parent;
  if (parent?.type === 'BlockStatement' && parent.parent?.type === 'TryStatement' && parent.parent.block === parent) return parent.parent;
  const siblings: AnyNode[] | undefined = parent?.body;
  const next = Array.isArray(siblings) ? siblings[siblings.indexOf(statement) + 1] : undefined;
  return next?.type === 'TryStatement' ? next : undefined;
}

/** An `await` (`for await`, `await using`) or `yield` in `node` outside any nested function: a point where other code runs. */
function containsPause(node: AnyNode): boolean {
  if (!node || typeof node !== 'object') return false;
  if (node.type === 'AwaitExpression' || node.type === 'YieldExpression') return true;
  if ((node.type === 'ForOfStatement' && node.await) || (node.type === 'VariableDeclaration' && node.kind === 'await using')) return true;
  if (/Function/.test(node.type)) return false;
  return childNodes(node).some(containsPause);
}
