import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { create } from 'tar';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzePlugin, analyzePlugins, formatJson, formatSarif, formatStylish, summaryLines, type PluginAnalysis } from '../../analyzer/index.js';
import { rules } from '../../rules/index.js';
import { FIXTURES, MANIFEST, REPO, tempDir, writePlugin } from './helpers.js';

const MULTITOOL = join(REPO, 'node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool');

let stealer: PluginAnalysis;
let clean: PluginAnalysis;
const analyzed: Record<'stealer' | 'clean', PluginAnalysis> = {} as never;
beforeAll(async () => {
  [stealer, clean] = await analyzePlugins([join(FIXTURES, 'stealer'), join(FIXTURES, 'clean')], { cache: false });
  Object.assign(analyzed, { stealer, clean });
});

describe('json', () => {
  it('prints exactly the documented shape: an object for one plugin, an array for several', () => {
    const one = JSON.parse(formatJson([stealer]));
    expect(Object.keys(one)).toEqual(['schemaVersion', 'plugin', 'tier', 'decision', 'findings', 'stats']);
    expect(one.schemaVersion).toBe(1);
    expect(Object.keys(one.plugin)).toEqual(['id', 'name', 'publisher', 'version']);
    expect(Object.keys(one.decision)).toEqual(['action', 'reasons']);
    expect(Object.keys(one.findings[0])).toEqual(['ruleId', 'category', 'severity', 'capability', 'file', 'line', 'column', 'endLine', 'endColumn', 'message', 'reachable']);
    expect(Object.keys(one.stats)).toEqual(['files', 'bytes', 'durationMs', 'cached']);
    expect(one.findings).toHaveLength(stealer.findings.length);
    const several = JSON.parse(formatJson([stealer, clean]));
    expect(several.map((report: { plugin: { id: string } }) => report.plugin.id)).toEqual(['mallory.stealer', 'acme.clean']);
  });
});

describe('stylish', () => {
  it('groups by file with aligned rows, a code frame, a count and a verdict naming the tier', () => {
    const text = formatStylish([stealer], { color: false });
    expect(text).not.toMatch(/\x1b\[/);
    expect(text).toMatch(/\nindex\.js\n/);
    expect(text).toMatch(/ {2}8:31 +critical +Passes '~\/\.ssh\/id_rsa'.*filesystem +no-filesystem/);
    expect(text).toMatch(/> +8 \|   const key = fs\.readFileSync\(path\.join\(os\.homedir\(\), '\.ssh', 'id_rsa'\), 'utf8'\);\n +\| +\^{4,}/);
    expect(text).toMatch(/✖ 9 findings \(6 critical, 2 high, 1 medium\)/);
    expect(text).toContain('blocked for community: 6 critical, 2 high\n');
    expect(text).toContain('  6 critical findings block loading for community plugins');
  });

  it('lists files no entry point reaches last, under their own heading', async () => {
    const root = writePlugin({ 'package.json': MANIFEST, 'index.js': "require('./used');", 'used.js': "require('child_process');", 'spare.js': "require('net');" });
    const text = formatStylish([await analyzePlugin(root, { cache: false })], { color: false });
    const heading = text.indexOf('Not reachable from any entry point');
    expect(heading).toBeGreaterThan(text.indexOf('\nused.js\n'));
    expect(text.indexOf('\nspare.js\n')).toBeGreaterThan(heading);
    expect(text).toMatch(/spare\.js\n +1:1 +medium +Loads 'net'/);
  });

  it('colours only when asked, and hides what the tier policy hides', async () => {
    expect(formatStylish([stealer], { color: true })).toMatch(/\x1b\[31m/);
    const official = await analyzePlugin(join(FIXTURES, 'declared'), { cache: false, tier: 'official' });
    const text = formatStylish([official], { color: false });
    expect(text).not.toContain('index.mjs');
    expect(text).toContain('✔ no findings, 1 hidden by the official policy');
    expect(text).toContain('allowed for official: no findings');
  });

  it('ends a multi-plugin report with one aligned line per plugin and a totals line', () => {
    const lines = formatStylish([stealer, clean], { color: false }).trimEnd().split('\n').slice(-3);
    expect(lines[0]).toMatch(/^blocked +mallory\.stealer@0\.0\.1 +.*stealer +6 critical, 2 high, 1 medium$/);
    expect(lines[1]).toMatch(/^allowed +acme\.clean@1\.2\.0 +.*clean +no findings$/);
    // Each column starts at the same place on every line.
    expect(lines[0].indexOf('mallory')).toBe(lines[1].indexOf('acme'));
    expect(lines[0].search(/6 critical/)).toBe(lines[1].search(/no findings/));
    expect(lines[2]).toBe('✖ 9 findings (6 critical, 2 high, 1 medium) in 2 plugins: 1 blocked, 1 allowed');
  });
});

describe('stylish at a terminal width', () => {
  // Where the checkout lives must not decide what fits: the reports name the plugins as if under /plugins.
  let stealer: PluginAnalysis;
  let clean: PluginAnalysis;
  beforeAll(() => {
    [stealer, clean] = [analyzed.stealer, analyzed.clean].map((analysis) => ({ ...analysis, source: `/plugins/${analysis.plugin.name}` }));
  });
  const ruleIds = () => stealer.findings.map((finding) => finding.ruleId);

  for (const width of [60, 80, 120]) {
    it(`fits ${width} columns: no line is wider, every rule id is whole on one line`, () => {
      const text = formatStylish([stealer], { color: false, width });
      const lines = text.split('\n');
      expect(lines.filter((line) => line.length > width)).toEqual([]);
      // A finding row holds its rule id whole, at the end or before the category (reasons say "rule-id at file").
      for (const id of new Set(ruleIds())) expect(lines.filter((line) => new RegExp(`(^|\\s)${id}( {2}|$)`).test(line)).length).toBe(ruleIds().filter((r) => r === id).length);
      // Every word of every message is still there, in order.
      const flat = text.replace(/\s+/g, ' ');
      for (const finding of stealer.findings) {
        const words = finding.message.replace(/\.$/, '').split(' ');
        expect(flat).toContain(words.slice(0, 3).join(' '));
      }
    });
  }

  it('keeps a path longer than the terminal whole on its own line, in the header and in the summary', () => {
    const deep = { ...stealer, source: `/${'deeply/nested/'.repeat(6)}stealer` };
    const text = formatStylish([deep, clean], { color: false, width: 40 });
    const wide = text.split('\n').filter((line) => line.length > 40);
    expect(wide.map((line) => line.trim())).toEqual([deep.source, deep.source]);
  });

  it('fits the verdict line and the batch summary in 40–80 columns, stacking each plugin where its row cannot fit', () => {
    for (const width of [40, 50, 60, 70, 80]) {
      const text = formatStylish([stealer, clean, stealer, clean], { color: false, width });
      expect(text.split('\n').filter((line) => line.length > width), `width ${width}`).toEqual([]);
      const summary = summaryLines([stealer, clean], { color: false, width }).replace(/\s+/g, ' ');
      for (const part of [stealer.plugin.id, clean.plugin.id, stealer.source, '2 plugins: 1 blocked, 1 allowed']) expect(summary, `width ${width}`).toContain(part);
    }
  });

  it('stacks each finding (header line, message under it) on a terminal too narrow for columns', () => {
    const text = formatStylish([stealer], { color: false, width: 44 });
    expect(text).toMatch(/\n {2}\d+:\d+ +critical +no-filesystem +filesystem\n {4}Passes '~\/\.ssh\/id_rsa'/);
    expect(text.split('\n').filter((line) => line.length > 44)).toEqual([]);
  });

  it('shows one code frame for findings at the same place', async () => {
    const root = writePlugin({ 'package.json': MANIFEST, 'index.js': "exports.activate = () => { eval(Buffer.from('cmVxdWlyZSgiaHR0cHMiKQ==', 'base64').toString()); };\n" });
    const analysis = await analyzePlugin(root, { cache: false });
    const lines = analysis.findings.filter((f) => f.line === 1);
    const places = new Set(lines.map((f) => `${f.line}:${f.column}:${f.endLine}:${f.endColumn}`));
    expect(lines.length).toBeGreaterThan(places.size);
    const text = formatStylish([analysis], { color: false });
    expect(text.match(/^ +> 1 \|/gm)).toHaveLength(places.size);
  });

  it('lists only blocking findings with quiet, and says how many it left out', () => {
    const text = formatStylish([stealer], { color: false, quiet: true });
    expect(text).not.toMatch(/^ +\d+:\d+ +medium/m);
    expect(text).toMatch(/^ +\d+:\d+ +critical/m);
    expect(text).toMatch(/✖ 9 findings \(6 critical, 2 high, 1 medium\), 1 not listed \(--quiet\)/);
  });
});

describe('sarif', () => {
  it('describes every rule and check, and one result per finding with level, region and properties', async () => {
    const log = JSON.parse(await formatSarif([stealer]));
    const run = log.runs[0];
    expect(log.version).toBe('2.1.0');
    const ids = run.tool.driver.rules.map((rule: { id: string }) => rule.id);
    expect(ids).toEqual([...Object.keys(rules), 'install-script', 'shell-script', 'native-binary', 'unanalyzable', 'manifest', 'unread-dependency', 'polluting-data', 'dev-dependency', 'wasm-import']);
    expect(run.results).toHaveLength(stealer.findings.length);
    const ssh = run.results.find((result: { message: { text: string } }) => result.message.text.includes('.ssh'));
    expect(ssh).toMatchObject({
      ruleId: 'no-filesystem',
      ruleIndex: ids.indexOf('no-filesystem'),
      level: 'error',
      locations: [{ physicalLocation: { artifactLocation: { uri: 'index.js', uriBaseId: 'PLUGINROOT' }, region: { startLine: 8, startColumn: 31 } } }],
      properties: { category: 'filesystem', capability: 'filesystem', severity: 'critical' },
    });
    const medium = run.results.find((result: { properties: { severity: string } }) => result.properties.severity === 'medium');
    expect(medium.level).toBe('warning');
  });

  it("passes Microsoft's SARIF validator with no errors and no warnings, for folders and tarballs", async () => {
    const dir = tempDir();
    cpSync(join(FIXTURES, 'stealer'), join(dir, 'package'), { recursive: true });
    await create({ gzip: true, file: join(dir, 'stealer.tgz'), cwd: dir }, ['package']);
    const fromTarball = await analyzePlugin(join(dir, 'stealer.tgz'), { cache: false });
    writeFileSync(join(dir, 'report.sarif'), await formatSarif([stealer, clean, fromTarball]));
    const validator = spawnSync(MULTITOOL, ['validate', join(dir, 'report.sarif'), '--output', join(dir, 'validation.sarif'), '--quiet'], { encoding: 'utf8' });
    expect(validator.error).toBeUndefined();
    const validation = JSON.parse(readFileSync(join(dir, 'validation.sarif'), 'utf8'));
    const problems = validation.runs[0].results.filter((result: { level?: string }) => result.level === 'error' || result.level === 'warning' || result.level === undefined);
    expect(problems.map((result: { message: { text?: string; id?: string } }) => result.message.text ?? result.message.id)).toEqual([]);
  });
});
