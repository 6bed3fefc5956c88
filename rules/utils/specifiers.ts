/**
 * Names of what a specifier loads, shared by the rules and the module graph;
 * kept apart from the resolver so the graph does not load the parser with it.
 */
import { isBuiltin } from 'node:module';

/** `node:fs` and `fs` are one module. */
export function stripNodePrefix(specifier: string): string {
  return specifier.startsWith('node:') ? specifier.slice(5) : specifier;
}

/**
 * Built-in modules that are another module's internals under their own name: `_http_client` hands out what `http`
 * does, `_tls_wrap` what `tls` does, `_stream_readable` what `stream` does, `sys` is `util`. Judged as that module.
 */
const BUILTIN_ALIASES = new Map([['sys', 'util']]);

/** The module a specifier loads, as the rules judge it: without `node:`, a built-in's internal alias as its module. */
export function moduleName(specifier: string): string {
  const bare = stripNodePrefix(specifier);
  const alias = BUILTIN_ALIASES.get(bare);
  if (alias !== undefined) return alias;
  // `_http_agent`, `_tls_common`, `_stream_wrap`…: Node's own built-ins named `_<module>_<part>`.
  const internal = /^_([a-z0-9]+)_[a-z_]+$/.exec(bare);
  return internal && isBuiltin(bare) && isBuiltin(internal[1]) ? internal[1] : bare;
}

/** `fs/promises` → `fs`, `@scope/pkg/sub` → `@scope/pkg`, `execa/index.js` → `execa`. */
export function packageName(specifier: string): string {
  const bare = moduleName(specifier);
  const parts = bare.split('/');
  return bare.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}
