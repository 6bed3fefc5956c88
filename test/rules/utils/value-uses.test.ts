import { describe, expect, it } from 'vitest';
import { ValueUses } from '../../../rules/utils/value-uses.js';
import { probe } from './probe.js';

/** Whether the value of the marked expression `$` (the first call argument of `mark(…)`) only decides conditions. */
const decides = (code: string) =>
  probe(`${code}\n0`, (resolver, _expression, context) => {
    let marked: any;
    const find = (node: any): void => {
      if (!node || typeof node !== 'object') return;
      if (node.type === 'Identifier' && node.name === '$') marked = node;
      for (const [key, value] of Object.entries(node)) {
        if (key === 'parent') continue;
        if (Array.isArray(value)) value.forEach(find);
        else find(value);
      }
    };
    find(context.sourceCode.ast);
    return new ValueUses(resolver, (node) => context.sourceCode.getScope(node as never)).onlyDecides(marked);
  });

describe('values that only decide conditions', () => {
  it('accepts tests, comparisons, switches, string tests and reshaping that ends in a test', () => {
    for (const code of ['if ($) go();', 'if ($ === "x") go();', '!$;', 'switch ($) {}', '/^a/.test($);', 'if ($.startsWith("a")) go();', 'const v = Number($.split(".")[0]); if (v > 3) go();', 'const w = $ || ""; if (w.length === 0) go();', '$ && go();']) {
      expect(decides(code), code).toBe(true);
    }
  });

  it('rejects a value that flows anywhere else', () => {
    for (const code of ['send($);', 'const v = $; send(v);', 'const v = $; if (v) send(v);', 'return $;', 'obj.x = $;', 'const w = $ || "x"; send(w);', '`${$}`;']) {
      expect(decides(`function f() { ${code} }`), code).toBe(false);
    }
  });
});
