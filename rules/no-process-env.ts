/**
 * Environment variables. A single read names its variable in `data.variable`,
 * so a manifest's `capabilities.env` can cover it: well-known harmless ones
 * (`NODE_ENV`, `DEBUG`…) are info, every other name is high (secret-looking
 * names get a sharper message). Whatever exposes the whole environment —
 * spreading, enumerating, serialising, passing or returning `process.env`, a
 * rest element in a destructuring — is high and cannot be covered by a
 * declaration. Every road to `process.env` the resolver knows counts:
 * `globalThis.process.env`, aliases, `const { env } = process`,
 * `import { env } from 'node:process'`, `require('process').env`.
 */
import type { Rule } from 'eslint';
import type { AnyNode } from './utils/ast.js';
import { isFunctionNode, isWriteTarget, plainKeyName, unwrap } from './utils/ast.js';
import { defineRule } from './meta.js';
import { report } from './utils/report.js';
import { DYNAMIC, calleeLabel, resolverFor, type NormalizedCall, type Ref } from './utils/resolve.js';

type MessageId = 'harmlessRead' | 'secretRead' | 'read' | 'harmlessWrite' | 'write' | 'dynamicRead' | 'dump';

const HARMLESS = new Set(['NODE_ENV', 'NODE_DEBUG', 'DEBUG', 'TZ', 'CI', 'NO_COLOR', 'FORCE_COLOR', 'TERM', 'COLORTERM', 'LANG', 'LC_ALL']);
const SECRET_LOOKING =
  /TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|KEY|CREDENTIAL|AUTH|COOKIE|SESSION|PRIVATE|CERT|SALT|DSN|DATABASE_URL|^(?:AWS|AZURE|GCP|GOOGLE|NPM|GITHUB|GH|GITLAB|SLACK|STRIPE|OPENAI|ANTHROPIC)_/i;
/** Calls that read or test one variable by name rather than expose the object: `Reflect.get(process.env, 'X')`. */
const KEYED_CALLS = new Set(['Reflect.get', 'Reflect.has', 'Reflect.getOwnPropertyDescriptor', 'Object.hasOwn', 'Object.getOwnPropertyDescriptor']);
/** Methods every object has that test one key: `process.env.hasOwnProperty('X')`, `Object.prototype.hasOwnProperty.call(process.env, 'X')`. */
const OWN_KEY_METHODS = new Set(['hasOwnProperty', 'propertyIsEnumerable']);

const env = { category: 'env', capability: 'env' } as const;

const rule = defineRule<MessageId>({
  name: 'no-process-env',
  description: 'Reports reads of environment variables, and as high any access to the whole environment.',
  messages: {
    harmlessRead: "Reads the environment variable '{{variable}}'.",
    secretRead: "Reads the environment variable '{{variable}}', which looks like a secret; the manifest must declare it in capabilities.env.",
    read: "Reads the environment variable '{{variable}}'; the manifest must declare it in capabilities.env.",
    harmlessWrite: "Sets the environment variable '{{variable}}'.",
    write: "Changes the environment variable '{{variable}}' for everything else in the process.",
    dynamicRead: 'Reads an environment variable whose name is only known at run time.',
    dump: 'Exposes the whole environment ({{how}}), every secret in it included.',
  },
  findings: {
    harmlessRead: { ...env, severity: 'info' },
    secretRead: { ...env, severity: 'high' },
    read: { ...env, severity: 'high' },
    harmlessWrite: { ...env, severity: 'info' },
    write: { ...env, severity: 'high' },
    dynamicRead: { ...env, severity: 'high' },
    dump: { ...env, severity: 'high' },
  },
  create(context) {
    const resolver = resolverFor(context);
    const isEnv = (node: AnyNode | null | undefined) => Boolean(node) && isEnvObject(resolver.resolve(node!));

    const reportVariable = (node: AnyNode, variable: string | undefined, write = false) => {
      if (variable === undefined || variable === DYNAMIC) {
        report(context, rule, { node, messageId: 'dynamicRead' });
        return;
      }
      const messageId: MessageId = HARMLESS.has(variable)
        ? write ? 'harmlessWrite' : 'harmlessRead'
        : write ? 'write' : SECRET_LOOKING.test(variable) ? 'secretRead' : 'read';
      report(context, rule, { node, messageId, data: { variable } });
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
        if (isEnvObject(source)) reportVariable(property, key);
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
        reportVariable(node, keyed[1] && resolver.folder.foldString(keyed[1]));
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
        reportVariable(node, variable, isWriteTarget(node));
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
        if (node.operator === 'in' && isEnv(node.right)) reportVariable(node, resolver.folder.foldString(node.left));
      },
      CallExpression: onCall,
      NewExpression: onCall,
      SpreadElement: (node: AnyNode) => dumpIfEnv(node.argument, 'spread'),
      ForInStatement: (node: AnyNode) => dumpIfEnv(node.right, 'enumerated with for…in'),
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

/** The receiver of `Object.prototype.hasOwnProperty.call(process.env, 'X')`. */
function thisArgument(node: AnyNode): AnyNode | undefined {
  const callee = unwrap(node.callee);
  return callee.type === 'MemberExpression' && plainKeyName(callee.property, callee.computed) === 'call' ? node.arguments[0] : undefined;
}

export default rule;
