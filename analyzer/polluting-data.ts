/**
 * Shipped data that can only pollute prototypes. JSON.parse gives a `"__proto__"` key an own property of that
 * name, which any ordinary deep merge or `Object.assign` of the parsed value then hands to the target's
 * prototype setter (`t.__proto__` is `Object.prototype`, so merging into it changes every object in the
 * process); a `"constructor": { "prototype": … }` pair reaches the same place through `t.constructor.prototype`.
 * Configuration and fixtures have no other use for these keys (none of the ~1,000 packages of Warden's own
 * node_modules ships one), so the data itself is the finding, wherever the code that merges it hides. Data in
 * the other text formats that map keys to objects (INI, TOML, YAML, properties) is read the same way: a hand-written
 * parser's `out[section] ??= {}` is `Object.prototype` for a `[__proto__]` section.
 */

/** The dotted path of the first polluting key in a JSON text (`__proto__`, `a.b.constructor.prototype`), or undefined. */
export function pollutingKeyPath(text: string): string | undefined {
  // Cheap refusal first: almost no data file names either key, even spelled with JSON's \u escapes.
  if (!/__proto__|prototype|\\u/.test(text)) return undefined;
  let value: unknown;
  try {
    // Node's require strips a byte-order mark before it parses a .json file; so do readers that handle one.
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return undefined; // not JSON: Node's require would throw on it, and JSON.parse in code too
  }
  return search(value);
}

/**
 * Breadth-first over the parsed value with no depth limit: a recursive merge goes as deep as the data does, so
 * a key under a hundred levels of nesting pollutes as well as one at the top (and a stack of our own would overflow).
 */
function search(root: unknown): string | undefined {
  const queue: [unknown, string[]][] = [[root, []]];
  for (let at = 0; at < queue.length; at++) {
    const [value, path] = queue[at];
    if (value === null || typeof value !== 'object') continue;
    if (Object.hasOwn(value, '__proto__')) return [...path, '__proto__'].join('.');
    const { constructor } = Object.hasOwn(value, 'constructor') ? (value as { constructor: unknown }) : { constructor: undefined };
    if (constructor !== null && typeof constructor === 'object' && Object.hasOwn(constructor, 'prototype')) return [...path, 'constructor', 'prototype'].join('.');
    for (const [key, inner] of Object.entries(value)) queue.push([inner, [...path, key]]);
  }
  return undefined;
}

/** Text formats whose parsers build nested objects from keys and sections. */
const KEYED_TEXT = /\.(?:ini|cfg|conf|toml|ya?ml|properties)$/i;
/** A section (`[__proto__]`, `[a.__proto__.b]`) or a key (`__proto__.x = …`, `"__proto__": …`) naming the prototype. */
const PROTO_NAME = /^[ \t]*(?:\[[ \t]*(?:[^\]\n]*\.)?["']?__proto__["']?(?:\.[^\]\n]*)?[ \t]*\]|(?:[\w$.-]*\.)?["']?__proto__["']?(?:\.[\w$.-]+)?[ \t]*[=:])/m;
/** `[constructor.prototype]`, `constructor.prototype.x = …`, and YAML's `constructor:` holding `prototype:`. */
const CONSTRUCTOR_PROTOTYPE = /^[ \t]*\[?[ \t]*(?:[\w$.-]*\.)?constructor\.prototype\b|^([ \t]*)constructor[ \t]*:[ \t]*\n\1[ \t]+prototype[ \t]*:/m;

/** The polluting key of a shipped INI, TOML, YAML or properties file (by its name), or undefined. */
export function pollutingTextKey(path: string, text: string): string | undefined {
  if (!KEYED_TEXT.test(path) || !/__proto__|prototype/.test(text)) return undefined;
  if (PROTO_NAME.test(text)) return '__proto__';
  return CONSTRUCTOR_PROTOTYPE.test(text) ? 'constructor.prototype' : undefined;
}
