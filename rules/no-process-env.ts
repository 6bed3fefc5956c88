/**
 * Environment variables. A single read names its variable in `data.variable`,
 * so a manifest's `capabilities.env` can cover it. What the read reveals
 * decides the rest: a harmless name on a short list (`NODE_ENV`, `CI`,
 * `TERM`…) or a value that only decides conditions each asking one fixed
 * question (`if (env.X)`, `env.X === 'a'`, `'X' in env`, a list of names
 * tested with `some`) is info; a secret-looking name whose value goes anywhere
 * else is high, any other name medium (`PATH` for `which`, a library's own
 * switches: a reviewer sees it, the community tier is warned). Names without
 * values (`Object.keys(process.env)`) are medium, and so are the values of a
 * harmless prefix (`DEBUG_*`, as `debug` reads its options); the values of
 * any other prefix are high. Whatever exposes the values of the whole
 * environment — spreading, serialising, passing or returning `process.env`,
 * a rest element — is high and no declaration covers it. Every road to
 * `process.env` the resolver knows counts.
 */
import type { Rule } from 'eslint';
import type { AnyNode } from './utils/ast.js';
import { isFunctionNode, isWriteTarget, plainKeyName, unwrap } from './utils/ast.js';
import { defineRule } from './meta.js';
import { isNativePreloadVariable, loadsCodeThroughEnv } from './utils/commands.js';
import { PathProver } from './utils/path-proof.js';
import { pluginWritableSearchFolder } from './utils/search-path.js';
import { report } from './utils/report.js';
import { DYNAMIC, Resolver, calleeLabel, resolverFor, type NormalizedCall, type Ref } from './utils/resolve.js';
import { ValueUses } from './utils/value-uses.js';

type MessageId = 'harmlessRead' | 'testedRead' | 'secretRead' | 'read' | 'harmlessWrite' | 'write' | 'loaderWrite' | 'nativeLoaderWrite' | 'dynamicRead' | 'harmlessPrefixRead' | 'prefixRead' | 'names' | 'dump';

/**
 * Variables whose value says how to behave, never who the user is or what they can reach, and those that say where
 * the system keeps things, which `os.homedir()` and `os.tmpdir()` tell anyway (docs/rules.md lists them).
 */
const HARMLESS = new Set([
  'NODE_ENV', 'NODE_DEBUG', 'DEBUG', 'TZ', 'CI', 'NO_COLOR', 'FORCE_COLOR', 'TERM', 'COLORTERM', 'TERM_PROGRAM', 'TERM_PROGRAM_VERSION',
  'COLUMNS', 'LINES', 'LANG', 'LANGUAGE', 'LC_ALL', 'LC_CTYPE', 'LC_MESSAGES',
  'HOME', 'USERPROFILE', 'HOMEDRIVE', 'HOMEPATH', 'APPDATA', 'LOCALAPPDATA', 'TMPDIR', 'TMP', 'TEMP',
  'XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_CACHE_HOME', 'XDG_STATE_HOME',
]);
/** Prefixes whose variables are options of that kind (`DEBUG_COLORS`, `DEBUG_DEPTH` for `debug`). */
const HARMLESS_PREFIXES = ['debug_'];
/** Calls that list only the names of the environment's variables. */
const NAME_LISTS = new Set(['Object.keys', 'Object.getOwnPropertyNames', 'Reflect.ownKeys']);
const SECRET_LOOKING =
  /TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|KEY|CREDENTIAL|AUTH|COOKIE|SESSION|PRIVATE|CERT|SALT|DSN|DATABASE_URL|JWT|BEARER|SIGNING|WEBHOOK|MNEMONIC|SEED_PHRASE|CONNECTION_STRING|RPC_URL|_(?:PASS|PWD|PK)(?:_|$)|^(?:PASS|PWD|PK)_|^(?:MONGO|MONGODB|REDIS|AMQP|POSTGRES|PG|MYSQL)_UR[LI]$|^(?:AWS|AZURE|GCP|GOOGLE|NPM|GITHUB|GH|GITLAB|SLACK|STRIPE|OPENAI|ANTHROPIC)_/i;
/** Calls that read or test one variable by name rather than expose the object: `Reflect.get(process.env, 'X')`. */
const KEYED_CALLS = new Set(['Reflect.get', 'Reflect.has', 'Reflect.getOwnPropertyDescriptor', 'Object.hasOwn', 'Object.getOwnPropertyDescriptor']);
/** Calls that set keys of their first argument: on `process.env`, each is a write of that variable. */
const KEYED_WRITES = new Set(['Reflect.set', 'Reflect.defineProperty', 'Object.defineProperty', 'Object.assign']);
/** Methods every object has that test one key: `process.env.hasOwnProperty('X')`, `Object.prototype.hasOwnProperty.call(process.env, 'X')`. */
const OWN_KEY_METHODS = new Set(['hasOwnProperty', 'propertyIsEnumerable']);

const env = { category: 'env', capability: 'env' } as const;

const rule = defineRule<MessageId>({
  name: 'no-process-env',
  description: 'Reports reads of environment variables, and as high any access to the whole environment.',
  messages: {
    harmlessRead: "Reads the environment variable '{{variable}}'.",
    testedRead: "Tests the environment variable '{{variable}}'; its value only decides a condition, so nothing of it leaves.",
    secretRead: "Reads the environment variable '{{variable}}', which looks like a secret; the manifest must declare it in capabilities.env.",
    read: "Reads the environment variable '{{variable}}', which is not on the list of harmless names; the manifest must declare it in capabilities.env.",
    harmlessWrite: "Sets the environment variable '{{variable}}'.",
    write: "Changes the environment variable '{{variable}}' for everything else in the process.",
    loaderWrite: "Sets '{{variable}}' in the process's environment, which makes every program started after it load or run code the gate never read.",
    nativeLoaderWrite: "Sets '{{variable}}' in the process's environment, which makes every program started after it load a native library the gate never read.",
    dynamicRead: 'Reads an environment variable whose name is only known at run time.',
    harmlessPrefixRead: "Reads the environment variables whose names start with '{{prefix}}'.",
    prefixRead: "Reads the values of every environment variable whose name starts with '{{prefix}}', secrets among them (npm keeps its registry token in npm_config_*).",
    names: 'Lists the names of all environment variables ({{how}}), not their values.',
    dump: 'Exposes the whole environment ({{how}}), every secret in it included.',
  },
  findings: {
    harmlessRead: { ...env, severity: 'info' },
    testedRead: { ...env, severity: 'info' },
    secretRead: { ...env, severity: 'high' },
    read: { ...env, severity: 'medium' },
    harmlessWrite: { ...env, severity: 'info' },
    write: { ...env, severity: 'high' },
    loaderWrite: { category: 'child-process', severity: 'critical' },
    nativeLoaderWrite: { category: 'native-code', severity: 'critical' },
    dynamicRead: { ...env, severity: 'high' },
    harmlessPrefixRead: { ...env, severity: 'medium' },
    prefixRead: { ...env, severity: 'high' },
    names: { category: 'env', severity: 'medium' },
    dump: { ...env, severity: 'high' },
  },
  create(context) {
    const resolver = resolverFor(context);
    const isEnv = (node: AnyNode | null | undefined) => Boolean(node) && isEnvObject(resolver.resolve(node!));

    const uses = new ValueUses(resolver, (node) => context.sourceCode.getScope(node as never));
    const prover = new PathProver(resolver, (node) => context.sourceCode.getScope(node as never), false, () => false);

    /**
     * One variable read, tested or written at `node`. `value` is where the value goes (absent for a test
     * such as `'X' in env`); `keyNode` is the name's expression when it does not fold.
     */
    const reportVariable = (node: AnyNode, variable: string | undefined, how: { write?: boolean; written?: AnyNode; value?: AnyNode | 'tested'; binding?: AnyNode; keyNode?: AnyNode } = {}) => {
      const tested = how.value === 'tested' || (how.binding ? uses.variableRevealsNothing(how.binding) : how.value !== undefined && uses.revealsNothing(how.value));
      if (how.write) {
        const name = variable === undefined || variable === DYNAMIC ? '…' : variable;
        const assigned = node.parent?.type === 'AssignmentExpression' && node.parent.left === node ? node.parent : undefined;
        // What another write (a destructuring target, `*=`) leaves there is known only at run time; `+=` adds its right side.
        const written = how.written ?? (assigned?.operator === '=' || assigned?.operator === '+=' ? assigned.right : undefined);
        const value = written && addedText(written, name);
        // A PATH that puts a folder the plugin writes first makes every program later run by name one the plugin may have written.
        const hijacks = /^path$/i.test(name) && written !== undefined && pluginWritableSearchFolder(resolver, prover, written) !== undefined;
        const loader = name !== '…' && (hijacks || loadsCodeThroughEnv(name, value)) ? (isNativePreloadVariable(name) ? 'nativeLoaderWrite' : 'loaderWrite') : undefined;
        report(context, rule, { node, messageId: loader ?? (HARMLESS.has(name) ? 'harmlessWrite' : 'write'), data: { variable: name } });
        return;
      }
      if (variable === undefined || variable === DYNAMIC) {
        const prefix = how.keyNode && filteredPrefix(how.keyNode);
        if (tested) report(context, rule, { node, messageId: 'testedRead', data: { variable: '…' } });
        else if (prefix !== undefined) report(context, rule, { node, messageId: isHarmlessPrefix(prefix) ? 'harmlessPrefixRead' : 'prefixRead', data: { prefix } });
        else report(context, rule, { node, messageId: 'dynamicRead' });
        return;
      }
      const messageId: MessageId = HARMLESS.has(variable) ? 'harmlessRead' : tested ? 'testedRead' : SECRET_LOOKING.test(variable) ? 'secretRead' : 'read';
      report(context, rule, { node, messageId, data: { variable } });
    };

    /**
     * The text a write adds to variable `name`: what it folds to, where a read of the variable itself counts as nothing
     * new (`` `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=4096` `` adds only the heap flag).
     */
    const addedText = (expression: AnyNode, name: string, depth = 0): string | undefined => {
      const folded = resolver.folder.foldString(expression);
      if (folded !== undefined || depth > 8) return folded;
      const node = unwrap(expression);
      const ref = node.type === 'MemberExpression' ? resolver.resolve(node) : undefined;
      if (ref && ref.path[ref.path.length - 1] === name && isEnvObject({ module: ref.module, path: ref.path.slice(0, -1) })) return '';
      // Trimming adds nothing: `` `${own} --flag`.trim() ``.
      const trimmed = node.type === 'CallExpression' && node.arguments.length === 0 && node.callee.type === 'MemberExpression' && /^trim(?:Start|End)?$/.test(plainKeyName(node.callee.property, node.callee.computed) ?? '');
      if (trimmed) return addedText(node.callee.object, name, depth + 1);
      const parts = node.type === 'TemplateLiteral' ? node.quasis.flatMap((quasi: AnyNode, i: number) => [quasi.value.cooked ?? '', ...(node.expressions[i] ? [node.expressions[i]] : [])])
        : node.type === 'BinaryExpression' && node.operator === '+' ? [node.left, node.right]
          // `own || ''`: the variable, or a default that folds.
          : node.type === 'LogicalExpression' && node.operator !== '&&' ? [node.left, node.right].map((side) => addedText(side, name, depth + 1)).every((text) => text === '') ? [''] : undefined
            : undefined;
      const texts = parts?.map((part: AnyNode | string) => (typeof part === 'string' ? part : addedText(part, name, depth + 1)));
      return texts?.every((text: string | undefined) => text !== undefined) ? texts.join('') : undefined;
    };

    /**
     * The variables a keyed write call sets on `process.env` and what it writes there: `Reflect.set(env, 'K', v)`, a
     * property descriptor (its value unknown), each key of `Object.assign(env, { K: v })`; a source the gate cannot
     * list writes names it cannot tell.
     */
    const keyedWrites = (name: string, args: AnyNode[]): { node?: AnyNode; variable: string | undefined; value?: AnyNode }[] => {
      if (name !== 'Object.assign') return [{ variable: args[1] && resolver.folder.foldString(args[1]), value: name === 'Reflect.set' ? args[2] : undefined }];
      return args.slice(1).flatMap((source) => {
        const object = unwrap(source);
        if (object.type !== 'ObjectExpression') return [{ node: source, variable: undefined }];
        return object.properties.map((property: AnyNode) => property.type === 'Property'
          ? { node: property, variable: property.computed ? resolver.folder.foldString(property.key) : plainKeyName(property.key, false), value: property.value }
          : { node: property, variable: undefined });
      });
    };

    /** `process.env[key]` where `key` walks `Object.keys(process.env).filter((k) => /^debug_/i.test(k))`: the literal prefix. */
    const filteredPrefix = (keyNode: AnyNode): string | undefined => {
      const key = unwrap(keyNode);
      const list = key.type === 'Identifier' ? resolver.iteratedArray(key) : undefined;
      return list && prefixOfFilter(resolver, unwrap(list), isEnv);
    };

    const dumpIfEnv = (node: AnyNode | null | undefined, how: string) => {
      if (node && node.type !== 'SpreadElement' && isEnv(node)) report(context, rule, { node, messageId: 'dump', data: { how } });
    };

    /** `const { A, env: { B }, ...rest } = …`: each name taken from `process.env` is a read, a rest element takes it all. */
    const walkPattern = (pattern: AnyNode, source: Ref | undefined) => {
      if (!source) return;
      if (pattern.type === 'AssignmentPattern') return walkPattern(pattern.left, source);
      if (pattern.type !== 'ObjectPattern') return;
      for (const property of pattern.properties) {
        if (property.type === 'RestElement') {
          if (isEnvObject(source)) report(context, rule, { node: property, messageId: 'dump', data: { how: 'a rest element of a destructuring' } });
          continue;
        }
        const key = property.computed ? resolver.folder.foldString(property.key) : plainKeyName(property.key, false);
        const target = property.value.type === 'AssignmentPattern' ? property.value.left : property.value;
        if (isEnvObject(source)) reportVariable(property, key, target.type === 'Identifier' ? { binding: target } : {});
        else walkPattern(property.value, { module: source.module, path: [...source.path, key ?? DYNAMIC] });
      }
    };

    /** The object and key of a call that reads or tests one key, if it is one. */
    const keyedAccess = (node: AnyNode, call: NormalizedCall): [AnyNode | undefined, AnyNode | undefined] | undefined => {
      const args = call.args ?? [];
      const path = call.callee?.module === undefined ? call.callee?.path : undefined;
      if (!path) return undefined;
      if (KEYED_CALLS.has(path.join('.'))) return [args[0], args[1]];
      if (!OWN_KEY_METHODS.has(path[path.length - 1])) return undefined;
      if (path.length === 3 && path[0] === 'Object' && path[1] === 'prototype') return [thisArgument(node), args[0]];
      return call.calleeNode.type === 'MemberExpression' ? [call.calleeNode.object, args[0]] : undefined;
    };
    const onCall = (node: AnyNode) => {
      const call = resolver.normalizeCall(node);
      const keyed = keyedAccess(node, call);
      if (keyed && isEnv(keyed[0])) {
        // `Reflect.get` hands on the value; the others only answer whether the variable is set.
        const reads = Resolver.nameOf(call.callee) === 'Reflect.get';
        reportVariable(node, keyed[1] && resolver.folder.foldString(keyed[1]), { value: reads ? node : 'tested', keyNode: keyed[1] });
        return;
      }
      const name = Resolver.nameOf(call.callee);
      if (name !== undefined && KEYED_WRITES.has(name) && isEnv(call.args?.[0])) {
        for (const write of keyedWrites(name, call.args ?? [])) reportVariable(write.node ?? node, write.variable, { write: true, written: write.value });
        return;
      }
      if (name !== undefined && NAME_LISTS.has(name) && isEnv(call.args?.[0])) {
        report(context, rule, { node, messageId: 'names', data: { how: name } });
        return;
      }
      for (const arg of node.arguments) dumpIfEnv(arg, `passed to ${calleeLabel(context.sourceCode, call)}`);
    };

    return {
      MemberExpression(node: AnyNode) {
        const ref = resolver.resolve(node);
        if (!ref || !isEnvObject({ module: ref.module, path: ref.path.slice(0, -1) })) return;
        const variable = ref.path[ref.path.length - 1];
        // `process.env.hasOwnProperty(…)` is a method of the object, not a variable.
        if (variable in Object.prototype) return;
        reportVariable(node, variable, { write: isWriteTarget(node), value: node, keyNode: node.computed ? node.property : undefined });
      },
      VariableDeclarator(node: AnyNode) {
        if (node.init) walkPattern(node.id, resolver.resolve(node.init));
      },
      AssignmentExpression(node: AnyNode) {
        if (node.left.type === 'ObjectPattern') walkPattern(node.left, resolver.resolve(node.right));
        else if (node.left.type === 'MemberExpression') dumpIfEnv(node.right, 'stored in another object');
      },
      AssignmentPattern(node: AnyNode) {
        if (node.parent && isFunctionNode(node.parent)) walkPattern(node.left, resolver.resolve(node.right));
      },
      BinaryExpression(node: AnyNode) {
        // `'TOKEN' in process.env` tells whether the variable is set.
        if (node.operator === 'in' && isEnv(node.right)) reportVariable(node, resolver.folder.foldString(node.left), { value: 'tested' });
      },
      CallExpression: onCall,
      NewExpression: onCall,
      SpreadElement: (node: AnyNode) => dumpIfEnv(node.argument, 'spread'),
      ForInStatement: (node: AnyNode) => {
        if (isEnv(node.right)) report(context, rule, { node: node.right, messageId: 'names', data: { how: 'for…in' } });
      },
      WithStatement: (node: AnyNode) => dumpIfEnv(node.object, 'opened with with'),
      ReturnStatement: (node: AnyNode) => dumpIfEnv(node.argument, 'returned'),
      ArrowFunctionExpression: (node: AnyNode) => node.expression && dumpIfEnv(node.body, 'returned'),
      YieldExpression: (node: AnyNode) => dumpIfEnv(node.argument, 'yielded'),
      Property: (node: AnyNode) => node.parent?.type === 'ObjectExpression' && dumpIfEnv(node.value, 'stored in an object'),
      ArrayExpression: (node: AnyNode) => node.elements.forEach((element: AnyNode | null) => dumpIfEnv(element, 'stored in an array')),
      ExportDefaultDeclaration: (node: AnyNode) => dumpIfEnv(node.declaration, 'exported'),
      ExportSpecifier: (node: AnyNode) => node.parent?.source == null && dumpIfEnv(node.local, 'exported'),
    } as Rule.RuleListener;
  },
});

/** The resolver maps `import { env } from 'process'` and `require('process').env` to the global `process.env`. */
function isEnvObject(ref: Ref | undefined): boolean {
  return ref?.module === undefined && ref?.path.length === 2 && ref.path[0] === 'process' && ref.path[1] === 'env';
}

/**
 * `Object.keys(env).filter((k) => /^debug_/i.test(k))` or `.filter((k) => k.startsWith('APP_'))`:
 * the names of a literal prefix, as the `debug` package reads its options.
 */
function prefixOfFilter(resolver: Resolver, list: AnyNode, isEnv: (node: AnyNode) => boolean): string | undefined {
  const callee = list.type === 'CallExpression' ? unwrap(list.callee) : undefined;
  if (callee?.type !== 'MemberExpression' || plainKeyName(callee.property, callee.computed) !== 'filter') return undefined;
  const source = unwrap(callee.object);
  const names = source.type === 'CallExpression' ? Resolver.nameOf(resolver.resolve(source.callee)) : undefined;
  if (names === undefined || !NAME_LISTS.has(names) || !source.arguments[0] || !isEnv(source.arguments[0])) return undefined;
  const callback = unwrap(list.arguments[0] ?? { type: 'none' });
  if (callback.type !== 'ArrowFunctionExpression' && callback.type !== 'FunctionExpression') return undefined;
  let body: AnyNode = callback.body;
  if (body.type === 'BlockStatement') body = body.body.length === 1 && body.body[0].type === 'ReturnStatement' ? body.body[0].argument : undefined;
  if (body?.type !== 'CallExpression' || unwrap(body.callee).type !== 'MemberExpression') return undefined;
  const test = unwrap(body.callee);
  const method = plainKeyName(test.property, test.computed);
  // Only a pattern that is nothing but an anchored prefix: `/^debug_|token/` also takes names without it.
  if (method === 'test' && test.object.type === 'Literal' && test.object.regex) {
    return /^\^([\w-]+)(?:\.\*|\\w[*+])?$/.exec(test.object.regex.pattern)?.[1];
  }
  return method === 'startsWith' ? resolver.folder.foldString(body.arguments[0]) : undefined;
}

/** A prefix on the short list, compared without case as `debug`'s `/^debug_/i` does. */
function isHarmlessPrefix(prefix: string): boolean {
  return HARMLESS_PREFIXES.includes(prefix.toLowerCase());
}

/** The receiver of `Object.prototype.hasOwnProperty.call(process.env, 'X')`. */
function thisArgument(node: AnyNode): AnyNode | undefined {
  const callee = unwrap(node.callee);
  return callee.type === 'MemberExpression' && plainKeyName(callee.property, callee.computed) === 'call' ? node.arguments[0] : undefined;
}

export default rule;

