import { readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { analyzePlugin, analyzePlugins, hashFiles } from '../../analyzer/index.js';
import { FIXTURES, MANIFEST, NATIVE_HEADS, tempDir, writePlugin } from './helpers.js';

const fixture = (name: string) => join(FIXTURES, name);
const summary = (findings: { file: string; line: number; ruleId: string; severity: string }[]) => findings.map((f) => `${f.file}:${f.line} ${f.ruleId} ${f.severity}`);

describe('analyzePlugin', () => {
  it('allows a plugin that only uses ctx', async () => {
    const analysis = await analyzePlugin(fixture('clean'), { cache: false });
    expect(analysis.findings).toEqual([]);
    expect(analysis.decision.action).toBe('allow');
    expect(analysis.plugin).toEqual({ id: 'acme.clean', name: 'clean', publisher: 'acme', version: '1.2.0' });
  });

  it('shows declared capabilities as low, but never a socket: a declared host is granted to ctx.net.fetch only', async () => {
    const analysis = await analyzePlugin(fixture('declared'), { cache: false });
    expect(analysis.findings.map((f) => [f.category, f.severity])).toEqual([['filesystem', 'low']]);
    expect(analysis.decision.action).toBe('allow');
    const root = writePlugin({
      'package.json': { ...MANIFEST, capabilities: { network: { hosts: ['api.example.com'] } } },
      'index.js': "require('https').get('https://api.example.com/x');\nfetch('https://api.example.com/y');\nexports.activate = (ctx) => ctx.net.fetch('https://api.example.com/z');",
    });
    const direct = await analyzePlugin(root, { cache: false });
    expect(direct.findings.map((f) => `${f.line} ${f.category} ${f.severity}`)).toEqual(['1 network high', '1 network high', '2 network high']);
    expect(direct.decision.action).toBe('block');
    // Every raw network road stays high with the host declared: sockets, TLS, UDP, requests, agents, undici, WebSocket.
    const sockets = writePlugin({
      'package.json': { ...MANIFEST, capabilities: { network: { hosts: ['api.example.com'] } } },
      'index.js': [
        "require('net').connect(443, 'api.example.com');",
        "require('tls').connect({ host: 'api.example.com', port: 443 });",
        "require('dgram').createSocket('udp4');",
        "require('http').request('http://api.example.com/');",
        "new (require('https').Agent)({ keepAlive: true });",
        "require('undici').request('https://api.example.com/');",
        "new WebSocket('wss://api.example.com/');",
      ].join('\n'),
    });
    const raw = await analyzePlugin(sockets, { cache: false });
    const lines = new Set(raw.findings.filter((f) => f.category === 'network' && f.severity === 'high').map((f) => f.line));
    expect([...lines].sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(raw.findings.filter((f) => f.category === 'network' && f.severity === 'low')).toEqual([]);
  });

  it('blocks the disguised stealer, with its install script, and reads through evaluated base64', async () => {
    const analysis = await analyzePlugin(fixture('stealer'), { cache: false });
    const found = summary(analysis.findings);
    expect(found).toContain('package.json:7 install-script critical');
    expect(found).toContain('index.js:5 no-child-process high');
    expect(found).toContain('index.js:8 no-filesystem critical');
    expect(found).toContain('lib/payload.js:1 no-eslint-disable medium');
    expect(analysis.findings.find((f) => f.file === 'lib/payload.js' && f.message.startsWith('in code evaluated here: '))?.category).toBe('child-process');
    expect(analysis.decision.action).toBe('block');
    expect(analysis.tier).toBe('community');
    expect((await analyzePlugin(fixture('stealer'), { cache: false, tier: 'official' })).decision.action).toBe('warn');
  });

  it('reads the bundled node_modules the entry reaches, their install scripts and ESM by package type', async () => {
    const analysis = await analyzePlugin(fixture('bundled'), { cache: false });
    expect(summary(analysis.findings)).toEqual([
      'node_modules/@scope/tool/index.js:2 no-network high',
      'node_modules/@scope/tool/index.js:3 no-network high',
      'node_modules/@scope/tool/package.json:1 install-script critical',
      'node_modules/helper/index.js:1 no-child-process high',
      'node_modules/helper/index.js:2 no-child-process critical',
      'node_modules/helper/package.json:1 install-script high',
    ]);
    expect(analysis.findings.every((finding) => finding.reachable)).toBe(true);
  });

  it('parses TypeScript, and turns an unparsable file into a critical finding', async () => {
    const ts = await analyzePlugin(fixture('typescript'), { cache: false });
    expect(ts.findings.map((f) => `${f.file} ${f.category}`)).toEqual(['src/env.cts env', 'src/index.ts child-process']);
    const broken = await analyzePlugin(fixture('broken'), { cache: false });
    expect(broken.findings).toMatchObject([{ file: 'index.js', line: 2, category: 'unanalyzable', severity: 'critical', ruleId: 'unanalyzable' }]);
  });

  it('reports native binaries (low once declared), files over the size cap, escaping links and a missing main', async () => {
    const root = writePlugin({ 'package.json': { ...MANIFEST, main: 'dist/index.js' }, 'index.js': '/* big */', 'bin/helper': NATIVE_HEADS.elf });
    symlinkSync('/usr/lib', join(root, 'lib'));
    const analysis = await analyzePlugin(root, { cache: false, limits: { maxEntries: 10, maxEntryBytes: 1e6, maxTotalBytes: 1e7, maxLintBytes: 5 } });
    expect(summary(analysis.findings)).toEqual(['bin/helper:1 native-binary high', 'index.js:1 unanalyzable critical', 'lib:1 unanalyzable critical', 'package.json:5 manifest critical']);
    writeFileSync(join(root, 'package.json'), JSON.stringify({ ...MANIFEST, capabilities: { nativeAddons: true } }));
    const declared = await analyzePlugin(root, { cache: false });
    // Now the entry exists and loads neither: each is one severity lower, as no entry point reaches it.
    expect(summary(declared.findings)).toEqual(['bin/helper:1 native-binary info', 'lib:1 unanalyzable high']);
  });

  it('records the sha256 of every analyzed file, as hashFiles computes it again', async () => {
    const analysis = await analyzePlugin(fixture('stealer'), { cache: false });
    expect(Object.keys(analysis.hashes).sort()).toEqual(['index.js', 'lib/payload.js', 'package.json']);
    expect(analysis.hashes['index.js']).toBe(createHash('sha256').update(readFileSync(join(fixture('stealer'), 'index.js'))).digest('hex'));
    expect(await hashFiles(fixture('stealer'), Object.keys(analysis.hashes))).toEqual(analysis.hashes);
  });
});

describe('cache', () => {
  /** The cache's record files: one per plugin. */
  const records = (cacheDir: string) => readdirSync(join(cacheDir, 'plugins')).map((name) => join(cacheDir, 'plugins', name));

  it('serves unchanged files from the cache with the same findings, and re-reads a changed one', async () => {
    const cacheDir = tempDir();
    const root = writePlugin({ 'package.json': MANIFEST, 'index.js': "require('child_process');\n", 'other.js': 'module.exports = 1;\n' });
    const cold = await analyzePlugin(root, { cacheDir });
    expect(cold.stats.cached).toBe(0);
    const warm = await analyzePlugin(root, { cacheDir });
    expect(warm.stats.cached).toBe(2);
    expect(warm.findings).toEqual(cold.findings);
    expect(warm.hashes).toEqual(cold.hashes);
    writeFileSync(join(root, 'other.js'), "require('net');\n");
    const changed = await analyzePlugin(root, { cacheDir });
    expect(changed.stats.cached).toBe(1);
    expect(changed.findings.map((f) => f.file)).toEqual(['index.js', 'other.js']);
  });

  it('keeps one record per plugin, which a warm run reads and does not write', async () => {
    // Files written long before the runs (as the clock says), so the stat stamps are recorded at once (see cache.test.ts).
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 60_000);
    onTestFinished(() => void vi.useRealTimers());
    const cacheDir = tempDir();
    const root = writePlugin({ 'package.json': MANIFEST, 'index.js': "require('child_process');\n", 'a.js': '1;\n', 'b.js': '2;\n' });
    const other = writePlugin({ 'package.json': MANIFEST, 'index.js': '3;\n' });
    await analyzePlugins([root, other], { cacheDir });
    const [first, second] = records(cacheDir);
    expect(records(cacheDir)).toHaveLength(2);
    const written = statSync(first, { bigint: true }).mtimeNs;
    expect((await analyzePlugin(root, { cacheDir })).stats.cached).toBe(3);
    expect((await analyzePlugin(other, { cacheDir })).stats.cached).toBe(1);
    expect(statSync(first, { bigint: true }).mtimeNs).toBe(written);
    expect(records(cacheDir)).toEqual([first, second]);
  });

  it('forgets files that are gone and lints new ones', async () => {
    const cacheDir = tempDir();
    const root = writePlugin({ 'package.json': MANIFEST, 'index.js': '1;\n', 'gone.js': "require('net');\n" });
    await analyzePlugin(root, { cacheDir });
    rmSync(join(root, 'gone.js'));
    writeFileSync(join(root, 'new.js'), "require('child_process');\n");
    const after = await analyzePlugin(root, { cacheDir });
    expect(after.stats.cached).toBe(1);
    // new.js is loaded by nothing, so its finding is judged as unreachable code's (issue 12's module graph).
    expect(summary(after.findings)).toEqual(['new.js:1 no-child-process medium']);
    const [record] = records(cacheDir);
    expect(Object.keys(JSON.parse(readFileSync(record, 'utf8').slice(65)).files)).toEqual(['index.js', 'new.js']);
  });

  it('does not serve a file whose source type changed (the same bytes mean other code as a module)', async () => {
    const cacheDir = tempDir();
    const root = writePlugin({ 'package.json': MANIFEST, 'index.js': 'const x = 1;\n' });
    await analyzePlugin(root, { cacheDir });
    writeFileSync(join(root, 'package.json'), JSON.stringify({ ...MANIFEST, type: 'module' }));
    expect((await analyzePlugin(root, { cacheDir })).stats.cached).toBe(0);
  });

  it('ignores a corrupt record and bypasses the cache entirely with cache: false', async () => {
    const cacheDir = tempDir();
    const root = writePlugin({ 'package.json': MANIFEST, 'index.js': "require('child_process');\n" });
    const first = await analyzePlugin(root, { cacheDir });
    expect(records(cacheDir)).toHaveLength(1);
    writeFileSync(records(cacheDir)[0], '{ truncated');
    const afterCorruption = await analyzePlugin(root, { cacheDir });
    expect(afterCorruption.stats.cached).toBe(0);
    expect(afterCorruption.findings).toEqual(first.findings);
    expect((await analyzePlugin(root, { cacheDir })).stats.cached).toBe(1); // rewritten whole
    const bypass = tempDir();
    await analyzePlugin(root, { cache: false, cacheDir: bypass });
    expect(readdirSync(bypass)).toEqual([]);
  });

  it('analyzes several plugins in one call, in order', async () => {
    const analyses = await analyzePlugins([fixture('clean'), fixture('stealer')], { cache: false });
    expect(analyses.map((a) => [a.plugin.id, a.decision.action])).toEqual([
      ['acme.clean', 'allow'],
      ['mallory.stealer', 'block'],
    ]);
  });
});
