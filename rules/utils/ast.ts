/**
 * Small AST helpers shared by the rules. Nodes are handled loosely (`AnyNode`)
 * because the gate parses TypeScript too, whose wrapper nodes (`x as T`, `x!`)
 * are not in ESTree's types.
 */
export interface AnyNode {
  type: string;
  parent?: AnyNode | null;
  range?: [number, number];
  loc?: { start: { line: number; column: number }; end: { line: number; column: number } } | null;
  [key: string]: any;
}

export const TRANSPARENT = new Set([
  'ChainExpression',
  'TSAsExpression',
  'TSSatisfiesExpression',
  'TSNonNullExpression',
  'TSTypeAssertion',
  'TSInstantiationExpression',
  'ParenthesizedExpression',
]);

/** Strips wrappers that do not change a value: `(x)`, `x!`, `x as T`, `a?.b`, `(0, x)`. */
export function unwrap(node: AnyNode): AnyNode {
  let current = node;
  for (;;) {
    if (TRANSPARENT.has(current.type)) current = current.expression;
    else if (current.type === 'SequenceExpression') current = current.expressions[current.expressions.length - 1];
    else return current;
  }
}

/** The name of a non-computed property key or member property, if any. */
export function plainKeyName(node: AnyNode, computed: boolean): string | undefined {
  if (computed) return undefined;
  if (node.type === 'Identifier' || node.type === 'PrivateIdentifier') return node.name;
  if (node.type === 'Literal' && (typeof node.value === 'string' || typeof node.value === 'number')) {
    return String(node.value);
  }
  return undefined;
}

export function isFunctionNode(node: AnyNode): boolean {
  return (
    node.type === 'FunctionExpression' ||
    node.type === 'ArrowFunctionExpression' ||
    node.type === 'FunctionDeclaration'
  );
}

/** `Function`, `AsyncFunction`, `GeneratorFunction` or `AsyncGeneratorFunction` for a function node. */
export function functionConstructorName(node: AnyNode): string {
  if (node.async && node.generator) return 'AsyncGeneratorFunction';
  if (node.async) return 'AsyncFunction';
  if (node.generator) return 'GeneratorFunction';
  return 'Function';
}

/** True when `node` is the target of an assignment, update or delete. */
export function isWriteTarget(node: AnyNode): boolean {
  let child = node;
  let parent = node.parent;
  while (parent && TRANSPARENT.has(parent.type)) {
    child = parent;
    parent = parent.parent;
  }
  if (!parent) return false;
  if (parent.type === 'AssignmentExpression') return parent.left === child;
  if (parent.type === 'UpdateExpression') return true;
  if (parent.type === 'UnaryExpression') return parent.operator === 'delete';
  return false;
}
