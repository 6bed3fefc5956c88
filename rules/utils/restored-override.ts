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
 * that writes that `const` back to the same member spelled the same way, and no `await` or `yield` in between
 * (which would let other code run while the replacement is in place).
 */
import type { SourceCode } from 'eslint';
import type { AnyNode } from './ast.js';
import { unwrap } from './ast.js';
import { findVariable } from './scope.js';

/** True when the assignment `write` (`X.m = …`) is undone by a `finally` that writes back what `X.m` held before. */
export function isRestoredOverride(sourceCode: SourceCode, write: AnyNode): boolean {
  if (write.type !== 'AssignmentExpression' || write.operator !== '=' || unwrap(write.left).type !== 'MemberExpression') return false;
  const statement = write.parent?.type === 'ExpressionStatement' ? write.parent : undefined;
  const attempt = statement && enclosingTry(statement);
  if (!attempt?.finalizer || containsPause(attempt.block)) return false;
  return attempt.finalizer.body.some((restore: AnyNode) => {
    const assignment = restore.type === 'ExpressionStatement' ? restore.expression : undefined;
    const saved = assignment && savedOriginal(sourceCode, assignment);
    return saved !== undefined && saved.range![1] <= write.range![0];
  });
}

/**
 * For `X.m = prev`, where `const prev = X.m` (spelled the same) was read before: that read. Such a write puts back
 * what the member held, so it changes nothing of its own.
 */
export function savedOriginal(sourceCode: SourceCode, assignment: AnyNode): AnyNode | undefined {
  if (assignment.type !== 'AssignmentExpression' || assignment.operator !== '=' || unwrap(assignment.left).type !== 'MemberExpression') return undefined;
  const saved = unwrap(assignment.right);
  if (saved.type !== 'Identifier') return undefined;
  const definition = findVariable(sourceCode.getScope(saved as never), saved.name)?.defs;
  if (definition?.length !== 1 || definition[0].type !== 'Variable' || definition[0].parent.kind !== 'const') return undefined;
  const init = definition[0].node.init as AnyNode | null;
  if (!init || init.range![1] > assignment.range![0]) return undefined;
  return spellingOf(sourceCode, init) === spellingOf(sourceCode, assignment.left) ? init : undefined;
}

function spellingOf(sourceCode: SourceCode, node: AnyNode): string {
  return sourceCode.getText(unwrap(node) as never).replace(/\s+/g, '');
}

/** The `try` whose block holds `statement`, or that follows it directly in the same block. */
function enclosingTry(statement: AnyNode): AnyNode | undefined {
  const parent = statement.parent;
  if (parent?.type === 'BlockStatement' && parent.parent?.type === 'TryStatement' && parent.parent.block === parent) return parent.parent;
  const siblings: AnyNode[] | undefined = parent?.body;
  const next = Array.isArray(siblings) ? siblings[siblings.indexOf(statement) + 1] : undefined;
  return next?.type === 'TryStatement' ? next : undefined;
}

/** An `await` or `yield` in `node` outside any nested function: a point where other code runs. */
function containsPause(node: AnyNode): boolean {
  if (!node || typeof node !== 'object') return false;
  if (node.type === 'AwaitExpression' || node.type === 'YieldExpression') return true;
  if (/Function/.test(node.type)) return false;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'parent') continue;
    if (Array.isArray(value) ? value.some((child) => child && typeof child.type === 'string' && containsPause(child)) : value && typeof (value as AnyNode).type === 'string' && containsPause(value as AnyNode)) return true;
  }
  return false;
}
