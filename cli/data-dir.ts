/**
 * Where a development plugin's data lives: never inside the plugin's own
 * folder, or `npm pack` would ship its audit log and storage. `warden dev
 * PATH` keeps it under `$XDG_STATE_HOME/warden/dev/<name>-<hash of the path>`
 * (`~/.local/state/...` by default), one folder per plugin folder, so it
 * survives restarts; `warden run` keeps `.warden` unless that would fall
 * inside a `--dev` plugin.
 */
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { isInside } from '../analyzer/package-source.js';

const DEFAULT_DATA_DIR = '.warden';

export function devDataDir(pluginPath: string): string {
  const root = resolve(pluginPath);
  const state = process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  const tag = createHash('sha256').update(root).digest('hex').slice(0, 8);
  return join(state, 'warden', 'dev', `${basename(root)}-${tag}`);
}

export function runDataDir(explicit: string | undefined, devPaths: readonly string[]): string {
  if (explicit !== undefined) return explicit;
  const inside = devPaths.find((path) => isInside(resolve(path), resolve(DEFAULT_DATA_DIR)));
  return inside === undefined ? DEFAULT_DATA_DIR : devDataDir(inside);
}
