/**
 * Shipped data that can only pollute prototypes. JSON.parse gives a `"__proto__"` key an own property of that
 * name, which any ordinary deep merge or `Object.assign` of the parsed value then hands to the target's
 * prototype setter (`t.__proto__` is `Object.prototype`, so merging into it changes every object in the
 * process); a `"constructor": { "prototype": … }` pair reaches the same place through `t.constructor.prototype`.
 * Configuration and fixtures have no other use for these keys (none of the ~1,000 packages of Warden's own
 * node_modules ships one), so the data itself is the finding, wherever the code that merges it hides.
 */

/** How deep into a parsed value the search goes: configuration is shallow, and a deeper key is still found at the cap's level. */
const MAX_DEPTH = 64;

/** The dotted path of the first polluting key in a JSON text (`__proto__`, `a.b.constructor.prototype`), or undefined. */
export function pollutingKeyPath(text: string): string | undefined {
  // Cheap refusal first: almost no data file names either key, even spelled with JSON's \u escapes.
  if (!/__proto__|prototype|\\u/.test(text)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined; // not JSON: Node's require would throw on it, and JSON.parse in code too
  }
  return search(value, [], 0);
}

function search(value: unknown, path: string[], depth: number): string | undefined {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return undefined;
  if (Object.hasOwn(value, '__proto__')) return [...path, '__proto__'].join('.');
  const { constructor } = Object.hasOwn(value, 'constructor') ? (value as { constructor: unknown }) : { constructor: undefined };
  if (constructor !== null && typeof constructor === 'object' && Object.hasOwn(constructor, 'prototype')) return [...path, 'constructor', 'prototype'].join('.');
  for (const [key, inner] of Object.entries(value)) {
    const found = search(inner, [...path, key], depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}
