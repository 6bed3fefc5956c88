/**
 * Where Warden itself is installed, so shipped files (the manifest schema) and
 * the package version are found the same way from `analyzer/*.ts` under test
 * and from `dist/analyzer/*.js` when installed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest folder upward whose package.json is Warden's, with the version it declares. */
function findWarden(from: string): { root: string; version: string } {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const { name, version } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version: string };
      if (name === 'warden') return { root: dir, version };
    }
    if (dirname(dir) === dir) throw new Error('cannot find the warden package root');
  }
}

export const { root: WARDEN_ROOT, version: WARDEN_VERSION } = findWarden(dirname(fileURLToPath(import.meta.url)));
export const WARDEN_HOMEPAGE = 'https://github.com/warden-host/warden';

export function readShippedJson(relativePath: string): unknown {
  return JSON.parse(readFileSync(join(WARDEN_ROOT, relativePath), 'utf8'));
}
