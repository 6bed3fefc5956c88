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

/** `start` and its parent once value-preserving wrappers (`(x)`, `x!`, `x as T`, `a?.b`) are climbed past. */
export function climbWrappers(start: AnyNode): { node: AnyNode; parent: AnyNode | null | undefined } {
  let node = start;
  while (node.parent && TRANSPARENT.has(node.parent.type)) node = node.parent;
  return { node, parent: node.parent };
}

/** Like `climbWrappers`, past the sequences `start` is the value of too: `(0, f)`, as compilers call an import without `this`. */
export function climbToValue(start: AnyNode): { node: AnyNode; parent: AnyNode | null | undefined } {
  let { node, parent } = climbWrappers(start);
  while (parent?.type === 'SequenceExpression' && parent.expressions[parent.expressions.length - 1] === node) ({ node, parent } = climbWrappers(parent));
  return { node, parent };
}

/** The name of a property key or member property written out: an identifier, or a literal, bracketed or not (`o['a']`). */
export function plainKeyName(node: AnyNode, computed: boolean): string | undefined {
  if (computed && node.type !== 'Literal') return undefined;
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

/**
 * True when `node` is the target of an assignment, update or delete: `x.y = …`, `x.y++`, `delete x.y`,
 * and every place an assignment writes to, at any depth: destructuring targets (`[x.y] = …`,
 * `({ a: x.y = 1, ...x.z } = …)`) and for-in/for-of heads (`for (x.y of list)`).
 */
export function isWriteTarget(node: AnyNode): boolean {
  const { parent } = climbWrappers(node);
  if (parent?.type === 'UpdateExpression') return true;
  if (parent?.type === 'UnaryExpression') return parent.operator === 'delete';
  return isAssignedTo(node);
}

/** True when an assignment (plain, compound, destructuring, or a for-in/for-of head) stores a value into `node`. */
export function isAssignedTo(node: AnyNode): boolean {
  let { node: child, parent } = climbWrappers(node);
  // Climb out of the patterns an assignment target can be nested in: `[a, [b.c]]`, `{ k: b.c }`, `b.c = default`, `...b.c`.
  while (parent) {
    if (parent.type === 'ArrayPattern' || parent.type === 'RestElement' || parent.type === 'ObjectPattern') child = parent;
    else if (parent.type === 'AssignmentPattern' && parent.left === child) child = parent;
    else if (parent.type === 'Property' && parent.parent?.type === 'ObjectPattern' && parent.value === child) child = parent;
    else break;
    ({ node: child, parent } = climbWrappers(child));
  }
  if (!parent) return false;
  if (parent.type === 'AssignmentExpression') return parent.left === child;
  if (parent.type === 'ForInStatement' || parent.type === 'ForOfStatement') return parent.left === child;
  return false;
}

/**
 * The places `target` (an assignment's left side or a for-in/for-of head) writes to, at any depth of
 * destructuring: `[a.b, { c: d.e = 1, ...f.g }]` yields `a.b`, `d.e` and `f.g` (and the identifiers, if any).
 */
export function assignedTargets(target: AnyNode): AnyNode[] {
  const node = unwrap(target);
  switch (node.type) {
    case 'ArrayPattern':
      return node.elements.flatMap((element: AnyNode | null) => (element ? assignedTargets(element) : []));
    case 'ObjectPattern':
      return node.properties.flatMap((property: AnyNode) => assignedTargets(property.type === 'Property' ? property.value : property));
    case 'AssignmentPattern':
      return assignedTargets(node.left);
    case 'RestElement':
      return assignedTargets(node.argument);
    case 'VariableDeclaration':
      return [];
    default:
      return [node];
  }
}

/** Node types that bind names rather than read them: inside these an identifier is a target, not a use. */
const PATTERNS = new Set(['ObjectPattern', 'ArrayPattern', 'RestElement']);

/**
 * True when an identifier reads a variable: not a property name, a declared
 * name, a parameter, a label, a write target or part of a type annotation.
 */
export function isReferenceIdentifier(node: AnyNode): boolean {
  let child = node;
  let parent = node.parent;
  while (parent) {
    switch (parent.type) {
      case 'MemberExpression':
        return parent.object === child || parent.computed;
      case 'Property':
        if (PATTERNS.has(parent.parent?.type ?? '')) return parent.key === child && parent.computed;
        return parent.value === child || (parent.key === child && parent.computed);
      case 'MethodDefinition':
      case 'PropertyDefinition':
      case 'AccessorProperty':
        return parent.value === child || (parent.key === child && parent.computed);
      case 'VariableDeclarator':
        return parent.init === child;
      case 'AssignmentPattern':
        if (parent.left === child) return false;
        return true;
      case 'AssignmentExpression':
        return parent.right === child;
      case 'UpdateExpression':
      case 'LabeledStatement':
      case 'BreakStatement':
      case 'ContinueStatement':
      case 'ImportSpecifier':
      case 'ImportDefaultSpecifier':
      case 'ImportNamespaceSpecifier':
      case 'MetaProperty':
        return false;
      case 'ExportSpecifier':
        return parent.local === child && parent.parent?.source == null;
      case 'ClassDeclaration':
      case 'ClassExpression':
        return parent.superClass === child;
      default:
        if (isFunctionNode(parent)) return parent.body === child; // an arrow's expression body, not its name or a parameter
        if (PATTERNS.has(parent.type)) {
          child = parent;
          parent = parent.parent;
          continue;
        }
        // Type annotations name types, not values; value-preserving TypeScript wrappers are uses.
        return !(parent.type.startsWith('TS') && !TRANSPARENT.has(parent.type));
    }
  }
  return false;
}

/** A function's parameters as JavaScript sees them: TypeScript's `this` parameter (`function f(this: void, a)`) is erased. */
export function runtimeParams(fn: AnyNode): AnyNode[] {
  const [first] = fn.params;
  return first?.type === 'Identifier' && first.name === 'this' ? fn.params.slice(1) : fn.params;
}

/** `node` lies within `outer`'s source range (or is it). */
export function isWithin(node: AnyNode, outer: AnyNode): boolean {
  return node.range![0] >= outer.range![0] && node.range![1] <= outer.range![1];
}

/** No argument, `null`, `undefined` or `void …`: what leaves a sloppy function's `this` the global object. */
export function isNullish(argument: AnyNode | undefined): boolean {
  if (!argument) return true;
  const value = unwrap(argument);
  return (value.type === 'Literal' && value.value === null) || (value.type === 'UnaryExpression' && value.operator === 'void') || (value.type === 'Identifier' && value.name === 'undefined');
}

const NOT_CHILDREN = new Set(['parent', 'loc', 'range', 'tokens', 'comments']);

/** The nodes directly under `node`, in source order (its parent, positions, tokens and comments are not children). */
export function childNodes(node: AnyNode): AnyNode[] {
  const children: AnyNode[] = [];
  for (const key of Object.keys(node)) {
    if (NOT_CHILDREN.has(key)) continue;
    const child = node[key];
    if (Array.isArray(child)) {
      for (const item of child) if (item && typeof item.type === 'string') children.push(item);
    } else if (child && typeof child === 'object' && typeof child.type === 'string') children.push(child);
  }
  return children;
}

/** Every node under `root` (itself included) that `test` accepts, in source order: for the few checks that must see a whole file. */
export function descendants(root: AnyNode, test: (node: AnyNode) => boolean): AnyNode[] {
  const found: AnyNode[] = [];
  const visit = (node: AnyNode): void => {
    if (test(node)) found.push(node);
    for (const child of childNodes(node)) visit(child);
  };
  visit(root);
  return found;
}
