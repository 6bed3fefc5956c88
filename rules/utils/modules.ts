/**
 * Every place a file loads a module — `import`, `export … from`, `import()`,
 * `import x = require()`, and every spelling of `require` the resolver knows —
 * reported to one callback with the specifier folded where possible.
 */
import type { Rule } from 'eslint';
import type { AnyNode } from './ast.js';
import { unwrap } from './ast.js';
import { browserifyDeps } from './bundler-shims.js';
import { resolverFor, type Resolver } from './resolve.js';
import { moduleName, packageName } from './specifiers.js';

export interface ModuleLoad {
  /** The node to report on. */
  node: AnyNode;
  /** The folded specifier without `node:`; undefined when it cannot be known statically. */
  specifier: string | undefined;
  /** The specifier expression, when there is one. */
  specifierNode: AnyNode | undefined;
  via: 'import' | 'export' | 'import()' | 'require';
}

export function moduleLoadListeners(context: Rule.RuleContext, onLoad: (load: ModuleLoad) => void): Rule.RuleListener {
  const resolver = resolverFor(context);
  const fromSource = (node: AnyNode, via: ModuleLoad['via']) => {
    // `import type` / `export type … from` are erased by TypeScript: nothing is loaded.
    if (!node.source || node.importKind === 'type' || node.exportKind === 'type') return;
    onLoad({ node, specifier: moduleName(String(node.source.value)), specifierNode: node.source, via });
  };
  const onRequire = (node: any) => {
    const loaded = resolver.requireCall(node);
    if (!loaded) return;
    if (!loaded.specifierNode) return onLoad({ node, specifier: undefined, specifierNode: undefined, via: 'require' });
    const deps = browserifyDeps(context.sourceCode, unwrap(node.callee), (key) => resolver.folder.fold(key)?.value);
    for (const possible of possibleSpecifiers(resolver, loaded.specifierNode)) {
      const mapped = possible.specifier === undefined ? undefined : deps?.map.get(possible.specifier);
      // Another module of the bundle: read where it is, not loaded by name.
      if (typeof mapped === 'number') continue;
      // A map the gate cannot list may send this name anywhere: a load of a module it cannot tell.
      if (mapped === undefined && deps?.complete === false) onLoad({ node, specifier: undefined, specifierNode: undefined, via: 'require' });
      else onLoad({ node, ...possible, ...(mapped === undefined ? {} : { specifier: moduleName(mapped) }), via: 'require' });
    }
  };
  return {
    ImportDeclaration: (node: any) => fromSource(node, 'import'),
    ExportNamedDeclaration: (node: any) => fromSource(node, 'export'),
    ExportAllDeclaration: (node: any) => fromSource(node, 'export'),
    ImportExpression: (node: any) => {
      for (const possible of possibleSpecifiers(resolver, node.source)) onLoad({ node, ...possible, via: 'import()' });
    },
    TSImportEqualsDeclaration: (node: any) => {
      const ref = node.moduleReference;
      if (ref?.type === 'TSExternalModuleReference') {
        onLoad({ node, specifier: moduleName(String(ref.expression.value)), specifierNode: ref.expression, via: 'require' });
      }
    },
    CallExpression: onRequire,
    NewExpression: onRequire,
  } as Rule.RuleListener;
}

/**
 * Every specifier an expression may evaluate to. `require(win ? 'a' : 'b')`
 * and `require(x || 'b')` may load either side, so each side is a load of its
 * own — otherwise `require(x ? 'child_process' : 'fs')` would hide a module.
 */
export function possibleSpecifiers(resolver: Resolver, node: AnyNode): Pick<ModuleLoad, 'specifier' | 'specifierNode'>[] {
  // A number is no specifier: Node throws for it (a browserify bundle's `require(4)` is its own module table).
  if (typeof resolver.folder.fold(node)?.value === 'number') return [];
  // A string, or a URL object (`import(new URL('./a.mjs', import.meta.url))`).
  const folded = resolver.folder.foldString(node) ?? resolver.folder.foldUrl(node)?.href;
  if (folded !== undefined) return [{ specifier: moduleName(folded), specifierNode: node }];
  // A parameter the file's calls fill with names, a loop over a list of names: each is a load of its own.
  const possible = resolver.folder.possibleValues(node);
  if (possible?.length && possible.every((value) => typeof value === 'string')) {
    return (possible as string[]).map((specifier) => ({ specifier: moduleName(specifier), specifierNode: node }));
  }
  const inner = unwrap(node);
  if (inner.type === 'ConditionalExpression') {
    return [...possibleSpecifiers(resolver, inner.consequent), ...possibleSpecifiers(resolver, inner.alternate)];
  }
  if (inner.type === 'LogicalExpression') return [...possibleSpecifiers(resolver, inner.left), ...possibleSpecifiers(resolver, inner.right)];
  return [{ specifier: undefined, specifierNode: node }];
}

/**
 * Calls `onMatch` for every load of a package `packages` lists, by package
 * name (`node:fs/promises` is `fs`, `execa/index.js` is `execa`).
 */
export function packageLoadListeners<T>(
  context: Rule.RuleContext,
  packages: ReadonlyMap<string, T>,
  onMatch: (load: ModuleLoad, name: string, value: T) => void,
): Rule.RuleListener {
  return moduleLoadListeners(context, (load) => {
    if (load.specifier === undefined) return;
    const name = packageName(load.specifier);
    const value = packages.get(name);
    if (value !== undefined) onMatch(load, name, value);
  });
}
