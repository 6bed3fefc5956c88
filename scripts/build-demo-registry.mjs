#!/usr/bin/env node
// Rebuilds sample-plugins/registry, the demo registry `npm start` installs from, with `warden registry`
// itself: one plugin per tier and a blocklist entry, signed with fresh DEMO keys (committed on purpose: the
// tour publishes a blocklist update with them; never use them for anything else). Every role expires in 50
// years, so the committed metadata outlives the project. Run after changing a sample plugin:
//   npm run demo:registry
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { create } from 'tar';

const ROOT = resolve(import.meta.dirname, '..');
const SAMPLES = join(ROOT, 'sample-plugins');
const REGISTRY = join(SAMPLES, 'registry');
const PUBLISHER = join(REGISTRY, 'demo-publisher', 'acme');
const EXPIRES = ['--expires', '50y'];

function warden(...args) {
  const run = spawnSync(process.execPath, [join(ROOT, 'dist/bin/warden.js'), ...args], { stdio: 'inherit' });
  if (run.status !== 0) throw new Error(`warden ${args.join(' ')} exited ${run.status}`);
}

const staging = mkdtempSync(join(tmpdir(), 'warden-demo-registry-'));
/** An npm-pack-shaped tarball (everything under package/), byte-for-byte the same on every run. */
async function pack(name) {
  cpSync(join(SAMPLES, name), join(staging, name, 'package'), { recursive: true });
  const file = join(staging, `${name}.tgz`);
  await create({ gzip: true, file, cwd: join(staging, name), portable: true, mtime: new Date('1985-10-26T08:15:00Z') }, ['package']);
  return file;
}

try {
  // Everything but README.md is generated.
  for (const generated of ['keys', 'metadata', 'targets', 'staged', 'demo-publisher']) rmSync(join(REGISTRY, generated), { recursive: true, force: true });
  warden('registry', 'init', REGISTRY, ...EXPIRES);
  for (const name of ['hello-world', 'notes']) warden('registry', 'add', REGISTRY, await pack(name), '--tier', 'official', ...EXPIRES);
  for (const name of ['weather', 'file-indexer']) warden('registry', 'add', REGISTRY, await pack(name), '--tier', 'community', ...EXPIRES);
  mkdirSync(join(PUBLISHER, '..'), { recursive: true });
  warden('registry', 'keygen', PUBLISHER);
  warden('registry', 'add', REGISTRY, await pack('greeter'), '--tier', 'trusted', '--publisher', 'acme', '--publisher-key', `${PUBLISHER}.pub`, ...EXPIRES);
  warden('registry', 'sign', REGISTRY, '--publisher', 'acme', '--key', `${PUBLISHER}.key`, ...EXPIRES);
  warden('registry', 'block', REGISTRY, 'publisher:shady', '--reason', 'climbs out of its data folder and phones home (the sneaky sample)', '--link', 'https://github.com/warden-host/warden/blob/main/docs/security-model.md', ...EXPIRES);
} finally {
  rmSync(staging, { recursive: true, force: true });
}
