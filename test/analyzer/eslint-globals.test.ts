/**
 * The gate ships ESLint's globals table (analyzer/eslint-globals.json) so it
 * needs no ESLint at run time. This holds the copy to the installed ESLint:
 * when ESLint's table changes, this fails until the copy is written again
 * (`UPDATE_ESLINT_GLOBALS=1 npx vitest run test/analyzer/eslint-globals.test.ts`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO } from './helpers.js';

const require = createRequire(import.meta.url);
const FILE = join(REPO, 'analyzer/eslint-globals.json');

it("matches the installed ESLint's own globals table", () => {
  // Not in ESLint's exports map, so read by path.
  const tables = require(join(dirname(require.resolve('eslint/package.json')), 'conf/globals.js')) as Record<string, Record<string, string | boolean>>;
  const names = (table: Record<string, string | boolean>) => Object.keys(table).filter((name) => table[name] !== 'off');
  const shipped = JSON.parse(readFileSync(FILE, 'utf8')) as { about: string; eslint: string; es2026: string[]; commonjs: string[] };
  const current = { about: shipped.about, eslint: (require('eslint/package.json') as { version: string }).version, es2026: names(tables.es2026), commonjs: names(tables.commonjs) };
  if (process.env.UPDATE_ESLINT_GLOBALS) writeFileSync(FILE, `${JSON.stringify(current, null, 2)}\n`);
  expect({ es2026: shipped.es2026, commonjs: shipped.commonjs }).toEqual({ es2026: current.es2026, commonjs: current.commonjs });
  expect(shipped.es2026).toContain('globalThis');
});
