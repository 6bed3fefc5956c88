/**
 * no-obfuscation: code written so a reviewer cannot read what it does —
 * decoded strings that are executed or loaded as modules, obfuscator.io-style
 * string arrays, long high-entropy strings that are executed, and characters
 * that make source read differently from how it runs (Trojan Source).
 */
import type { Rule } from 'eslint';
import { defineRule } from './meta.js';
import type { AnyNode } from './utils/ast.js';
import { codeSinkOf } from './utils/code-sinks.js';
import { combineListeners } from './utils/listeners.js';
import { moduleLoadListeners } from './utils/modules.js';
import { hiddenPayload } from './utils/hidden-strings.js';
import { report } from './utils/report.js';
import { DYNAMIC, resolverFor } from './utils/resolve.js';
import { stringArrayListeners } from './utils/string-arrays.js';

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
  },
  findings: {
    decodeExecute: { category: 'obfuscation', severity: 'critical' },
    payloadExecute: { category: 'obfuscation', severity: 'critical' },
    stringArray: { category: 'obfuscation', severity: 'critical' },
    bidi: { category: 'obfuscation', severity: 'critical' },
    zeroWidth: { category: 'obfuscation', severity: 'high' },
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

    const checkCall = (node: AnyNode) => {
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
      } as Rule.RuleListener,
      stringArrayListeners(context, (finding) => report(context, rule, { node: finding.node, messageId: 'stringArray', data: finding.data })),
      moduleLoadListeners(context, (load) => {
        if (load.specifierNode) checkSink(load.node, load.via, [load.specifierNode]);
      }),
    );
  },
});

function codePoint(character: string): string {
  return `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

export default rule;
