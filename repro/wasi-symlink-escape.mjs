// Attempt: a module whose grant preopens one writable folder creates a symlink in it pointing outside, then opens a
// file through the link. Expected: WASI reaches only the granted folder. Run: node repro/wasi-symlink-escape.mjs [process]
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { attackPlugin, createHost } from './lib.mjs';
const isolation = process.argv[2] === 'process' ? { requireIsolation: 'strict' } : {};
const { work, dir } = attackPlugin(
  { contributes: { commands: [{ command: 'attack.escape', title: 'escape' }] }, capabilities: { filesystem: { write: ['box'] } } },
  join(import.meta.dirname, 'wasi-escape/build/escape.wasm'),
);
mkdirSync(join(dir, 'box'));
writeFileSync(join(work, 'secret.txt'), 'TOP SECRET outside the grant');
// A link placed in the folder by someone else (not the module), leading out of it.
symlinkSync(work, join(dir, 'box', 'placed'));
const host = createHost({ devPaths: [dir], dataDir: join(work, 'data'), ...isolation });
await host.start();
writeFileSync(join(dir, 'box', 'inside.txt'), 'inside the grant');
// The control: a link within the folder opens (so a refusal below is the sandbox, not a broken module).
for (const [target, link, file] of [['.', 'self', 'inside.txt'], [work, 'placed', 'secret.txt'], [work, 'abs', 'secret.txt'], ['../..', 'rel', 'secret.txt'], ['..', 'up', '../secret.txt']]) {
  const answer = await host.executeCommand('attack.escape', `${target}|${file}|${link}`).catch((e) => e.message);
  console.log(`symlink -> ${target}:`, JSON.stringify(answer));
}
console.log('box now holds:', readdirSync(join(dir, 'box')));
await host.stop();
