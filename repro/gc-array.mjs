// Attempt: allocate on the worker's JavaScript heap from WebAssembly with WasmGC (Node 22 and 24 ship it): five
// arrays of 50M i64 (400 MB each), kept alive in a global, in a worker capped at heapMb. Expected: the worker ends, the host lives.
// Run with a Node that has WasmGC: node_modules/.cache/warden-node/v24/bin/node repro/gc-array.mjs (before the fix: the
// whole host process aborted, "JavaScript heap out of memory"; after: the module is refused at start)
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const { createHost } = await import('../dist/host/index.js');
const leb = (v) => { const o = []; do { let b = v & 0x7f; v >>>= 7; o.push(v ? b | 0x80 : b); } while (v); return o; };
const sleb = (v) => { const o = []; for (;;) { const b = v & 0x7f; v >>= 7; if ((v === 0 && !(b & 0x40)) || (v === -1 && b & 0x40)) { o.push(b); return o; } o.push(b | 0x80); } };
const text = (s) => [...leb(Buffer.byteLength(s)), ...Buffer.from(s)];
const section = (id, c) => [id, ...leb(c.length), ...c];
// type 0: (array (mut i64)); type 1: (array (mut (ref null 0))); type 2: (func). Global 0: (mut (ref null 1)).
// run: outer = array.new_default 1 (5); outer[i] = array.new_default 0 (50M) for i < 5; global 0 = outer (kept: 2 GB).
const types = section(1, [3, 0x5e, 0x7e, 0x01, 0x5e, 0x63, 0x00, 0x01, 0x60, 0, 0]);
const globals = section(6, [1, 0x63, 0x01, 0x01, 0xd0, 0x01, 0x0b]);
const fill = Array.from({ length: 5 }, (_, i) => [0x20, 0, 0x41, i, 0x41, ...sleb(50_000_000), 0xfb, 0x07, 0x00, 0xfb, 0x0e, 0x01]).flat();
const body = [1, 1, 0x63, 0x01, 0x41, 5, 0xfb, 0x07, 0x01, 0x21, 0, ...fill, 0x20, 0, 0x24, 0, 0x0b];
const bytes = Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...types, ...section(3, [1, 2]), ...globals, ...section(7, [1, ...text('run'), 0, 0]),
  ...section(10, [1, ...leb(body.length), ...body])]);
new WebAssembly.Module(bytes);
const work = mkdtempSync(join(tmpdir(), 'r13-gc-'));
const dir = join(work, 'gc');
mkdirSync(dir);
writeFileSync(join(dir, 'gc.wasm'), bytes);
writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'gc', publisher: 'evil', version: '1.0.0', main: 'gc.wasm', engines: { warden: '^0.1.0' },
  contributes: { commands: [{ command: 'gc.run', title: 'Run' }] } }));
const host = createHost({ devPaths: [dir], dataDir: join(work, 'data') });
host.on('crashed', (e) => console.log('crashed:', e.reason));
await host.start();
const rss0 = process.memoryUsage().rss;
let peak = rss0;
const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
console.log('run:', await host.executeCommand('gc.run').then(() => 'answered', (e) => e.message));
clearInterval(sampler);
console.log(`host RSS peak +${((peak - rss0) / 1048576).toFixed(0)} MB during the call (heapMb 128)`);
console.log('the host is alive');
await host.stop();
