#!/usr/bin/env node
/**
 * Builds the WebAssembly sample plugins from their AssemblyScript source, with the compiler from the npm registry
 * (assemblyscript, @extism/as-pdk): every sample-plugins/<name>/asconfig.json is compiled into the module its
 * package.json names as `main`. Run by `npm run build` (so a fresh clone has them after `npm ci`); the built .wasm
 * files are not committed. A module newer than its sources is left as it is.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Compiles the AssemblyScript project in `dir` (its asconfig.json); throws with the compiler's own output on failure. */
export async function buildWasm(dir) {
  const stderr = [];
  const { error } = await asc.main(['--config', 'asconfig.json', '--baseDir', resolve(dir)], {
    stdout: { write: () => true },
    stderr: { write: (text) => stderr.push(String(text)) },
  });
  if (error) throw new Error(`${dir}: ${error.message}\n${stderr.join('')}`);
}

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && !entry.parentPath.includes('build')) latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const samples = join(REPO, 'sample-plugins');
  for (const name of readdirSync(samples)) {
    const dir = join(samples, name);
    if (!existsSync(join(dir, 'asconfig.json'))) continue;
    const { main } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const output = join(dir, main);
    if (existsSync(output) && statSync(output).mtimeMs >= newest(dir)) continue;
    await buildWasm(dir);
  }
}
