/**
 * obfuscator.io's "string array" transformation: every string of the program
 * moved into one array, the array rotated at start-up by an IIFE that loops
 * `arr.push(arr.shift())`, and each use replaced by a decoder call indexed
 * with a hex literal (`_0x4e5f(0x1a3)`). A large string array alone is
 * ordinary; together with a rotation or decoder bound to it, it is not.
 *
 * Beyond that tool's exact shapes, the principle: a string table whose order
 * is changed in place (rotated, reversed, shuffled — by a function of
 * any form that is handed the table, or by name) and that is read through a
 * decoder called with constant indexes. Each index then names another string
 * than the one a reader finds at that place.
 */
import type { Rule } from 'eslint';
import type { AnyNode } from './ast.js';
import { isFunctionNode, plainKeyName, unwrap } from './ast.js';
import { resolverFor } from './resolve.js';

const MIN_STRINGS = 5;
const MIN_DECODER_CALLS = 3;
const MAX_ALIAS_HOPS = 4;
const LOOPS = new Set(['WhileStatement', 'DoWhileStatement', 'ForStatement', 'ForInStatement', 'ForOfStatement']);
const HEX = /^0x[0-9a-f]+$/i;
const NUMERIC = /^(?:0x[0-9a-f]+|\d+)$/i;
/** Methods that reorder an array in place the same way every run (a `sort` orders it as a reader would expect). */
const REORDERING = new Set(['reverse', 'copyWithin']);
/** Index expressions worth folding: an obfuscator writes literals, or arithmetic and coercions of them. */
const INDEX_SHAPES = new Set(['Literal', 'UnaryExpression', 'BinaryExpression']);

export interface StringArrayFinding {
  node: AnyNode;
  kind: 'array' | 'rotation' | 'accessor';
  data: { name: string; count: string; mechanism: string };
}

interface StringArray {
  node: AnyNode;
  /** The names the array is reachable by: its variable, or the function that returns it. */
  names: string[];
}

/** A change of an array's order in place: the array it is made on, as written there, and what kind of change. */
interface Reorder {
  target: AnyNode;
  kind: 'rotation' | 'shuffle';
}

export function stringArrayListeners(context: Rule.RuleContext, onFound: (finding: StringArrayFinding) => void): Rule.RuleListener {
  const resolver = resolverFor(context);
  const arrays: StringArray[] = [];
  const rotations: AnyNode[] = [];
  const reorders: Reorder[] = [];
  /** Calls with a first argument that may be a constant index: `_0x4e5f(0x1a3)`, `k(300)`, `d('0x1')`. */
  const indexedCalls: AnyNode[] = [];
  /** `abc = function () { return bde; }` inside `function abc` that holds the array `bde`. */
  const accessors: AnyNode[] = [];

  /** The function a decoder call reaches, through `const alias = _0x4e5f` chains, or stored in a local object (`dec.get(300)`). */
  const decoderFunction = (callee: AnyNode): AnyNode | undefined => {
    let current: AnyNode | undefined = callee;
    for (let hop = 0; current && hop < MAX_ALIAS_HOPS; hop++) {
      if (current.type === 'MemberExpression') {
        const stored = resolver.literalValue(current);
        current = stored && unwrap(stored);
        if (current && isFunctionNode(current)) return current;
        continue;
      }
      const declared = resolver.declaredFunction(current);
      if (declared) return declared;
      const alias = resolver.aliasedExpression(current);
      current = alias && unwrap(alias.node).type === 'Identifier' ? unwrap(alias.node) : undefined;
    }
    return undefined;
  };

  /** The constant index a call passes, and whether it is written in hex, as obfuscator.io writes it. */
  const indexOf = (call: AnyNode): { hex: boolean } | undefined => {
    const first = unwrap(call.arguments[0]);
    const raw = first.type === 'Literal' ? String(first.raw).replace(/^['"]|['"]$/g, '') : undefined;
    if (raw !== undefined && HEX.test(raw)) return { hex: true };
    const value = resolver.folder.fold(first)?.value;
    return typeof value === 'number' || (typeof value === 'string' && NUMERIC.test(value)) ? { hex: false } : undefined;
  };

  /**
   * Whether an expression is the array: the literal itself, a name that holds it or the function that returns it,
   * a call of that function, or a parameter every call fills with one of those (a rotation helper of any form).
   */
  const reaches = (input: AnyNode, array: StringArray, hops = 0): boolean => {
    const node = unwrap(input);
    if (node === array.node) return true;
    if (hops > MAX_ALIAS_HOPS) return false;
    if (node.type === 'CallExpression') return node.arguments.length === 0 && reaches(node.callee, array, hops + 1);
    if (node.type !== 'Identifier') return false;
    const args = resolver.parameterArguments(node);
    if (args) return args.some((arg) => arg !== undefined && reaches(arg, array, hops + 1));
    const alias = resolver.aliasedExpression(node);
    return alias ? reaches(alias.node, array, hops + 1) : array.names.includes(node.name);
  };

  const mentions = (node: AnyNode, names: string[]) => {
    const text = context.sourceCode.getText(node as never);
    return names.some((name) => new RegExp(`(^|[^\\w$])${name.replace(/\$/g, '\\$')}([^\\w$]|$)`).test(text));
  };

  return {
    ArrayExpression: (node: AnyNode) => {
      const strings = node.elements.filter((e: AnyNode | null) => e?.type === 'Literal' && typeof e.value === 'string');
      if (strings.length < MIN_STRINGS || strings.length !== node.elements.length) return;
      const names = holderNames(node);
      if (names.length) arrays.push({ node, names });
    },
    AssignmentExpression: (node: AnyNode) => {
      if (isSelfReplacement(node)) accessors.push(node);
      const swapped = insideLoop(node) ? swappedArray(node) : undefined;
      if (swapped) reorders.push({ target: swapped, kind: 'shuffle' });
    },
    CallExpression: (node: AnyNode) => {
      if (isRotation(node)) {
        rotations.push(node);
        reorders.push({ target: unwrap(unwrap(node.callee).object), kind: 'rotation' });
      }
      const callee = unwrap(node.callee);
      const reordered = callee.type === 'MemberExpression' && REORDERING.has(memberKey(callee) ?? '') ? unwrap(callee.object) : undefined;
      if (reordered?.type === 'Identifier') reorders.push({ target: reordered, kind: 'shuffle' });
      const first = node.arguments[0];
      if ((callee.type === 'Identifier' || callee.type === 'MemberExpression') && first && INDEX_SHAPES.has(unwrap(first).type)) indexedCalls.push(node);
    },
    'Program:exit': () => {
      const explained = new Set<AnyNode | undefined>();
      // Each local function called by constant index, with how many such calls it gets (and how many in hex): worked out once for all arrays.
      const decoders = new Map<AnyNode, { calls: number; hex: number }>();
      for (const call of arrays.length ? indexedCalls : []) {
        const decoder = decoderFunction(unwrap(call.callee));
        const index = decoder && indexOf(call);
        if (!decoder || !index) continue;
        const counts = decoders.get(decoder) ?? { calls: 0, hex: 0 };
        counts.calls++;
        if (index.hex) counts.hex++;
        decoders.set(decoder, counts);
      }
      for (const array of arrays) {
        const rotation = rotations.find((candidate) => insideLoop(candidate) && iifeArguments(candidate).some((arg) => arg.type === 'Identifier' && array.names.includes(arg.name)));
        const indexes = { calls: 0, hex: 0 };
        for (const [decoder, counts] of decoders) {
          if (!mentions(decoder, array.names)) continue;
          indexes.calls += counts.calls;
          indexes.hex += counts.hex;
        }
        const hexDecoder = indexes.hex >= MIN_DECODER_CALLS;
        // Reordered in place and read by constant indexes: each index names another string than the one written there.
        const reorder = !rotation && !hexDecoder && indexes.calls >= MIN_DECODER_CALLS ? reorders.find((candidate) => reaches(candidate.target, array)) : undefined;
        const accessor = accessors.find((assignment) => array.names.includes(assignment.left.name) && mentions(assignment.right, array.names));
        const mechanisms = [rotation && 'rotation loop', hexDecoder && 'hex-indexed decoder', reorder && `${reorder.kind} read through an index decoder`, accessor && 'self-replacing accessor'].filter(Boolean);
        if (!mechanisms.length) continue;
        const data = { name: array.names[0], count: String(array.node.elements.length), mechanism: mechanisms.join(' and ') };
        onFound({ node: array.node, kind: 'array', data });
        if (accessor) onFound({ node: accessor, kind: 'accessor', data });
        if (rotation) explained.add(enclosingIife(rotation));
      }
      // The rotation loop alone (its array built elsewhere) is the same obfuscator's start-up code: one finding per loop's function.
      for (const rotation of rotations) {
        const iife = insideLoop(rotation) ? enclosingIife(rotation) : undefined;
        if (!iife || explained.has(iife)) continue;
        explained.add(iife);
        onFound({ node: iife, kind: 'rotation', data: { name: rotatedName(rotation), count: '?', mechanism: 'rotation loop' } });
      }
    },
  } as Rule.RuleListener;
}

/** `var _0x1234 = [...]`, or `function _0x1b2c() { const a = [...]; … }` (obfuscator.io ≥ 2.x). */
function holderNames(array: AnyNode): string[] {
  const names: string[] = [];
  const parent = array.parent;
  if (parent?.type === 'VariableDeclarator' && parent.id.type === 'Identifier') names.push(parent.id.name);
  for (let node = parent; node; node = node.parent) {
    if (isFunctionNode(node)) {
      if (node.id?.name) names.push(node.id.name);
      break;
    }
  }
  return names;
}

/**
 * `a.push(a.shift())`, `a['push'](a['shift']())`, or the other way round, `a.unshift(a.pop())`; several places at
 * once, `a.push(...a.splice(0, n))`.
 */
function isRotation(node: AnyNode): boolean {
  const callee = unwrap(node.callee);
  const first = node.arguments[0];
  const arg = first && unwrap(first.type === 'SpreadElement' ? first.argument : first);
  const outer = callee.type === 'MemberExpression' ? memberKey(callee) : undefined;
  if ((outer !== 'push' && outer !== 'unshift') || arg?.type !== 'CallExpression') return false;
  const inner = unwrap(arg.callee);
  const taken = first.type === 'SpreadElement' ? 'splice' : outer === 'push' ? 'shift' : 'pop';
  if (inner.type !== 'MemberExpression' || memberKey(inner) !== taken) return false;
  const target = unwrap(callee.object);
  const source = unwrap(inner.object);
  return target.type === 'Identifier' && source.type === 'Identifier' && target.name === source.name;
}

/** `[a[i], a[j]] = [a[j], a[i]]` or `a[i] = a[j]`: the array whose elements trade places, a shuffle's step. */
function swappedArray(node: AnyNode): AnyNode | undefined {
  if (node.operator !== '=') return undefined;
  const left = unwrap(node.left);
  const right = unwrap(node.right);
  const writes = left.type === 'ArrayPattern' ? left.elements : [left];
  const reads = left.type === 'ArrayPattern' && right.type === 'ArrayExpression' ? right.elements : [right];
  const arrayOf = (element: AnyNode | null) => (element?.type === 'MemberExpression' && element.computed && unwrap(element.object).type === 'Identifier' ? unwrap(element.object).name : undefined);
  const name = arrayOf(writes[0]);
  const same = (elements: (AnyNode | null)[]) => elements.length > 0 && elements.every((element) => arrayOf(element) === name);
  return name !== undefined && same(writes) && same(reads) ? unwrap(writes[0].object) : undefined;
}

function rotatedName(rotation: AnyNode): string {
  const target = unwrap(unwrap(rotation.callee).object);
  return target.type === 'Identifier' ? target.name : 'an array';
}

/** The immediately invoked function call around `node`, if any. */
function enclosingIife(node: AnyNode): AnyNode | undefined {
  for (let current = node.parent; current; current = current.parent) {
    const call = current.parent;
    if (isFunctionNode(current) && call?.type === 'CallExpression' && unwrap(call.callee) === current) return call;
  }
  return undefined;
}

/** `abc = function () { return bde; }` inside `function abc () { … }`: the holder swaps itself for a plain accessor. */
function isSelfReplacement(node: AnyNode): boolean {
  if (node.operator !== '=' || node.left.type !== 'Identifier' || !isFunctionNode(unwrap(node.right))) return false;
  for (let current = node.parent; current; current = current.parent) {
    if (isFunctionNode(current)) return current.id?.name === node.left.name;
  }
  return false;
}

function memberKey(member: AnyNode): string | undefined {
  if (!member.computed) return plainKeyName(member.property, false);
  return member.property.type === 'Literal' ? String(member.property.value) : undefined;
}

function insideLoop(node: AnyNode): boolean {
  for (let current = node.parent; current; current = current.parent) if (LOOPS.has(current.type)) return true;
  return false;
}

/** The arguments of every immediately invoked function around `node`. */
function iifeArguments(node: AnyNode): AnyNode[] {
  const args: AnyNode[] = [];
  for (let current = node.parent; current; current = current.parent) {
    const call = current.parent;
    if (isFunctionNode(current) && call?.type === 'CallExpression' && unwrap(call.callee) === current) args.push(...call.arguments);
  }
  return args;
}
