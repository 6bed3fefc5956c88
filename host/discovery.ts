/**
 * Which folders are plugins: every direct subfolder of the plugins folder
 * holding a package.json (an installed plugin), plus the development paths
 * the user named. Reading the manifests is the gate's job, not this one's.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../cli/errors.js';

export interface PluginLocation {
  root: string;
  /** Loaded from source: findings are shown but never block, changed files are re-analyzed. */
  dev: boolean;
}

export function discoverPlugins(pluginsDir: string | undefined, devPaths: readonly string[]): PluginLocation[] {
  const found: PluginLocation[] = [];
  if (pluginsDir !== undefined) {
    const dir = resolve(pluginsDir);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`plugins folder not found: ${pluginsDir}`);
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isDirectory() && existsSync(join(dir, entry.name, 'package.json'))) found.push({ root: join(dir, entry.name), dev: false });
    }
  }
  for (const path of devPaths) {
    const root = resolve(path);
    if (!existsSync(join(root, 'package.json'))) throw new UsageError(`not a plugin folder (no package.json): ${path}`);
    found.push({ root, dev: true });
  }
  return found;
}
