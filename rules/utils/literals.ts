/**
 * Object and array literals the file keeps to itself: bound once
 * (`const api = { load: require }`) and only ever read back by a folded key
 * (`api.load('fs')`, `const { load } = api`) — never written, passed, spread,
 * returned or reached through `this`. For those, `api.load` is whatever the
 * literal put there, so a capability stored in one stays in view.
 */
import type { Scope } from 'eslint';
import type { AnyNode } from './ast.js';
import { climbWrappers, isFunctionNode, isWriteTarget, plainKeyName, unwrap } from './ast.js';
import { findVariable, type ScopeOf } from './scope.js';

type KeyOf = (node: AnyNode) => string | undefined;

export function isLiteral(node: AnyNode | null | undefined): boolean {
  return node?.type === 'ObjectExpression' || node?.type === 'ArrayExpression';
}

export class LiteralHolders {
  private readonly confined = new Map<AnyNode, boolean>();

  /** `keyOf` folds a computed key expression to its name. */
  constructor(
    private readonly scopeOf: ScopeOf,
    private readonly keyOf: KeyOf,
  ) {}

  /** The value written for `key` in a literal; undefined when absent, an accessor, or when a spread or `__proto__` could change it. */
  propertyValue(literal: AnyNode, key: string): AnyNode | undefined {
    if (literal.type === 'ArrayExpression') {
      const index = Number(key);
      if (!Number.isInteger(index) || index < 0) return undefined;
      for (let i = 0; i <= index && i < literal.elements.length; i++) if (!literal.elements[i] || literal.elements[i].type === 'SpreadElement') return undefined;
      return literal.elements[index] ?? undefined;
    }
    const property = this.property(literal, key);
    return property?.kind === 'init' ? property.value : undefined;
  }

  /** The last property an object literal writes for `key` (a getter too); undefined when absent or when a spread or a key that does not fold could change it. */
  property(literal: AnyNode, key: string): AnyNode | undefined {
    let found: AnyNode | undefined;
    for (const property of literal.properties) {
      if (property.type !== 'Property') return undefined;
      const name = this.propertyKey(property);
      if (name === undefined) return undefined;
      if (name === key) found = property;
    }
    return found;
  }

  /** True when every use of the literal's value reads one of its properties by a key that folds. */
  isConfined(literal: AnyNode): boolean {
    let result = this.confined.get(literal);
    if (result === undefined) {
      // Assumed while the uses are checked, so a literal that refers to itself does not recurse forever.
      this.confined.set(literal, true);
      result = this.ownShapeIsPlain(literal) && this.holderConfines(literal);
      this.confined.set(literal, result);
    }
    return result;
  }

  private propertyKey(property: AnyNode): string | undefined {
    return property.computed ? this.keyOf(property.key) : plainKeyName(property.key, false);
  }

  /**
   * No `__proto__` key, no spread, no accessor that uses `this` (every read of its key would hand it the literal).
   * A method that uses `this` is judged where it is called (see `useConfines`).
   */
  private ownShapeIsPlain(literal: AnyNode): boolean {
    if (literal.type === 'ArrayExpression') return literal.elements.every((element: AnyNode | null) => element && element.type !== 'SpreadElement');
    return literal.properties.every(
      (property: AnyNode) =>
        property.type === 'Property' &&
        this.propertyKey(property) !== undefined &&
        this.propertyKey(property) !== '__proto__' &&
        !(property.kind !== 'init' && usesThis(property.value.body)),
    );
  }

  private holderConfines(literal: AnyNode): boolean {
    const { node, parent } = climbWrappers(literal);
    if (!parent) return false;
    if (parent.type === 'VariableDeclarator' && parent.init === node && parent.id.type === 'Identifier') {
      const variable = findVariable(this.scopeOf(parent.id), parent.id.name);
      return variable !== undefined && this.variableConfines(variable, literal, new Set());
    }
    if (parent.type === 'Property' && parent.value === node && isLiteral(parent.parent)) return this.isConfined(parent.parent!);
    if (parent.type === 'ArrayExpression') return this.isConfined(parent);
    return this.useConfines(node, literal, new Set());
  }

  /** Every reference of a variable holding `literal` reads from it; `seen` guards alias cycles. */
  private variableConfines(variable: Scope.Variable, literal: AnyNode, seen: Set<Scope.Variable>): boolean {
    if (seen.has(variable)) return true;
    seen.add(variable);
    if (variable.defs.length !== 1) return false;
    for (const reference of variable.references) {
      const ref = reference as unknown as { init?: boolean; isWrite(): boolean; identifier: AnyNode };
      if (ref.isWrite()) {
        if (ref.init) continue;
        return false;
      }
      if (!this.useConfines(ref.identifier, literal, seen)) return false;
    }
    return true;
  }

  /** One use of an expression whose value is `literal`. */
  private useConfines(expression: AnyNode, literal: AnyNode, seen: Set<Scope.Variable>): boolean {
    const { node, parent } = climbWrappers(expression);
    if (!parent) return false;
    switch (parent.type) {
      case 'MemberExpression': {
        if (parent.object !== node || isWriteTarget(parent)) return false;
        const key = parent.computed ? this.keyOf(parent.property) : plainKeyName(parent.property, false);
        if (key === undefined) return false;
        // Only its own keys: a method (`list.map(…)`, `list.concat()`) would be handed the literal as `this`.
        const value = this.propertyValue(literal, key);
        if (!value || (handsThis(unwrap(value)) && isMethodCallee(parent))) return false;
        return !isLiteral(value) || this.useConfines(parent, unwrap(value), seen);
      }
      case 'VariableDeclarator': {
        if (parent.init !== node) return false;
        if (parent.id.type === 'Identifier') {
          const variable = findVariable(this.scopeOf(parent.id), parent.id.name);
          return variable !== undefined && this.variableConfines(variable, literal, seen);
        }
        return this.patternConfines(parent.id, literal, seen);
      }
      case 'UnaryExpression':
        return parent.operator === 'typeof';
      default:
        return false;
    }
  }

  /** `const { load, sub: { run } } = api`: folded keys, no rest; names bound to nested literals are followed. */
  private patternConfines(pattern: AnyNode, literal: AnyNode, seen: Set<Scope.Variable>): boolean {
    if (pattern.type !== 'ObjectPattern' || literal.type !== 'ObjectExpression') return false;
    for (const property of pattern.properties) {
      if (property.type !== 'Property') return false;
      const key = this.propertyKey(property);
      if (key === undefined) return false;
      const value = this.propertyValue(literal, key);
      if (!isLiteral(value)) continue;
      const target = property.value.type === 'AssignmentPattern' ? property.value.left : property.value;
      if (target.type === 'Identifier') {
        const variable = findVariable(this.scopeOf(target), target.name);
        if (!variable || !this.variableConfines(variable, unwrap(value!), seen)) return false;
      } else if (!this.patternConfines(target, unwrap(value!), seen)) {
        return false;
      }
    }
    return true;
  }
}

/** A non-arrow function that uses `this`: called as a method, it is handed the literal. */
function handsThis(value: AnyNode): boolean {
  return isFunctionNode(value) && value.type !== 'ArrowFunctionExpression' && usesThis(value.body);
}

/** `holder.m(…)`, `holder.m?.()`, holder.m`…`: the member is called with its object as `this`. */
function isMethodCallee(member: AnyNode): boolean {
  const { node, parent } = climbWrappers(member);
  return (parent?.type === 'CallExpression' && parent.callee === node) || (parent?.type === 'TaggedTemplateExpression' && parent.tag === node);
}

/** A `this` in a function body, not counting nested non-arrow functions (whose `this` is their own). */
function usesThis(node: AnyNode): boolean {
  if (node.type === 'ThisExpression') return true;
  if (isFunctionNode(node) && node.type !== 'ArrowFunctionExpression') return false;
  for (const key of Object.keys(node)) {
    if (key === 'parent') continue;
    const value = node[key];
    if (Array.isArray(value)) {
      if (value.some((child) => child && typeof child.type === 'string' && usesThis(child))) return true;
    } else if (value && typeof value === 'object' && typeof value.type === 'string' && usesThis(value)) {
      return true;
    }
  }
  return false;
}
