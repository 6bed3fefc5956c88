/**
 * no-native-code: reaching native code, which no JavaScript-level review or
 * permission check can see into. The private binding loaders of `process` are
 * critical; loading an addon (`.node` file or a loader package) is a use of
 * the `nativeAddons` capability. Shipped binaries are found by the analyzer.
 */
import type { Rule } from 'eslint';
import { defineRule } from './meta.js';
import type { AnyNode } from './utils/ast.js';
import { climbWrappers, plainKeyName, unwrap } from './utils/ast.js';
import { combineListeners } from './utils/listeners.js';
import { DATA_ROOT } from './utils/markers.js';
import { moduleLoadListeners } from './utils/modules.js';
import { isInside, PathProver } from './utils/path-proof.js';
import { packageName } from './utils/specifiers.js';
import { report } from './utils/report.js';
import { DYNAMIC, memberName, resolverFor, type Resolver } from './utils/resolve.js';

const PROCESS_BINDINGS = new Set(['binding', '_linkedBinding', 'dlopen']);
const ADDON_LOADERS = new Set(['bindings', 'node-gyp-build', 'node-pre-gyp', '@mapbox/node-pre-gyp', 'prebuild-install']);
/** Foreign-function interfaces: any function of any shared library, libc's `system` included, called from JavaScript. */
const FFI_PACKAGES = new Set(['koffi', 'ffi-napi', 'ffi', 'node-ffi', 'ffi-rs', 'ffi-cross', 'ref-napi', 'ref-struct-napi', 'ref-array-napi', 'ref-union-napi']);
/** Node's WebAssembly System Interface: compiled code given real files, clocks and arguments of the host. */
const WASI_MODULES = new Set(['wasi']);
/** A `.node` file, or a module in node-gyp's output folders (`require('./build/Release/addon')` finds `addon.node`). */
const ADDON_SPECIFIER = /\.node$|(?:^|\/)build\/(?:release|debug)\//i;
/** Shared libraries a dynamic loader would pick up (`LD_PRELOAD`, a DLL search path). */
const NATIVE_LIBRARY = /(?:^|\/)(?:[^/]*\.(?:so(?:\.\d+)*|dll|dylib|node)|\.so)$/i;
/** fs functions that create or overwrite the file named by their first argument (the second, for copies and renames). */
const FILE_WRITERS: Record<string, number> = {
  writeFile: 0, writeFileSync: 0, appendFile: 0, appendFileSync: 0, createWriteStream: 0, open: 0, openSync: 0,
  copyFile: 1, copyFileSync: 1, cp: 1, cpSync: 1, rename: 1, renameSync: 1, symlink: 1, symlinkSync: 1, link: 1, linkSync: 1,
};
const FS_MODULES = new Set(['fs', 'fs/promises', 'graceful-fs', 'fs-extra']);
/**
 * SQLite's extension loaders (node:sqlite's, better-sqlite3's and sqlite3's `loadExtension`, node:sqlite's
 * `enableLoadExtension`): an extension is a shared library whose init function runs in the process.
 */
const EXTENSION_LOADERS = new Set(['loadExtension', 'enableLoadExtension']);

/** The platform part of a prebuilt binding's name: `ffi-rs-linux-x64-gnu`, `koffi-win32-x64`. */
const PLATFORM_SUFFIX = /-(?:linux|darwin|win32|freebsd|openbsd|netbsd|android|sunos|aix)(?:-.*)?$/;

/** An FFI by its name, a scoped fork of one (`@2060.io/ffi-napi`), or its prebuilt platform binding (`@yuuang/ffi-rs-linux-x64-gnu`). */
function isFfiPackage(name: string): boolean {
  const base = name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
  return FFI_PACKAGES.has(base) || FFI_PACKAGES.has(base.replace(PLATFORM_SUFFIX, ''));
}

const rule = defineRule({
  name: 'no-native-code',
  description: "Disallow process's internal binding loaders and loading native addons without declaring nativeAddons.",
  messages: {
    processBinding: 'process.{{name}}() loads native code directly, outside the module system and its checks.',
    addonFile: "Loads the native addon '{{specifier}}', compiled code that cannot be reviewed as JavaScript.",
    writtenAddon: "Loads the native addon '{{specifier}}' from the data folder, which the plugin writes itself: compiled code no one has reviewed.",
    addonLoader: "Loads '{{specifier}}', a package that finds and loads native addons.",
    ffi: "Loads '{{specifier}}', a foreign-function interface: it calls functions of any native library (libc's system() included), which no review can see into.",
    addonCall: "Calls {{name}} of the native addon '{{specifier}}', compiled code that cannot be reviewed as JavaScript.",
    wasi: "Loads 'wasi', which runs WebAssembly with access to the host's files, clock and arguments.",
    plantsLibrary: "Writes the native library '{{path}}' with {{callee}}, where a program's dynamic loader can pick it up.",
    sqliteExtension: 'Lets SQLite load extensions ({{how}}): an extension is a shared library, native code run in the plugin\'s process that no review can see into.',
  },
  findings: {
    processBinding: { category: 'native-code', severity: 'critical' },
    addonFile: { category: 'native-code', severity: 'high', capability: 'nativeAddons' },
    writtenAddon: { category: 'native-code', severity: 'critical' },
    addonLoader: { category: 'native-code', severity: 'high', capability: 'nativeAddons' },
    ffi: { category: 'native-code', severity: 'high', capability: 'nativeAddons' },
    addonCall: { category: 'native-code', severity: 'high', capability: 'nativeAddons' },
    wasi: { category: 'native-code', severity: 'high', capability: 'nativeAddons' },
    plantsLibrary: { category: 'native-code', severity: 'high' },
    sqliteExtension: { category: 'native-code', severity: 'high', capability: 'nativeAddons' },
  },
  create(context) {
    const resolver = resolverFor(context);
    // Relative paths are the plugin's own (Node resolves a relative specifier from the file): only the data folder is data.
    const prover = new PathProver(resolver, (node) => context.sourceCode.getScope(node as never), false, () => false);
    const checkCall = (node: AnyNode) => {
      const call = resolver.normalizeCall(node);
      const callee = call.callee;
      if (!callee) return;
      // node:sqlite loads extensions only into a database opened with `allowExtension: true`.
      if (callee.module === 'sqlite' && isDatabaseClass(callee.path) && !extensionsRefused(resolver, call.args)) {
        report(context, rule, { node, messageId: 'sqliteExtension', data: { how: 'a DatabaseSync whose options may allow extensions' } });
      }
      if (callee.module === undefined) {
        if (callee.path.length === 2 && callee.path[0] === 'process' && PROCESS_BINDINGS.has(callee.path[1])) {
          report(context, rule, { node, messageId: 'processBinding', data: { name: callee.path[1] } });
        }
        return;
      }
      // Each call into an addon is where its native code runs.
      if (ADDON_SPECIFIER.test(callee.module) && callee.path.length > 0 && !callee.path.some((step) => step.startsWith('%'))) {
        report(context, rule, { node, messageId: 'addonCall', data: { name: callee.path.join('.'), specifier: callee.module } });
        return;
      }
      const index = FS_MODULES.has(callee.module) && callee.path.length === 1 ? FILE_WRITERS[callee.path[0]] : undefined;
      const target = index === undefined ? undefined : call.args?.[index];
      const path = target && resolver.folder.foldString(target);
      if (path !== undefined && NATIVE_LIBRARY.test(path)) {
        report(context, rule, { node: target!, messageId: 'plantsLibrary', data: { path, callee: `${callee.module}.${callee.path[0]}` } });
      }
    };
    /** `db.loadExtension`, `db['enable' + 'LoadExtension'](true)`, `const { loadExtension } = db`: any use but switching loading off. */
    const checkExtensionLoader = (node: AnyNode) => {
      const name = node.type === 'MemberExpression' ? memberName(node, resolver.folder) : node.parent?.type === 'ObjectPattern' ? (node.computed ? resolver.folder.foldString(node.key) : plainKeyName(node.key, false)) : undefined;
      if (name === undefined || !EXTENSION_LOADERS.has(name)) return;
      if (node.type === 'MemberExpression' && isOwnMethod(unwrap(node.object), name)) return;
      const { node: member, parent } = climbWrappers(node);
      const switchesOff = name === 'enableLoadExtension' && parent?.type === 'CallExpression' && parent.callee === member && parent.arguments.length === 1 && resolver.folder.fold(parent.arguments[0])?.value === false;
      if (!switchesOff) report(context, rule, { node, messageId: 'sqliteExtension', data: { how: name } });
    };
    return combineListeners(
      { CallExpression: checkCall, NewExpression: checkCall, MemberExpression: checkExtensionLoader, Property: checkExtensionLoader } as Rule.RuleListener,
      moduleLoadListeners(context, (load) => {
        const specifier = load.specifier;
        if (specifier === undefined) {
          // `require(path.join(ctx.dataDir, 'codec.node'))`: a name known only at run time may still be placed.
          const proof = load.specifierNode && prover.prove(load.specifierNode);
          if (proof && !proof.open && ADDON_SPECIFIER.test(proof.folder)) {
            report(context, rule, { node: load.node, messageId: isInside(proof.folder, DATA_ROOT) ? 'writtenAddon' : 'addonFile', data: { specifier: proof.folder } });
          }
          return;
        }
        if (WASI_MODULES.has(specifier)) report(context, rule, { node: load.node, messageId: 'wasi' });
        else if (ADDON_SPECIFIER.test(specifier)) report(context, rule, { node: load.node, messageId: 'addonFile', data: { specifier } });
        else if (ADDON_LOADERS.has(packageName(specifier))) report(context, rule, { node: load.node, messageId: 'addonLoader', data: { specifier } });
        else if (isFfiPackage(packageName(specifier))) report(context, rule, { node: load.node, messageId: 'ffi', data: { specifier } });
      }),
    );
  },
});

/** `this.loadExtension` in a class that defines `loadExtension` itself: the plugin's own method, not SQLite's. */
function isOwnMethod(object: AnyNode, name: string): boolean {
  if (object.type !== 'ThisExpression') return false;
  let scope: AnyNode | null | undefined = object.parent;
  while (scope && scope.type !== 'ClassBody') scope = scope.parent;
  // An arrow function keeps the `this` of where it is written; any other function between them has its own.
  for (let node: AnyNode | null | undefined = object.parent; node && node !== scope; node = node.parent) {
    if ((node.type === 'FunctionExpression' || node.type === 'FunctionDeclaration') && node.parent?.type !== 'MethodDefinition') return false;
  }
  return scope !== undefined && scope !== null && scope.body.some((member: AnyNode) => member.type === 'MethodDefinition' && !member.static && !member.computed && plainKeyName(member.key, false) === name);
}

/** node:sqlite's `DatabaseSync`, however reached (`sqlite.default.DatabaseSync`, a key the gate cannot fold). */
function isDatabaseClass(path: string[]): boolean {
  const steps = path[0] === 'default' ? path.slice(1) : path;
  return steps.length === 1 && (steps[0] === 'DatabaseSync' || steps[0] === DYNAMIC);
}

/** The options of `new DatabaseSync(file, options)` certainly leave `allowExtension` unset or false. */
function extensionsRefused(resolver: Resolver, args: AnyNode[] | undefined): boolean {
  if (args === undefined || args.some((arg) => arg.type === 'SpreadElement')) return false;
  if (args.length < 2) return true;
  const options = unwrap(args[1]);
  const refuses = (value: unknown) => value === undefined || value === false;
  if (options.type !== 'ObjectExpression') {
    const folded = resolver.folder.fold(options);
    return folded !== undefined && (folded.value === undefined || (typeof folded.value === 'object' && folded.value !== null && refuses((folded.value as Record<string, unknown>).allowExtension)));
  }
  // Each option is checked on its own, so an unknown `timeout` does not hide a known `allowExtension: false`.
  return options.properties.every((property: AnyNode) => {
    if (property.type === 'SpreadElement') return extensionsRefused(resolver, [args[0], property.argument]);
    const key = property.computed ? resolver.folder.foldString(property.key) : plainKeyName(property.key, false);
    if (key === undefined || property.kind !== 'init') return false;
    return key !== 'allowExtension' || (resolver.folder.fold(property.value) !== undefined && refuses(resolver.folder.fold(property.value)!.value));
  });
}

export default rule;
