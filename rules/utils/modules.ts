/**
 * Every place a file loads a module — `import`, `export … from`, `import()`,
 * `import x = require()`, and every spelling of `require` the resolver knows —
 * reported to one callback with the specifier folded where possible.
 */
import type { Rule } from 'eslint';
import type { AnyNode } from './ast.js';
import { resolverFor, stripNodePrefix } from './resolve.js';

export interface ModuleLoad {
  /** The node to report on. */
  node: AnyNode;
  /** The folded specifier without `node:`; undefined when it cannot be known statically. */
  specifier: string | undefined;
  /** The specifier expression, when there is one. */
  specifierNode: AnyNode | undefined;
  via: 'import' | 'export' | 'import()' | 'require';
}

/** `fs/promises` → `fs`, `@scope/pkg/sub` → `@scope/pkg`, `execa/index.js` → `execa`. */
export function packageName(specifier: string): string {
  const bare = stripNodePrefix(specifier);
  const parts = bare.split('/');
  return bare.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

export function moduleLoadListeners(context: Rule.RuleContext, onLoad: (load: ModuleLoad) => void): Rule.RuleListener {
  const resolver = resolverFor(context);
  const fromSource = (node: AnyNode, via: ModuleLoad['via']) => {
    if (!node.source) return;
    onLoad({ node, specifier: stripNodePrefix(String(node.source.value)), specifierNode: node.source, via });
  };
  return {
    ImportDeclaration: (node: any) => fromSource(node, 'import'),
    ExportNamedDeclaration: (node: any) => fromSource(node, 'export'),
    ExportAllDeclaration: (node: any) => fromSource(node, 'export'),
    ImportExpression: (node: any) => {
      const specifier = resolver.folder.foldString(node.source);
      onLoad({ node, specifier: specifier === undefined ? undefined : stripNodePrefix(specifier), specifierNode: node.source, via: 'import()' });
    },
    TSImportEqualsDeclaration: (node: any) => {
      const ref = node.moduleReference;
      if (ref?.type === 'TSExternalModuleReference') {
        onLoad({ node, specifier: stripNodePrefix(String(ref.expression.value)), specifierNode: ref.expression, via: 'require' });
      }
    },
    CallExpression: (node: any) => {
      const loaded = resolver.requireCall(node);
      if (!loaded) return;
      const specifier = loaded.specifier === undefined ? undefined : stripNodePrefix(loaded.specifier);
      onLoad({ node, specifier, specifierNode: loaded.specifierNode, via: 'require' });
    },
  } as Rule.RuleListener;
}
