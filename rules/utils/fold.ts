/**
 * Constant folding: what string (or number, array, object) an expression
 * certainly evaluates to, so rules judge `'child_' + 'process'`,
 * `Buffer.from('ZXZhbA==', 'base64').toString()` or
 * `[101,118,97,108].map(c => String.fromCharCode(c)).join('')` by value.
 *
 * Paths built from the user's home (`os.homedir()`, `process.env.HOME`) fold
 * to strings starting with `~`, so sensitive-path checks see `~/.ssh`.
 */
import type { AnyNode } from './ast.js';
import { isFunctionNode, plainKeyName, runtimeParams, unwrap } from './ast.js';
import { isAbsolute, posix } from 'node:path';
import { HOME, IMPORT_META, PLUGIN_ROOT } from './markers.js';
import type { Resolver } from './resolve.js';
import type { Anchor } from './unwritten.js';

export type Folded = { value: unknown };

/** Marks an object property whose value could not be folded. */
const UNKNOWN = Symbol('unknown');
const MAX_STRING = 1 << 20;
const MAX_DEPTH = 60;
const MAX_POSSIBLE = 64;
const MAX_POSSIBLE_DEPTH = 8;
/** Elements a `map` or `reduce` callback is folded for. */
const MAX_CALLBACK_ELEMENTS = 100_000;
/** Computations one file may spend folding: coercion-built code (JSFuck) is huge, and each node is folded once. */
const MAX_WORK = 1_000_000;

type Env = Map<string, unknown>;

export class Folder {
  // A Map, not a WeakMap: a folder lives for one file (with its resolver), and weak maps of every node cost the GC dearly.
  private readonly memo = new Map<AnyNode, Folded | null>();
  private depth = 0;
  private work = 0;

  constructor(private readonly resolver: Resolver) {}

  fold(node: AnyNode, env?: Env): Folded | undefined {
    if (!env) {
      const cached = this.memo.get(node);
      if (cached !== undefined) return cached ?? undefined;
    }
    if (this.depth > MAX_DEPTH || ++this.work > MAX_WORK) return undefined;
    this.depth++;
    let result: Folded | undefined;
    try {
      result = this.compute(node, env);
    } catch {
      result = undefined;
    } finally {
      this.depth--;
    }
    if (result && typeof result.value === 'string' && result.value.length > MAX_STRING) result = undefined;
    if (!env) this.memo.set(node, result ?? null);
    return result;
  }

  /** `import.meta.dirname`, `.filename`, `.url` (and `__dirname`, `__filename`) of this file, under PLUGIN_ROOT, while nothing in the file writes them. */
  private ownLocation(node: AnyNode, anchor: Anchor, part: string): string | undefined {
    const file = this.resolver.filename;
    if (!file || isAbsolute(file) || file.startsWith('..')) return undefined;
    if (!this.resolver.unwritten.anchorUnwritten(node, anchor)) return undefined;
    const path = posix.join(PLUGIN_ROOT, file.split('\\').join('/'));
    if (part === 'filename') return path;
    if (part === 'dirname') return posix.dirname(path);
    return part === 'url' ? `file://${path}` : undefined;
  }

  foldString(node: AnyNode): string | undefined {
    const folded = this.fold(node);
    return folded && typeof folded.value === 'string' ? folded.value : undefined;
  }

  /** The URL a string or `new URL(input, base)` certainly denotes, when it is absolute. */
  foldUrl(input: AnyNode): URL | undefined {
    const node = unwrap(input);
    let parts: (string | undefined)[] = [this.foldString(node)];
    const callee = node.type === 'NewExpression' ? this.resolver.resolve(node.callee) : undefined;
    if (parts[0] === undefined && callee?.module === undefined && callee?.path.join('.') === 'URL') {
      parts = node.arguments.map((arg: AnyNode) => this.foldString(arg));
    }
    const [url, base] = parts;
    if (url === undefined || parts.includes(undefined) || !URL.canParse(url, base)) return undefined;
    // Home stands for an absolute path here, which resolves as one: `new URL(os.homedir() + '/x', import.meta.url)` is not under the base.
    if (base !== undefined && (url === HOME || url.startsWith(`${HOME}/`))) return undefined;
    return new URL(url, base);
  }

  private compute(node: AnyNode, env: Env | undefined): Folded | undefined {
    switch (node.type) {
      case 'Literal':
        return node.regex ? { value: new RegExp(node.regex.pattern, node.regex.flags) } : { value: node.value };
      case 'TemplateLiteral':
        return this.foldTemplate(node, env, false);
      case 'TaggedTemplateExpression': {
        const tag = this.resolver.resolve(node.tag);
        return tag?.module === undefined && tag?.path.join('.') === 'String.raw'
          ? this.foldTemplate(node.quasi, env, true)
          : undefined;
      }
      case 'Identifier':
        return this.foldIdentifier(node, env);
      case 'BinaryExpression':
        return this.foldBinary(node, env);
      case 'UnaryExpression': {
        const arg = this.fold(node.argument, env);
        // `+obj` runs the object's own `valueOf`: only values whose conversion is known fold.
        if (!arg || (CONVERTING_UNARY.has(node.operator) && !convertsKnownly(arg.value))) return undefined;
        const v = arg.value as any;
        switch (node.operator) {
          case '-': return { value: -v };
          case '+': return { value: +v };
          case '~': return { value: ~v };
          case '!': return { value: !v };
          case 'void': return { value: undefined };
          default: return undefined;
        }
      }
      case 'ArrayExpression': {
        const out: unknown[] = [];
        for (const element of node.elements) {
          // A hole stays one: `reduce` and `map` skip it, where an `undefined` element would be visited.
          if (!element) { out.length++; continue; }
          if (element.type === 'SpreadElement') {
            const spread = this.fold(element.argument, env);
            if (!spread || (typeof spread.value !== 'string' && !Array.isArray(spread.value))) return undefined;
            out.push(...(spread.value as Iterable<unknown>));
            continue;
          }
          const folded = this.fold(element, env);
          if (!folded) return undefined;
          out.push(folded.value);
        }
        return { value: out };
      }
      case 'ObjectExpression': {
        const out: Record<string, unknown> = {};
        for (const prop of node.properties) {
          if (prop.type !== 'Property' || prop.kind !== 'init') return undefined;
          const key = prop.computed ? this.foldString(prop.key) : plainKeyName(prop.key, false);
          // A plain `__proto__:` sets the literal's prototype, which a folded value cannot hold; `['__proto__']:` is an own key.
          if (key === undefined || (key === '__proto__' && !prop.computed && !prop.shorthand)) return undefined;
          Object.defineProperty(out, key, { value: this.fold(prop.value, env)?.value ?? UNKNOWN, enumerable: true, writable: true, configurable: true });
        }
        return { value: out };
      }
      case 'MemberExpression':
        return this.foldMember(node, env);
      case 'CallExpression':
        return this.foldCall(node, env);
      case 'ConditionalExpression': {
        const test = this.fold(node.test, env);
        if (!test) return undefined;
        return this.fold(test.value ? node.consequent : node.alternate, env);
      }
      case 'LogicalExpression': {
        const left = this.fold(node.left, env);
        if (!left) return undefined;
        const l = left.value;
        if (node.operator === '||') return l ? left : this.fold(node.right, env);
        if (node.operator === '&&') return l ? this.fold(node.right, env) : left;
        return l === null || l === undefined ? this.fold(node.right, env) : left;
      }
      case 'SequenceExpression':
        return this.fold(node.expressions[node.expressions.length - 1], env);
      case 'ChainExpression':
      case 'TSAsExpression':
      case 'TSSatisfiesExpression':
      case 'TSNonNullExpression':
      case 'TSTypeAssertion':
        return this.fold(node.expression, env);
      default:
        return undefined;
    }
  }

  private foldTemplate(node: AnyNode, env: Env | undefined, raw: boolean): Folded | undefined {
    let text = '';
    for (let i = 0; i < node.quasis.length; i++) {
      const quasi = node.quasis[i].value;
      text += raw ? quasi.raw : quasi.cooked;
      if (i < node.expressions.length) {
        const part = this.fold(node.expressions[i], env);
        if (!part || !convertsKnownly(part.value)) return undefined;
        text += String(part.value);
      }
    }
    return { value: text };
  }

  private foldIdentifier(node: AnyNode, env: Env | undefined): Folded | undefined {
    if (env?.has(node.name)) return { value: env.get(node.name) };
    // `with ({ __dirname: home }) { … __dirname … }`: the name may be the object's member, so no value is certain.
    if (this.resolver.mayBeWithMember(node)) return undefined;
    const ref = this.resolver.resolve(node);
    if (ref?.module === undefined && ref?.path.length === 1 && (ref.path[0] === '__dirname' || ref.path[0] === '__filename')) {
      const own = this.ownLocation(node, 'commonjs', ref.path[0] === '__dirname' ? 'dirname' : 'filename');
      if (own !== undefined) return { value: own };
    }
    // `const { HOME } = process.env`
    const home = homeFolderOf(ref);
    if (home !== undefined) return { value: home };
    if (ref && ref.module === undefined && ref.path.length === 1) {
      if (ref.path[0] === 'undefined') return { value: undefined };
      if (ref.path[0] === 'NaN') return { value: NaN };
      if (ref.path[0] === 'Infinity') return { value: Infinity };
    }
    const source = this.resolver.destructuredSource(node);
    let folded: Folded | undefined;
    if (source) {
      folded = this.fold(source.node, env);
      for (const key of source.keys) folded = folded && pick(folded.value, key);
      // `const { m = 'os' } = cfg`: the default where the member is undefined.
      if (folded && folded.value === undefined && source.fallback) folded = this.fold(source.fallback, env);
    } else {
      folded = this.agreed(this.resolver.parameterArguments(node), env);
    }
    // An object or array is what it was made as only while nothing can write to it.
    return folded && this.resolver.unwritten.isUnwritten(node, folded.value) ? folded : undefined;
  }

  /** Binds a function's plain parameters to values, when `arguments` cannot rewrite them and no object bound is written through them. */
  private bind(fn: AnyNode, params: AnyNode[], values: unknown[], env: Env | undefined): Env | undefined {
    if (this.resolver.functions.usesArguments(fn)) return undefined;
    const inner: Env = new Map(env);
    for (let i = 0; i < params.length; i++) {
      if (!this.resolver.unwritten.isUnwritten(params[i], values[i])) return undefined;
      inner.set(params[i].name, values[i]);
    }
    return inner;
  }

  /** The one value every expression folds to (a missing one is `undefined`), or undefined when they differ or one does not fold. */
  private agreed(nodes: (AnyNode | undefined)[] | undefined, env: Env | undefined): Folded | undefined {
    if (!nodes?.length) return undefined;
    let agreed: Folded | undefined;
    for (const node of nodes) {
      const folded = node ? this.fold(node, env) : { value: undefined };
      if (!folded || (agreed && !sameValue(agreed.value, folded.value))) return undefined;
      agreed = folded;
    }
    return agreed;
  }

  /**
   * Every value an expression may take, when there are few and each is known:
   * a choice (`a ? 'x' : 'y'`), a parameter the file's calls fill differently,
   * a `for…of` variable or an array callback's element over a folded array,
   * `list[i]` of a folded array, and strings and paths built from those.
   * Undefined when some possibility is unknown or there are too many.
   */
  possibleValues(input: AnyNode, depth = 0): unknown[] | undefined {
    const folded = this.fold(input);
    if (folded) return [folded.value];
    if (depth > MAX_POSSIBLE_DEPTH) return undefined;
    const node = unwrap(input);
    const next = (child: AnyNode | undefined) => (child ? this.possibleValues(child, depth + 1) : [undefined]);
    switch (node.type) {
      case 'ConditionalExpression':
        return union(next(node.consequent), next(node.alternate));
      case 'LogicalExpression':
        return union(next(node.left), next(node.right));
      case 'Identifier': {
        if (this.resolver.mayBeWithMember(node)) return undefined;
        const args = this.resolver.parameterArguments(node);
        const iterated = args ? undefined : this.resolver.iteratedArray(node);
        const alias = args || iterated ? undefined : this.resolver.aliasedExpression(node);
        const values = args ? args.reduce<unknown[] | undefined>((all, arg) => union(all, next(arg)), []) : iterated ? this.elementsOf(iterated) : alias ? next(alias.node) : undefined;
        return values?.every((value) => this.resolver.unwritten.isUnwritten(node, value)) ? values : undefined;
      }
      case 'MemberExpression': {
        // `list[i]` with an unknown index: any element.
        return node.computed ? this.elementsOf(node.object) : undefined;
      }
      case 'BinaryExpression':
        return node.operator === '+' ? combine([next(node.left), next(node.right)], (parts) => (parts.every(convertsKnownly) ? (parts[0] as any) + (parts[1] as any) : undefined)) : undefined;
      case 'TemplateLiteral':
        return combine(node.expressions.map(next), (parts) => (parts.every(convertsKnownly) ? node.quasis.map((q: AnyNode, i: number) => q.value.cooked + (i < parts.length ? String(parts[i]) : '')).join('') : undefined));
      case 'CallExpression': {
        const ref = this.resolver.resolve(node.callee);
        const name = ref?.module === undefined ? undefined : `${ref.module}:${ref.path.join('.')}`;
        if (name !== 'path:join' && name !== 'path:resolve' && name !== 'path:posix.join' && name !== 'path:posix.resolve') return undefined;
        return combine(node.arguments.map(next), (parts) => (parts.every((p) => typeof p === 'string') ? joinPaths(parts as string[]) : undefined));
      }
      default:
        return undefined;
    }
  }

  /** The elements of an expression that folds to an array (each element itself possibly several values). */
  private elementsOf(node: AnyNode): unknown[] | undefined {
    const array = this.fold(node)?.value;
    if (Array.isArray(array)) return array.length <= MAX_POSSIBLE ? [...array] : undefined;
    // A local list only ever added constants to (`list.push('./b.json')`): its elements are among a known few.
    const inner = unwrap(node);
    const alias = inner.type === 'Identifier' ? this.resolver.aliasedExpression(inner) : undefined;
    const initial = alias && unwrap(alias.node).type === 'ArrayExpression' ? this.fold(alias.node)?.value : undefined;
    if (!Array.isArray(initial)) return undefined;
    const added = this.resolver.unwritten.constantAdditions(inner, initial, (part) => this.fold(part));
    return added && initial.length + added.length <= MAX_POSSIBLE ? [...initial, ...added] : undefined;
  }

  private foldBinary(node: AnyNode, env: Env | undefined): Folded | undefined {
    if (node.operator === '+') return this.foldSum(node, env);
    const left = this.fold(node.left, env);
    if (!left) return undefined;
    const right = this.fold(node.right, env);
    if (!right) return undefined;
    // Every operator but `===`, `!==` (and `in`, `instanceof`, left unfolded) converts an object operand through its own methods.
    if (node.operator !== '===' && node.operator !== '!==' && !(convertsKnownly(left.value) && convertsKnownly(right.value))) return undefined;
    const a = left.value as any;
    const b = right.value as any;
    switch (node.operator) {
      case '+': return { value: a + b };
      case '-': return { value: a - b };
      case '*': return { value: a * b };
      case '/': return { value: a / b };
      case '%': return { value: a % b };
      case '**': return { value: a ** b };
      case '^': return { value: a ^ b };
      case '|': return { value: a | b };
      case '&': return { value: a & b };
      case '<<': return { value: a << b };
      case '>>': return { value: a >> b };
      case '>>>': return { value: a >>> b };
      case '===': return { value: a === b };
      case '!==': return { value: a !== b };
      case '==': return { value: a == b };
      case '!=': return { value: a != b };
      case '<': return { value: a < b };
      case '>': return { value: a > b };
      case '<=': return { value: a <= b };
      case '>=': return { value: a >= b };
      default: return undefined;
    }
  }

  /**
   * `a + b + c + …` folded left to right without recursing down the chain: a
   * chain thousands of terms long (coercion-built code) stays within the depth cap.
   */
  private foldSum(node: AnyNode, env: Env | undefined): Folded | undefined {
    const terms: AnyNode[] = [];
    let left: AnyNode = node;
    while (left.type === 'BinaryExpression' && left.operator === '+' && (left === node || !this.memo.has(left))) {
      terms.push(left.right);
      left = left.left;
    }
    terms.push(left);
    let sum = this.fold(terms[terms.length - 1], env);
    if (sum && !convertsKnownly(sum.value)) return undefined;
    for (let i = terms.length - 2; sum && i >= 0; i--) {
      const term = this.fold(terms[i], env);
      sum = term && convertsKnownly(term.value) ? { value: (sum.value as any) + (term.value as any) } : undefined;
      if (sum && typeof sum.value === 'string' && sum.value.length > MAX_STRING) return undefined;
    }
    return sum;
  }

  private foldMember(node: AnyNode, env: Env | undefined): Folded | undefined {
    const ref = this.resolver.resolve(node);
    const home = homeFolderOf(ref);
    if (home !== undefined) return { value: home };
    const own = ref?.module === undefined && ref?.path[0] === IMPORT_META && ref.path.length === 2 ? this.ownLocation(node, 'import.meta', ref.path[1]) : undefined;
    if (own !== undefined) return { value: own };
    // `new URL('./x.js', import.meta.url).href`
    const url = unwrap(node.object).type === 'NewExpression' ? this.foldUrl(node.object) : undefined;
    if (url) {
      const key = plainKeyName(node.property, node.computed);
      return key !== undefined && URL_PARTS.has(key) ? { value: url[key as 'href'] } : undefined;
    }
    const object = this.fold(node.object, env);
    if (!object) return undefined;
    const key = node.computed ? this.fold(node.property, env) : { value: plainKeyName(node.property, false) };
    if (!key || (!node.computed && key.value === undefined) || !convertsKnownly(key.value)) return undefined;
    // A key is converted to a string (`[][[]]` is `[]['']`); what a literal written right here lacks, it certainly lacks.
    return pick(object.value, propertyKey(key.value), isFreshValue(node.object));
  }

  private foldCall(node: AnyNode, env: Env | undefined): Folded | undefined {
    const callee = node.callee.type === 'ChainExpression' ? node.callee.expression : node.callee;
    // `String.fromCharCode.apply(null, codes)`, `atob.call(null, s)`: the function called, with the arguments it gets.
    const normalized = node.type === 'CallExpression' ? this.resolver.normalizeCall(node) : undefined;
    const seenThrough = normalized !== undefined && normalized.calleeNode !== unwrap(callee) && normalized.args !== undefined;
    const argNodes: AnyNode[] = seenThrough ? normalized!.args! : node.arguments;
    // Every built-in below converts what it is given: an object's own `toString` would decide, so only known conversions fold.
    const args = (): unknown[] | undefined => {
      const folded = this.foldArgs(argNodes, env);
      return folded?.every(convertsKnownly) ? folded : undefined;
    };
    const ref = seenThrough ? normalized!.callee : this.resolver.resolve(callee);
    const name = ref ? (ref.module === undefined ? ref.path.join('.') : `${ref.module}:${ref.path.join('.')}`) : undefined;
    switch (name) {
      case 'String.fromCharCode': { const a = args(); return a && { value: String.fromCharCode(...(a as number[])) }; }
      case 'String.fromCodePoint': { const a = args(); return a && { value: String.fromCodePoint(...(a as number[])) }; }
      case 'String': { const a = args(); return a && { value: String(a[0]) }; }
      case 'Number': { const a = args(); return a && { value: Number(a[0]) }; }
      case 'parseInt': { const a = args(); return a && { value: parseInt(String(a[0]), a[1] as number) }; }
      case 'atob': { const a = args(); return a && { value: Buffer.from(String(a[0]), 'base64').toString('latin1') }; }
      case 'btoa': { const a = args(); return a && { value: Buffer.from(String(a[0]), 'latin1').toString('base64') }; }
      case 'decodeURIComponent': { const a = args(); return a && { value: decodeURIComponent(String(a[0])) }; }
      case 'decodeURI': { const a = args(); return a && { value: decodeURI(String(a[0])) }; }
      case 'encodeURIComponent': { const a = args(); return a && { value: encodeURIComponent(String(a[0])) }; }
      case 'encodeURI': { const a = args(); return a && { value: encodeURI(String(a[0])) }; }
      case 'unescape': { const a = args(); return a && { value: unescape(String(a[0])) }; }
      case 'JSON.parse': { const a = args(); return a && { value: JSON.parse(String(a[0])) }; }
      case 'Array.from': { const a = args(); return a && { value: Array.from(a[0] as Iterable<unknown>) }; }
      case 'Buffer.from': {
        const a = args();
        if (!a) return undefined;
        const [data, encoding] = a;
        if (typeof data === 'string') return { value: Buffer.from(data, (encoding as BufferEncoding) ?? 'utf8') };
        if (Array.isArray(data)) return { value: Buffer.from(data as number[]) };
        return undefined;
      }
      case 'os:homedir':
        return { value: HOME };
      case 'url:fileURLToPath': {
        const url = node.arguments[0] && (this.foldUrl(node.arguments[0]) ?? toUrl(this.foldString(node.arguments[0])));
        return url?.protocol === 'file:' ? { value: decodeURIComponent(url.pathname) } : undefined;
      }
      case 'url:pathToFileURL': {
        const a = args();
        return a && typeof a[0] === 'string' && a[0].startsWith('/') ? { value: `file://${a[0]}` } : undefined;
      }
      case 'path:dirname':
      case 'path:posix.dirname':
      case 'path:basename':
      case 'path:posix.basename':
      case 'path:normalize':
      case 'path:posix.normalize': {
        const a = args();
        if (!a || typeof a[0] !== 'string') return undefined;
        const which = name!.split('.').pop()!.split(':').pop()!;
        return { value: which === 'dirname' ? posix.dirname(a[0]) : which === 'basename' ? posix.basename(a[0], typeof a[1] === 'string' ? a[1] : undefined) : posix.normalize(a[0]) };
      }
      case 'path:join':
      case 'path:posix.join':
      case 'path:resolve':
      case 'path:posix.resolve': {
        const a = args();
        return a && a.every((p) => typeof p === 'string') ? { value: joinPaths(a as string[]) } : undefined;
      }
    }
    if (callee.type !== 'MemberExpression') {
      const fn = this.resolver.calledFunction(node);
      return fn && this.foldLocalCall(fn, node.arguments, env);
    }
    const method = callee.computed ? this.foldString(callee.property) : plainKeyName(callee.property, false);
    if (method === undefined) return undefined;
    if (method === 'map' && node.arguments.length === 1) return this.foldMap(callee.object, node.arguments[0], env);
    if ((method === 'reduce' || method === 'reduceRight') && (node.arguments.length === 1 || node.arguments.length === 2)) {
      return this.foldReduce(callee.object, node.arguments, method === 'reduceRight', env);
    }
    if ((method === 'replace' || method === 'replaceAll') && node.arguments.length === 2 && isFunctionNode(unwrap(node.arguments[1]))) {
      return this.foldReplace(callee.object, node.arguments[0], unwrap(node.arguments[1]), method, env);
    }
    const receiver = this.fold(callee.object, env);
    if (!receiver || !convertsKnownly(receiver.value)) return undefined;
    const a = args();
    if (!a) return undefined;
    return applyMethod(receiver.value, method, a);
  }

  private foldArgs(nodes: AnyNode[], env: Env | undefined): unknown[] | undefined {
    const out: unknown[] = [];
    for (const arg of nodes) {
      if (arg.type === 'SpreadElement') {
        const spread = this.fold(arg.argument, env);
        if (!spread || !Array.isArray(spread.value)) return undefined;
        out.push(...spread.value);
        continue;
      }
      const folded = this.fold(arg, env);
      if (!folded) return undefined;
      out.push(folded.value);
    }
    return out;
  }

  /**
   * A call of a function declared here: what its body returns with the
   * parameters bound to this call's folded arguments (`g('72657175697265')` of
   * a local hex decoder), or, when they do not fold, what every return agrees on.
   */
  private foldLocalCall(fn: AnyNode, argNodes: AnyNode[], env: Env | undefined): Folded | undefined {
    const returned = this.resolver.functions.returnedExpressions(fn);
    if (!returned?.length) return undefined;
    const params = runtimeParams(fn);
    const args = params.every((param: AnyNode) => param.type === 'Identifier') ? this.foldArgs(argNodes, env) : undefined;
    if (!args) return this.resolver.functions.usesArguments(fn) ? undefined : this.agreed(returned, env);
    const inner = this.bind(fn, params, args, env);
    return inner && this.agreed(returned, inner);
  }

  /** `s.replace(/../g, (m) => String.fromCharCode(parseInt(m, 16)))`: the callback folded for each match. */
  private foldReplace(receiverNode: AnyNode, patternNode: AnyNode, callback: AnyNode, method: string, env: Env | undefined): Folded | undefined {
    const receiver = this.fold(receiverNode, env)?.value;
    const pattern = this.fold(patternNode, env)?.value;
    const params: AnyNode[] = callback.params;
    if (typeof receiver !== 'string' || (typeof pattern !== 'string' && !(pattern instanceof RegExp)) || params.some((p) => p.type !== 'Identifier')) return undefined;
    const body = singleExpression(callback);
    if (!body) return undefined;
    let failed = false;
    let calls = 0;
    const replacer = (...matchArgs: unknown[]): string => {
      if (failed || ++calls > 100_000) {
        failed = true;
        return '';
      }
      const inner = this.bind(callback, params, matchArgs, env);
      const folded = inner && this.fold(body, inner);
      if (!folded || !convertsKnownly(folded.value)) failed = true;
      return folded && !failed ? String(folded.value) : '';
    };
    const value = method === 'replaceAll' ? receiver.replaceAll(pattern as RegExp, replacer) : receiver.replace(pattern as RegExp, replacer);
    return failed ? undefined : { value };
  }

  /** `[..].map(c => expr)`: folds `expr` once per element with the parameter bound. */
  private foldMap(arrayNode: AnyNode, callbackNode: AnyNode, env: Env | undefined): Folded | undefined {
    const callback = this.callbackOf(callbackNode);
    const array = callback && this.foldArray(arrayNode, env);
    if (!array) return undefined;
    const out: unknown[] = new Array(array.length);
    for (let i = 0; i < array.length; i++) {
      if (!(i in array)) continue;
      const folded = callback!.apply([array[i], i], env);
      if (!folded) return undefined;
      out[i] = folded.value;
    }
    return { value: out };
  }

  /**
   * `['chi', 'ld_', 'process'].reduce((a, b) => a + b)`, with or without an
   * initial value, or from the right: the callback folded once per element with
   * the accumulator and the element bound, as JavaScript runs it (holes skipped,
   * an empty array without an initial value throws, so nothing folds).
   */
  private foldReduce(arrayNode: AnyNode, argNodes: AnyNode[], fromRight: boolean, env: Env | undefined): Folded | undefined {
    const [callbackNode, initialNode] = argNodes;
    const callback = this.callbackOf(callbackNode);
    const array = callback && this.foldArray(arrayNode, env);
    if (!array) return undefined;
    const indexes = Object.keys(array).map(Number);
    if (fromRight) indexes.reverse();
    let accumulator: Folded | undefined = initialNode ? this.fold(initialNode, env) : indexes.length ? { value: array[indexes.shift()!] } : undefined;
    for (const i of indexes) {
      if (!accumulator) return undefined;
      accumulator = callback!.apply([accumulator.value, array[i], i], env);
    }
    return accumulator;
  }

  /** A folded array short enough to walk element by element. */
  private foldArray(node: AnyNode, env: Env | undefined): unknown[] | undefined {
    const array = this.fold(node, env)?.value;
    return Array.isArray(array) && array.length <= MAX_CALLBACK_ELEMENTS ? array : undefined;
  }

  /**
   * A callback whose result folds: a function written in place or a local one
   * never reassigned, with plain parameters and a body that only returns an
   * expression (so running it has no effect the folder would miss).
   */
  private callbackOf(node: AnyNode): { apply: (values: unknown[], env: Env | undefined) => Folded | undefined } | undefined {
    const fn = this.resolver.localFunction(node);
    const params: AnyNode[] | undefined = fn?.params;
    const body = fn && singleExpression(fn);
    if (!body || params!.some((p) => p.type !== 'Identifier')) return undefined;
    return {
      apply: (values, env) => {
        const inner = this.bind(fn!, params!.slice(0, values.length), values, env);
        return inner && this.fold(body, inner);
      },
    };
  }
}

/** The expression a callback returns when its body is just that: `(c) => expr` or `function (c) { return expr; }`. */
function singleExpression(callback: AnyNode): AnyNode | undefined {
  const body: AnyNode = callback.body;
  if (body.type !== 'BlockStatement') return body;
  return body.body.length === 1 && body.body[0].type === 'ReturnStatement' ? (body.body[0].argument ?? undefined) : undefined;
}

const URL_PARTS = new Set(['href', 'pathname', 'protocol', 'host', 'hostname', 'origin', 'search']);

function toUrl(text: string | undefined): URL | undefined {
  return text !== undefined && URL.canParse(text) ? new URL(text) : undefined;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  try {
    return JSON.stringify(a) === JSON.stringify(b);
  } catch {
    return false;
  }
}

/** Both lists of possibilities, without repeats; undefined when either is unknown or together they are too many. */
function union(a: unknown[] | undefined, b: unknown[] | undefined): unknown[] | undefined {
  if (!a || !b) return undefined;
  const out = [...a];
  for (const value of b) if (!out.some((known) => sameValue(known, value))) out.push(value);
  return out.length <= MAX_POSSIBLE ? out : undefined;
}

/** Every combination of the parts' possibilities, built into one value each; undefined past the limit. */
function combine(parts: (unknown[] | undefined)[], build: (values: unknown[]) => unknown): unknown[] | undefined {
  let combos: unknown[][] = [[]];
  for (const part of parts) {
    if (!part) return undefined;
    combos = combos.flatMap((combo) => part.map((value) => [...combo, value]));
    if (combos.length > MAX_POSSIBLE) return undefined;
  }
  const out: unknown[] = [];
  for (const combo of combos) {
    const value = build(combo);
    if (value === undefined) return undefined;
    out.push(value);
  }
  return union(out, []);
}

/** `target[key]` for a folded value: string and array indices and lengths, own properties of folded objects. */
function pick(target: any, key: string, fresh = false): Folded | undefined {
  if (target === null || target === undefined) return undefined;
  if (target instanceof NativeFunction) return key === 'name' ? { value: target.name } : undefined;
  const primitive = typeof target === 'string' || typeof target === 'number' || typeof target === 'boolean';
  // Only a primitive or a literal written right here certainly lacks what it does not show: a variable's object may gain members later.
  const exact = primitive || fresh;
  if (typeof target === 'string' || Array.isArray(target)) {
    if (key === 'length') return { value: target.length };
    const index = Number(key);
    if (key !== '' && Number.isInteger(index) && index >= 0) return index in Object(target) ? { value: target[index] } : exact ? { value: undefined } : undefined;
    return exact ? inherited(target, key) : undefined;
  }
  if (typeof target === 'object' && Object.prototype.hasOwnProperty.call(target, key)) {
    const value = target[key];
    return value === UNKNOWN ? undefined : { value };
  }
  return exact && (primitive || isPlainObject(target)) ? inherited(target, key) : undefined;
}

/**
 * What a value inherits under `key`: a built-in method stands for itself
 * (its text is `function at() { [native code] }`, which coercion-built strings
 * take letters from); a name nothing defines is `undefined`.
 */
function inherited(target: unknown, key: string): Folded | undefined {
  const member = (Object(target) as Record<string, unknown>)[key];
  if (member === undefined) return key === '__proto__' ? undefined : { value: undefined };
  return typeof member === 'function' ? { value: new NativeFunction(member.name) } : undefined;
}

/** A built-in function as a folded value: only its name and its text, never the function itself. */
class NativeFunction {
  constructor(readonly name: string) {}
  toString(): string {
    return `function ${this.name}() { [native code] }`;
  }
}

const CONVERTING_UNARY = new Set(['-', '+', '~']);
/** Own members that decide how an object becomes a string or number. */
const CONVERSION_HOOKS = ['toString', 'valueOf', 'toJSON'];
const MAX_CONVERSION_DEPTH = 8;

/**
 * Whether JavaScript turns a folded value into a primitive in a way the folder
 * knows: a primitive, a RegExp, a Buffer, a built-in function's text, an array
 * of such, or a plain object that defines none of the conversion hooks (`'' + {}`
 * is `'[object Object]'`). An object with its own `toString`/`valueOf` runs code
 * the folder does not (`'' + { valueOf: () => 'child_process' }`): unknown.
 */
export function convertsKnownly(value: unknown, depth = 0): boolean {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return typeof value !== 'symbol';
  if (depth > MAX_CONVERSION_DEPTH) return false;
  if (value instanceof NativeFunction || value instanceof RegExp || Buffer.isBuffer(value)) return true;
  if (Array.isArray(value)) return value.every((element) => element === undefined || convertsKnownly(element, depth + 1));
  return isPlainObject(value) && !CONVERSION_HOOKS.some((hook) => Object.prototype.hasOwnProperty.call(value, hook));
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** How JavaScript turns a folded key into a property name. */
function propertyKey(key: unknown): string {
  return typeof key === 'symbol' ? '' : String(key);
}

/** An array, object or primitive literal written at the member itself (`[][[]]`, `({}).x`, `'ab'[5]`), not one reached through a variable. */
function isFreshValue(node: AnyNode): boolean {
  const inner = unwrap(node);
  return inner.type === 'ArrayExpression' || inner.type === 'ObjectExpression' || inner.type === 'Literal' || inner.type === 'TemplateLiteral' || inner.type === 'BinaryExpression' || inner.type === 'UnaryExpression';
}

const STRING_METHODS = new Set([
  'concat', 'slice', 'substring', 'substr', 'toLowerCase', 'toUpperCase', 'trim', 'trimStart', 'trimEnd',
  'replace', 'replaceAll', 'charAt', 'charCodeAt', 'codePointAt', 'repeat', 'padStart', 'padEnd', 'at',
  'split', 'normalize', 'toString', 'valueOf', 'startsWith', 'endsWith', 'includes', 'indexOf',
]);
const ARRAY_METHODS = new Set(['join', 'reverse', 'concat', 'slice', 'at', 'toString', 'flat', 'indexOf', 'includes']);

function applyMethod(receiver: unknown, method: string, args: unknown[]): Folded | undefined {
  if (typeof receiver === 'string' && STRING_METHODS.has(method)) {
    return { value: (receiver as any)[method](...args) };
  }
  if (Array.isArray(receiver) && ARRAY_METHODS.has(method)) {
    const copy = method === 'reverse' ? [...receiver] : receiver;
    return { value: (copy as any)[method](...args) };
  }
  if (Buffer.isBuffer(receiver) && method === 'toString') {
    const encoding = (args[0] as BufferEncoding | undefined) ?? 'utf8';
    return Buffer.isEncoding(encoding) ? { value: receiver.toString(encoding) } : undefined;
  }
  if (typeof receiver === 'number' && method === 'toString') {
    return { value: receiver.toString(args[0] as number | undefined) };
  }
  return undefined;
}

/** Environment variables that name the user's folders, as `~` paths. */
const HOME_VARIABLES = new Map([
  ['process.env.HOME', HOME],
  ['process.env.USERPROFILE', HOME],
  ['process.env.APPDATA', `${HOME}/AppData/Roaming`],
  ['process.env.LOCALAPPDATA', `${HOME}/AppData/Local`],
]);

function homeFolderOf(ref: { module?: string; path: string[] } | undefined): string | undefined {
  return ref && ref.module === undefined ? HOME_VARIABLES.get(ref.path.join('.')) : undefined;
}

/** `path.join` for folded segments; `~` stays a prefix so `~/.ssh` is recognisable. */
function joinPaths(parts: string[]): string {
  let start = 0;
  for (let i = parts.length - 1; i >= 0; i--) {
    if (parts[i].startsWith('/') || parts[i] === HOME || parts[i].startsWith(`${HOME}/`)) { start = i; break; }
  }
  const segments: string[] = [];
  let absolute = parts[start]?.startsWith('/') ?? false;
  for (const part of parts.slice(start).join('/').split(/[\\/]+/)) {
    if (part === '' || part === '.') continue;
    if (part !== '..') segments.push(part);
    // Climbing above the home folder leaves it for somewhere absolute, at a depth only the machine knows: the rest
    // goes on from the root (`~/../../etc` is `/etc` for a home two folders deep), never as a relative path.
    else if (segments.length === 1 && segments[0] === HOME) {
      segments.pop();
      absolute = true;
    } else segments.pop();
  }
  const joined = segments.join('/');
  return absolute ? `/${joined}` : joined;
}
