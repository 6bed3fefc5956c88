/**
 * The `module` builtin used only for what any module may do: make a
 * `require` for itself (`createRequire(import.meta.url)`, the ESM way to load
 * JSON or a CommonJS file) or ask which modules are built in. Such a load
 * reaches nothing of the loader; the created require is judged where it is
 * called, like `require` itself, and the place it is created for is checked
 * by no-dynamic-require.
 */
import type { Rule } from 'eslint';
import type { AnyNode } from './ast.js';
import { posix } from 'node:path';
import { climbWrappers, plainKeyName } from './ast.js';
import { IMPORT_META, PLUGIN_ROOT } from './markers.js';
import { memberName, Resolver, resolverFor } from './resolve.js';
import { findVariable } from './scope.js';

const ORDINARY_MEMBERS = new Set(['createRequire', 'builtinModules', 'isBuiltin', 'findSourceMap', 'SourceMap']);
/** What a module may create its require for: its own location. */
const OWN_LOCATIONS = new Set(['__filename', '__dirname', `${IMPORT_META}.url`, `${IMPORT_META}.filename`, `${IMPORT_META}.dirname`]);

/** True when the load `node` (an import or a require call) of `module` is used only for ORDINARY_MEMBERS. */
export function loadsModuleBuiltinOrdinarily(context: Rule.RuleContext, node: AnyNode): boolean {
  const resolver = resolverFor(context);
  if (node.type === 'ImportDeclaration') {
    if (node.importKind === 'type') return true;
    return node.specifiers.every((specifier: AnyNode) =>
      specifier.type === 'ImportSpecifier' ? ORDINARY_MEMBERS.has(plainKeyName(specifier.imported, false) ?? '') : onlyOrdinaryReads(context, specifier.local),
    );
  }
  if (node.type !== 'CallExpression') return false;
  const { node: value, parent } = climbWrappers(node);
  if (parent?.type === 'MemberExpression' && parent.object === value) return ORDINARY_MEMBERS.has(memberName(parent, resolver.folder) ?? '');
  if (parent?.type !== 'VariableDeclarator' || parent.init !== value) return false;
  if (parent.id.type === 'Identifier') return onlyOrdinaryReads(context, parent.id);
  return parent.id.type === 'ObjectPattern' && parent.id.properties.every((property: AnyNode) => property.type === 'Property' && ORDINARY_MEMBERS.has(plainKeyName(property.key, property.computed) ?? ''));
}

/** Every read of the variable `identifier` declares is `name.member` of an ordinary member. */
function onlyOrdinaryReads(context: Rule.RuleContext, identifier: AnyNode): boolean {
  const variable = findVariable(context.sourceCode.getScope(identifier as never), identifier.name);
  if (!variable) return false;
  const resolver = resolverFor(context);
  return variable.references.every((reference) => {
    if (reference.isWrite()) return (reference as { init?: boolean }).init === true;
    const { node, parent } = climbWrappers(reference.identifier as unknown as AnyNode);
    return parent?.type === 'MemberExpression' && parent.object === node && ORDINARY_MEMBERS.has(memberName(parent, resolver.folder) ?? '');
  });
}

/** True when `createRequire(argument)` makes a require for this file itself: `import.meta.url`, `__filename`, or a folded path of the plugin's folder. */
export function isOwnLocation(resolver: Resolver, argument: AnyNode): boolean {
  const name = Resolver.nameOf(resolver.resolve(argument)) ?? '';
  if (OWN_LOCATIONS.has(name)) return resolver.unwritten.anchorUnwritten(argument, name.startsWith(IMPORT_META) ? 'import.meta' : 'commonjs');
  const url = resolver.folder.foldUrl(argument);
  const path = url?.protocol === 'file:' ? decodeURIComponent(url.pathname) : resolver.folder.foldString(argument);
  return path !== undefined && posix.normalize(path).startsWith(`${PLUGIN_ROOT}/`);
}
