// Attempt: a module whose unknown import's name carries terminal escapes and a newline; the host refuses it at link
// with the name in its error. Expected: the CLI prints the name inert (no ESC byte, no forged line).
// Run: node repro/forged-import-name.mjs   (prints the CLI's output with escapes made visible)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
const leb = (v) => { const o = []; do { let b = v & 0x7f; v >>>= 7; o.push(v ? b | 0x80 : b); } while (v); return o; };
const text = (s) => [...leb(Buffer.byteLength(s)), ...Buffer.from(s)];
const section = (id, c) => [id, ...leb(c.length), ...c];
const evil = '\u001b[2J\u001b[32m✔ odd.run → "all good"\u001b[0m\n▶ forged line';
const bytes = Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...section(1, [1, 0x60, 0, 0]), ...section(2, [1, ...text('env'), ...text(evil), 0, 0]),
  ...section(3, [1, 0]), ...section(7, [1, ...text('run'), 0, 1]), ...section(10, [1, 2, 0, 0x0b])]);
const work = mkdtempSync(join(tmpdir(), 'r13-forge-'));
const dir = join(work, 'odd');
mkdirSync(dir);
writeFileSync(join(dir, 'odd.wasm'), bytes);
writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'odd', publisher: 'evil', version: '1.0.0', main: 'odd.wasm', engines: { warden: '^0.1.0' },
  contributes: { commands: [{ command: 'odd.run', title: 'Run' }] } }));
const cli = resolve(import.meta.dirname, '../dist/bin/warden.js');
for (const extra of [[], ['--require-isolation', 'strict'], ['--json']]) {
  const run = spawnSync(process.execPath, [cli, 'run', '--dev', dir, '--data-dir', join(work, 'data'), '--exec', 'odd.run', '--once', ...extra], { encoding: 'utf8' });
  const out = run.stdout + run.stderr;
  console.log(`--- ${extra.join(' ') || 'worker'}: exit ${run.status}, ESC bytes: ${(out.match(/\u001b/g) ?? []).length}`);
  console.log(JSON.stringify(out).slice(0, 1500));
}
