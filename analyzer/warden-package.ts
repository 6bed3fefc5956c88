/**
 * Where Warden itself is installed, so shipped files (the manifest schema) and
 * the package version are found the same way from `analyzer/*.ts` under test
 * and from `dist/analyzer/*.js` when installed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'warden') return dir;
    if (dirname(dir) === dir) throw new Error('cannot find the warden package root');
  }
}

export const WARDEN_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));
export const WARDEN_VERSION = (JSON.parse(readFileSync(join(WARDEN_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
export const WARDEN_HOMEPAGE = 'https://github.com/warden-host/warden';

export function readShippedJson(relativePath: string): unknown {
  return JSON.parse(readFileSync(join(WARDEN_ROOT, relativePath), 'utf8'));
}
