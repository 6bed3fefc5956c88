/**
 * What hides inside an expression that is about to be executed or loaded:
 * a decoding step (`atob`, `Buffer.from(…, 'base64')`, `String.fromCharCode`,
 * `decodeURIComponent`, `unescape`…) or a long high-entropy blob. The search
 * follows const aliases, string building, method chains, callbacks and local
 * helper functions, and does not need the value to fold: a decode of an
 * unknown string is just as hidden.
 */
import type { AnyNode } from './ast.js';
import { isFunctionNode, unwrap } from './ast.js';
import { Resolver } from './resolve.js';

const DECODERS = new Set(['atob', 'decodeURIComponent', 'decodeURI', 'unescape', 'String.fromCharCode', 'String.fromCodePoint']);
const BINARY_ENCODINGS = new Set(['base64', 'base64url', 'hex']);
const MAX_DEPTH = 12;
const MAX_NODES = 2_000;

export const PAYLOAD_MIN_LENGTH = 200;
export const PAYLOAD_MIN_ENTROPY = 4.5;
/** Share of characters that must come from encoding alphabets (base64, hex, %XX, \xXX): code and prose fall short. */
const PAYLOAD_ALPHABET_SHARE = 0.95;
const ENCODING_ALPHABET = /[A-Za-z0-9+/=_%\\-]/;

export interface HiddenPayload {
  /** The decoding call found, e.g. `atob` or `Buffer.from(…, 'base64')`. */
  decoder?: string;
  payload?: { length: number; entropy: number };
}

export function hiddenPayload(resolver: Resolver, input: AnyNode): HiddenPayload {
  const found: HiddenPayload = {};
  const seen = new Set<AnyNode>();

  const visit = (raw: AnyNode | null | undefined, depth: number): void => {
    if (!raw || found.decoder || depth > MAX_DEPTH || seen.size > MAX_NODES || seen.has(raw)) return;
    seen.add(raw);
    const node = unwrap(raw);
    const next = (child: AnyNode | null | undefined) => visit(child, depth + 1);
    switch (node.type) {
      case 'Literal':
        if (typeof node.value === 'string') notePayload(node.value);
        return;
      case 'TemplateLiteral':
        notePayload(node.quasis.map((quasi: AnyNode) => quasi.value.cooked ?? '').join(''));
        node.expressions.forEach(next);
        return;
      case 'Identifier':
        // Every value the variable is given, not only a single constant one: `s += String.fromCharCode(c)`.
        resolver.writtenExpressions(node).forEach(next);
        return;
      case 'BinaryExpression':
      case 'LogicalExpression':
        next(node.left);
        next(node.right);
        return;
      case 'ConditionalExpression':
        next(node.consequent);
        next(node.alternate);
        return;
      case 'MemberExpression':
        next(node.object);
        return;
      case 'AwaitExpression':
        next(node.argument);
        return;
      case 'ArrayExpression':
        node.elements.forEach(next);
        return;
      case 'SpreadElement':
        next(node.argument);
        return;
      case 'CallExpression':
      case 'NewExpression': {
        const decoder = decoderName(resolver, node);
        if (decoder) {
          found.decoder = decoder;
          return;
        }
        const callee = unwrap(node.callee);
        if (callee.type === 'MemberExpression') next(callee.object);
        else if (callee.type === 'Identifier') next(resolver.declaredFunction(callee));
        node.arguments.forEach(next);
        return;
      }
      default:
        if (isFunctionNode(node)) visitBody(node.body, depth + 1);
    }
  };

  /** Inside a helper or callback, any decoding call counts. */
  const visitBody = (node: AnyNode, depth: number): void => {
    if (found.decoder || depth > MAX_DEPTH || seen.size > MAX_NODES) return;
    if (node.type === 'CallExpression' || node.type === 'NewExpression') {
      const decoder = decoderName(resolver, node);
      if (decoder) {
        found.decoder = decoder;
        return;
      }
    }
    for (const child of children(node)) {
      seen.add(child);
      visitBody(child, depth + 1);
    }
  };

  const notePayload = (text: string) => {
    if (found.payload || !isEncodedBlob(text)) return;
    found.payload = { length: text.length, entropy: shannonEntropy(text) };
  };

  visit(input, 0);
  return found;
}

/** The decoder a call invokes, named for the report; undefined for any other call. */
export function decoderName(resolver: Resolver, node: AnyNode): string | undefined {
  const call = resolver.normalizeCall(node);
  const name = Resolver.nameOf(call.callee);
  if (name === undefined) return textDecoderCall(resolver, node);
  if (DECODERS.has(name)) return name;
  if (name === 'Buffer.from' || name === 'Buffer') {
    const [data, encodingNode] = call.args ?? [];
    const encoding = encodingNode && resolver.folder.foldString(encodingNode);
    if (encoding !== undefined && BINARY_ENCODINGS.has(encoding.toLowerCase())) return `Buffer.from(…, '${encoding}')`;
    if (data && unwrap(data).type === 'ArrayExpression') return 'Buffer.from(char codes)';
  }
  return undefined;
}

/** `new TextDecoder().decode(bytes)`. */
function textDecoderCall(resolver: Resolver, node: AnyNode): string | undefined {
  const callee = unwrap(node.callee);
  if (callee.type !== 'MemberExpression' || callee.computed || callee.property.name !== 'decode') return undefined;
  const object = unwrap(callee.object);
  if (object.type !== 'NewExpression' || Resolver.nameOf(resolver.resolve(object.callee)) !== 'TextDecoder') return undefined;
  return 'TextDecoder.decode';
}

function children(node: AnyNode): AnyNode[] {
  const out: AnyNode[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === 'parent' || !value || typeof value !== 'object') continue;
    if (Array.isArray(value)) out.push(...value.filter((item) => item && typeof item.type === 'string'));
    else if (typeof (value as AnyNode).type === 'string') out.push(value as AnyNode);
  }
  return out;
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const character of text) counts.set(character, (counts.get(character) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

/** Long, dense and drawn from an encoding alphabet: not prose, not code. */
export function isEncodedBlob(text: string): boolean {
  if (text.length < PAYLOAD_MIN_LENGTH) return false;
  let inAlphabet = 0;
  for (const character of text) if (ENCODING_ALPHABET.test(character)) inAlphabet++;
  return inAlphabet / text.length >= PAYLOAD_ALPHABET_SHARE && shannonEntropy(text) >= PAYLOAD_MIN_ENTROPY;
}
