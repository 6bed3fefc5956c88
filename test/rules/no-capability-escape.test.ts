import rule from '../../rules/no-capability-escape.js';
import { commonjs as cjs, ruleTester as tester } from './rule-tester.js';

const at = (messageId: string, line: number, column: number, data?: Record<string, string>) => ({ messageId, line, column, ...(data && { data }) });
const RE = 'is re-exported to the files that import this one';
const script = { languageOptions: { sourceType: 'script' as const } };

tester.run('no-capability-escape', rule, {
  valid: [
    // Calls with folded specifiers, known members, typeof tests, comparisons and exports writes: shapes the gate resolves.
    { code: 'const fs = require("fs"); if (require.main === module) main(); module.exports = { run }; exports.x = 1; require.resolve("./a");', ...cjs },
    { code: 'if (typeof require === "function" && typeof module === "object" && module.exports) module.exports = factory();', ...cjs },
    'if (typeof globalThis.fetch !== "function") polyfill(); const url = import.meta.url; const dir = import.meta.dirname;',
    'process.stdout.write("x"); process.exitCode = 1; const { argv, platform } = process; process.on("exit", done);',
    // Aliases the resolver follows: every later use is judged as a use of the root itself.
    { code: 'const r = require; const cp = r("child_process");', ...cjs },
    { code: 'const { binding } = process; const g = globalThis; g.console.log(1);', ...cjs },
    // A local function whose parameter every call fills with the same root, and one returning it to seen calls.
    { code: 'function load(l, n) { return l(n); } load(require, "fs");', ...cjs },
    { code: '(function (req) { req("./a"); })(require);', ...cjs },
    { code: 'function getRequire() { return require; } getRequire()("./a");', ...cjs },
    // A const literal the file keeps to itself, read back by a folded key.
    { code: 'const api = { load: require, sub: { r: require } }; api.load("./a"); api["sub"].r("./b"); const { load } = api; load("./c");', ...cjs },
    { code: 'const list = [require]; list[0]("./a");', ...cjs },
    // The UMD and bundler idioms for the global object: members read, written or tested, nothing handed on.
    { code: '(function (global, factory) { typeof exports === "object" ? module.exports = factory() : (global = typeof globalThis !== "undefined" ? globalThis : global || self, global.dayjs = factory()); }(this, function () { return 1; }));', ...cjs },
    { code: '!function(e,n){"object"==typeof exports&&"undefined"!=typeof module?module.exports=n():(e||self).mitt=n()}(this,function(){return 1});', ...cjs },
    { code: 'var freeGlobal = typeof global == "object" && global && global.Object === Object && global; var root = freeGlobal || Function("return this")(); var S = root.Symbol;', ...cjs },
    { code: 'var g = Function("return this")(); g.setTimeout(tick, 10);' },
    // A builtin module's object used in place: members called, read, destructured, promisified; a local function fed it at every call.
    { code: 'const cp = require("child_process"); cp.execFileSync("git", ["status"]); const { spawn } = require("node:child_process"); const fs = require("fs"); const read = require("util").promisify(fs.readFile); fs.promises.readFile("a");', ...cjs },
    { code: 'const fs = require("fs"); function exists(f, p) { return f.existsSync(p); } exists(fs, "a"); if (typeof fs.rmSync === "function") {}', ...cjs },
    'import * as http from "node:http"; import crypto from "crypto"; http.createServer(handler); const id = crypto.randomUUID(); const { createHash } = crypto;',
    // The interop helpers TypeScript, Babel and rolldown emit hand the module back: their result is followed, their bodies are what they are meant to be.
    { code: 'var __importDefault = (this && this.__importDefault) || function (mod) {\n  return (mod && mod.__esModule) ? mod : { "default": mod };\n};\nconst fs_1 = __importDefault(require("fs"));\nfs_1.default.readFileSync("a");', ...cjs },
    { code: 'function _interopRequireDefault(e) { return e && e.__esModule ? e : { default: e }; }\nvar _crypto = _interopRequireDefault(require("crypto"));\n_crypto.default.randomBytes(8);', ...cjs },
    { code: 'const tslib_1 = require("tslib");\nconst cp = tslib_1.__importStar(require("child_process"));\ncp.spawnSync("git");', ...cjs },
    { code: 'var __create = Object.create;\nvar __defProp = Object.defineProperty;\nvar __getOwnPropDesc = Object.getOwnPropertyDescriptor;\nvar __getOwnPropNames = Object.getOwnPropertyNames;\nvar __getProtoOf = Object.getPrototypeOf;\nvar __hasOwnProp = Object.prototype.hasOwnProperty;\nvar __copyProps = (to, from, except, desc) => {\n  if (from && typeof from === "object" || typeof from === "function") for (var keys = __getOwnPropNames(from), i = 0, n = keys.length, key; i < n; i++) {\n    key = keys[i];\n    if (!__hasOwnProp.call(to, key) && key !== except) __defProp(to, key, { get: ((k) => from[k]).bind(null, key), enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });\n  }\n  return to;\n};\nvar __toESM = (mod, isNodeMode, target) => (target = mod != null ? __create(__getProtoOf(mod)) : {}, __copyProps(isNodeMode || !mod || !mod.__esModule ? __defProp(target, "default", { value: mod, enumerable: true }) : target, mod));\nconst fs = __toESM(require("fs"));\nfs.statSync("a");', ...cjs },
    // A promise of a module is followed as the module: what await and then take out of it is judged where it is used.
    { code: 'Promise.resolve(require("crypto")).then((c) => c.randomUUID());\n(async () => { const fsp = await Promise.resolve(require("fs/promises")); fsp.readFile("a"); })();', ...cjs },
    // A builtin module's powerful functions called, promisified, wrapped or aliased in place; its look-only and data members anywhere.
    { code: 'const cp = require("child_process"); const util = require("util"); const run = util.promisify(cp.exec); run("git status"); const { execSync } = cp; execSync("git log");', ...cjs },
    { code: 'const fs = require("fs"); const { promisify, callbackify } = require("node:util"); const readFile = promisify(fs.readFile); readFile("a");', ...cjs },
    { code: 'const fs = require("fs"); const found = ["a", "b"].find(fs.existsSync); module.exports = { exists: fs.existsSync, stat: fs.promises.stat, F_OK: fs.constants.F_OK };', ...cjs },
    { code: 'const fs = require("fs"); const { pipeline } = require("stream"); pipeline(fs.createReadStream("a"), fs.createWriteStream("b"), done);', ...cjs },
    { code: 'const cp = require("child_process"); const api = { run: cp.execFileSync }; api.run("git", ["status"]); typeof cp.spawnSync === "function";', ...cjs },
    'import { request } from "node:https"; import { readFile } from "fs/promises"; request("https://example.com"); await readFile("a");',
    // Re-exports of what grants nothing: path, the crypto helpers (their bindings cannot be written through), fs's flags.
    'export * from "node:path"; export { createHash, randomUUID } from "crypto"; export { constants, existsSync } from "fs"; export { local } from "./local.js";',
    // Types only: a declaration file and `export type` are erased, nothing is re-exported at run time.
    { code: 'export { readFile } from "node:fs/promises"; export * from "child_process";', filename: 'polyfills/node-fs.d.ts' },
    { code: 'export type { ExecOptions } from "child_process"; export { type SpawnOptions, type ChildProcess } from "node:child_process";', filename: 'types.ts' },
    // Modules that grant nothing by themselves may go anywhere.
    { code: 'const path = require("path"); const os = require("os"); helper(path, os); module.exports = require("util");', ...cjs },
    // Names only, or a test of a key, reveal no power.
    { code: 'Object.keys(require.cache).length; "binding" in process; Object.hasOwn(globalThis, "Deno"); typeof globalThis[name] === "function";', ...cjs },
    // Writes are the tampering rule's business, not an escape.
    'Object.defineProperty(globalThis, "x", { value: 1 }); globalThis[key] = value;',
    // Bundler shims in their exact generated shape: esbuild's __require and webpack's global runtime hand on require and the global object by design.
    { code: 'var __require = ((x) => typeof require !== "undefined" ? require : typeof Proxy !== "undefined" ? new Proxy(x, { get: (a, b) => (typeof require !== "undefined" ? require : a)[b] }) : x)(function(x) { if (typeof require !== "undefined") return require.apply(this, arguments); throw Error(\'Dynamic require of "\' + x + \'" is not supported\'); });\nvar path = __require("path");', ...cjs },
    { code: 'var __webpack_require__ = {};\n__webpack_require__.g = (function() { if (typeof globalThis === "object") return globalThis; try { return this || new Function("return this")(); } catch (e) { if (typeof window === "object") return window; } })();\nvar g = __webpack_require__.g; g.setTimeout(f, 1);', ...cjs },
    // Node defines no window or self: handing the name on hands on nothing (a web worker's message port).
    'new BrowserMessageReader(self); const w = window; register(w); (typeof window !== "undefined" ? window : {}).x = 1;',
    // Locals and properties named like roots are not roots.
    'const process = { run() {} }; helper(process); const obj = { require: 1, eval: 2 }; api.fetch(x); use(obj.process);',
    { code: 'function f(require) { helper(require); }', ...cjs },
    // A type mentions a root without using it.
    { code: 'type R = typeof require; let p: typeof process;', filename: 'a.ts' },
    // Converting to a string or a boolean reveals nothing.
    'const s = `${process}`; const b = !!globalThis; String(fetch); if (fetch) ready();',
    // Sloppy `this` that is not the global object: a constructor called with new, a method, strict code, an exported function, a UMD `.call(this)` in CommonJS (exports).
    { code: 'function Foo() { this.x = 1; register(this); } new Foo(); const o = { m: function () { send(this); } }; o.m();', ...cjs },
    { code: '"use strict"; function go() { send(this); } go();', ...cjs },
    { code: 'function go() { send(this); } module.exports = go; go();', ...cjs },
    { code: '(function () { var root = this; send(root); }).call(this);', ...cjs },
    { code: 'function go() { send(this); } go.call(target);', ...cjs },
    // `arguments.callee` is only the function itself (recursion); a module's `this` is undefined.
    { code: 'function f(n) { return n ? arguments.callee(n - 1) : 0; } f(3); send(arguments.length);', ...cjs },
    'function go() { send(this); } go();',
    // An array callback given a thisArg, another object's forEach (which may bind this), a bound function.
    { code: '[1, 2].forEach(function (x) { log(this, x); }, acc); items.forEach(function () { log(this); }); const f = function () { log(this); }.bind(ctx); f();', ...cjs },
    'import("node:path").then(run); import("vm").then((vm) => vm.runInThisContext("1"));',
    // Methods named like a CallSite's that take arguments are some other API.
    'const fn = registry.getFunction("render"); keep(fn); keep(scope.getThis(node));',
    'keep(registry.getFunction.call(registry, "render")); keep(Reflect.apply(scope.getThis, scope, [node])); keep(api.getFunction.bind(api, "x")());',
    // process.report's settings are plain data, and a test of getReport only asks whether it exists.
    'process.report.directory = "/tmp"; process.report.reportOnFatalError = true; console.log(process.report.compact);',
    'if (typeof process.report?.getReport === "function") supported = true;',
    // A version field of the report's header (detect-libc's read) holds no environment variable.
    'const glibc = process.report.getReport().header.glibcVersionRuntime; const v = process.report?.getReport().header.nodejsVersion;',
    // The report kept in a variable first, each read of it a version field or a test of its header, is the same read.
    'function glibc() { const r = process.report.getReport(); return r.header && r.header.glibcVersionRuntime || null; }',
    'const { report: rep } = process; const report = rep.getReport(); if (!report) throw new Error("no report"); log(report.header.nodejsVersion);',
    'const r = process.report.getReport(); if (typeof r.header === "object") use(r.header.osRelease, r.header.arch);',
    // jQuery-style chaining: a sloppy method returning `this` only ever called as a method returns its object.
    { code: 'const q = { a() { return this; }, b() { return this; } };\nq.a().b().a();', ...cjs },
  ],
  invalid: [
    // One of those modules' functions that is the power itself, handed to another file: its calls happen where no rule judges them.
    { code: 'module.exports = { run: require("child_process").execSync };', ...cjs, errors: [at('escapeChildProcessFunction', 1, 25, { root: 'child_process.execSync', how: 'is stored in an object' })] },
    { code: 'const { spawn: s } = require("node:child_process");\nexports.start = s;', ...cjs, errors: [at('escapeChildProcessFunction', 2, 17, { root: 'child_process.spawn', how: 'is exported' })] },
    { code: 'const cp = require("child_process");\nconst bus = require("./bus");\nbus.emit("ready", cp.spawn);', ...cjs, errors: [at('escapeChildProcessFunction', 3, 19, { root: 'child_process.spawn', how: 'is passed to ./bus:emit' })] },
    { code: 'const cp = require("child_" + "process");\nconst k = "exec" + "Sync";\nmodule.exports.sh = cp[k];', ...cjs, errors: [at('escapeChildProcessFunction', 3, 21, { root: 'child_process.execSync', how: 'is exported' })] },
    { code: 'import { execSync } from "node:child_process";\nexport { execSync as run };', errors: [at('escapeChildProcessFunction', 2, 10, { root: 'child_process.execSync', how: 'is exported' })] },
    { code: 'import cp from "child_process";\nexport default cp.exec.bind(null);', errors: [at('escapeChildProcessFunction', 2, 16)] },
    { code: 'const { promisify } = require("util");\nconst fs = require("fs");\nmodule.exports.read = promisify(fs.readFile);', ...cjs, errors: [at('escapeFilesystemFunction', 3, 23, { root: 'fs.readFile', how: 'is exported' })] },
    { code: 'const fsp = require("fs").promises;\nhooks.register({ write: fsp.writeFile });', ...cjs, errors: [at('escapeFilesystemFunction', 2, 25, { root: 'fs.promises.writeFile', how: 'is stored in an object' })] },
    { code: 'const https = require("https");\nsetTimeout(send, 0, https.request);', ...cjs, errors: [at('escapeNetwork', 2, 21, { root: 'https.request', how: 'is passed to setTimeout' })] },
    // process's live-handle lists hand out its sockets: handed on, they are a way to the network nobody judges.
    { code: 'register(process._getActiveHandles);\nconst p = process; hooks.push(p["_getActive" + "Requests"]);', ...cjs, errors: [at('escapeNetwork', 1, 10, { root: 'process._getActiveHandles', how: 'is passed to register' }), at('escapeNetwork', 2, 31)] },
    // A re-export hands the module, or the function, to every importer with no expression to follow.
    { code: 'export * from "node:child_process";', errors: [at('escapeChildProcessModule', 1, 1, { root: 'child_process', how: RE })] },
    { code: 'export * as shell from "child_process";', errors: [at('escapeChildProcessModule', 1, 1, { root: 'child_process', how: RE })] },
    { code: 'export { execSync as sh, spawn } from "node:child_process";', errors: [at('escapeChildProcessFunction', 1, 10, { root: 'child_process.execSync', how: RE }), at('escapeChildProcessFunction', 1, 26, { root: 'child_process.spawn', how: RE })] },
    { code: 'export { default as files, writeFileSync } from "fs";', errors: [at('escapeFilesystemModule', 1, 10, { root: 'fs', how: RE }), at('escapeFilesystemFunction', 1, 28, { root: 'fs.writeFileSync', how: RE })] },
    { code: 'export { "connect" as dial } from "node:net";', errors: [at('escapeNetwork', 1, 10, { root: 'net.connect', how: RE })] },
    // A builtin module's object handed where the gate cannot follow it: the calls made on it are never judged.
    { code: 'const bus = require("./bus");\nbus.emit("ready", require("child_process"));', ...cjs, errors: [at('escapeChildProcessModule', 2, 19, { root: 'child_process', how: 'is passed to ./bus:emit' })] },
    { code: 'exports.shell = Promise.resolve().then(() => require("child_process"));', ...cjs, errors: [at('escapeChildProcessModule', 1, 46, { root: 'child_process', how: 'is returned from an arrow function' })] },
    { code: 'module.exports = (fn) => fn(require("node:child_process"));', ...cjs, errors: [at('escapeChildProcessModule', 1, 29, { root: 'child_process', how: 'is passed to fn' })] },
    { code: 'module.exports = require("child_process");', ...cjs, errors: [at('escapeChildProcessModule', 1, 18, { root: 'child_process', how: 'is exported' })] },
    { code: 'import * as cp from "node:child_process";\nimport { Runner } from "./runner";\nnew Runner(cp).run();', errors: [at('escapeChildProcessModule', 3, 12, { root: 'child_process', how: 'is passed to ./runner:Runner' })] },
    { code: 'module.exports = Object.assign({}, require("child_process"));', ...cjs, errors: [at('escapeChildProcessModule', 1, 36, { root: 'child_process', how: 'is passed to Object.assign' })] },
    { code: 'module.exports = Promise.resolve(require("fs/promises"));', ...cjs, errors: [at('escapeFilesystemModule', 1, 18, { root: 'fs/promises', how: 'is exported' })] },
    { code: 'const ready = Promise.resolve(require("child_process"));\nbus.emit("ready", ready);', ...cjs, errors: [at('escapeChildProcessModule', 2, 19, { root: 'child_process', how: 'is passed to bus.emit' })] },
    { code: 'Promise.resolve(require("crypto")).then(patch);', ...cjs, errors: [at('escapeSharedModule', 1, 41, { root: 'crypto', how: 'is handed to patch by then()' })] },
    { code: 'Promise.resolve(require("crypto")).then((c) => install(c));', ...cjs, errors: [at('escapeSharedModule', 1, 56, { root: 'crypto', how: 'is passed to install' })] },
    // Disguises: an alias, a spread copy, an options object, a member that is a module again, an ESM export, a computed key.
    { code: 'const m = require("child_" + "process");\nconst api = { ...m };\nmodule.exports = api;', ...cjs, errors: [at('escapeChildProcessModule', 2, 18, { root: 'child_process', how: 'is spread' })] },
    { code: 'const fs = require("fs");\nconfigure({ fs });', ...cjs, errors: [at('escapeFilesystemModule', 2, 13, { root: 'fs', how: 'is stored in an object' })] },
    { code: 'const { promises } = require("fs");\nhand(promises);', ...cjs, errors: [at('escapeFilesystemModule', 2, 6, { root: 'fs.promises', how: 'is passed to hand' })] },
    { code: 'import net from "node:net";\nexport { net };', errors: [at('escapeNetworkModule', 2, 10, { root: 'net', how: 'is exported' })] },
    { code: 'const h = require("https");\nconst k = process.argv[2];\nh[k]("x");', ...cjs, errors: [at('escapeNetworkModule', 3, 1, { root: 'https', how: 'is reached with a key the gate cannot fold (h[k])' })] },
    { code: 'import("node:crypto").then(patch);', errors: [at('escapeSharedModule', 1, 28, { root: 'crypto', how: 'is handed to patch by then()' })] },
    // A function that only bears an interop helper's name, or one whose helpers the file does not declare, is followed as any other.
    { code: 'function __importDefault(mod) { leak(mod); return mod; }\nconst cp = __importDefault(require("child_process"));', ...cjs, errors: [at('escapeChildProcessModule', 1, 38, { root: 'child_process', how: 'is passed to leak' })] },
    { code: 'var __toESM = (mod) => __copyProps({}, mod);\nconst cp = __toESM(require("child_process"));', ...cjs, errors: [at('escapeChildProcessModule', 1, 40, { root: 'child_process', how: 'is passed to __copyProps' })] },
    { code: 'function __importDefault(mod, wrap) { return wrap(mod); }\nconst cp = __importDefault(require("child_process"), globalThis.hook);', ...cjs, errors: [at('escapeChildProcessModule', 1, 51, { root: 'child_process', how: 'is passed to hook' })] },
    // A sloppy method taken off its object returns the global object when called bare.
    { code: 'const host = { root() { return this; } };\nconst { root } = host;\nmodule.exports = (src) => root().Function(src)();', ...cjs, errors: [at('escapeCode', 1, 32)] },
    { code: 'const host = { root: function () { return this; } };\nconst r = host.root;\nmodule.exports = r;', ...cjs, errors: [at('escapeCode', 1, 43)] },
    // The issue's own example, and the forms of passing a root to code the gate does not see.
    { code: 'helper(require);', ...cjs, errors: [at('escapeModule', 1, 8, { root: 'require', how: 'is passed to helper' })] },
    { code: 'import load from "./load.js";\nload(require, "child_process");', ...cjs, errors: [at('escapeModule', 2, 6)] },
    { code: 'new Loader(process);', errors: [at('escapeModule', 1, 12, { root: 'process', how: 'is passed to Loader' })] },
    { code: 'const r = require;\nsetTimeout(r, 0, "x");', ...cjs, errors: [at('escapeModule', 2, 12)] },
    // Stored: in an object or array that leaves the file, a class field, a default value, a Map.
    { code: 'module.exports = { load: require };', ...cjs, errors: [at('escapeModule', 1, 26, { root: 'require', how: 'is stored in an object' })] },
    { code: 'const x = [require];\nhelper(x);', ...cjs, errors: [at('escapeModule', 1, 12, { root: 'require', how: 'is stored in an array' })] },
    { code: 'class A { r = require; }', ...cjs, errors: [at('escapeModule', 1, 15, { root: 'require', how: 'is stored in a class field' })] },
    { code: 'function f(r = require) { return r("fs"); }', ...cjs, errors: [at('escapeModule', 1, 16, { root: 'require', how: 'is a default value' })] },
    { code: 'const m = new Map([["r", require]]);', ...cjs, errors: [at('escapeModule', 1, 26)] },
    { code: 'api.loader = require;', ...cjs, errors: [at('escapeModule', 1, 14, { root: 'require', how: 'is stored in api.loader' })] },
    // Returned to callers the gate cannot see, through a getter, a closure that leaves the file.
    { code: 'function f() { return require; }\nmodule.exports = f;', ...cjs, errors: [at('escapeModule', 1, 23, { root: 'require', how: 'is returned from f()' })] },
    { code: 'const o = { get r() { return require; } };\no.r("fs");', ...cjs, errors: [at('escapeModule', 1, 30, { root: 'require', how: 'is returned from the getter r' })] },
    { code: 'export const make = () => globalThis;', errors: [at('escapeCode', 1, 27, { root: 'the global object', how: 'is returned from make()' })] },
    // Spread, rest, with, exported, thrown, iterated.
    { code: 'const { ...rest } = process;', errors: [at('escapeModule', 1, 9, { root: 'process', how: 'is copied by a rest element' })] },
    { code: 'const copy = { ...globalThis };', errors: [at('escapeCode', 1, 19, { root: 'the global object', how: 'is spread' })] },
    { code: 'with (process) { binding("fs"); }', ...script, errors: [at('escapeModule', 1, 7, { root: 'process', how: 'is opened with with' })] },
    { code: 'export default process;', errors: [at('escapeModule', 1, 16, { root: 'process', how: 'is exported' })] },
    { code: 'const p = process;\nexport { p };', errors: [at('escapeModule', 2, 10)] },
    { code: 'throw require;', ...cjs, errors: [at('escapeModule', 1, 7)] },
    // Reached with a key that does not fold, or through reflection that hands everything over.
    { code: 'process[k]("x");', errors: [at('escapeModule', 1, 1, { root: 'process', how: 'is reached with a key the gate cannot fold (process[k])' })] },
    { code: 'function call(k) { return globalThis[k]("x"); }', errors: [at('escapeCode', 1, 27)] },
    { code: 'module.exports = (k, v) => global[k](v);', ...cjs, errors: [at('escapeCode', 1, 28)] },
    { code: 'const f = Reflect.get(globalThis, name);\nf(1);', errors: [at('escapeCode', 1, 23, { root: 'the global object', how: 'is read through Reflect.get with a key the gate cannot fold' })] },
    { code: 'Object.values(process);', errors: [at('escapeModule', 1, 15, { root: 'process', how: 'is passed to Object.values' })] },
    { code: 'Object.entries(globalThis).find(([k]) => k === "eval")[1]("x");', errors: [at('escapeCode', 1, 16)] },
    { code: 'Object.getOwnPropertyDescriptors(module);', ...cjs, errors: [at('escapeModule', 1, 34)] },
    { code: 'require.cache[Object.keys(require.cache)[0]].require("child_process");', ...cjs, errors: [at('escapeLoader', 1, 1)] },
    // A variable the resolver cannot pin down: a call through it cannot be judged.
    { code: 'let r = require;\nif (x) r = other;\nr("fs");', ...cjs, errors: [at('escapeModule', 3, 1, { root: 'require', how: 'is called through r, which the gate cannot follow' })] },
    { code: 'let g = globalThis;\nif (x) g = other;\ng.eval("1");', errors: [at('escapeCode', 3, 1, { root: 'eval', how: 'is called through g, which the gate cannot follow' })] },
    { code: 'function load(l, n) { return l(n); }\nload(require, "fs");\nload(other, "x");', ...cjs, errors: [at('escapeModule', 1, 30)] },
    { code: 'function load(l) { return l; }\nmodule.exports = load(require);', ...cjs, errors: [at('escapeModule', 2, 18, { root: 'require', how: 'is exported' })] },
    { code: 'function load(l) { other(l); }\nload(require);', ...cjs, errors: [at('escapeModule', 1, 26, { root: 'require', how: 'is passed to other' })] },
    { code: 'function run(f) { arguments[0]("x"); }\nrun(eval);', errors: [at('escapeCode', 2, 5, { root: 'eval', how: 'is passed to run, which reads its own arguments' })] },
    // eval and Function as values (their later calls cannot be followed).
    { code: '[code].map(eval);', errors: [at('escapeCode', 1, 12, { root: 'eval', how: 'is passed to [code].map' })] },
    { code: 'const fns = [eval];\nfns.forEach((f) => f(code));', errors: [at('escapeCode', 1, 14)] },
    { code: 'const e = eval;\nlines.forEach(e);', errors: [at('escapeCode', 2, 15)] },
    { code: 'export default (ok) => (ok ? eval : null);', errors: [at('escapeCode', 1, 25)] },
    { code: 'const F = (function () {}).constructor;\nregister(F);', errors: [at('escapeCode', 2, 10, { root: 'Function', how: 'is passed to register' })] },
    { code: 'helper(Object.getPrototypeOf(async function () {}).constructor);', errors: [at('escapeCode', 1, 8, { root: 'AsyncFunction', how: 'is passed to helper' })] },
    { code: 'const Evil = class extends Function {};\nuse(Evil);', errors: [at('escapeCode', 2, 5)] },
    // The module loader and its parts, however reached.
    { code: 'hook(module.constructor);', ...cjs, errors: [at('escapeLoader', 1, 6, { root: "the 'module' builtin (Module)", how: 'is passed to hook' })] },
    { code: 'use(Object.getPrototypeOf(module));', ...cjs, errors: [at('escapeLoader', 1, 5)] },
    { code: 'use(module.parent);', ...cjs, errors: [at('escapeLoader', 1, 5, { root: 'module.parent', how: 'is passed to use' })] },
    { code: 'const { createRequire } = require("module");\nfactory(createRequire);', ...cjs, errors: [at('escapeModule', 2, 9)] },
    { code: 'plugins.push(arguments[1]);', ...cjs, errors: [at('escapeModule', 1, 14, { root: 'require', how: 'is passed to plugins.push' })] },
    { code: 'expose(import.meta);', errors: [at('escapeModule', 1, 8, { root: 'import.meta', how: 'is passed to expose' })] },
    // Native bindings, the environment report and the network globals.
    { code: 'const b = process.binding;\nrun(b);', errors: [at('escapeNative', 2, 5, { root: 'process.binding', how: 'is passed to run' })] },
    { code: 'send(process.report);', errors: [at('escapeEnv', 1, 6)] },
    // process.report's getReport()/writeReport() hold every environment variable: using them, however reached, is the finding.
    { code: 'JSON.stringify(process.report.getReport().environmentVariables);', errors: [at('escapeEnv', 1, 16)] },
    { code: 'const r = process.report;\nconst all = r.getReport();', errors: [at('escapeEnv', 2, 13)] },
    // Anything of the report but a version field of its header: the header itself (host name, addresses, command line) too.
    { code: 'send(process.report.getReport()["head" + "er"].glibcVersionRuntime);\nconst { header, environmentVariables } = process.report.getReport();\nsend(process.report.getReport().header.commandLine);', errors: [at('escapeEnv', 1, 6), at('escapeEnv', 2, 42), at('escapeEnv', 3, 6)] },
    { code: 'const { report } = process;\nreport["write" + "Report"]("/tmp/x.json");', errors: [at('escapeEnv', 2, 1)] },
    // Kept in a variable, any other read of the report (its variables, the header itself, the report handed on) is the finding.
    { code: 'const r = process.report.getReport();\nconst v = r.header.glibcVersionRuntime;\nsend(r.environmentVariables);', errors: [at('escapeEnv', 1, 11)] },
    { code: 'const r = process.report.getReport();\nlog(r.header.glibcVersionRuntime);\nlog(r);', errors: [at('escapeEnv', 1, 11)] },
    { code: 'const r = process.report.getReport();\nsend(r.header);', errors: [at('escapeEnv', 1, 11)] },
    { code: 'let r = process.report.getReport();\nr = other;\nlog(r.header.glibcVersionRuntime);', errors: [at('escapeEnv', 1, 9)] },
    { code: 'const rep = process["rep" + "ort"];\nsend(rep.getReport().header);', errors: [at('escapeEnv', 2, 6)] },
    { code: 'import { report } from "node:process";\nconst { getReport: dump = () => ({}) } = report;\nsend(dump());', errors: [at('escapeEnv', 2, 9)] },
    { code: 'const client = createClient({ fetch });', errors: [at('escapeNetwork', 1, 31, { root: 'fetch', how: 'is stored in an object' })] },
    { code: 'new ApolloLink(globalThis.fetch);', errors: [at('escapeNetwork', 1, 16)] },
    // What a recognised shim stands for is followed: webpack's global handed on is an escape.
    { code: 'var __webpack_require__ = {};\n__webpack_require__.g = (function() { if (typeof globalThis === "object") return globalThis; try { return this || new Function("return this")(); } catch (e) { if (typeof window === "object") return window; } })();\nleak(__webpack_require__.g);', ...cjs, errors: [at('escapeCode', 3, 6, { root: 'the global object', how: 'is passed to leak' })] },
    // Ambient authority without a name: a sloppy function's `this` when every call is plain, however it is reached.
    { code: 'function go() { send(this); }\ngo();', ...cjs, errors: [at('escapeCode', 1, 22, { root: 'the global object', how: 'is passed to send' })] },
    { code: '(function () { var root = this; hand(root); })();', ...cjs, errors: [at('escapeCode', 1, 38)] },
    { code: 'const grab = function () { return this; };\nstore.g = grab();', ...cjs, errors: [at('escapeCode', 2, 11, { root: 'the global object', how: 'is stored in store.g' })] },
    { code: 'function go() { const self = (() => this)(); out.push(self); }\ngo.call(null);', ...cjs, errors: [at('escapeCode', 1, 55, { root: 'the global object', how: 'is passed to out.push' })] },
    // A function expression whose one use leaves `this` unbound: a comma call, a nullish apply, a bare bind, an array callback without thisArg.
    { code: 'const G = (0, function () { return this; })();\nsend(G);', ...cjs, errors: [at('escapeCode', 1, 36, { root: 'the global object', how: 'is returned from a function' }), at('escapeCode', 2, 6)] },
    { code: 'const G = (function () { return this; }).apply(undefined);', ...cjs, errors: [at('escapeCode', 1, 33, { root: 'the global object', how: 'is returned from a function' })] },
    { code: '[1, 2].forEach(function (x) { log(this, x); });', ...cjs, errors: [at('escapeCode', 1, 35, { root: 'the global object', how: 'is passed to log' })] },
    // `arguments.callee.caller`: the calling function (the module wrapper, whose arguments hold require).
    { code: 'function h() { var c = arguments.callee.caller; send(c); }\nh();', ...cjs, errors: [at('escapeModule', 1, 54, { root: 'the calling function (arguments.callee.caller)', how: 'is passed to send' })] },
    { code: 'function h() { keep(arguments.callee.caller.arguments); }\nh();', ...cjs, errors: [at('escapeModule', 1, 21, { root: "the module wrapper's arguments", how: 'is passed to keep' })] },
    { code: 'const lib = require("./lib");\nkeep(lib.run.caller);', ...cjs, errors: [at('escapeModule', 2, 6, { root: 'the calling function (arguments.callee.caller)', how: 'is passed to keep' })] },
    // A V8 CallSite (what Error.prepareStackTrace is handed) gives a frame's function (the module wrapper) and its receiver.
    { code: 'Error.prepareStackTrace = (_, frames) => frames;\nconst wrapper = new Error().stack[0].getFunction();\nsend(wrapper.arguments);', ...cjs, errors: [at('escapeModule', 3, 6, { root: "the module wrapper's arguments", how: 'is passed to send' })] },
    { code: 'Error.prepareStackTrace = (_, frames) => { frames.forEach((f) => keep(f.getFunction())); return ""; };', ...cjs, errors: [at('escapeModule', 1, 71, { root: 'the calling function (arguments.callee.caller)', how: 'is passed to keep' })] },
    { code: 'Error.prepareStackTrace = (_, frames) => { keep(frames[1]["get" + "This"]()); return ""; };', ...cjs, errors: [at('escapeCode', 1, 49, { root: 'the global object', how: 'is passed to keep' })] },
    // However the CallSite method is reached and run: .call, .apply, Reflect.apply on its prototype, a bind called at once, an alias.
    ...[
      'cs.getFunction.call(cs)',
      'cs["getFunc" + "tion"].apply(cs, [])',
      'Reflect.apply(Object.getPrototypeOf(cs).getFunction, cs, [])',
      'cs.getFunction.bind(cs)()',
      '(() => { const get = cs.getFunction; return get.call(cs); })()',
    ].map((reach) => ({
      code: `Error.prepareStackTrace = (_, s) => s;\nconst cs = new Error().stack[0];\nsend(${reach}.arguments);`,
      ...cjs,
      errors: [at('escapeModule', 3, 6, { root: "the module wrapper's arguments", how: 'is passed to send' })],
    })),
    { code: 'Error.prepareStackTrace = (_, s) => s;\nconst [site] = new Error().stack;\nkeep(Reflect.apply(site.getThis, site, []));', ...cjs, errors: [at('escapeCode', 3, 6, { root: 'the global object', how: 'is passed to keep' })] },
    { code: 'function h() { const k = "cal" + "ler"; return arguments["cal" + "lee"][k]; }\nregister(h());', ...cjs, errors: [at('escapeModule', 2, 10)] },
    // What constant code evaluates to is that root: the escape is of process, require, the global object.
    { code: 'leak(eval("pro" + "cess"));', ...cjs, errors: [at('escapeModule', 1, 6, { root: 'process', how: 'is passed to leak' })] },
    { code: 'const r = new Function("return require")();\nexpose(r);', ...cjs, errors: [at('escapeModule', 2, 8, { root: 'require', how: 'is passed to expose' })] },
    { code: 'const p = [].filter.constructor("return process")();\nhand(p);', ...cjs, errors: [at('escapeModule', 2, 6, { root: 'process', how: 'is passed to hand' })] },
    { code: 'const g = Function("return globalThis")();\nhand(g);', ...cjs, errors: [at('escapeCode', 2, 6, { root: 'the global object', how: 'is passed to hand' })] },
    // A key built by coercions folds: the global object's eval read with it is followed, one that does not fold is an escape.
    { code: 'const e = globalThis[(!![]+[])[!+[]+!+[]+!+[]]+"v"+(![]+[])[+!+[]]+(![]+[])[!+[]+!+[]]];\nsend(e);', ...cjs, errors: [at('escapeCode', 2, 6, { root: 'eval', how: 'is passed to send' })] },
    // A promise of a root hands it to what `then` is given; a callback the walk follows is judged by its parameter.
    { code: 'import("node:process").then(send);', errors: [at('escapeModule', 1, 29, { root: 'process', how: 'is handed to send by then()' })] },
    { code: 'import("vm").then((vm) => keep(vm));', errors: [at('escapeCode', 1, 32, { root: "the 'vm' module", how: 'is passed to keep' })] },
    // The global object under its other names.
    { code: 'leak(this);', ...script, errors: [at('escapeCode', 1, 6, { root: 'the global object', how: 'is passed to leak' })] },
    { code: 'leak(Function("return this")());', errors: [at('escapeCode', 1, 6)] },
    { code: 'leak(Reflect);', errors: [at('escapeCode', 1, 6, { root: 'Reflect', how: 'is passed to leak' })] },
    { code: 'const vm = require("vm");\nwrap(vm.runInThisContext);', ...cjs, errors: [at('escapeCode', 2, 6, { root: 'vm.runInThisContext', how: 'is passed to wrap' })] },
  ],
});
