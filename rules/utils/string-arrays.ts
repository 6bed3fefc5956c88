/**
 * obfuscator.io's "string array" transformation: every string of the program
 * moved into one array, the array rotated at start-up by an IIFE that loops
 * `arr.push(arr.shift())`, and each use replaced by a decoder call indexed
 * with a hex literal (`_0x4e5f(0x1a3)`). A large string array alone is
 * ordinary; together with a rotation or decoder bound to it, it is not.
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

export function stringArrayListeners(context: Rule.RuleContext, onFound: (finding: StringArrayFinding) => void): Rule.RuleListener {
  const resolver = resolverFor(context);
  const arrays: StringArray[] = [];
  const rotations: AnyNode[] = [];
  const hexIndexedCalls: AnyNode[] = [];
  /** `abc = function () { return bde; }` inside `function abc` that holds the array `bde`. */
  const accessors: AnyNode[] = [];

  /** The function a decoder call reaches, through `const alias = _0x4e5f` chains. */
  const decoderFunction = (callee: AnyNode): AnyNode | undefined => {
    let current: AnyNode | undefined = callee;
    for (let hop = 0; current && hop < MAX_ALIAS_HOPS; hop++) {
      const declared = resolver.declaredFunction(current);
      if (declared) return declared;
      const alias = resolver.aliasedExpression(current);
      current = alias && unwrap(alias.node).type === 'Identifier' ? unwrap(alias.node) : undefined;
    }
    return undefined;
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
    },
    CallExpression: (node: AnyNode) => {
      if (isRotation(node)) rotations.push(node);
      const first = node.arguments[0];
      if (unwrap(node.callee).type === 'Identifier' && first?.type === 'Literal' && HEX.test(String(first.raw).replace(/^['"]|['"]$/g, ''))) {
        hexIndexedCalls.push(node);
      }
    },
    'Program:exit': () => {
      const explained = new Set<AnyNode | undefined>();
      for (const array of arrays) {
        const rotation = rotations.find((candidate) => insideLoop(candidate) && iifeArguments(candidate).some((arg) => arg.type === 'Identifier' && array.names.includes(arg.name)));
        const decoderCalls = hexIndexedCalls.filter((call) => {
          const decoder = decoderFunction(unwrap(call.callee));
          return decoder !== undefined && mentions(decoder, array.names);
        }).length;
        const accessor = accessors.find((assignment) => array.names.includes(assignment.left.name) && mentions(assignment.right, array.names));
        const mechanisms = [rotation && 'rotation loop', decoderCalls >= MIN_DECODER_CALLS && 'hex-indexed decoder', accessor && 'self-replacing accessor'].filter(Boolean);
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

/** `a.push(a.shift())`, `a['push'](a['shift']())`, or the other way round, `a.unshift(a.pop())`. */
function isRotation(node: AnyNode): boolean {
  const callee = unwrap(node.callee);
  const arg = node.arguments[0] && unwrap(node.arguments[0]);
  const outer = callee.type === 'MemberExpression' ? memberKey(callee) : undefined;
  if ((outer !== 'push' && outer !== 'unshift') || arg?.type !== 'CallExpression') return false;
  const inner = unwrap(arg.callee);
  if (inner.type !== 'MemberExpression' || memberKey(inner) !== (outer === 'push' ? 'shift' : 'pop')) return false;
  const target = unwrap(callee.object);
  const source = unwrap(inner.object);
  return target.type === 'Identifier' && source.type === 'Identifier' && target.name === source.name;
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
