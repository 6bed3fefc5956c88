// Attempt: grow memory that is not linear memory — tables (the memory cap rewrites only the memory section). Each of
// 16 tables grows to V8's 10M-entry maximum (8 bytes an entry: 1.3 GB if nothing bounds it).
// Expected: bounded. Before the fix the whole host process aborted ("JavaScript heap out of memory", Node 20 and 24);
// after, the grows fail inside the cap and the call answers. Run: node repro/table-growth.mjs
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const { createHost } = await import('../dist/host/index.js');
const leb = (v) => { const o = []; do { let b = v & 0x7f; v >>>= 7; o.push(v ? b | 0x80 : b); } while (v); return o; };
const sleb = (v) => { const o = []; for (;;) { const b = v & 0x7f; v >>= 7; if ((v === 0 && !(b & 0x40)) || (v === -1 && b & 0x40)) { o.push(b); return o; } o.push(b | 0x80); } };
const text = (s) => [...leb(Buffer.byteLength(s)), ...Buffer.from(s)];
const section = (id, c) => [id, ...leb(c.length), ...c];
const TABLES = 16;
const grow = Array.from({ length: TABLES }, (_, i) => [0xd0, 0x70, 0x41, ...sleb(10_000_000), 0xfc, 0x0f, ...leb(i), 0x1a]).flat();
const body = [0, ...grow, 0x0b];
const bytes = Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...section(1, [1, 0x60, 0, 0]), ...section(3, [1, 0]),
  ...section(4, [...leb(TABLES), ...Array.from({ length: TABLES }, () => [0x70, 0x00, 0x00]).flat()]),
  ...section(7, [1, ...text('run'), 0, 0]), ...section(10, [1, ...leb(body.length), ...body])]);
new WebAssembly.Module(bytes);
const work = mkdtempSync(join(tmpdir(), 'r13-table-'));
const dir = join(work, 'tables');
mkdirSync(dir);
writeFileSync(join(dir, 't.wasm'), bytes);
writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'tables', publisher: 'evil', version: '1.0.0', main: 't.wasm', engines: { warden: '^0.1.0' },
  contributes: { commands: [{ command: 'tables.run', title: 'Run' }] } }));
const host = createHost({ devPaths: [dir], dataDir: join(work, 'data') });
host.on('crashed', (e) => console.log('crashed:', e.reason));
await host.start();
const rss0 = process.memoryUsage().rss;
let peak = rss0;
const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
console.log('run:', await host.executeCommand('tables.run').then(() => 'answered', (e) => e.message));
clearInterval(sampler);
console.log(`host RSS peak +${((peak - rss0) / 1048576).toFixed(0)} MB (wasmMemoryMb 64, heapMb 128)`);
await host.stop();
