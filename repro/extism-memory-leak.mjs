// Break: Extism memory is not bounded across calls, nor host-function answers within a call.
// Expected: wasmAllocMbPerCall (16 MB) bounds what a module can make the host hold; more ends the worker.
// Run: node repro/extism-memory-leak.mjs [process]
import { join } from 'node:path';
import { attackPlugin, createHost, mb } from './lib.mjs';
const isolation = process.argv[2] === 'process' ? { requireIsolation: 'strict' } : {};
const { work, dir } = attackPlugin();
const host = createHost({ devPaths: [dir], dataDir: join(work, 'data'), ...isolation });
const crashes = [];
host.on('crashed', (e) => crashes.push(e.reason));
await host.start();
const rss0 = process.memoryUsage().rss;
console.log('fill 3 MB:', JSON.stringify(await host.executeCommand('attack.fill', '3')).slice(0, 40));
// (a) one call, host-function answers: 100 x 3 MB read back = 300 MB held by Extism in the worker.
console.log('hoard x100 in one call, bytes answered:', await host.executeCommand('attack.hoard', '100').catch((e) => e.message));
const rss1 = process.memoryUsage().rss;
console.log(`host RSS +${mb(rss1 - rss0)} MB after one call (per-call bound is 16 MB)`);
// (b) across calls: 15 MB per call, never freed (under the per-call bound), 100 calls = 1.5 GB if nothing frees it.
for (let round = 1; round <= 5; round++) {
  for (let i = 0; i < 20; i++) await host.executeCommand('attack.leak', '15');
  console.log(`host RSS +${mb(process.memoryUsage().rss - rss1)} MB after ${round * 20} calls of 15 MB each`);
}
console.log('plugin state:', host.plugins()[0].state, 'pid', host.plugins()[0].pid, 'crashes:', crashes);
await host.stop();
