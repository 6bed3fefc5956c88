import { describe, expect, it } from 'vitest';
import { ValueUses } from '../../../rules/utils/value-uses.js';
import { markedNode, probe } from './probe.js';

/** Whether the value of the marked expression `$` only decides conditions (or, `fixed`, only conditions that each ask one fixed question). */
const decides = (code: string, fixed = false) =>
  probe(`${code}\n0`, (resolver, _expression, context) => {
    const marked = markedNode(context.sourceCode.ast as never);
    const uses = new ValueUses(resolver, (node) => context.sourceCode.getScope(node as never));
    return fixed ? uses.revealsNothing(marked) : uses.onlyDecides(marked);
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

  it('with fixed questions, accepts tests against constants asked once', () => {
    for (const code of ['if ($ === "x") go();', 'if ($ === undefined) go();', 'switch ($) { case "a": case "b": go(); }', 'if (/^v\\d/.test($)) go();', 'if ($.startsWith("a" + "b")) go();', 'if ($[0] === "-") go();', 'if (["a", "b"].includes($)) go();', 'const t = { a: 1 }; if (t[$] > 0) go();']) {
      expect(decides(code, true), code).toBe(true);
    }
  });

  it('with fixed questions, rejects tests against what varies, of a varying piece, or repeated in a loop', () => {
    for (const code of [
      'if ($ === guess) go();',
      'if ($.startsWith(known + c)) go();',
      'if ($[i] === "a") go();',
      'if ($.charAt(i) === "a") go();',
      'switch ($) { case other: go(); }',
      'if (list.includes($)) go();',
      'for (const c of "abc") if ($ === "a") go();',
      'xs.forEach((x) => { if ($.endsWith("z")) go(); });',
      'const re = /a/g; if (re.test($)) go();',
      'const t = { a: 1 }; send(t[$]);',
    ]) {
      expect(decides(`function f(guess, known, c, i, other, list, xs) { ${code} }`, true), code).toBe(false);
      // Where only the value itself matters, each of these still only decides a condition (but the lookup that sends).
      if (!code.startsWith('const t')) expect(decides(`function f(guess, known, c, i, other, list, xs) { ${code} }`), code).toBe(true);
    }
  });
});
