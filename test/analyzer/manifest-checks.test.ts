/**
 * What the host would refuse, the gate reports: a `main` that is not in the
 * package and an `engines.warden` range this Warden is not in are critical
 * `manifest` findings, at the field, that block for every tier.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzePlugin } from '../../analyzer/index.js';
import { MANIFEST, runCli, writePlugin } from './helpers.js';

const manifestText = (fields: object) =>
  `{\n  "name": "sample",\n  "publisher": "acme",\n  "version": "1.0.0",\n  "main": "index.js",\n  "devDependencies": { "warden": "^0.1.0" },\n  "engines": { "warden": ${JSON.stringify((fields as { warden?: string }).warden ?? '^0.1.0')} }\n}\n`;

describe('manifest findings', () => {
  it('reports an engines.warden range that excludes this Warden at engines.warden, not at a "warden" key elsewhere', async () => {
    const root = writePlugin({ 'package.json': manifestText({ warden: '^9.0.0' }), 'index.js': 'exports.activate = () => {};\n' });
    const analysis = await analyzePlugin(root, { cache: false, tier: 'official' });
    expect(analysis.findings).toEqual([
      expect.objectContaining({ ruleId: 'manifest', category: 'manifest', severity: 'critical', file: 'package.json', line: 7, column: 16, message: expect.stringMatching(/requires Warden \^9\.0\.0 .* this is Warden 0\.1\.0/) }),
    ]);
    expect(analysis.decision.action).toBe('block');
    // The same range is fine for a host of that version.
    expect((await analyzePlugin(root, { cache: false, hostVersion: '9.1.0' })).findings).toEqual([]);
  });

  it('exits 1 for a missing main or a wrong engines.warden, even for the official tier', () => {
    for (const files of [
      { 'package.json': { ...MANIFEST, main: 'lib/main.js' }, 'index.js': 'exports.activate = () => {};\n' },
      { 'package.json': { ...MANIFEST, engines: { warden: '>=2' } }, 'index.js': 'exports.activate = () => {};\n' },
    ]) {
      const result = runCli(['analyze', writePlugin(files), '--tier', 'official', '--no-cache']);
      expect(result.status).toBe(1);
      const report = JSON.parse(result.stdout);
      expect(report.decision.action).toBe('block');
      expect(report.decision.reasons[0]).toMatch(/^the host cannot load it, whatever its tier: .*\(manifest at package\.json:\d+:\d+\)$/);
    }
  });

  it('blocks, for every tier, a main that is a FIFO: what the host would load is whatever someone writes there', async () => {
    const root = writePlugin({ 'package.json': MANIFEST });
    expect(spawnSync('mkfifo', [join(root, 'index.js')]).status).toBe(0);
    const analysis = await analyzePlugin(root, { cache: false, tier: 'official' });
    expect(analysis.findings).toEqual([expect.objectContaining({ ruleId: 'manifest', severity: 'critical', message: expect.stringMatching(/entry module "index\.js" is not in the package/) })]);
    expect(analysis.decision.action).toBe('block');
  });

  it('stays quiet for a matching range and an entry module that is there', async () => {
    const root = writePlugin({ 'package.json': manifestText({ warden: '>=0.1.0 <1' }), 'index.js': 'exports.activate = () => {};\n' });
    expect((await analyzePlugin(root, { cache: false })).findings).toEqual([]);
  });
});
