// Shared set-up for the repro scripts: an attack plugin folder in a temp dir, and a host from dist/.
import { cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
export const { createHost } = await import('../dist/host/index.js');
const { buildWasm } = await import('../scripts/build-wasm.mjs');
// The attack modules, compiled from AssemblyScript on first use (their build/ folders are not committed).
for (const [folder, file] of [['attack', 'attack.wasm'], ['wasi-escape', 'escape.wasm']]) {
  if (!existsSync(join(import.meta.dirname, folder, 'build', file))) await buildWasm(join(import.meta.dirname, folder));
}
const COMMANDS = ['fill', 'hoard', 'leak', 'reenter', 'echo', 'shout'];
export function attackPlugin(manifest = {}, wasm = join(import.meta.dirname, 'attack/build/attack.wasm')) {
  const work = mkdtempSync(join(tmpdir(), 'r13-'));
  const dir = join(work, 'attack');
  mkdirSync(dir);
  cpSync(wasm, join(dir, 'attack.wasm'));
  const base = { name: 'attack', publisher: 'evil', version: '1.0.0', main: 'attack.wasm', engines: { warden: '^0.1.0' },
    contributes: { commands: COMMANDS.map((c) => ({ command: `attack.${c}`, title: c })) } };
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...base, ...manifest }));
  return { work, dir };
}
export const mb = (n) => (n / 1048576).toFixed(0);
