import { canonical, type Grant } from '../permissions.js';

/**
 * The folders WASI may open (guest path → host path): none unless the grant has filesystem paths beyond the plugin's
 * own folders, and then only those it may write, since node:wasi cannot open a folder read-only.
 */
export function wasiPreopens(grant: Pick<Grant, 'fsWrite'>, own: { dataDir: string; root: string }): Record<string, string> {
  const ownFolders = new Set([canonical(own.dataDir), canonical(own.root)]);
  return Object.fromEntries(grant.fsWrite.filter((path) => !ownFolders.has(path)).map((path) => [path, path]));
}
