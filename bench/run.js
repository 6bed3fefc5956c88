#!/usr/bin/env node
/** `npm run bench`: every benchmark in turn, each in its own process so one cannot warm up another. */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const BENCHES = ['analyzer.js', 'host.js', 'wasm.js', 'storage.js', 'trust.js'];

let failed = false;
for (const bench of BENCHES) {
  const { status } = spawnSync(process.execPath, [join(here, bench)], { stdio: 'inherit' });
  if (status !== 0) failed = true;
}
process.exitCode = failed ? 1 : 0;
