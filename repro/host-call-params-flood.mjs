// Attempt: a module sends host-function params far larger than maxMessageBytes (a process's channel refuses those
// and ends it), over and over in one call; the host thread parses each. Measured: the host's event-loop lag and
// another plugin's round trip meanwhile. Run: node repro/host-call-params-flood.mjs [process]
import { cpSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { attackPlugin, createHost } from './lib.mjs';
const isolation = process.argv[2] === 'process' ? { requireIsolation: 'strict' } : {};
const { work, dir } = attackPlugin();
const other = join(work, 'hello-wasm');
cpSync(resolve(import.meta.dirname, '../sample-plugins/hello-wasm'), other, { recursive: true });
const host = createHost({ devPaths: [dir, other], dataDir: join(work, 'data'), ...isolation });
const crashes = [];
host.on('crashed', (e) => crashes.push(e.reason));
let logged = 0;
host.on('log', (e) => { if (e.pluginId === 'evil.attack') logged += 1; });
await host.start();
await host.executeCommand('hello-wasm.vowels', 'warm');
let worstLag = 0;
let last = performance.now();
const lag = setInterval(() => { const now = performance.now(); worstLag = Math.max(worstLag, now - last - 10); last = now; }, 10);
const t0 = performance.now();
const flood = host.executeCommand('attack.shout', '12,200').then(() => 'answered', (e) => e.message);
const rtts = [];
while (performance.now() - t0 < 6000) {
  const t = performance.now();
  await host.executeCommand('hello-wasm.vowels', 'ping');
  rtts.push(performance.now() - t);
  await new Promise((r) => setTimeout(r, 50));
}
console.log('flood:', await flood, `after ${(performance.now() - t0).toFixed(0)} ms; log lines: ${logged}`);
clearInterval(lag);
rtts.sort((a, b) => a - b);
console.log(`other plugin round trip over 6 s: median ${rtts[rtts.length >> 1].toFixed(1)} ms, max ${rtts.at(-1).toFixed(0)} ms; worst host event-loop lag ${worstLag.toFixed(0)} ms`);
console.log('crashes:', crashes);
await host.stop();
