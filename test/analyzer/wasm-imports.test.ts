/**
 * The gate reading WebAssembly plugins: the import section is the capability list. Real modules: the lab module and
 * the sample compiled from AssemblyScript, and hand-assembled ones for imports no compiler would emit. The CLI runs
 * from dist/ (after `npm run build`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzePlugin, formatSarif, formatStylish } from '../../analyzer/index.js';
import { labModule, moduleImporting } from '../fixtures/wasm/modules.js';
import { CLI, MANIFEST, REPO, tempDir, writePlugin } from './helpers.js';

const MULTITOOL = join(REPO, 'node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool');

const WASM_MANIFEST = { ...MANIFEST, name: 'lab', main: 'lab.wasm' };
const SAMPLE = join(REPO, 'sample-plugins/hello-wasm');
let lab: Buffer;

beforeAll(async () => {
  lab = await labModule();
});

function wasmPlugin(bytes: Buffer, manifest: object = {}): string {
  return writePlugin({ 'package.json': { ...WASM_MANIFEST, ...manifest }, 'lab.wasm': bytes });
}

describe('the WASM gate', () => {
  it('allows the AssemblyScript sample, which imports nothing it did not declare, with zero findings', async () => {
    const analysis = await analyzePlugin(SAMPLE, { cache: false, tier: 'community' });
    expect(analysis.findings).toEqual([]);
    expect(analysis.decision.action).toBe('allow');
    // What runs is what the gate saw: the module is hashed like any file.
    expect(Object.keys(analysis.hashes)).toContain('build/plugin.wasm');
  });

  it('blocks a module importing net_fetch without declaring network for community, located at the import', async () => {
    const analysis = await analyzePlugin(wasmPlugin(lab), { cache: false, tier: 'community' });
    // The lab imports Warden's net_fetch and Extism's HTTP: both are the network capability.
    expect(analysis.findings.map((finding) => finding.symbol).sort()).toEqual(['extism:host/env::http_request', 'extism:host/env::http_status_code', 'extism:host/user::net_fetch']);
    const fetch = analysis.findings.find((finding) => finding.symbol === 'extism:host/user::net_fetch');
    expect(fetch).toMatchObject({ ruleId: 'wasm-import', category: 'network', capability: 'network', severity: 'high', file: 'lab.wasm' });
    expect(analysis.findings.every((finding) => finding.severity === 'high')).toBe(true);
    expect(analysis.decision.action).toBe('block');
    expect(analysis.decision.reasons.join(' ')).toContain('lab.wasm:extism:host/user::net_fetch');
  });

  it('shows the same import as low once the manifest declares network, and allows it', async () => {
    const analysis = await analyzePlugin(wasmPlugin(lab, { capabilities: { network: { hosts: ['api.example.com'] } } }), { cache: false, tier: 'community' });
    expect(analysis.findings).toHaveLength(3);
    expect(analysis.findings.every((finding) => finding.severity === 'low' && finding.capability === 'network')).toBe(true);
    expect(analysis.decision.action).toBe('allow');
  });

  it("treats Extism's own HTTP request as the network capability too", async () => {
    const analysis = await analyzePlugin(wasmPlugin(moduleImporting([['extism:host/env', 'http_request']])), { cache: false, tier: 'community' });
    expect(analysis.findings).toMatchObject([{ capability: 'network', severity: 'high', symbol: 'extism:host/env::http_request' }]);
  });

  it('finds an import nobody provides critical, whatever namespace or disguise it uses', async () => {
    const cases: [string, string][] = [
      ['env', 'system'],
      ['extism:host/user', 'spawn_process'],
      // A Warden name under another namespace, and Extism's namespace with a name it does not have.
      ['env', 'net_fetch'],
      ['extism:host/env', 'storage_get'],
      ['wasi_snapshot_preview1', 'sock_open'],
      ['extism:host/user ', 'net_fetch'],
    ];
    for (const entry of cases) {
      const analysis = await analyzePlugin(wasmPlugin(moduleImporting([entry])), { cache: false, tier: 'official' });
      expect(analysis.findings, entry.join('::')).toMatchObject([{ ruleId: 'wasm-import', severity: 'critical', symbol: entry.join('::') }]);
    }
  });

  it('shows WASI file, clock and random imports as info, and a filesystem declaration does not raise them', async () => {
    const module = moduleImporting([['wasi_snapshot_preview1', 'path_open'], ['wasi_snapshot_preview1', 'clock_time_get'], ['wasi_snapshot_preview1', 'random_get']]);
    const expected = [
      ['wasi_snapshot_preview1::path_open', 'info', 'filesystem'],
      ['wasi_snapshot_preview1::clock_time_get', 'info', 'native-code'],
      ['wasi_snapshot_preview1::random_get', 'info', 'native-code'],
    ];
    for (const manifest of [{}, { capabilities: { filesystem: { write: ['$home/Music'] } } }]) {
      const analysis = await analyzePlugin(wasmPlugin(module, manifest), { cache: false, tier: 'community' });
      expect(analysis.findings.map((finding) => [finding.symbol, finding.severity, finding.category])).toEqual(expected);
      expect(analysis.decision.action).toBe('allow');
    }
  });

  it('finds a module that does not validate unanalyzable, and a text file named .wasm too', async () => {
    const truncated = lab.subarray(0, lab.length - 7);
    for (const bytes of [truncated, Buffer.from('module.exports = {}'), Buffer.from([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0])]) {
      const analysis = await analyzePlugin(wasmPlugin(bytes), { cache: false, tier: 'official' });
      expect(analysis.findings).toMatchObject([{ ruleId: 'unanalyzable', severity: 'critical', file: 'lab.wasm' }]);
      expect(analysis.findings[0].message).toMatch(/does not validate/);
    }
  });

  it('refuses a contributed command with no exported function for any tier', async () => {
    const analysis = await analyzePlugin(
      wasmPlugin(moduleImporting([]), { contributes: { commands: [{ command: 'lab.run', title: 'Run' }, { command: 'lab.missing-one', title: 'Missing' }] } }),
      { cache: false, tier: 'official' },
    );
    expect(analysis.findings).toMatchObject([{ ruleId: 'manifest', severity: 'critical', symbol: 'missing_one' }]);
    expect(analysis.decision.action).toBe('block');
  });

  it("locates a finding at its import: the entry's bytes, a SARIF byte region and logical location, the name in stylish", async () => {
    const analysis = await analyzePlugin(wasmPlugin(lab), { cache: false, tier: 'community' });
    const finding = analysis.findings.find((candidate) => candidate.symbol === 'extism:host/user::net_fetch')!;
    // Line 1, 1-based byte columns: the import entry itself (its module name, field name, kind and type index).
    const entry = lab.subarray(finding.column - 1, finding.endColumn - 1);
    expect(entry.includes(Buffer.from('extism:host/user'))).toBe(true);
    expect(entry.subarray(entry.indexOf('net_fetch') + 'net_fetch'.length)[0]).toBe(0x00); // kind: function
    const sarif = await formatSarif([analysis]);
    const result = JSON.parse(sarif).runs[0].results.find((candidate: { locations: { logicalLocations: { name: string }[] }[] }) => candidate.locations[0].logicalLocations[0].name === finding.symbol);
    expect(result.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'lab.wasm', uriBaseId: 'PLUGINROOT' },
      region: { byteOffset: finding.column - 1, byteLength: finding.endColumn - finding.column },
    });
    expect(result.locations[0].logicalLocations).toEqual([{ name: 'extism:host/user::net_fetch', fullyQualifiedName: 'lab.wasm#extism:host/user::net_fetch', kind: 'function' }]);
    expect(formatStylish([analysis], { color: false })).toMatch(/\n {2}extism:host\/user::net_fetch +high +Imports extism:host\/user::net_fetch/);
    if (existsSync(MULTITOOL)) {
      const file = join(tempDir(), 'wasm.sarif');
      writeFileSync(file, sarif);
      const validation = spawnSync(MULTITOOL, ['validate', file], { encoding: 'utf8' });
      expect(validation.stdout).not.toMatch(/\b(warning|error) SARIF/);
    } else {
      console.warn(`SARIF validator not installed (${MULTITOOL}): the WASM SARIF output is not validated`);
    }
  });

  it('makes an import name holding terminal escapes inert in stylish output', async () => {
    const analysis = await analyzePlugin(wasmPlugin(moduleImporting([['env', 'x\u001b[2Jy']])), { cache: false, tier: 'community' });
    expect(formatStylish([analysis], { color: false })).not.toContain('\u001b[2J');
  });

  it('warden analyze prints the JSON with the symbol and exits 1 for community', () => {
    const dir = wasmPlugin(lab);
    const run = spawnSync(process.execPath, [CLI, 'analyze', dir, '--format', 'json', '--no-cache'], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout).findings.map((finding: { symbol: string }) => finding.symbol)).toContain('extism:host/user::net_fetch');
    const allowed = spawnSync(process.execPath, [CLI, 'analyze', SAMPLE, '--format', 'json', '--no-cache'], { encoding: 'utf8' });
    expect(allowed.status).toBe(0);
    expect(JSON.parse(allowed.stdout).findings).toEqual([]);
    expect(readFileSync(join(dir, 'lab.wasm'))).toEqual(lab); // the gate changed nothing
  });
});
