#!/usr/bin/env node
// `npm start`: the whole story on the sample plugins, offline, in well under a minute.
//   1. the host: plugins working, the stealer refused by the gate, sneaky denied at run time, runaway stopped,
//      and a WebAssembly plugin (built from AssemblyScript by npm run build) answering from a worker of the host;
//   2. trust: tiers from the demo registry, an install with its consent screen answered by flags, the
//      blocklist refusing a plugin, a tampered file refused, and a blocklist update stopping a running plugin.
// Each step's exit code is checked, so the tour is also a smoke test: it fails loudly if a step misbehaves.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, readdirSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist/bin/warden.js');
const DEMO = join(ROOT, '.warden', 'demo-trust');
const REGISTRY = join(DEMO, 'registry');
const PLUGINS = join(DEMO, 'plugins');
const DATA = join(DEMO, 'data');
const show = (path) => relative(process.cwd(), path) || '.';
const started = Date.now();

function heading(text) {
  process.stdout.write(`\n\x1b[1m── ${text} ──\x1b[0m\n`);
}

/** Runs `warden …` with its output shown; a different exit code than expected ends the tour. */
function warden(expected, ...args) {
  process.stdout.write(`\x1b[2m$ warden ${args.map((a) => (a.startsWith(ROOT) ? show(a) : a)).join(' ')}\x1b[0m\n`);
  const run = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: 'inherit' });
  if (run.status !== expected) throw new Error(`warden ${args.join(' ')} exited ${run.status}, expected ${expected}`);
}

const client = ['--plugins-dir', PLUGINS, '--data-dir', DATA];

heading('1. the host: the gate, the sandbox, the supervisor');
warden(1, 'run', '--plugins-dir', 'sample-plugins', '--data-dir', '.warden/demo', '--display-name', 'Ada', '--locale', 'fr-FR',
  '--exec', 'hello.sayHello', '["Ada"]', '--exec', 'notes.add', '"try Warden"', '--exec', 'notes.list', '--exec', 'indexer.index',
  '--exec', 'weather.now', '--exec', 'greeter.greet', '--exec', 'hello-wasm.greet', '"Ada"', '--exec', 'hello-wasm.vowels', '"WebAssembly"',
  '--exec', 'sneaky.sync', '--exec', 'runaway.spin', '--exec', 'hello.sayHello', '--once');
process.stdout.write('\nThe WebAssembly plugin\'s import section is its whole capability list: the gate reads it exactly.\n');
warden(0, 'analyze', 'sample-plugins/hello-wasm', '--format', 'stylish', '--tier', 'community');

heading('2. trust: tiers from a signed registry');
rmSync(DEMO, { recursive: true, force: true });
// A copy, so publishing a blocklist update below leaves the committed demo registry as it is.
cpSync(join(ROOT, 'sample-plugins', 'registry'), REGISTRY, { recursive: true });
warden(0, 'install', 'samples.hello-world', '--registry', REGISTRY, '--trusted-root', join(ROOT, 'sample-plugins/registry/metadata/1.root.json'), ...client, '--yes');
warden(0, 'install', 'acme.greeter', ...client, '--yes');
process.stdout.write('\nConsent answered by flags: weather may reach its API, and nothing else.\n');
warden(0, 'install', 'samples.weather', ...client, '--grant', 'network:api.open-meteo.com');
process.stdout.write('\nThe blocklist is part of the signed metadata: sneaky (publisher shady) is refused at install.\n');
warden(1, 'install', 'sample-plugins/sneaky', ...client, '--yes');
warden(0, 'list', ...client);

heading('3. a file changed after install is refused');
const store = join(PLUGINS, '.warden', 'store');
const hello = readdirSync(store).find((name) => name.startsWith('samples.hello-world@'));
appendFileSync(join(store, hello, 'index.js'), '\n// added after install\n');
process.stdout.write(`\x1b[2m(appended a line to ${show(join(store, hello, 'index.js'))})\x1b[0m\n`);
warden(1, 'run', ...client, '--exec', 'hello.sayHello', '--once');
warden(0, 'install', 'samples.hello-world', ...client, '--yes');

heading('4. a blocklist update stops a running plugin');
await new Promise((resolvePromise, reject) => {
  const host = spawn(process.execPath, [CLI, 'run', ...client, '--display-name', 'Ada'], { cwd: ROOT, env: process.stdout.isTTY ? { ...process.env, FORCE_COLOR: '1' } : process.env });
  const timer = setTimeout(() => {
    host.kill('SIGTERM');
    reject(new Error('the running plugin was not stopped within 20 s of the blocklist update'));
  }, 20_000);
  let published = false;
  const onLine = (line) => {
    process.stdout.write(`  ${line}\n`);
    const plain = line.replace(/\x1b\[[0-9;]*m/g, '');
    if (!published && /acme\.greeter started/.test(plain)) {
      published = true;
      warden(0, 'registry', 'block', REGISTRY, 'acme.greeter', '--reason', 'demo: pretend it was caught phoning home', '--link', 'https://example.com/advisories/demo');
    }
    if (published && /refused acme\.greeter: blocklisted/.test(plain)) {
      clearTimeout(timer);
      host.once('exit', resolvePromise);
      setTimeout(() => host.kill('SIGTERM'), 300); // let the host report the stop first
    }
  };
  createInterface({ input: host.stdout }).on('line', onLine);
  createInterface({ input: host.stderr }).on('line', onLine);
});

process.stdout.write(`\nThe tour took ${Math.round((Date.now() - started) / 1000)} s. Audit logs: .warden/demo/audit.log, ${show(join(DATA, 'audit.log'))} (warden audit --verify --log …)\n`);
