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
/**
 * `__proto__` as a key wherever a key stands, not only at a line's start: in a flow mapping or inline table
 * (`x: {__proto__: …}`, `a = { "__proto__" = … }`), as YAML's explicit key (`? __proto__`), a dotted part.
 */
const PROTO_KEY = /^[ \t]*\?[ \t]*["']?__proto__["']?[ \t]*$|(?:[{,[.][ \t]*|^[ \t]*)["']?__proto__["']?[ \t]*(?:[:=\]]|\.[\w$"'])/m;
/** `[constructor.prototype]`, `constructor.prototype.x = …`, and YAML's `constructor:` holding `prototype:`. */
const CONSTRUCTOR_PROTOTYPE = /^[ \t]*\[?[ \t]*(?:[\w$.-]*\.)?constructor\.prototype\b|^([ \t]*)constructor[ \t]*:[ \t]*\n\1[ \t]+prototype[ \t]*:/m;
/** A `constructor` key whose inline value holds a `prototype` key: `constructor: {prototype: …}`, `"constructor" = { prototype = … }`. */
const INLINE_CONSTRUCTOR_PROTOTYPE = /\bconstructor["']?[ \t]*[:=][ \t]*\{(?:[^}\n]*?[\s,])?["']?prototype["']?[ \t]*[:=.]/m;
/** An INI/TOML `[constructor]` (or `[a.constructor]`) section with a `prototype` key (`prototype.x = …`) before the next section. */
const SECTION_CONSTRUCTOR_PROTOTYPE = /^[ \t]*\[[^\]\n]*?\bconstructor["']?[ \t]*\][ \t]*\n(?:(?![ \t]*\[).*\n)*?[ \t]*["']?prototype["']?[ \t]*[:=.]/m;

/** YAML's and TOML's string escapes (`"\x5f_proto__"`, `"\u005f_proto__"`) spell the same key. */
function decodeEscapes(text: string): string {
  return text.replace(/\\(?:u\{([0-9a-fA-F]{1,6})\}|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|x([0-9a-fA-F]{2}))/g, (escape, braced?: string, u?: string, big?: string, x?: string) => {
    const code = parseInt(braced ?? u ?? big ?? x ?? '', 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : escape;
  });
}

/** The polluting key of a shipped INI, TOML, YAML or properties file (by its name), or undefined. */
export function pollutingTextKey(path: string, text: string): string | undefined {
  if (!KEYED_TEXT.test(path)) return undefined;
  // Whole-line comments (`#`, INI's `;`, properties' `!`) name nothing.
  const keyed = decodeEscapes(text).split('\n').filter((line) => !/^[ \t]*[#;!]/.test(line)).join('\n');
  if (!/__proto__|prototype/.test(keyed)) return undefined;
  if (PROTO_NAME.test(keyed) || PROTO_KEY.test(keyed)) return '__proto__';
  return [CONSTRUCTOR_PROTOTYPE, INLINE_CONSTRUCTOR_PROTOTYPE, SECTION_CONSTRUCTOR_PROTOTYPE].some((pattern) => pattern.test(keyed)) ? 'constructor.prototype' : undefined;
}
