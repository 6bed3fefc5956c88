/**
 * The analyzer's programmatic API (`warden/analyzer`), used by the host and
 * the CLI: analyze plugins, load a manifest, decide per tier, format reports,
 * and re-hash files at load.
 */
export { analyzePlugin, analyzePlugins, hashFiles, type AnalyzeOptions, type Progress } from './analyze.js';
export { defaultCacheDir } from './cache.js';
export { CHECKS } from './checks.js';
export { format, FORMATS, type Format, type FormatOptions } from './format/index.js';
export { formatHtml } from './format/html.js';
export { formatJson, toReport } from './format/json.js';
export { formatSarif } from './format/sarif.js';
export { formatStylish, summaryLines } from './format/stylish.js';
export { DEFAULT_LIMITS, type Limits } from './limits.js';
export { identityOf, loadManifest } from './manifest.js';
export { actionFor, actionOf, decide, defaultPolicy, describeFinding, loadPolicy, mergePolicy } from './policy.js';
export * from './types.js';
