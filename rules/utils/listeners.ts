/**
 * Several listener maps as one, for a rule that watches module loads and
 * other nodes of the same type: a plain object spread would let the later
 * `CallExpression` handler silently replace the earlier one.
 */
import type { Rule } from 'eslint';

export function combineListeners(...maps: Rule.RuleListener[]): Rule.RuleListener {
  const handlers = new Map<string, ((...args: unknown[]) => void)[]>();
  for (const map of maps) {
    for (const [selector, handler] of Object.entries(map)) {
      if (handler) handlers.set(selector, [...(handlers.get(selector) ?? []), handler as (...args: unknown[]) => void]);
    }
  }
  // Called for every node of the type: a lone handler is returned as is, and no per-call closures or spreads.
  return Object.fromEntries(
    [...handlers].map(([selector, list]) => [
      selector,
      list.length === 1
        ? list[0]
        : function (this: unknown, ...args: unknown[]) {
            for (const handler of list) handler.apply(this, args);
          },
    ]),
  ) as Rule.RuleListener;
}
