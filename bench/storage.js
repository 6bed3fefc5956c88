/**
 * What durability costs `ctx.storage` (`node bench/storage.js`, after `npm run build`; also run by `npm run bench`):
 * `PluginStorage.set` as the host runs it — the whole store written to a temporary file, fsynced, renamed over the
 * old one, the folder fsynced — against the same replacement without either fsync (what a crash of the host alone
 * survives, but not a power cut). Interleaved blocks, so load from elsewhere falls on both alike; p50 and p99 of
 * each side's pooled samples, for a small store and a 64 KiB one, on the filesystem of the OS temporary folder.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const { PluginStorage } = await import('../dist/host/storage.js');

const BLOCKS = 20;
const BLOCK = 25; // sets per block and side: 500 samples per side and size

/** The same replacement of storage.json, minus the two fsyncs. */
async function replaceWithoutSync(file, text) {
  const temporary = `${file}.bench`;
  const handle = await open(temporary, 'w');
  await handle.writeFile(text);
  await handle.close();
  await rename(temporary, file);
}

function percentile(samples, p) {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

async function timed(work) {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const work = mkdtempSync(join(tmpdir(), 'warden-bench-storage-'));
let filesystem = 'unknown filesystem';
try {
  filesystem = execFileSync('stat', ['-f', '-c', '%T', work], { encoding: 'utf8' }).trim();
} catch {
  // stat(1) missing: the figures stand without the name
}
const rows = [];
try {
  for (const [label, bytes] of [['small store (~100 B)', 80], ['64 KiB store', 64 * 1024]]) {
    mkdirSync(join(work, `durable-${bytes}`));
    const durable = new PluginStorage(join(work, `durable-${bytes}`), 1 << 20);
    mkdirSync(join(work, `plain-${bytes}`));
    const plainFile = join(work, `plain-${bytes}`, 'storage.json');
    const ours = [];
    const plain = [];
    let n = 0;
    for (let block = 0; block < BLOCKS; block += 1) {
      const sides = block % 2 === 0 ? ['ours', 'plain'] : ['plain', 'ours'];
      for (const side of sides) {
        for (let i = 0; i < BLOCK; i += 1) {
          n += 1;
          const value = `${n}:${'x'.repeat(bytes)}`;
          if (side === 'ours') ours.push(await timed(() => durable.set('value', value)));
          else plain.push(await timed(() => replaceWithoutSync(plainFile, JSON.stringify({ value }))));
        }
      }
    }
    const [p50, p99] = [percentile(ours, 0.5), percentile(ours, 0.99)];
    const [b50, b99] = [percentile(plain, 0.5), percentile(plain, 0.99)];
    rows.push([`ctx.storage.set, ${label}`, `p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms`, `without fsync p50 ${b50.toFixed(2)} ms, p99 ${b99.toFixed(2)} ms`, `${(p50 / b50).toFixed(1)}× at p50`]);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

console.log(`\nWarden storage durability (${filesystem}, ${BLOCKS * BLOCK} sets per side and size)`);
const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)));
for (const row of rows) console.log(`  ${row.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]) : cell)).join('  ')}`);
