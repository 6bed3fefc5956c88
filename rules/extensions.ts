/**
 * The file extensions Warden's rules lint: JavaScript (parsed by espree) and
 * TypeScript. Its own module, free of parser imports, so the analyzer can use
 * it without loading TypeScript.
 */
export const JAVASCRIPT_EXTENSIONS: ReadonlySet<string> = new Set(['.js', '.cjs', '.mjs', '.jsx']);
export const TYPESCRIPT_EXTENSIONS: ReadonlySet<string> = new Set(['.ts', '.cts', '.mts', '.tsx']);
export const SOURCE_EXTENSIONS: ReadonlySet<string> = new Set([...JAVASCRIPT_EXTENSIONS, ...TYPESCRIPT_EXTENSIONS]);
