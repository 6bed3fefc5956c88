// Break: a module whose start function (run by the engine at instantiation, before any export) never returns.
// Expected: the activation times out and the module's thread is ended, as a module spinning in a call is; the host
// then stops and the app's process exits. Run: node repro/spinning-start.mjs [process]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
const leb = (v) => { const o = []; do { let b = v & 0x7f; v >>>= 7; o.push(v ? b | 0x80 : b); } while (v); return o; };
const text = (s) => [...leb(Buffer.byteLength(s)), ...Buffer.from(s)];
const section = (id, c) => [id, ...leb(c.length), ...c];
const spin = [0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b]; // no locals; loop (br 0) end; end
const bytes = Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...section(1, [1, 0x60, 0, 0]), ...section(3, [1, 0]),
  ...section(7, [1, ...text('run'), 0, 0]), ...section(8, [0]), ...section(10, [1, spin.length, ...spin])]);
const work = mkdtempSync(join(tmpdir(), 'r13-start-'));
const dir = join(work, 'startspin');
mkdirSync(dir);
writeFileSync(join(dir, 'spin.wasm'), bytes);
writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'startspin', publisher: 'evil', version: '1.0.0', main: 'spin.wasm',
  engines: { warden: '^0.1.0' }, contributes: { commands: [{ command: 'startspin.run', title: 'Run' }] } }));
const isolation = process.argv[2] === 'process' ? ", requireIsolation: 'strict'" : '';
// The app: start the host, run the command (its activation times out), stop the host, and expect to exit.
const app = `
const { createHost } = await import(${JSON.stringify(resolve(import.meta.dirname, '../dist/host/index.js'))});
const host = createHost({ devPaths: [${JSON.stringify(dir)}], dataDir: ${JSON.stringify(join(work, 'data'))}, limits: { activateTimeoutMs: 1500, restartBaseMs: 100 }${isolation} });
host.on('crashed', (e) => console.log('crashed:', e.reason));
await host.start();
const t = Date.now();
console.log('run:', await host.executeCommand('startspin.run').catch((e) => e.message), Date.now() - t, 'ms');
console.log('state:', host.plugins()[0].state);
const cpu0 = process.cpuUsage(); const t1 = Date.now();
await new Promise((r) => setTimeout(r, 2000));
const cpu = process.cpuUsage(cpu0);
console.log('app process CPU over the next 2 s (ms):', Math.round((cpu.user + cpu.system) / 1000), 'of', Date.now() - t1);
await host.stop();
console.log('host stopped');
`;
const run = spawnSync(process.execPath, ['--input-type=module', '-e', app], { encoding: 'utf8', timeout: 15_000 });
console.log(run.stdout + run.stderr);
console.log(run.signal ? `the app did NOT exit after host.stop(): killed by the 15 s timeout (${run.signal})` : `the app exited: ${run.status}`);
