// Reliability: a command that shows one message per call, run 60 times at once by the app. A JavaScript plugin's
// messages in answer to the app's calls are paced by the app (the channel's answer allowance); a WASM plugin's?
// Run: node repro/answer-messages.mjs [process]
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
const { createHost } = await import('../dist/host/index.js');
const isolation = process.argv[2] === 'process' ? { requireIsolation: 'strict' } : {};
const work = mkdtempSync(join(tmpdir(), 'r13-answers-'));
for (const name of ['hello-wasm', 'hello-world']) cpSync(resolve(import.meta.dirname, '../sample-plugins', name), join(work, 'plugins', name), { recursive: true });
const host = createHost({ pluginsDir: join(work, 'plugins'), dataDir: join(work, 'data'), ...isolation });
const shown = new Map();
host.on('message', (m) => shown.set(m.pluginId, (shown.get(m.pluginId) ?? 0) + 1));
await host.start();
console.log(host.plugins().map((p) => `${p.id}: ${p.runsIn}`).join(', '));
await Promise.all(Array.from({ length: 60 }, (_, i) => host.executeCommand('hello-wasm.greet', `n${i}`)));
await Promise.all(Array.from({ length: 60 }, (_, i) => host.executeCommand('hello.sayHello', `n${i}`)));
console.log('messages shown for 60 calls each:', Object.fromEntries(shown));
await host.stop();
