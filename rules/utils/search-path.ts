/**
 * Where a program found by name may be one the plugin wrote: a `PATH` value whose entries put a folder the plugin can
 * write (its data folder, a temporary folder) or a relative folder before the system's. Shared by the `env` option of
 * a run (no-child-process) and a write of the process's own `PATH` (no-process-env), which every later run inherits.
 */
import type { AnyNode } from './ast.js';
import { unwrap } from './ast.js';
import { DATA_ROOT } from './markers.js';
import { isInside, shownPlace, templateParts, type PathProver } from './path-proof.js';
import type { Resolver } from './resolve.js';

/** The temporary folders any process can write. */
const TEMPORARY_FOLDER = /^\/(tmp|var\/tmp|dev\/shm)(\/|$)/;

/** How a message names the plugin-writable or relative folder a `PATH` value puts among its entries, if it does. */
export function pluginWritableSearchFolder(resolver: Resolver, prover: PathProver, value: AnyNode): string | undefined {
  for (const part of concatenated(unwrap(value))) {
    const text = resolver.folder.foldString(part);
    if (text !== undefined) {
      const relative = text.split(/[:;]/).find((entry) => entry !== '' && !/^([\\/]|[A-Za-z]:|~)/.test(entry));
      if (relative !== undefined) return `'${relative}' (a folder relative to where it runs)`;
      if (text.split(/[:;]/).some((entry) => TEMPORARY_FOLDER.test(entry))) return 'a temporary folder';
      continue;
    }
    const written = writtenByPlugin(prover, part);
    if (written) return `'${written}'`;
  }
  return undefined;
}

/** The folder `node` is proven in when the plugin can write there (its data folder, `/tmp`, `/var/tmp`, `/dev/shm`). */
export function writtenByPlugin(prover: PathProver, node: AnyNode): string | undefined {
  const proof = prover.prove(node);
  if (!proof || proof.folder === '') return undefined;
  return isInside(proof.folder, DATA_ROOT) || TEMPORARY_FOLDER.test(proof.folder) ? shownPlace(proof) : undefined;
}

/** The operands of a `+` chain, a template literal or a joined literal array, in order. */
function concatenated(node: AnyNode): AnyNode[] {
  if (node.type === 'BinaryExpression' && node.operator === '+') return [...concatenated(unwrap(node.left)), ...concatenated(unwrap(node.right))];
  if (node.type === 'TemplateLiteral') return templateParts(node).map(unwrap);
  if (node.type === 'CallExpression' && node.callee.type === 'MemberExpression' && node.callee.property?.name === 'join' && node.callee.object.type === 'ArrayExpression') return node.callee.object.elements.filter(Boolean).map((e: AnyNode) => unwrap(e));
  return [node];
}
