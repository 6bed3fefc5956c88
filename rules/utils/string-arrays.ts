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
    CallExpression: (node: AnyNode) => {
      if (isRotation(node)) rotations.push(node);
      const first = node.arguments[0];
      if (unwrap(node.callee).type === 'Identifier' && first?.type === 'Literal' && HEX.test(String(first.raw).replace(/^['"]|['"]$/g, ''))) {
        hexIndexedCalls.push(node);
      }
    },
    'Program:exit': () => {
      for (const array of arrays) {
        const rotated = rotations.some((rotation) => insideLoop(rotation) && iifeArguments(rotation).some((arg) => arg.type === 'Identifier' && array.names.includes(arg.name)));
        const decoderCalls = hexIndexedCalls.filter((call) => {
          const decoder = decoderFunction(unwrap(call.callee));
          return decoder !== undefined && mentions(decoder, array.names);
        }).length;
        const mechanisms = [rotated && 'rotation loop', decoderCalls >= MIN_DECODER_CALLS && 'hex-indexed decoder'].filter(Boolean);
        if (!mechanisms.length) continue;
        onFound({ node: array.node, data: { name: array.names[0], count: String(array.node.elements.length), mechanism: mechanisms.join(' and ') } });
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

/** `a.push(a.shift())` or `a['push'](a['shift']())`. */
function isRotation(node: AnyNode): boolean {
  const callee = unwrap(node.callee);
  const arg = node.arguments[0] && unwrap(node.arguments[0]);
  if (callee.type !== 'MemberExpression' || memberKey(callee) !== 'push' || arg?.type !== 'CallExpression') return false;
  const inner = unwrap(arg.callee);
  if (inner.type !== 'MemberExpression' || memberKey(inner) !== 'shift') return false;
  const target = unwrap(callee.object);
  const source = unwrap(inner.object);
  return target.type === 'Identifier' && source.type === 'Identifier' && target.name === source.name;
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
