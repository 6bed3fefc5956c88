/**
 * Path markers in refs for values that have no name of their own: imported by
 * the resolver, which makes them, and by whoever reads them (the folder, the
 * capability roots), without importing the resolver itself.
 */
export const IMPORT_META = '%import.meta';
/** CommonJS's top-level `arguments`: the module wrapper's. */
export const CJS_ARGUMENTS = '%cjs-arguments';
