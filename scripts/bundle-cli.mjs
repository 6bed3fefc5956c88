#!/usr/bin/env node
/**
 * Bundles the `warden` command (tsc's output, dist/cli/main.js) and the
 * gate's lint worker into dist/bin/ with esbuild, so a run loads a few
 * files instead of resolving and reading a hundred modules of Warden and
 * its dependencies (measured: the host process of `warden run --once` runs
 * ~12% fewer instructions, a warm `warden analyze` ~6%). Each subcommand,
 * report format and the linter stay separate chunks, loaded on demand as
 * before. Run by `npm run build` after tsc.
 *
 * Left out of the bundle: the optional peers (typescript, its ESLint parser,
 * eslint), which are loaded only if installed, and the two dependencies that
 * find files next to their own code through `__dirname`/`__filename`
 * (piscina starts its worker script that way; write-file-atomic names its
 * temporary files after itself). The library entry points
 * (`warden`, `warden/analyzer`, …) stay tsc's output.
 *
 * The plugin runtime, which starts in every plugin process, is bundled too,
 * into one CommonJS file with vscode-jsonrpc inside
 * (dist/host/runtime/plugin-runtime.cjs, which the launcher starts): one
 * file read and compiled instead of the runtime's ES modules, the protocol
 * and vscode-jsonrpc's CommonJS modules.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
// Chunk names carry content hashes: the last build's would otherwise stay beside this one's.
rmSync(join(REPO, 'dist/bin'), { recursive: true, force: true });

const cli = await build({
  absWorkingDir: REPO,
  // The worker sits beside the chunks, where analyzer/pool.ts looks for it (`./lint-worker.js`).
  entryPoints: { warden: 'dist/cli/main.js', 'lint-worker': 'dist/analyzer/lint-worker.js' },
  outdir: 'dist/bin',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  external: ['typescript', '@typescript-eslint/parser', 'eslint', 'piscina', 'write-file-atomic'],
  // Bundled CommonJS dependencies require() Node's built-in modules, which an ES module must provide itself.
  banner: { js: "import { createRequire as createRequireForBundle } from 'node:module';\nconst require = createRequireForBundle(import.meta.url);" },
  metafile: true,
  logLevel: 'warning',
});
// Which modules each chunk carries, for the test that checks what a warm run loads (test/cli/analyze.test.ts).
const inputs = Object.fromEntries(Object.entries(cli.metafile.outputs).map(([output, { inputs }]) => [output.slice('dist/bin/'.length), Object.keys(inputs)]));
writeFileSync(join(REPO, 'dist/bin-inputs.json'), `${JSON.stringify(inputs)}\n`);

await build({
  absWorkingDir: REPO,
  entryPoints: ['dist/host/runtime/bootstrap.js'],
  outfile: 'dist/host/runtime/plugin-runtime.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20.19',
  logLevel: 'warning',
});
