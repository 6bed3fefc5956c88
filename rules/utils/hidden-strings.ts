/**
 * What hides inside an expression that is about to be executed or loaded:
 * a decoding step (`atob`, `Buffer.from(…, 'base64')`, `String.fromCharCode`,
 * `decodeURIComponent`, `unescape`…, or a packer's substitution of words from
 * a dictionary) or a long high-entropy blob. The search
 * follows const aliases, string building, method chains, callbacks and local
 * helper functions, and does not need the value to fold: a decode of an
 * unknown string is just as hidden.
 */
import type { AnyNode } from './ast.js';
import { descendants, isFunctionNode, plainKeyName, unwrap } from './ast.js';
import { Resolver } from './resolve.js';

const DECODERS = new Set(['atob', 'decodeURIComponent', 'decodeURI', 'unescape', 'String.fromCharCode', 'String.fromCodePoint']);
const BINARY_ENCODINGS = new Set(['base64', 'base64url', 'hex']);
const MAX_DEPTH = 12;
const MAX_NODES = 2_000;
const MAX_DICTIONARY_HOPS = 4;
/** Methods that build a string from pieces a callback or an expression supplies: where packers put their words back. */
const SUBSTITUTIONS: Record<string, number> = { replace: 1, replaceAll: 1, map: 0 };
const PACKER = 'words put back from a dictionary (a packer)';

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
        // `eval(function (p, a, c, k, e, d) { … }(…))`: the code is what the function written there returns.
        else if (isFunctionNode(callee)) next(callee);
        node.arguments.forEach(next);
        return;
      }
      default:
        if (!isFunctionNode(node)) return;
        // An unpacker also decodes its word indexes (`String.fromCharCode`): the dictionary says what it is.
        if (descendants(node.body, (child) => child.type === 'CallExpression' && dictionaryDecoder(resolver, child) !== undefined).length) found.decoder = PACKER;
        else visitBody(node.body, depth + 1);
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
  if (name === undefined) return textDecoderCall(resolver, node) ?? dictionaryDecoder(resolver, node);
  if (DECODERS.has(name)) return name;
  if (name === 'Buffer.from' || name === 'Buffer') {
    const [data, encodingNode] = call.args ?? [];
    const encoding = encodingNode && resolver.folder.foldString(encodingNode);
    if (encoding !== undefined && BINARY_ENCODINGS.has(encoding.toLowerCase())) return `Buffer.from(…, '${encoding}')`;
    if (data && unwrap(data).type === 'ArrayExpression') return 'Buffer.from(char codes)';
  }
  // `src.replace(…)` of an unknown global `src` still has a name.
  return dictionaryDecoder(resolver, node);
}

/** `new TextDecoder().decode(bytes)`. */
function textDecoderCall(resolver: Resolver, node: AnyNode): string | undefined {
  const callee = unwrap(node.callee);
  if (callee.type !== 'MemberExpression' || callee.computed || callee.property.name !== 'decode') return undefined;
  const object = unwrap(callee.object);
  if (object.type !== 'NewExpression' || Resolver.nameOf(resolver.resolve(object.callee)) !== 'TextDecoder') return undefined;
  return 'TextDecoder.decode';
}

/**
 * A packer's decoding step: a string rebuilt by putting back words looked up in
 * a dictionary written in the file, by an index only known at run time —
 * `p.replace(new RegExp('\\b' + e(c) + '\\b', 'g'), k[c])` with `k` a
 * `'var|os|…'.split('|')`, `s.replace(/\w+/g, (w) => words[w])`,
 * `codes.map((i) => dict[i])`. The callback may be written there or named.
 */
function dictionaryDecoder(resolver: Resolver, node: AnyNode): string | undefined {
  const callee = unwrap(node.callee);
  const method = callee.type === 'MemberExpression' ? plainKeyName(callee.property, callee.computed) : undefined;
  const index = method !== undefined && Object.hasOwn(SUBSTITUTIONS, method) ? SUBSTITUTIONS[method] : undefined;
  const supplier = index === undefined ? undefined : node.arguments[index];
  if (!supplier) return undefined;
  const fn = resolver.localFunction(supplier);
  const lookups = fn ? descendants(fn.body, (child) => child.type === 'MemberExpression') : [unwrap(supplier)];
  return lookups.some((lookup) => lookup.type === 'MemberExpression' && lookup.computed && unwrap(lookup.property).type !== 'Literal' && isDictionary(resolver, lookup.object, 0)) ? PACKER : undefined;
}

/**
 * A list of words the file writes out, read by position, reached through aliases and the parameters it fills. A
 * table keyed by the text it replaces (`{ '&': '&amp;' }`, lodash's `stringEscapes`) is an escaper, not a dictionary.
 */
function isDictionary(resolver: Resolver, input: AnyNode, hops: number): boolean {
  const node = unwrap(input);
  switch (node.type) {
    case 'ArrayExpression':
      return node.elements.length > 0 && node.elements.every((element: AnyNode | null) => element?.type === 'Literal' && typeof element.value === 'string');
    case 'CallExpression': {
      // `'var|os|tmp'.split('|')`
      const callee = unwrap(node.callee);
      return callee.type === 'MemberExpression' && plainKeyName(callee.property, callee.computed) === 'split' && resolver.folder.foldString(callee.object) !== undefined;
    }
    case 'Identifier': {
      if (hops >= MAX_DICTIONARY_HOPS) return false;
      // Any value the name is given: a parameter's by what its calls pass, even when the body later reuses the name (the unpacker's `k = [function …]`).
      const sources = [...resolver.writtenExpressions(node), ...(resolver.passedArguments(node) ?? [])];
      return sources.some((source) => source !== undefined && isDictionary(resolver, source, hops + 1));
    }
    default:
      return false;
  }
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
