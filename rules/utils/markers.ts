/**
 * Path markers in refs for values that have no name of their own, and the names
 * of the function constructors: imported by the resolver, which makes them, and
 * by whoever reads them (the folder, the capability roots), without importing
 * the resolver itself.
 */
export const IMPORT_META = '%import.meta';
/** CommonJS's top-level `arguments`: the module wrapper's. */
export const CJS_ARGUMENTS = '%cjs-arguments';
/** The function that called a sloppy function (`arguments.callee.caller`). */
export const CALLER = '%caller';
export const FUNCTION_CONSTRUCTORS: ReadonlySet<string> = new Set(['Function', 'AsyncFunction', 'GeneratorFunction', 'AsyncGeneratorFunction']);

/** The user's home folder in folded paths: `os.homedir()` and `$HOME` fold to it. */
export const HOME = '~';
/**
 * Where the plugin's own folder stands in folded paths: `path.join(__dirname, 'data.json')`
 * folds to `/__plugin__/lib/data.json`, and one that climbs out with `..` loses the prefix.
 */
export const PLUGIN_ROOT = '/__plugin__';
/** The plugin's data folder in proven paths (path-proof.ts), as `$data` starts a declaration: what `ctx.dataDir` names. */
export const DATA_ROOT = '$data';
