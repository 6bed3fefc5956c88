/**
 * Variable lookup for alias following. A variable counts as an alias of an
 * expression when it is written exactly once: `const r = require`,
 * `let e; e = eval`, or destructured `const { exec } = cp`.
 */
import type { Scope } from 'eslint';
import type { AnyNode } from './ast.js';
import { runtimeParams } from './ast.js';

export type ScopeOf = (node: AnyNode) => Scope.Scope;

export function findVariable(scope: Scope.Scope | null, name: string): Scope.Variable | undefined {
  for (let current = scope; current; current = current.upper) {
    const variable = current.set.get(name);
    if (variable) return variable;
  }
  return undefined;
}

interface AmbientCandidate {
  type: string;
  node: AnyNode;
  parent: AnyNode | null;
}

/** A definition that exists only for the type checker: `declare const`/`declare class`, an overload signature, a type. */
function isAmbient(def: AmbientCandidate): boolean {
  return def.type === 'Type' || def.node?.type === 'TSDeclareFunction' || def.node?.declare === true || def.parent?.declare === true;
}

/** A definition that exists when the code runs: every one but TypeScript's ambient declarations, which are erased. */
export function isRuntimeDefinition(def: Scope.Definition): boolean {
  return !isAmbient(def as unknown as AmbientCandidate);
}

/** A step from a value to one of its parts, as destructuring takes it. */
export type PathStep = { key: string } | { unknownKey: true };

export type Binding =
  | { kind: 'global'; name: string }
  /** `fallback` is a destructuring default (`const { fetch: send = polyfill } = globalThis`): the value when the member is undefined. */
  | { kind: 'value'; init: AnyNode; path: PathStep[]; fallback?: AnyNode }
  | { kind: 'import'; source: string; imported: string | null }
  | { kind: 'function'; node: AnyNode }
  | { kind: 'parameter'; fn: AnyNode; index: number }
  | { kind: 'class'; node: AnyNode }
  | { kind: 'unknown' };

/** What an identifier is bound to, as far as a single static write tells. */
export function bindingOf(identifier: AnyNode, scopeOf: ScopeOf, keyOf: (key: AnyNode) => string | undefined): Binding {
  const variable = findVariable(scopeOf(identifier), identifier.name);
  const defs = variable?.defs.filter(isRuntimeDefinition) ?? [];
  // `declare const require: …`, `declare function eval(…)`: TypeScript erases them, so at run time the name is the global.
  if (!variable || defs.length === 0) return { kind: 'global', name: identifier.name };
  if (defs.length > 1) return { kind: 'unknown' };
  const def = defs[0] as unknown as { type: string; node: AnyNode; name: AnyNode; parent: AnyNode | null };
  switch (def.type) {
    case 'ImportBinding': {
      if (def.node.type === 'TSImportEqualsDeclaration') {
        // `import vm = require('vm')` loads a module; `import x = Namespace.y` only aliases a TypeScript name.
        const reference = def.node.moduleReference;
        return reference?.type === 'TSExternalModuleReference'
          ? { kind: 'import', source: String(reference.expression.value), imported: null }
          : { kind: 'unknown' };
      }
      const source = String(def.parent?.source?.value ?? '');
      if (def.node.type === 'ImportSpecifier') {
        const imported = def.node.imported.type === 'Identifier' ? def.node.imported.name : String(def.node.imported.value);
        return { kind: 'import', source, imported: imported === 'default' ? null : imported };
      }
      return { kind: 'import', source, imported: null };
    }
    case 'FunctionName':
      // Even when reassigned later (obfuscators do that): the declaration is still what the name first holds.
      return { kind: 'function', node: def.node };
    case 'ClassName':
      return variable.references.some((ref) => ref.isWrite()) ? { kind: 'unknown' } : { kind: 'class', node: def.node };
    case 'Parameter': {
      // Only plain parameters that are never reassigned: a destructured, defaulted or reassigned one is not the argument itself.
      const index = runtimeParams(def.node).indexOf(def.name);
      if (index < 0 || variable.references.some((ref) => ref.isWrite())) return { kind: 'unknown' };
      return { kind: 'parameter', fn: def.node, index };
    }
    case 'Variable': {
      const writes = variable.references.filter((ref) => ref.isWrite());
      const declarator = def.node;
      const init: AnyNode | null = declarator.init ?? null;
      // A defaulted name is written twice by the declaration itself: by the pattern and by its default.
      const fallback = def.name.parent?.type === 'AssignmentPattern' && def.name.parent.left === def.name ? def.name.parent.right : undefined;
      const declarationOnly = fallback !== undefined && writes.every((ref) => (ref as { init?: boolean }).init);
      if (writes.length > 1 && !declarationOnly) return { kind: 'unknown' };
      if (!init) {
        // `let e; e = eval;` — the single later assignment is the value.
        const write = writes[0] as unknown as { writeExpr?: AnyNode; identifier: AnyNode } | undefined;
        if (!write?.writeExpr || write.identifier.parent?.type !== 'AssignmentExpression') return { kind: 'unknown' };
        return { kind: 'value', init: write.writeExpr, path: [] };
      }
      const path = destructuringPath(def.name, declarator.id, keyOf);
      if (!path) return { kind: 'unknown' };
      return fallback ? { kind: 'value', init, path, fallback } : { kind: 'value', init, path };
    }
    default:
      return { kind: 'unknown' };
  }
}

/**
 * Every expression written to a local variable, for flows that do not need a
 * single value: `let s = ''; s += decode(c)` writes `''` and `decode(c)`.
 * Empty for globals, parameters and imports (nothing in the file writes them).
 */
export function writtenExpressions(identifier: AnyNode, scopeOf: ScopeOf): AnyNode[] {
  const variable = findVariable(scopeOf(identifier), identifier.name);
  if (!variable) return [];
  const out: AnyNode[] = [];
  for (const reference of variable.references) {
    const write = reference as unknown as { writeExpr?: AnyNode | null; isWrite(): boolean; identifier: AnyNode };
    if (!write.isWrite() || !write.writeExpr) continue;
    // For `x += v` the written value is built from `v`; for destructuring, from the whole source.
    out.push(write.writeExpr);
  }
  return out;
}

/** The property path from a declarator's pattern down to one bound identifier. */
function destructuringPath(
  identifier: AnyNode,
  pattern: AnyNode,
  keyOf: (key: AnyNode) => string | undefined,
): PathStep[] | undefined {
  const steps: PathStep[] = [];
  let node: AnyNode = identifier;
  while (node !== pattern) {
    const parent = node.parent;
    if (!parent) return undefined;
    if (parent.type === 'Property' && parent.value === node) {
      const key = parent.computed ? keyOf(parent.key) : parent.key.name ?? String(parent.key.value);
      steps.unshift(key === undefined ? { unknownKey: true } : { key });
    } else if (parent.type === 'ArrayPattern') {
      // `[a, ...rest]`: rest is a new array, not the element at its index.
      if (node.type === 'RestElement') return undefined;
      steps.unshift({ key: String(parent.elements.indexOf(node)) });
    } else if (parent.type !== 'AssignmentPattern' && parent.type !== 'RestElement' && parent.type !== 'ObjectPattern') {
      return undefined;
    }
    node = parent;
  }
  return steps;
}

/** The objects of the `with` statements whose body holds the name, when the name is not declared inside that body. */
export function enclosingWithObjects(identifier: AnyNode, variable: Scope.Variable | undefined): AnyNode[] {
  const declaredAt = variable?.defs.some((def) => isRuntimeDefinition(def)) ? (variable.scope.block as AnyNode).range : undefined;
  const objects: AnyNode[] = [];
  for (let child = identifier, parent = identifier.parent; parent; child = parent, parent = parent.parent) {
    if (parent.type !== 'WithStatement' || parent.body !== child) continue;
    const inside = declaredAt && child.range && declaredAt[0] >= child.range[0] && declaredAt[1] <= child.range[1];
    if (!inside) objects.push(parent.object);
  }
  return objects;
}
