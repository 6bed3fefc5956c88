/**
 * no-obfuscation: code written so a reviewer cannot read what it does —
 * decoded strings that are executed or loaded as modules, obfuscator.io-style
 * string arrays, long high-entropy strings that are executed, and characters
 * that make source read differently from how it runs (Trojan Source).
 */
import type { Rule } from 'eslint';
import { defineRule } from './meta.js';
import type { AnyNode } from './utils/ast.js';
import { isWriteTarget, plainKeyName, unwrap } from './utils/ast.js';
import { codeSinkOf } from './utils/code-sinks.js';
import { combineListeners } from './utils/listeners.js';
import { moduleLoadListeners } from './utils/modules.js';
import { decoderName, hiddenPayload } from './utils/hidden-strings.js';
import { report } from './utils/report.js';
import { DYNAMIC, Resolver, resolverFor } from './utils/resolve.js';
import { stringArrayListeners } from './utils/string-arrays.js';

/** What a hidden name looks like once decoded: a word, a module specifier or an address, not prose or binary. */
const HIDDEN_NAME = /^[\w@.\/:%?=&#~+-]{2,400}$/;
const STRING_ARRAY_MESSAGES = { array: 'stringArray', rotation: 'rotationLoop', accessor: 'arrayAccessor' } as const;
const REFLECTIVE_READS = new Set(['Reflect.get', 'Object.getOwnPropertyDescriptor', 'Reflect.getOwnPropertyDescriptor']);
const MEMBER_LISTS = new Set(['Object.entries', 'Object.values', 'Object.keys', 'Object.getOwnPropertyNames', 'Object.getOwnPropertyDescriptors', 'Reflect.ownKeys']);
/** Bidirectional overrides and isolates: the characters of CVE-2021-42574. */
const BIDI = /[\u202A-\u202E\u2066-\u2069]/g;
/** Invisible characters that make two identifiers look identical. */
const ZERO_WIDTH = /[\u200B-\u200D\u2060\uFEFF]/g;
const BIDI_NAMES: Record<string, string> = {
  '\u202A': 'LEFT-TO-RIGHT EMBEDDING',
  '\u202B': 'RIGHT-TO-LEFT EMBEDDING',
  '\u202C': 'POP DIRECTIONAL FORMATTING',
  '\u202D': 'LEFT-TO-RIGHT OVERRIDE',
  '\u202E': 'RIGHT-TO-LEFT OVERRIDE',
  '\u2066': 'LEFT-TO-RIGHT ISOLATE',
  '\u2067': 'RIGHT-TO-LEFT ISOLATE',
  '\u2068': 'FIRST STRONG ISOLATE',
  '\u2069': 'POP DIRECTIONAL ISOLATE',
};

const rule = defineRule({
  name: 'no-obfuscation',
  description: 'Disallow obfuscated code: decode-then-execute, string-array obfuscation, executed high-entropy blobs, Trojan Source characters.',
  messages: {
    decodeExecute: 'Decodes a string with {{decoder}} and passes the result to {{sink}}: hidden code or a hidden module name.',
    payloadExecute:
      'Passes a long high-entropy string ({{length}} characters, {{entropy}} bits per character) to {{sink}}: an encoded payload.',
    stringArray:
      "Obfuscator-style string array '{{name}}' ({{count}} strings) with a {{mechanism}}: the code's real strings are hidden on purpose.",
    bidi: 'Invisible bidirectional control character {{code}} ({{character}}) makes this code read differently from how it runs (Trojan Source).',
    zeroWidth: "Identifier '{{name}}' contains an invisible zero-width character ({{code}}), so it can pose as another name.",
    computedMember: "Reaches {{module}}.{{member}} through a computed key, a spelling that hides from a reader which member is used.",
    hiddenMember: "Reaches a member of '{{module}}' through a key built at run time ({{key}}), so a reader cannot see which function it uses.",
    reflectedMember: "Reaches {{module}}.{{member}} through {{how}}, a spelling that hides the call from a reader.",
    enumeratedModule: "Walks the members of '{{module}}' with {{how}}, so which of its functions is used is only known at run time.",
    decodedName: "Decodes '{{value}}' from an encoded literal with {{decoder}}: a name hidden from a reader.",
    rotationLoop: "Rotates the array '{{name}}' in a start-up loop until a checksum matches, as obfuscator.io's string-array code does.",
    arrayAccessor: "Replaces itself with an accessor of the hidden string array '{{name}}', as obfuscator.io's string-array code does.",
    disguisedConstant: 'Writes the constant {{value}} as {{text}}, a spelling only obfuscators use.',
  },
  findings: {
    decodeExecute: { category: 'obfuscation', severity: 'critical' },
    payloadExecute: { category: 'obfuscation', severity: 'critical' },
    stringArray: { category: 'obfuscation', severity: 'critical' },
    bidi: { category: 'obfuscation', severity: 'critical' },
    zeroWidth: { category: 'obfuscation', severity: 'high' },
    computedMember: { category: 'obfuscation', severity: 'low' },
    hiddenMember: { category: 'obfuscation', severity: 'medium' },
    reflectedMember: { category: 'obfuscation', severity: 'medium' },
    enumeratedModule: { category: 'obfuscation', severity: 'medium' },
    decodedName: { category: 'obfuscation', severity: 'low' },
    rotationLoop: { category: 'obfuscation', severity: 'high' },
    arrayAccessor: { category: 'obfuscation', severity: 'medium' },
    disguisedConstant: { category: 'obfuscation', severity: 'low' },
  },
  create(context) {
    const resolver = resolverFor(context);
    const reportedNames = new Set<string>();

    /** Reports what hides inside the expressions a sink executes or loads. */
    const checkSink = (node: AnyNode, sink: string, inputs: AnyNode[]) => {
      for (const input of inputs) {
        const hidden = hiddenPayload(resolver, input);
        if (hidden.decoder) {
          report(context, rule, { node, messageId: 'decodeExecute', data: { decoder: hidden.decoder, sink } });
          return;
        }
        if (hidden.payload) {
          const data = { sink, length: String(hidden.payload.length), entropy: hidden.payload.entropy.toFixed(2) };
          report(context, rule, { node, messageId: 'payloadExecute', data });
          return;
        }
      }
    };

    /** A builtin or installed package (not one of the plugin's own files), as a whole or a part of it (`fs.promises`). */
    const moduleNamed = (node: AnyNode | undefined): string | undefined => {
      const ref = node && resolver.resolve(node);
      if (ref?.module === undefined || ref.module === DYNAMIC || /^[./#]/.test(ref.module) || ref.path.some((step) => step.startsWith('%') || step === DYNAMIC)) return undefined;
      return [ref.module, ...ref.path].join('.');
    };

    /** `os['hostname']`, `os['host' + 'name']`, `os[atob(…)]`, `os[Object.keys(os).find(…)]`: a module member whose name a reader cannot see. */
    const checkModuleMember = (node: AnyNode) => {
      if (!node.computed || isWriteTarget(node)) return;
      const module = moduleNamed(node.object);
      if (!module) return;
      const property = unwrap(node.property);
      if (property.type === 'Literal' && typeof property.value === 'string') {
        report(context, rule, { node, messageId: 'computedMember', data: { module, member: property.value } });
        return;
      }
      const key = resolver.folder.foldString(property);
      // A key from a list the file spells out (`for (const m of ['readFile', 'stat']) fs[m]`) hides nothing.
      if (key === undefined && resolver.folder.possibleValues(property)?.every((value) => typeof value === 'string')) return;
      const shown = context.sourceCode.getText(property as never);
      report(context, rule, { node, messageId: 'hiddenMember', data: { module, key: key === undefined ? shown.slice(0, 60) : `'${key}'` } });
    };

    /** `Reflect.get(os, 'hostname')`, `Object.getOwnPropertyDescriptor(os, 'x').value`, `Object.entries(os)`. */
    const checkReflection = (node: AnyNode) => {
      const call = resolver.normalizeCall(node);
      const name = Resolver.nameOf(call.callee);
      if (name === undefined || !call.args?.length) return;
      const module = moduleNamed(call.args[0]);
      if (!module) return;
      if (REFLECTIVE_READS.has(name)) {
        const member = call.args[1] ? (resolver.folder.foldString(call.args[1]) ?? '…') : '…';
        report(context, rule, { node, messageId: 'reflectedMember', data: { module, member, how: name } });
      } else if (MEMBER_LISTS.has(name)) {
        report(context, rule, { node, messageId: 'enumeratedModule', data: { module, how: name } });
      }
    };

    /** `atob('cmVxdWlyZQ==')`, `g('72657175697265')` of a local decoder: a constant name or address written so it cannot be read. */
    const checkDecodedName = (node: AnyNode) => {
      // `Buffer.from('…', 'hex').toString()` decodes in the inner call.
      const callee = unwrap(node.callee);
      const inner = callee.type === 'MemberExpression' && plainKeyName(callee.property, callee.computed) === 'toString' && unwrap(callee.object).type === 'CallExpression' ? unwrap(callee.object) : node;
      const literal = inner.arguments.find((arg: AnyNode) => arg.type === 'Literal' && typeof arg.value === 'string');
      if (!literal) return;
      const decoder = decoderName(resolver, inner) ?? (inner === node ? decoderOfLocalCall(node) : undefined);
      const value = decoder && resolver.folder.foldString(node);
      if (value === undefined || value === literal.value || !HIDDEN_NAME.test(value)) return;
      report(context, rule, { node, messageId: 'decodedName', data: { value: value.length > 80 ? `${value.slice(0, 80)}…` : value, decoder: decoder! } });
    };
    const decoderOfLocalCall = (node: AnyNode): string | undefined => {
      const fn = resolver.calledFunction(node);
      const decoder = fn && hiddenPayload(resolver, fn).decoder;
      return decoder && `${fn!.id?.name ?? 'a local function'} (${decoder})`;
    };

    /** `!![]`, `+!![]`, `+[]`, `!!false`: JSFuck-style spellings of true, 1 and 0 (minifiers write `!0`, `1`). */
    const checkDisguisedConstant = (node: AnyNode) => {
      if (node.parent?.type === 'UnaryExpression' || !isDisguisedConstant(node)) return;
      const folded = resolver.folder.fold(node);
      if (!folded) return;
      report(context, rule, { node, messageId: 'disguisedConstant', data: { value: String(folded.value), text: context.sourceCode.getText(node as never) } });
    };

    const checkCall = (node: AnyNode) => {
      if (node.type === 'CallExpression') {
        checkReflection(node);
        checkDecodedName(node);
      }
      const sink = codeSinkOf(context, node);
      const call = sink?.call ?? resolver.normalizeCall(node);
      // `globalThis[atob('ZXZhbA==')](…)`: a decoded name that reaches eval, or some unknown global, hides it just as well.
      const callee = call.calleeNode;
      const hiddenKey = callee.type === 'MemberExpression' && callee.computed ? [callee.property] : [];
      if (sink) checkSink(node, sink.name, [...hiddenKey, ...sink.params, ...(sink.code ? [sink.code] : [])]);
      else if (call.callee?.module === undefined && call.callee?.path[0] === DYNAMIC) checkSink(node, 'a global chosen at run time', hiddenKey);
    };

    const reportTrojanSource = () => {
      const text = context.sourceCode.text;
      for (const match of text.matchAll(BIDI)) {
        const start = context.sourceCode.getLocFromIndex(match.index);
        const end = context.sourceCode.getLocFromIndex(match.index + 1);
        const data = { code: codePoint(match[0]), character: BIDI_NAMES[match[0]] };
        report(context, rule, { node: { type: 'Character', loc: { start, end } }, messageId: 'bidi', data });
      }
    };

    const checkIdentifier = (node: AnyNode) => {
      const invisible = node.name.match(ZERO_WIDTH);
      if (!invisible || reportedNames.has(node.name)) return;
      reportedNames.add(node.name);
      const data = { name: node.name.replace(ZERO_WIDTH, ''), code: codePoint(invisible[0]) };
      report(context, rule, { node, messageId: 'zeroWidth', data });
    };

    return combineListeners(
      {
        Program: reportTrojanSource,
        CallExpression: checkCall,
        NewExpression: checkCall,
        Identifier: checkIdentifier,
        MemberExpression: checkModuleMember,
        UnaryExpression: checkDisguisedConstant,
      } as Rule.RuleListener,
      stringArrayListeners(context, (finding) => report(context, rule, { node: finding.node, messageId: STRING_ARRAY_MESSAGES[finding.kind], data: finding.data })),
      moduleLoadListeners(context, (load) => {
        if (load.specifierNode) checkSink(load.node, load.via, [load.specifierNode]);
      }),
    );
  },
});

/** A chain of `!`, `+`, `-` over `[]`, `{}` or a doubly negated boolean. */
function isDisguisedConstant(node: AnyNode): boolean {
  let depth = 0;
  let current = node;
  while (current.type === 'UnaryExpression' && ['!', '+', '-'].includes(current.operator)) {
    depth++;
    current = current.argument;
  }
  if (depth === 0) return false;
  if ((current.type === 'ArrayExpression' && current.elements.length === 0) || (current.type === 'ObjectExpression' && current.properties.length === 0)) return true;
  return depth >= 2 && current.type === 'Literal' && typeof current.value === 'boolean';
}

function codePoint(character: string): string {
  return `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

export default rule;
