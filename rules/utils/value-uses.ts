/**
 * Whether a value only decides conditions: every place it flows to — through
 * conversions (`Number(v)`, `v.split('.')[0]`, `v || ''`), choices and
 * variables that hold it — ends in a test (`if (v)`, `v === 'x'`, `!v`,
 * `switch (v)`, `/re/.test(v)`, `v.startsWith('x')`). Such a value reveals at
 * most which branch runs, never itself, so reading it exposes nothing.
 *
 * That holds only while each test asks one fixed question. A test against
 * something that varies (`t[i] === c`, `t.startsWith(known + c)`), a piece
 * chosen by a varying index (`t.charCodeAt(i)`), or a comparison repeated in
 * a loop can ask many, and the answers spell the value out bit by bit. The
 * `revealsNothing` checks count those as reads; `onlyDecides` (where only
 * the value itself matters, not what its tests reveal) does not.
 */
import type { Scope } from 'eslint';
import type { AnyNode } from './ast.js';
import { climbWrappers, isFunctionNode, plainKeyName } from './ast.js';
import { Resolver } from './resolve.js';
import { findVariable, type ScopeOf } from './scope.js';

const COMPARISONS = new Set(['===', '!==', '==', '!=', '<', '>', '<=', '>=', 'in', 'instanceof']);
/** Methods of a string that answer yes or no about it. */
const TESTS = new Set(['startsWith', 'endsWith', 'includes', 'test', 'localeCompare']);
/** Methods and conversions whose result is the value, reshaped: what matters is where that goes. */
const RESHAPES = new Set(['split', 'trim', 'trimStart', 'trimEnd', 'toLowerCase', 'toUpperCase', 'slice', 'substring', 'substr', 'at', 'charAt', 'padStart', 'padEnd', 'normalize', 'replace', 'replaceAll']);
const CONVERSIONS = new Set(['Number', 'parseInt', 'parseFloat', 'Number.parseInt', 'Number.parseFloat', 'String', 'Boolean', 'Math.min', 'Math.max']);
const MAX_STEPS = 60;
const LOOPS = new Set(['ForStatement', 'ForInStatement', 'ForOfStatement', 'WhileStatement', 'DoWhileStatement']);
/** Array methods that call their callback once per element: its body is a loop's. */
const ITERATORS = new Set(['forEach', 'map', 'flatMap', 'filter', 'some', 'every', 'find', 'findIndex', 'findLast', 'findLastIndex', 'reduce', 'reduceRight', 'from']);

interface WalkState {
  steps: number;
  seen: Set<Scope.Variable>;
  /** Tests must ask one fixed question: against constants, outside loops. */
  fixedQuestions: boolean;
}

export class ValueUses {
  constructor(
    private readonly resolver: Resolver,
    private readonly scopeOf: ScopeOf,
  ) {}

  /** True when the value of `node` only ever decides conditions. */
  onlyDecides(node: AnyNode): boolean {
    return this.decides(node, { steps: 0, seen: new Set(), fixedQuestions: false });
  }

  /** True when the value of `node` only decides conditions that each ask one fixed question, so at most a bit of it leaves. */
  revealsNothing(node: AnyNode): boolean {
    return this.decides(node, { steps: 0, seen: new Set(), fixedQuestions: true });
  }

  /** `revealsNothing` for every read of the variable an identifier declares. */
  variableRevealsNothing(identifier: AnyNode): boolean {
    const variable = findVariable(this.scopeOf(identifier), identifier.name);
    return variable !== undefined && this.readsDecide(variable, { steps: 0, seen: new Set(), fixedQuestions: true });
  }

  private readsDecide(variable: Scope.Variable, state: WalkState): boolean {
    if (state.seen.has(variable)) return true;
    state.seen.add(variable);
    const reads = variable.references.filter((reference) => reference.isRead());
    return reads.length > 0 && reads.every((reference) => this.decides(reference.identifier as unknown as AnyNode, state));
  }

  private decides(start: AnyNode, state: WalkState): boolean {
    if (++state.steps > MAX_STEPS) return false;
    const { node, parent } = climbWrappers(start);
    if (!parent) return false;
    /** A question asked about the value with these other inputs: fixed when they are constants and it is asked once. */
    const fixed = (others: AnyNode[]) => !state.fixedQuestions || (others.every((other) => this.isConstant(other)) && !inLoop(parent));
    switch (parent.type) {
      case 'UnaryExpression':
        return parent.operator === '!' || parent.operator === 'typeof' || parent.operator === 'void';
      case 'BinaryExpression':
        return COMPARISONS.has(parent.operator) && fixed([parent.left === node ? parent.right : parent.left]);
      case 'IfStatement':
      case 'WhileStatement':
      case 'DoWhileStatement':
      case 'ForStatement':
        return parent.test === node;
      case 'SwitchStatement':
        return parent.discriminant === node && fixed(parent.cases.flatMap((c: AnyNode) => (c.test ? [c.test] : [])));
      case 'ExpressionStatement':
        return true; // read and dropped
      case 'ConditionalExpression':
        return parent.test === node || this.decides(parent, state);
      case 'LogicalExpression':
        // The left of `&&` is only tested; otherwise the value may become the result.
        return (parent.operator === '&&' && parent.left === node) || this.decides(parent, state);
      case 'MemberExpression': {
        // Used as a key: what it looks up (`table[v]`) carries the value on, unless only tests need to hold.
        if (parent.object !== node) return !state.fixedQuestions || this.decides(parent, state);
        const name = plainKeyName(parent.property, parent.computed) ?? (parent.computed ? 'index' : undefined);
        const call = climbWrappers(parent).parent;
        const called = call?.type === 'CallExpression' && call.callee === climbWrappers(parent).node;
        if (called && name && TESTS.has(name)) return fixed(call.arguments);
        if (called && name && RESHAPES.has(name)) return fixed(call.arguments) && this.decides(call, state);
        const piece = name === 'length' || /^\d+$/.test(name ?? '') || (name === 'index' && (!state.fixedQuestions || this.isConstant(parent.property)));
        return !called && piece && this.decides(parent, state);
      }
      case 'CallExpression': {
        if (parent.callee === node) return false;
        const callee = climbWrappers(parent.callee).node;
        const others = parent.arguments.filter((argument: AnyNode) => argument !== node);
        // `/re/.test(v)`, `list.includes(v)`: a yes or no about the value.
        if (callee.type === 'MemberExpression' && TESTS.has(plainKeyName(callee.property, callee.computed) ?? '')) return fixed([callee.object, ...others]);
        const name = Resolver.nameOf(this.resolver.resolve(callee));
        return name !== undefined && CONVERSIONS.has(name) && fixed(others) && this.decides(parent, state);
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

  /**
   * Anything that folds to one value, or a regular expression literal; but not a global or sticky expression, whose
   * `lastIndex` moves with each test, so that the same `re.test(v)` asks about another position each time.
   */
  private isConstant(node: AnyNode): boolean {
    if (node.type === 'Literal' && node.regex) return !/[gy]/.test(node.regex.flags);
    const folded = this.resolver.folder.fold(node);
    return folded !== undefined && !(folded.value instanceof RegExp && (folded.value.global || folded.value.sticky));
  }
}

/** `node` runs once per turn of a loop, or of a callback an array method calls per element, in its own function. */
function inLoop(node: AnyNode): boolean {
  for (let child = node, parent = node.parent; parent; child = parent, parent = parent.parent) {
    // What a loop's head computes once (`for (init; …)`, the iterable of `for…of`) does not repeat.
    if (LOOPS.has(parent.type) && child !== parent.init && child !== parent.right) return true;
    if (!isFunctionNode(parent)) continue;
    const call = parent.parent;
    const callee = call?.type === 'CallExpression' && call.arguments.includes(parent) ? climbWrappers(call.callee).node : undefined;
    return callee?.type === 'MemberExpression' && ITERATORS.has(plainKeyName(callee.property, callee.computed) ?? '');
  }
  return false;
}
