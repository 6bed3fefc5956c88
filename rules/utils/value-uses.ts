/**
 * Whether a value only decides conditions: every place it flows to — through
 * conversions (`Number(v)`, `v.split('.')[0]`, `v || ''`), choices and
 * variables that hold it — ends in a test (`if (v)`, `v === 'x'`, `!v`,
 * `switch (v)`, `/re/.test(v)`, `v.startsWith('x')`). Such a value reveals at
 * most which branch runs, never itself, so reading it exposes nothing.
 */
import type { Scope } from 'eslint';
import type { AnyNode } from './ast.js';
import { climbWrappers, plainKeyName } from './ast.js';
import { Resolver } from './resolve.js';
import { findVariable, type ScopeOf } from './scope.js';

const COMPARISONS = new Set(['===', '!==', '==', '!=', '<', '>', '<=', '>=', 'in', 'instanceof']);
/** Methods of a string that answer yes or no about it. */
const TESTS = new Set(['startsWith', 'endsWith', 'includes', 'test', 'localeCompare']);
/** Methods and conversions whose result is the value, reshaped: what matters is where that goes. */
const RESHAPES = new Set(['split', 'trim', 'trimStart', 'trimEnd', 'toLowerCase', 'toUpperCase', 'slice', 'substring', 'substr', 'at', 'charAt', 'padStart', 'padEnd', 'normalize', 'replace', 'replaceAll']);
const CONVERSIONS = new Set(['Number', 'parseInt', 'parseFloat', 'Number.parseInt', 'Number.parseFloat', 'String', 'Boolean', 'Math.min', 'Math.max']);
const MAX_STEPS = 60;

export class ValueUses {
  constructor(
    private readonly resolver: Resolver,
    private readonly scopeOf: ScopeOf,
  ) {}

  /** True when the value of `node` only ever decides conditions. */
  onlyDecides(node: AnyNode): boolean {
    return this.decides(node, { steps: 0, seen: new Set() });
  }

  /** True when every read of the variable an identifier declares only decides conditions. */
  variableOnlyDecides(identifier: AnyNode): boolean {
    const variable = findVariable(this.scopeOf(identifier), identifier.name);
    return variable !== undefined && this.readsDecide(variable, { steps: 0, seen: new Set() });
  }

  private readsDecide(variable: Scope.Variable, state: { steps: number; seen: Set<Scope.Variable> }): boolean {
    if (state.seen.has(variable)) return true;
    state.seen.add(variable);
    const reads = variable.references.filter((reference) => reference.isRead());
    return reads.length > 0 && reads.every((reference) => this.decides(reference.identifier as unknown as AnyNode, state));
  }

  private decides(start: AnyNode, state: { steps: number; seen: Set<Scope.Variable> }): boolean {
    if (++state.steps > MAX_STEPS) return false;
    const { node, parent } = climbWrappers(start);
    if (!parent) return false;
    switch (parent.type) {
      case 'UnaryExpression':
        return parent.operator === '!' || parent.operator === 'typeof' || parent.operator === 'void';
      case 'BinaryExpression':
        return COMPARISONS.has(parent.operator);
      case 'IfStatement':
      case 'WhileStatement':
      case 'DoWhileStatement':
      case 'ForStatement':
        return parent.test === node;
      case 'SwitchStatement':
        return parent.discriminant === node;
      case 'ExpressionStatement':
        return true; // read and dropped
      case 'ConditionalExpression':
        return parent.test === node || this.decides(parent, state);
      case 'LogicalExpression':
        // The left of `&&` is only tested; otherwise the value may become the result.
        return (parent.operator === '&&' && parent.left === node) || this.decides(parent, state);
      case 'MemberExpression': {
        if (parent.object !== node) return true; // used as a key
        const name = plainKeyName(parent.property, parent.computed) ?? (parent.computed ? 'index' : undefined);
        const call = climbWrappers(parent).parent;
        const called = call?.type === 'CallExpression' && call.callee === climbWrappers(parent).node;
        if (called && name && TESTS.has(name)) return true;
        if (called && name && RESHAPES.has(name)) return this.decides(call, state);
        return !called && (name === 'length' || name === 'index' || /^\d+$/.test(name ?? '')) && this.decides(parent, state);
      }
      case 'CallExpression': {
        if (parent.callee === node) return false;
        const callee = climbWrappers(parent.callee).node;
        // `/re/.test(v)`, `list.includes(v)`: a yes or no about the value.
        if (callee.type === 'MemberExpression' && TESTS.has(plainKeyName(callee.property, callee.computed) ?? '')) return true;
        const name = Resolver.nameOf(this.resolver.resolve(callee));
        return name !== undefined && CONVERSIONS.has(name) && this.decides(parent, state);
      }
      case 'VariableDeclarator': {
        if (parent.init !== node || parent.id.type !== 'Identifier') return false;
        const variable = findVariable(this.scopeOf(parent.id), parent.id.name);
        return variable !== undefined && this.readsDecide(variable, state);
      }
      default:
        return false;
    }
  }
}
