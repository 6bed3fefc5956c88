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
  return Object.fromEntries(
    [...handlers].map(([selector, list]) => [selector, (...args: unknown[]) => list.forEach((handler) => handler(...args))]),
  ) as Rule.RuleListener;
}
