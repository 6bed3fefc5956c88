/**
 * no-capability-escape: the gate proves the values that grant power —
 * `require`, `module`, `process`, the global object, `eval`, `Function` and
 * its siblings, `Reflect`, `WebAssembly`, `import.meta`, the network globals,
 * the `module` and `vm` builtins, and the objects of the builtins that run
 * programs, touch files, open sockets or hold the app's crypto
 * (`child_process`, `fs`, `net`, `http`, `crypto`…) — stay in shapes it fully resolves. Every
 * expression that evaluates to one of them, however spelled, is followed
 * (utils/confinement.ts); where it leaves those shapes the finding names the
 * root and the place, in the category of what the root can do.
 */
import type { Rule } from 'eslint';
import { defineRule, type FindingKind } from './meta.js';
import type { AnyNode } from './utils/ast.js';
import { isFunctionNode, isReferenceIdentifier, unwrap } from './utils/ast.js';
import { capabilityRoot, type CapabilityRoot } from './utils/capability-roots.js';
import { Confinement } from './utils/confinement.js';
import { insideInteropHelper } from './utils/interop-helpers.js';
import { report } from './utils/report.js';
import { moduleName } from './utils/specifiers.js';
import { memberName, normalize, resolverFor, type Ref } from './utils/resolve.js';

type MessageId =
  | 'escapeCode' | 'escapeModule' | 'escapeLoader' | 'escapeNative' | 'escapeEnv' | 'escapeNetwork'
  | 'escapeChildProcessModule' | 'escapeFilesystemModule' | 'escapeNetworkModule' | 'escapeSharedModule'
  | 'escapeChildProcessFunction' | 'escapeFilesystemFunction';

const MESSAGE_OF: Record<CapabilityRoot['category'], MessageId> = {
  'dynamic-code': 'escapeCode',
  'dynamic-import': 'escapeModule',
  'runtime-tampering': 'escapeLoader',
  'native-code': 'escapeNative',
  env: 'escapeEnv',
  network: 'escapeNetwork',
  'child-process': 'escapeChildProcessModule',
  filesystem: 'escapeFilesystemModule',
};

/** A builtin module's object whose category other roots share: the calls made on it where it goes are what the gate cannot judge. */
const MODULE_MESSAGE_OF: Partial<Record<CapabilityRoot['category'], MessageId>> = {
  network: 'escapeNetworkModule',
  'runtime-tampering': 'escapeSharedModule',
};

/** One of those modules' functions (`cp.execSync`, `fs.readFile`); a network function is worded as the network globals are. */
const FUNCTION_MESSAGE_OF: Partial<Record<CapabilityRoot['category'], MessageId>> = {
  'child-process': 'escapeChildProcessFunction',
  filesystem: 'escapeFilesystemFunction',
};

const messageOf = (root: CapabilityRoot): MessageId =>
  (root.builtinModule && MODULE_MESSAGE_OF[root.category]) || (root.builtinFunction && FUNCTION_MESSAGE_OF[root.category]) || MESSAGE_OF[root.category];

const critical = (category: FindingKind['category']): FindingKind => ({ category, severity: 'critical' });

const rule = defineRule<MessageId>({
  name: 'no-capability-escape',
  description: 'Reports a capability root (require, module, process, the global object, eval, Function, Reflect, fetch…) that leaves the shapes the gate can follow.',
  messages: {
    escapeCode: "'{{root}}' {{how}}; the gate cannot follow it there, so it cannot tell what code it runs.",
    escapeModule: "'{{root}}' {{how}}; the gate cannot follow it there, so it cannot tell what it loads.",
    escapeLoader: "'{{root}}' {{how}}; the gate cannot follow it there, so it cannot tell how it changes Node's module loader.",
    escapeNative: "'{{root}}' {{how}}; the gate cannot follow it there, so it cannot tell what native code it reaches.",
    escapeEnv: "'{{root}}' {{how}}; the gate cannot follow it there, and it exposes the whole environment.",
    escapeNetwork: "'{{root}}' {{how}}, so other code can reach the network with it.",
    escapeChildProcessModule: "The '{{root}}' module {{how}}; the gate cannot follow it there, so it cannot tell what programs the calls made on it run.",
    escapeFilesystemModule: "The '{{root}}' module {{how}}; the gate cannot follow it there, so it cannot tell which files the calls made on it read or write.",
    escapeNetworkModule: "The '{{root}}' module {{how}}; the gate cannot follow it there, so it cannot tell where the calls made on it connect.",
    escapeSharedModule: "The '{{root}}' module {{how}}; the gate cannot follow it there, so it cannot tell whether its functions are replaced for the whole app.",
    escapeChildProcessFunction: "'{{root}}' {{how}}; the gate cannot follow it there, so it cannot tell what programs the calls made with it run.",
    escapeFilesystemFunction: "'{{root}}' {{how}}; the gate cannot follow it there, so it cannot tell which files the calls made with it read or write.",
  },
  findings: {
    escapeCode: critical('dynamic-code'),
    escapeModule: critical('dynamic-import'),
    escapeLoader: critical('runtime-tampering'),
    escapeNative: critical('native-code'),
    escapeEnv: { category: 'env', severity: 'high' },
    escapeNetwork: { category: 'network', severity: 'high', capability: 'network', grantable: false },
    // Declaring the capability grants the calls the gate judges, not calls it never sees.
    escapeChildProcessModule: { category: 'child-process', severity: 'high', capability: 'childProcess', grantable: false },
    escapeFilesystemModule: { category: 'filesystem', severity: 'high', capability: 'filesystem', grantable: false },
    escapeNetworkModule: { category: 'network', severity: 'high', capability: 'network', grantable: false },
    escapeSharedModule: { category: 'runtime-tampering', severity: 'high' },
    escapeChildProcessFunction: { category: 'child-process', severity: 'high', capability: 'childProcess', grantable: false },
    escapeFilesystemFunction: { category: 'filesystem', severity: 'high', capability: 'filesystem', grantable: false },
  },
  create(context) {
    const resolver = resolverFor(context);
    const confinement = new Confinement(resolver, context.sourceCode);
    // Two roots can reach the same place (`let g = globalThis; if (x) g = window;`): one finding there.
    const reported = new Set<AnyNode>();
    const check = (node: AnyNode) => {
      // Names that read no variable (`a.b`'s `b`, `{ b: 1 }`'s key) are never roots: not worth resolving.
      if (node.type === 'Identifier' && !isReferenceIdentifier(node)) return;
      const ref = resolver.resolve(node);
      if (!capabilityRoot(ref)) return;
      const escape = confinement.escapeOf(node, ref!);
      if (!escape || reported.has(escape.node) || (isBuiltinPart(capabilityRoot(escape.root)!) && insideInteropHelper(escape.node, resolver))) return;
      reported.add(escape.node);
      const root = capabilityRoot(escape.root)!;
      report(context, rule, { node: escape.node, messageId: messageOf(root), data: { root: root.label, how: escape.how } });
    };
    /** `import('process').then(send)`: a promise of a root hands the root to whatever `then` is given, unless it is a function the walk follows. */
    const checkThen = (node: AnyNode) => {
      check(node);
      const callee = unwrap(node.callee);
      const handler = node.arguments[0];
      if (callee.type !== 'MemberExpression' || memberName(callee, resolver.folder) !== 'then' || !handler || isFunctionNode(unwrap(handler))) return;
      const promised = resolver.resolve(callee.object);
      const root = promised && capabilityRoot(withoutPromise(promised));
      if (!root || reported.has(handler)) return;
      reported.add(handler);
      report(context, rule, { node: handler, messageId: messageOf(root), data: { root: root.label, how: `is handed to ${context.sourceCode.getText(handler as never).slice(0, 40)} by then()` } });
    };
    /**
     * `export * from 'child_process'`, `export { execSync as run } from 'node:child_process'`: the module, or one of its
     * powerful functions, handed to every file that imports this one, with no expression in between to follow.
     */
    const checkReexport = (node: AnyNode) => {
      const specifier = node.source?.value;
      // A declaration file and `export type … from` only describe types: TypeScript erases them, nothing is handed on.
      if (typeof specifier !== 'string' || node.exportKind === 'type' || DECLARATION_FILE.test(context.filename)) return;
      const module = moduleName(specifier);
      const exported = node.type === 'ExportAllDeclaration' ? [{ node, path: [] as string[] }]
        : node.specifiers.filter((spec: AnyNode) => spec.exportKind !== 'type').map((spec: AnyNode) => ({ node: spec, path: exportedName(spec.local) === 'default' ? [] : [exportedName(spec.local)] }));
      for (const { node: at, path } of exported) {
        const root = capabilityRoot({ module, path });
        // A re-exported binding cannot be written through by its importers: crypto's shared functions stay the module's.
        if (!root || !isBuiltinPart(root) || root.category === 'runtime-tampering') continue;
        report(context, rule, { node: at, messageId: messageOf(root), data: { root: root.label, how: 'is re-exported to the files that import this one' } });
      }
    };
    return {
      ExportAllDeclaration: checkReexport,
      ExportNamedDeclaration: checkReexport,
      Identifier: check,
      MemberExpression: check,
      CallExpression: checkThen,
      NewExpression: check,
      ThisExpression: check,
      MetaProperty: check,
      AwaitExpression: check,
      ClassExpression: check,
    } as Rule.RuleListener;
  },
});

const DECLARATION_FILE = /\.d\.[cm]?ts$/;

const isBuiltinPart = (root: CapabilityRoot): boolean => Boolean(root.builtinModule || root.builtinFunction);

/** `export { a }`'s `a`, `export { 'a-b' as c }`'s `'a-b'`. */
const exportedName = (name: AnyNode): string => (name.type === 'Identifier' ? name.name : String(name.value));

/** The ref a promise resolves to: `import('vm')` is `vm`, an async function's `%promise.require` is `require`. */
function withoutPromise(ref: Ref): Ref | undefined {
  const at = ref.path.indexOf('%promise');
  return at === 0 || at === ref.path.length - 1 ? normalize({ module: ref.module, path: ref.path.filter((_, i) => i !== at) }) : undefined;
}

export default rule;
