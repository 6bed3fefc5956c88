// Attempt: a module whose deactivate export never returns. Expected: stop() waits at most the grace period, ends the
// module (thread or process) and the app exits. Run: node repro/stuck-deactivate.mjs [process]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
const leb = (v) => { const o = []; do { let b = v & 0x7f; v >>>= 7; o.push(v ? b | 0x80 : b); } while (v); return o; };
const text = (s) => [...leb(Buffer.byteLength(s)), ...Buffer.from(s)];
const section = (id, c) => [id, ...leb(c.length), ...c];
const spin = [0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b];
const nothing = [0x00, 0x0b];
const bytes = Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...section(1, [1, 0x60, 0, 0]), ...section(3, [2, 0, 0]),
  ...section(7, [2, ...text('run'), 0, 0, ...text('deactivate'), 0, 1]), ...section(10, [2, nothing.length, ...nothing, spin.length, ...spin])]);
const work = mkdtempSync(join(tmpdir(), 'r13-deact-'));
const dir = join(work, 'stuck');
mkdirSync(dir);
writeFileSync(join(dir, 'stuck.wasm'), bytes);
writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'stuck', publisher: 'evil', version: '1.0.0', main: 'stuck.wasm',
  engines: { warden: '^0.1.0' }, contributes: { commands: [{ command: 'stuck.run', title: 'Run' }] } }));
const isolation = process.argv[2] === 'process' ? ", requireIsolation: 'strict'" : '';
const app = `
const { createHost } = await import(${JSON.stringify(resolve(import.meta.dirname, '../dist/host/index.js'))});
const host = createHost({ devPaths: [${JSON.stringify(dir)}], dataDir: ${JSON.stringify(join(work, 'data'))}${isolation} });
await host.start();
console.log('run:', await host.executeCommand('stuck.run'));
const pid = host.plugins()[0].pid;
const t = Date.now();
await host.stop();
let alive = false;
if (pid) { try { process.kill(pid, 0); alive = true; } catch {} }
console.log('stop took', Date.now() - t, 'ms; plugin process', pid ?? '(none: a worker)', alive ? 'still alive when stop() resolved' : 'gone');
await new Promise((r) => setTimeout(r, 3000));
if (pid) { try { process.kill(pid, 0); console.log('plugin process STILL ALIVE 3 s after stop()'); } catch { console.log('plugin process gone 3 s after stop()'); } }
`;
const run = spawnSync(process.execPath, ['--input-type=module', '-e', app], { encoding: 'utf8', timeout: 15_000 });
console.log((run.stdout + run.stderr).trim());
console.log(run.signal ? `the app did NOT exit after host.stop() (${run.signal})` : `the app exited: ${run.status}`);
