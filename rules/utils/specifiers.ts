/**
 * Names of what a specifier loads, shared by the rules and the module graph;
 * kept apart from the resolver so the graph does not load the parser with it.
 */

/** `node:fs` and `fs` are one module. */
export function stripNodePrefix(specifier: string): string {
  return specifier.startsWith('node:') ? specifier.slice(5) : specifier;
}

/** `fs/promises` → `fs`, `@scope/pkg/sub` → `@scope/pkg`, `execa/index.js` → `execa`. */
export function packageName(specifier: string): string {
  const bare = stripNodePrefix(specifier);
  const parts = bare.split('/');
  return bare.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}
