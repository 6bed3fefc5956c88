import rule from '../../rules/no-native-code.js';
import { commonjs as cjs, ruleTester as tester } from './rule-tester.js';

const at = (messageId: string, line: number, column: number) => ({ messageId, line, column });

tester.run('no-native-code', rule, {
  valid: [
    // Methods with the same names on other objects, and process members that are not loaders.
    'server.binding("x"); lib.dlopen("y"); const process = { binding: () => 1 }; process.binding("fs");',
    'console.log(process.version, process.platform); process.on("exit", () => {});',
    // A method only ever called on its object returns that object, whose process member is its own.
    { code: 'const node = { process: { binding: (n) => n }, self() { return this; } };\nnode.self().process.binding("x");', ...cjs },
    // Files and packages whose names only look similar.
    { code: 'require("./data.node.json"); require("bindings-docs"); require("./node");', ...cjs },
    // Packages whose names only contain an FFI's name.
    { code: 'require("koffi-docs"); require("coffee"); require("./ffi.js"); import("ffi-types-only-doc");', ...cjs },
    // The words in strings and comments.
    'const s = "process.binding(\'fs\')"; // require("addon.node")',
    // Writing ordinary files, or a library name that is only read.
    { code: 'const fs = require("fs"); fs.writeFileSync("out/report.json", data); fs.readFileSync("/usr/lib/libc.so.6");', ...cjs },
    // SQLite without extensions: no options, other options, allowExtension known false, switching loading off; a class's own loadExtension.
    'import { DatabaseSync } from "node:sqlite";\nconst a = new DatabaseSync(":memory:");\nconst b = new DatabaseSync(file, { readOnly: true, timeout: cfg.timeout });\nconst c = new DatabaseSync(file, { allowExtension: false, ...{ open: true } });\nc.enableLoadExtension(false);',
    'class Registry { loadExtension(id) { return this.items.get(id); } open(id) { return this.loadExtension(id); } }',
    { code: 'const { DatabaseSync } = require("node:sqlite");\nconst OPTIONS = { readOnly: true };\nnew DatabaseSync(f, OPTIONS);', ...cjs },
  ],
  invalid: [
    // SQLite extensions are shared libraries: the option that allows them, however spelled, and each loader however reached.
    {
      code: 'const { DatabaseSync } = require("node:sqlite");\nconst db = new DatabaseSync(":memory:", { allowExtension: true });\ndb.loadExtension(path.join(__dirname, "fts"));',
      ...cjs,
      errors: [{ ...at('sqliteExtension', 2, 12), data: { how: 'a DatabaseSync whose options may allow extensions' } }, { ...at('sqliteExtension', 3, 1), data: { how: 'loadExtension' } }],
    },
    {
      code: 'import * as sqlite from "node:sqlite";\nconst key = "allow" + "Extension";\nconst D = sqlite["Database" + "Sync"];\nnew D(f, { [key]: !0 });\nReflect.construct(sqlite.DatabaseSync, [f, opts]);\nnew sqlite[pick()](f, { ...flags });',
      errors: [at('sqliteExtension', 4, 1), at('sqliteExtension', 5, 1), at('sqliteExtension', 6, 1)],
    },
    {
      code: 'const m = "load" + "Extension";\ndb[m](lib);\nconst { loadExtension: le } = other;\ndb.enableLoadExtension(flag);\nconst bound = db.loadExtension.bind(db);\nconst o = { get allowExtension() { return true; } };\nnew (require("node:sqlite").DatabaseSync)(f, { get allowExtension() { return true; } });',
      ...cjs,
      errors: [at('sqliteExtension', 2, 1), at('sqliteExtension', 3, 9), at('sqliteExtension', 4, 1), at('sqliteExtension', 5, 15), at('sqliteExtension', 7, 1)],
    },
    { code: 'const fs = process.binding("fs");', errors: [{ ...at('processBinding', 1, 12), data: { name: 'binding' } }] },
    { code: 'process._linkedBinding("x");\nprocess.dlopen(module, "/tmp/a.node");', ...cjs, errors: [at('processBinding', 1, 1), { ...at('processBinding', 2, 1), data: { name: 'dlopen' } }] },
    // Aliases, destructuring, computed keys, the global object, Reflect.
    { code: 'const b = process.binding;\nb("spawn_sync");', errors: [at('processBinding', 2, 1)] },
    { code: 'const { dlopen } = process;\ndlopen(m, file);', errors: [{ ...at('processBinding', 2, 1), data: { name: 'dlopen' } }] },
    { code: 'process["bind" + "ing"]("tcp_wrap");', errors: [at('processBinding', 1, 1)] },
    // A sloppy method taken off its literal returns the global object: its process's binding is reached through it.
    { code: 'const probe = { self() { return this; } };\nfunction native(name) { const g = (0, probe.self)(); return g.process.binding(name); }\nnative("spawn_sync");', ...cjs, errors: [at('processBinding', 2, 61)] },
    { code: 'const probe = { ["se" + "lf"]: function () { return this; } };\nconst grab = probe.self;\ngrab()["pro" + "cess"]._linkedBinding("x");\nprobe.self.call(undefined).process.dlopen(module, file);', ...cjs, errors: [at('processBinding', 3, 1), at('processBinding', 4, 1)] },
    { code: 'globalThis.process.binding("fs");\nReflect.apply(process.binding, process, ["fs"]);', errors: [at('processBinding', 1, 1), at('processBinding', 2, 1)] },
    { code: '(process as any).binding("fs");', filename: 'a.ts', errors: [at('processBinding', 1, 1)] },
    { code: 'import { dlopen } from "node:process";\ndlopen(m, "x.so");\nrequire("process").binding("fs");', errors: [at('processBinding', 2, 1), at('processBinding', 3, 1)] },
    // Native addons and their loaders.
    { code: 'const addon = require("./build/Release/addon.node");', ...cjs, errors: [{ ...at('addonFile', 1, 15), data: { specifier: './build/Release/addon.node' } }] },
    { code: 'import addon from "./prebuilds/linux-x64/crypto.node";', filename: 'a.mjs', errors: [at('addonFile', 1, 1)] },
    { code: 'const name = "./native/" + "x.node";\nrequire(name);', ...cjs, errors: [at('addonFile', 2, 1)] },
    // A name known only at run time that is still placed: an addon the plugin saved in its data folder is critical.
    { code: 'const path = require("path");\nexports.activate = (ctx) => require(path.join(ctx.dataDir, "codec.node"));', ...cjs, errors: [{ ...at('writtenAddon', 2, 29), data: { specifier: '$data/codec.node' } }] },
    { code: 'exports.activate = ({ dataDir }) => { const lib = `${dataDir}/bin/` + "fast.node"; return process.dlopen({ exports: {} }, lib), require(lib); };', ...cjs, errors: [at('processBinding', 1, 91), at('writtenAddon', 1, 129)] },
    { code: 'const path = require("path");\nmodule.exports = require(path.join(__dirname, "build", "Release", "x.node"));', ...cjs, errors: [at('addonFile', 2, 18)] },
    { code: 'const b = require("bindings")("addon");\nconst g = require("node-gyp-build")(__dirname);', ...cjs, errors: [{ ...at('addonLoader', 1, 11), data: { specifier: 'bindings' } }, at('addonLoader', 2, 11)] },
    { code: 'import pre from "@mapbox/node-pre-gyp";\nimport("prebuild-install/bin.js");', errors: [at('addonLoader', 1, 1), at('addonLoader', 2, 1)] },
    // Foreign-function interfaces, whatever the spelling of the load: a subpath, a built name, a dynamic import.
    {
      code: 'const koffi = require("koffi");\nconst lib = require("ffi-" + "napi");\nimport("ref-napi/lib/ref.js");\nconst { Library } = require(`node-ffi`);\nrequire("@2060.io/ffi-napi");\nrequire("@yuuang/ffi-rs-linux-x64-gnu");\nrequire("koffi-win32-x64");',
      ...cjs,
      errors: [{ ...at('ffi', 1, 15), data: { specifier: 'koffi' } }, { ...at('ffi', 2, 13), data: { specifier: 'ffi-napi' } }, at('ffi', 3, 1), at('ffi', 4, 21), at('ffi', 5, 1), at('ffi', 6, 1), at('ffi', 7, 1)],
    },
    // node-gyp's output folder without the extension, and each call into an addon, where its native code runs.
    { code: 'const injector = require("./build/release/injector");\ninjector.executeInject("game.exe", "x.dll");', ...cjs, errors: [at('addonFile', 1, 18), { ...at('addonCall', 2, 1), data: { name: 'executeInject', specifier: './build/release/injector' } }] },
    // Planting a shared library where a loader would pick it up, however the path is spelled.
    { code: 'const fs = require("fs");\nfs.writeFileSync("/tmp/.so", data);', ...cjs, errors: [{ ...at('plantsLibrary', 2, 18), data: { path: '/tmp/.so', callee: 'fs.writeFileSync' } }] },
    { code: 'import { copyFile } from "node:fs/promises";\nawait copyFile(src, "C:\\\\Games\\\\" + "version" + ".dll");', errors: [at('plantsLibrary', 2, 21)] },
    { code: 'import { WASI } from "node:wasi";', errors: [at('wasi', 1, 1)] },
  ],
});
