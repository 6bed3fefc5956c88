import { describe, expect, it } from 'vitest';
import { Linter } from 'eslint';
// The plugin first: evaluated code is linted with the whole plugin, which imports this rule in turn.
import plugin from '../../rules/index.js';
import rule from '../../rules/no-dynamic-code.js';
import { captureReports } from '../../rules/utils/report.js';
import { allSeverities, commonjs as cjs, ruleTester as tester } from './rule-tester.js';

const at = (messageId: string, line: number, column: number) => ({ messageId, line, column });
const script = { languageOptions: { sourceType: 'script' as const } };

tester.run('no-dynamic-code', rule, {
  valid: [
    // A prototype's constructor is a class, not Function: a stream's base class built with options.
    { code: 'const fs = require("fs"); const Base = Object.getPrototypeOf(fs.ReadStream.prototype).constructor; new Base({ read() {} }); const S = Object.getPrototypeOf(require("tty").ReadStream.prototype).constructor; new S();', ...cjs },
    // An inspector session that only profiles, takes coverage or heap snapshots, and a breakpoint condition that is a constant harmless expression.
    { code: 'const { Session } = require("node:inspector");\nconst s = new Session(); s.connect();\ns.post("Profiler.enable"); s.post("Profiler.start", () => {}); s.post("Profiler.takePreciseCoverage", { callCount: true }, done);\nconst opts = { detailed: true };\ns.post("HeapProfiler.takeHeapSnapshot", opts); s.post("Debugger.enable");', ...cjs },
    { code: 'const inspector = require("inspector");\nconst s = new inspector.Session();\ns.post("Debugger.setBreakpointByUrl", { lineNumber: 3, url: "file:///x.js", condition: "count > 10" });', ...cjs },
    // A subclass of a session posting only methods that run no code; a subclass of another module's class.
    { code: 'const inspector = require("inspector");\nclass Probe extends inspector.Session {}\nconst s = new Probe(); s.connect(); s.post("Profiler.enable");\nclass Bus extends require("events") {}\nnew Bus().emit("x", code);', ...cjs },
    { code: 'const inspector = require("inspector");\nconst session = new inspector.Session();\nconst post = (method, params) => new Promise((resolve) => session.post(method, params, resolve));\npost("Profiler.enable").then(() => post("Profiler.start")).then(() => post("Profiler.stop", {}));', ...cjs },
    // A Session subclass that only profiles, and a subclass of an HTTP client whose post is its own.
    { code: 'const inspector = require("inspector");\nclass Profiler extends inspector.Session {}\nconst p = new Profiler(); p.connect(); p.post("Profiler.enable"); p.post("Runtime.evaluate", { expression: "1 + 1" });\nclass Api extends Client {}\nnew Api().post("Runtime.evaluate", { expression: code });', ...cjs },
    // Another object's post method.
    'client.post("Runtime.evaluate", { expression: code }); fetchApi.post(url, { source: body });',
    // Methods and properties that happen to be called eval, and regex.exec.
    'obj.eval(x); api.eval("1"); class A { m() { return this.eval(y); } } /a+/.exec(s);',
    // Types mention eval without using it.
    { code: 'type Evaluator = typeof eval; let run: typeof globalThis.eval | undefined; declare const e: Evaluator;', filename: 'a.ts' },
    // Feature detection and property names are not uses of eval.
    'if (typeof eval === "function") ready(); const o = { eval: 1, ["x"]: 2 }; class B { eval() {} }',
    // A local function named eval (sloppy script) and a local Function shadow the globals.
    { code: 'function eval(s) { return s; } eval(userInput);', ...script },
    'const Function = (body) => body; Function(userInput); new Function(userInput);',
    // Constant code that names nothing that grants power: a number, a harmless global, a member of one, the global object (bundlers' idiom).
    // A parameter named like the global it returns returns the argument.
    'const id = Function("process", "return process"); id(1);',
    'eval("Math"); const max = Function("return Math.max")(); const g = Function("return this")(); new Function("return globalThis")();',
    // The bundler idiom for the global object, and constants that evaluate to harmless code.
    'var g = Function("return this")(); var h = new Function("return this")();',
    'eval("1 + 1"); const add = new Function("a", "b", "return a + b"); eval(42);',
    // An instance's constructor, the everyday idiom: a copy of an error, a value of the same type; a message that is no code.
    'function wrap(err, prefix) { return new err.constructor(prefix + ": " + err.message); }',
    'function same(v) { return new v.constructor(String(v)); } function fail(e) { throw new e.constructor("Could not open the file"); }',
    // Clones kept in a list that is only returned or read, never called.
    'function copies(values) { const out = []; for (const v of values) out.push(new v.constructor(`${v}`)); out.forEach((c) => console.log(c)); return out; }',
    // Parameters named like roots, handed ordinary values: the body is read with them bound.
    { code: 'new Function("require", "fetch", "return require(fetch)")((n) => n, "x");', ...cjs },
    // A body's `this` bound to data, or a nested function's own `this` beside a root handed to the outer one.
    { code: 'const a = Function("return this.length").call("abc"); const b = Function("return function () { return this; }").call(require);', ...cjs },
    // Rest parameters, arguments and destructured parameters handed data, or a root the body never loads with.
    { code: 'Function("...a", "return a.length")(1, 2); new Function("return arguments.length")(require); Function("{ r }", "return r + 1")({ r: 2 });', ...cjs },
    // Node refuses a string callback (ERR_INVALID_ARG_TYPE): a string timer runs nothing, constant or not, whatever it says.
    'setTimeout("tick()", 10); setTimeout("require(\'child_process\').exec(\'id\')", 1);',
    'setTimeout("alert(" + x + ")", 10); setInterval(`tick(${n})`, 1000); const s = name + "()"; setImmediate(s);',
    // Function arguments to timers are not code strings.
    'setTimeout(() => tick(), 10); setInterval(callback, 5); setImmediate(function () { run(); });',
    // The words in strings and comments.
    'const s = "eval(code)"; // new Function(code)\n/* setTimeout("x") */',
    // Constructing an instance of the current class.
    'class A { clone() { return new this.constructor(); } }',
    // Ordinary minified code.
    { code: '!function(e,t){"use strict";var n=e.exec||function(){};t.run=n.call(e,t);e.a=t}(this,{});', ...cjs },
    // A Worker without eval, WebAssembly validation only.
    'import { Worker } from "node:worker_threads"; new Worker("./task.js", { workerData: 1 }); WebAssembly.validate(bytes);',
    // An instance's constructor in its own class, a comparison, a name, and a non-string argument: no code is built.
    'class A { clone() { return new this.constructor("x"); } }',
    // An exported sloppy mixin reading its own object's members, not the global's.
    { code: 'exports.clone = function () { return new this.constructor(this.value); };', ...cjs },
    'function same(v) { return v.constructor === Object && v.constructor.name === "Object" ? new v.constructor() : null; }',
    'function copy(list) { return new list.constructor(list.length); }',
    // The same instance idioms by destructuring or an optional chain, and dispatch by a key chosen at run time: a
    // method of an unknown object or a function given data, a message, or nothing that is run as a function.
    'function wrap(err) { const { constructor: E } = err; return new E("wrapped: " + err.message); }',
    'function same(v) { const C = v?.["constructor"]; return C === Array ? [] : new C(v); }',
    'function emit(bus, kind, data) { bus[kind](data); bus[kind]("ready"); handlers[kind]?.(data, "utf8"); }',
    'function fire(fn, method, self) { fn[method](self, 1); logger[level]("process started at " + time); }',
    'function route(table, name) { return table[name]("GET", "/users")(request); }',
    // Members of the plugin's context that are no function (its config, the log object itself) and an instance made
    // from an unknown value: an ordinary class, kept, thrown or returned, never handed to what calls it.
    { code: 'exports.activate = (ctx) => { const C = ctx.config.kind.constructor; return new C(ctx.config.label); };', ...cjs },
    { code: 'exports.activate = (ctx) => { const copy = new ctx.log.constructor(); ctx.subscriptions.push({ dispose() { copy.x = ctx.pluginId.constructor(ctx.dataDir); } }); };', ...cjs },
    'function fail(err, text) { const e = new err.constructor(text); setTimeout(() => { throw e; }, 0); return Promise.reject(new err.constructor(text)); }',
    'export function activate(ctx) { const list = ctx.config.items; list.forEach((item) => ctx.log.info(new item.constructor(item.label))); }',
    // A helper's parameter that some call fills with another object is not the context.
    { code: 'function make(api, text) { return new api.log.info.constructor(text); }\nexports.activate = (ctx) => { make(ctx.config.logger, ctx.config.name); };', ...cjs },
  ],
  invalid: [
    // The plugin's context is the API the host hands it: a member that is a function is one, so its constructor is
    // Function, critical whatever is done with what it makes (kept, handed to a timer, a Promise, a disposable).
    { code: 'exports.activate = async (ctx) => { const job = ctx.log.info.constructor(ctx.config.src); setTimeout(job, 5); };', ...cjs, errors: [at('indirect', 1, 49)] },
    { code: 'exports.activate = async (ctx) => { await new Promise(ctx.commands.register.constructor("resolve", ctx.config.src)); };', ...cjs, errors: [at('indirect', 1, 55)] },
    { code: 'module.exports = { activate(context) { context.subscriptions.push({ dispose: new context.log.warn.constructor(context.config.src) }); } };', ...cjs, errors: [at('indirect', 1, 78)] },
    // Disguises: an alias of the constructor, a destructured context, a computed key, a helper handed the context.
    { code: 'exports.activate = (ctx) => { const make = ctx.log.debug.constructor; [ctx.config.a].map((t) => make(t)); };', ...cjs, errors: [at('indirect', 1, 97)] },
    { code: 'export async function activate({ net, log: { error } }) { const { constructor: F } = net.fetch; F(await (await net.fetch("https://a.example")).text()); new error.constructor(String(1)); }', errors: [at('indirect', 1, 97), at('indirect', 1, 153)] },
    { code: 'exports.activate = (ctx) => { const k = "constr" + "uctor"; const { storage } = ctx; storage.get[k](ctx.config.src); };', ...cjs, errors: [at('indirect', 1, 86)] },
    { code: 'function boot(api) { return api.events.on.constructor(api.config.src); }\nexports.activate = (ctx) => { boot(ctx); };', ...cjs, errors: [at('indirect', 1, 29)] },
    { code: 'export const activate = (ctx) => { ctx.dataDir.slice.constructor(ctx.config.src); };', errors: [at('indirect', 1, 36)] },
    // An unknown value's constructor given text built at run time, whose result is handed to what calls it later.
    { code: 'function boot(x, src) { setTimeout(x.hooks.constructor(src), 1); }', errors: [at('indirect', 1, 36)] },
    { code: 'function boot(x, src) { const job = new x.hooks.constructor(src); queueMicrotask(job); }', errors: [at('indirect', 1, 37)] },
    { code: 'function boot(x, src) { return new Promise(x.y.constructor("resolve", src)); }', errors: [at('indirect', 1, 44)] },
    { code: 'function boot(bus, x, src) { bus.on("ready", x.y.constructor(src)); [1].forEach(x.z.constructor(src)); }', errors: [at('indirect', 1, 46), at('indirect', 1, 81)] },
    // Kept in a list whose elements are then called: through an element callback, for-of, an index, or taken back out.
    { code: 'const hooks = [];\nbus.on("helper", async (h, src) => { hooks.push(h.constructor(src)); hooks.forEach((f) => f()); });', errors: [at('indirect', 2, 49)] },
    { code: 'function boot(x, src) { const jobs = [x.y.constructor(src)]; for (const job of jobs) job(); }', errors: [at('indirect', 1, 39)] },
    { code: 'function boot(x, src) { const q = []; q[0] = x["constr" + "uctor"](src); q.unshift(x.constructor(src)); q[0](); q.pop()?.(); }', errors: [at('indirect', 1, 46), at('indirect', 1, 84)] },
    // Plain non-constant evaluation.
    { code: 'function run(code) { return eval(code); }', errors: [at('nonConstant', 1, 29)] },
    { code: 'const f = new Function("a", "b", body);', errors: [{ ...at('nonConstant', 1, 11), data: { name: 'Function' } }] },
    { code: 'Function(userCode)();', errors: [at('nonConstant', 1, 1)] },
    // A body or parameter list that is an object is made a string by its own toString: not a constant.
    { code: 'Function({ toString: () => "return process" })();', errors: [at('nonConstant', 1, 1)] },
    { code: 'const body = { toString() { return "return pro" + "cess"; } };\nnew Function("a", body);', errors: [at('nonConstant', 2, 1)] },
    { code: 'const body = ["return ", { valueOf: () => "process" }];\nFunction(body.join(""));', errors: [at('nonConstant', 2, 1)] },
    // A string timer is only noted (info): it would be eval in a browser, not in Node.
    { code: 'setTimeout("alert(" + x + ")", 10);', ...allSeverities, errors: [{ ...at('stringTimer', 1, 1), data: { name: 'setTimeout' } }] },
    { code: 'const s = name + "()";\nsetImmediate(s);', ...allSeverities, errors: [{ ...at('stringTimer', 2, 1), data: { name: 'setImmediate' } }] },
    { code: 'import { setInterval as every } from "node:timers"; every(`tick(${n})`, 1000);', ...allSeverities, errors: [{ ...at('stringTimer', 1, 53), data: { name: 'setInterval' } }] },
    // Constant code whose result is a capability root: the evaluation hands it over without naming it.
    { code: 'eval("require")("child_process");', ...cjs, errors: [{ ...at('evaluatesToRoot', 1, 1), data: { name: 'eval', code: 'require', root: "'require'" } }] },
    { code: 'const p = eval("pro" + "cess");', errors: [{ ...at('evaluatesToRoot', 1, 11), data: { name: 'eval', code: 'process', root: "'process'" } }] },
    { code: 'const k = ["re", "quire"].join("");\nnew Function(`return ${k}`)();', errors: [{ ...at('evaluatesToRoot', 2, 1), data: { name: 'Function', code: 'return require', root: "'require'" } }] },
    { code: 'const b = Function("return this.process.binding")();', errors: [{ ...at('evaluatesToRoot', 1, 11), data: { name: 'Function', code: 'return this.process.binding', root: "'process.binding'" } }] },
    { code: 'const m = Function("return process.mainModule")();', errors: [{ ...at('evaluatesToRoot', 1, 11), data: { name: 'Function', code: 'return process.mainModule', root: "'module'" } }] },
    { code: 'const f = Function("", "return pro" + "cess");', errors: [{ ...at('evaluatesToRoot', 1, 11), data: { name: 'Function', code: 'return process', root: "'process'" } }] },
    { code: 'import vm from "node:vm"; vm.runInThisContext("globalThis.process");', errors: [at('vmModule', 1, 1), { ...at('evaluatesToRoot', 1, 27), data: { name: 'vm.runInThisContext', code: 'globalThis.process', root: "'process'" } }] },
    // Indirect eval: comma, alias, global object with folded keys, .call/.apply, Reflect.
    { code: '(0, eval)("1");', errors: [{ ...at('indirect', 1, 1), data: { name: 'eval' } }] },
    // `.constructor` of what nothing proves a non-function (an unknown object's member, a class), called with a string.
    // An unknown value's constructor may be Function: a constant is judged by what it does, built text when what it makes is called.
    { code: 'exports.activate = (ctx) => ctx.subscriptions.push.constructor("return pro" + "cess")();', ...cjs, errors: [at('indirect', 1, 29), at('evaluatesToRoot', 1, 29)] },
    { code: 'function boot(api) { const F = api.log["constr" + "uctor"]; return F(`return ${"process"}`)(); }', errors: [at('evaluatesToRoot', 1, 68)] },
    { code: 'function boot(api, src) { return api.log.constructor("x", src)(1); }', errors: [at('indirect', 1, 34)] },
    { code: 'function boot(api) { api.hooks.constructor("require(\'child_process\').exec(\'id\')").call(null); }', errors: [at('evaluatedCode', 1, 22)] },
    { code: 'class K {}\nK.constructor("return process")();', errors: [at('indirect', 2, 1), at('evaluatesToRoot', 2, 1)] },
    { code: 'const K = class {};\nconst C = K;\nnew C.constructor("a", "return a")(1);', errors: [at('indirect', 3, 1)] },
    // Every read of the property `constructor` is the same read: destructured (a folded key too), an optional chain.
    { code: 'exports.activate = (ctx) => {\n  const { constructor: C } = ctx.subscriptions.push;\n  C("return pro" + "cess")();\n};', ...cjs, errors: [at('indirect', 3, 3), at('evaluatesToRoot', 3, 3)] },
    { code: 'function boot(api) { const { ["constr" + "uctor"]: Make } = api.hooks; return Make(`return ${"require"}`)(); }', errors: [at('evaluatesToRoot', 1, 79)] },
    { code: 'function boot(api) { const { log: { constructor: F } } = api; F(api.config.get("boot"))(); }', errors: [at('indirect', 1, 63)] },
    { code: 'function boot(ctx) { const f = ctx.log?.["constructor"]?.(ctx.config.get("boot")); f?.(); }', errors: [at('indirect', 1, 32)] },
    { code: 'function boot(ctx) { const run = ctx.log?.constructor(ctx.src); run.call(null); }', errors: [at('indirect', 1, 34)] },
    // A key that does not fold, on a function or a value that may be one, may be `constructor`: text given to it may be code.
    { code: 'const k = Object.getOwnPropertyNames(Function.prototype).filter((n) => n.length === 11)[0];\nconst F = (() => 0)[k];\nF("return pro" + "cess")();', errors: [at('evaluatesToRoot', 3, 1)] },
    { code: 'function f() {}\nconst key = pick();\nf[key]("require(\'child_process\').exec(\'id\')")();', errors: [at('evaluatedCode', 3, 1)] },
    { code: 'function boot(api, k) { return api.log[k]("return " + api.name)(); }', errors: [at('indirect', 1, 32)] },
    { code: 'function boot(api, k) { const { [k]: Make } = api.log; const run = Make(`return ${api.name}`); run(); }', errors: [at('indirect', 1, 68)] },
    { code: 'const e = eval;\ne("1 + 1");', errors: [at('indirect', 2, 1)] },
    { code: 'globalThis["ev" + "al"](x);', errors: [at('indirect', 1, 1)] },
    { code: 'window.eval(x); self["eval"](y);', errors: [at('indirect', 1, 1), at('indirect', 1, 17)] },
    { code: 'global[["e", "v", "a", "l"].join("")](payload);', ...cjs, errors: [at('indirect', 1, 1)] },
    { code: 'eval.call(null, code);', errors: [at('indirect', 1, 1)] },
    { code: 'Reflect.apply(eval, undefined, [code]);', errors: [at('indirect', 1, 1)] },
    { code: 'Reflect.construct(Function, ["return 1"]);', errors: [{ ...at('indirect', 1, 1), data: { name: 'Function' } }] },
    { code: 'const run = eval.bind(null);\nrun(code);', errors: [at('indirect', 2, 1)] },
    // Function constructors reached through prototypes and constructor chains.
    { code: 'const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;\nnew AsyncFunction("return 1");', errors: [{ ...at('indirect', 2, 1), data: { name: 'AsyncFunction' } }] },
    { code: '(function* () {}).constructor("yield 1");', errors: [{ ...at('indirect', 1, 1), data: { name: 'GeneratorFunction' } }] },
    { code: 'Object.getPrototypeOf(async function* () {}).constructor(src);', errors: [{ ...at('indirect', 1, 1), data: { name: 'AsyncGeneratorFunction' } }] },
    { code: '[].constructor.constructor("return 1")();', errors: [at('indirect', 1, 1)] },
    { code: '""["constr" + "uctor"]["constructor"](body)();', errors: [at('indirect', 1, 1)] },
    { code: 'function f() {}\nf.constructor("return 1")();', errors: [at('indirect', 2, 1)] },
    { code: '[].map.constructor(code)();\nrequire("fs").readFile.constructor(code);', ...cjs, errors: [at('indirect', 1, 1), at('indirect', 2, 1)] },
    // The global object from a sloppy IIFE, and from an exported sloppy function an importer may call bare.
    { code: 'const g = (function () { return this; })();\ng.eval(code);', ...cjs, errors: [at('indirect', 2, 1)] },
    { code: 'exports.run = function (src) { return this.Function(src)(); };', ...cjs, errors: [at('indirect', 1, 39)] },
    { code: 'module.exports.run = function (src) { const E = this["ev" + "al"]; return E(src); };', ...cjs, errors: [at('indirect', 1, 75)] },
    // TypeScript casts and other file kinds.
    { code: 'const e = (globalThis as any).eval as (s: string) => unknown;\ne(code);', filename: 'a.ts', errors: [at('indirect', 2, 1)] },
    { code: 'const r = (eval as any)(code);', filename: 'a.ts', errors: [at('indirect', 1, 11)] },
    { code: 'globalThis.eval?.(code);', filename: 'a.mjs', errors: [at('indirect', 1, 1)] },
    { code: 'module.exports = (s) => new Function(s);', filename: 'a.cjs', ...cjs, errors: [at('nonConstant', 1, 25)] },
    // vm, eval workers and WebAssembly.
    { code: 'import vm from "vm";\nvm.runInThisContext(src);', errors: [at('vmModule', 1, 1), { ...at('nonConstant', 2, 1), data: { name: 'vm.runInThisContext' } }] },
    { code: 'const { Script } = require("node:vm");\nnew Script(code);', ...cjs, errors: [at('vmModule', 1, 20), at('nonConstant', 2, 1)] },
    { code: 'import vm = require("vm");\nvm.runInContext(code, sandbox);', filename: 'a.ts', errors: [at('vmModule', 1, 1), at('nonConstant', 2, 1)] },
    { code: 'import * as vm from "node:vm";\nvm.runInNewContext("1 + 1", {});\nvm["compile" + "Function"](body);', errors: [at('vmModule', 1, 1), at('nonConstant', 3, 1)] },
    { code: 'import { Worker } from "worker_threads";\nnew Worker(src, { eval: true });', errors: [at('evalWorker', 2, 1)] },
    { code: 'const { Worker } = require("worker_threads");\nconst opts = { eval: true };\nnew Worker("x", opts);', ...cjs, errors: [at('evalWorker', 3, 1)] },
    { code: 'import { Worker as W } from "node:worker_threads";\nReflect.construct(W, [src, { ["ev" + "al"]: true }]);', errors: [at('evalWorker', 2, 1)] },
    { code: 'WebAssembly.instantiate(bytes); new WebAssembly.Module(buf);', errors: [{ ...at('webAssembly', 1, 1), data: { name: 'instantiate' } }, at('webAssembly', 1, 33)] },
    { code: 'globalThis["WebAssembly"].compile(bytes);', errors: [at('webAssembly', 1, 1)] },
    // _compile in every spelling, inspector evaluation, data: URL modules.
    { code: 'module._compile(src, "x.js");\nconst Module = require("module");\nnew Module()._compile(code, "y.js");\nrequire.cache[k]._compile(payload);', ...cjs, errors: [{ ...at('nonConstant', 1, 1), data: { name: 'Module._compile' } }, at('nonConstant', 3, 1), at('nonConstant', 4, 1)] },
    { code: 'const inspector = require("inspector");\nconst s = new inspector.Session();\ns.post("Runtime.evaluate", { expression: code });', ...cjs, errors: [{ ...at('nonConstant', 3, 1), data: { name: 'inspector Runtime.evaluate' } }] },
    // A subclass of Session is a Session: its instances post to the same inspector (class declaration, expression, two levels).
    { code: 'const inspector = require("inspector");\nclass Probe extends inspector.Session {}\nnew Probe().post("Runtime.evaluate", { expression: code });\nconst Deep = class extends Probe {};\nconst d = new Deep(); d.post("Runtime.evaluate", { expression: fetched });', ...cjs, errors: [{ ...at('nonConstant', 3, 1), data: { name: 'inspector Runtime.evaluate' } }, at('nonConstant', 5, 23)] },
    // Code the inspector evaluates through any method: a breakpoint's condition, a script's new source, a method that does not fold or is not known to run no code.
    { code: 'const inspector = require("inspector");\nexports.activate = (ctx) => {\n  const s = new inspector.Session(); s.connect();\n  s.post("Debugger.setBreakpointByUrl", { lineNumber: 0, urlRegex: ".*", condition: ctx.config.get("cond") });\n};', ...cjs, errors: [{ ...at('nonConstant', 4, 3), data: { name: 'inspector Debugger.setBreakpointByUrl' } }] },
    { code: 'import { Session } from "node:inspector/promises";\nconst s = new Session();\nconst method = ["Debugger", "setScriptSource"].join(".");\nawait s.post(method, { scriptId: id, scriptSource: patched });\nawait s["po" + "st"]("Debugger.setBreakpoint", { location, ["cond" + "ition"]: cond });', errors: [{ ...at('nonConstant', 4, 7), data: { name: 'inspector Debugger.setScriptSource' } }, { ...at('nonConstant', 5, 7), data: { name: 'inspector Debugger.setBreakpoint' } }] },
    { code: 'const { Session } = require("inspector");\nconst s = new Session();\ns.post(ctx.method, {});\nconst params = build();\ns.post("Runtime.evaluate", params);\ns.post.call(s, "Debugger.setBreakpointOnFunctionCall", { objectId: id, ...extra });', ...cjs, errors: [{ ...at('nonConstant', 3, 1), data: { name: 'inspector session.post' } }, at('nonConstant', 5, 1), at('nonConstant', 6, 1)] },
    // A subclass's instance is an instance of its base: directly, through two levels, an aliased class expression, ESM.
    { code: 'const inspector = require("inspector");\nclass Probe extends inspector.Session {}\nconst s = new Probe();\ns.post("Runtime.evaluate", { expression: code });', ...cjs, errors: [{ ...at('nonConstant', 4, 1), data: { name: 'inspector Runtime.evaluate' } }] },
    { code: 'const { Session: S } = require("node:inspector");\nclass A extends S {}\nclass B extends A { hello() {} }\nnew B().post("Runtime.compileScript", { expression: code, persistScript: true });', ...cjs, errors: [{ ...at('nonConstant', 4, 1), data: { name: 'inspector Runtime.compileScript' } }] },
    { code: 'import * as ins from "node:inspector/promises";\nconst Probe = class extends ins.Session {};\nconst P = Probe;\nconst s = new P();\nawait s.post("Debugger.evaluateOnCallFrame", { callFrameId: id, expression: text });', errors: [{ ...at('nonConstant', 5, 7), data: { name: 'inspector Debugger.evaluateOnCallFrame' } }] },
    { code: 'const { Session } = require("inspector");\nconst s = new Session();\ns.post("Debugger.pause");\ns.post("Runtime.getProperties", { objectId: id });', ...cjs, errors: [{ ...at('inspectorMethod', 3, 1), data: { name: 'inspector Debugger.pause' } }, at('inspectorMethod', 4, 1)] },
    { code: 'const inspector = require("inspector");\nconst session = new inspector.Session();\nconst post = (method, params) => new Promise((resolve) => session.post(method, params, resolve));\npost("Profiler.enable").then(() => post("Runtime.evaluate", { expression: payload }));', ...cjs, errors: [{ ...at('nonConstant', 3, 59), data: { name: 'inspector Runtime.evaluate' } }] },
    // A constant breakpoint condition is analyzed as code, like a constant Runtime.evaluate.
    { code: 'const { Session } = require("inspector");\nconst s = new Session();\ns.post("Debugger.setBreakpointByUrl", { lineNumber: 0, urlRegex: ".*", condition: "eval(globalThis.payload)" });', ...cjs, errors: [{ ...at('evaluatedCode', 3, 1), data: { name: 'inspector Debugger.setBreakpointByUrl', message: 'eval runs a string that is not a compile-time constant, so what it executes cannot be reviewed.' } }] },
    { code: 'await import("data:text/javascript," + encodeURIComponent("eval(x)"));', errors: [{ ...at('evaluatedCode', 1, 7), data: { name: 'import(data:…)', message: 'eval runs a string that is not a compile-time constant, so what it executes cannot be reviewed.' } }] },
    { code: 'await import(`data:text/javascript;base64,${btoa("import fs from \'fs\'; eval(fs.readFileSync(0, \'utf8\'))")}`);', errors: [at('evaluatedCode', 1, 7), at('evaluatedCode', 1, 7)] },
    // A tagged template calls Function with its text.
    { code: 'Function`return 1`()();\nconst F = Function; F`${body}`;', errors: [at('indirect', 1, 1), at('indirect', 2, 21)] },
    // A constant that is not JavaScript cannot be vouched for.
    { code: 'eval("this is not { javascript");', errors: [at('unanalyzableCode', 1, 1)] },
  ],
});

const RETURNED_CHILD_PROCESS = "The 'child_process' module is returned from a function; the gate cannot follow it there, so it cannot tell what programs the calls made on it run.";

tester.run('no-dynamic-code (evaluated constants)', rule, {
  valid: [
    // An evaluated finding weighs what the inner finding weighs: an info read stays below the editor's default 'medium'.
    'eval("process.env.NODE_ENV");',
  ],
  invalid: [
    // The constant body is linted: its own findings surface at the call.
    { code: 'eval("eval(x)");', errors: [{ ...at('evaluatedCode', 1, 1), data: { name: 'eval', message: 'eval runs a string that is not a compile-time constant, so what it executes cannot be reviewed.' } }] },
    { code: 'new Function("a", "return eval(a)");', errors: [at('evaluatedCode', 1, 1)] },
    // A parameter may be handed a capability root: the body is read with its parameters unbound too.
    {
      code: 'new Function("module", "exports", "require", "require(\'child_process\').execSync(\'id\')")(mod, mod.exports, require);',
      ...cjs,
      errors: [{ ...at('evaluatedCode', 1, 1), data: { name: 'Function', message: "Loads 'child_process', which can run other programs with the user's rights." } }],
    },
    { code: 'new Function("x, req", "req(\'n\' + \'et\').connect(x)")(9, require);', ...cjs, errors: [at('evaluatedCode', 1, 1), at('evaluatedCode', 1, 1)] },
    // Whatever receives the root in the body: a rest parameter, its own arguments, a destructured parameter, through .call/.apply.
    ...[
      'Function("...a", "return a[0](\'child_\' + \'process\')")(require)',
      'new Function("return arguments[0](\'child_process\')")(require)',
      'Function("{ r }", "return r(\'child_process\')")({ r: require })',
      'Function("{ load: l = null }, n", "return l(n)")({ load: require }, "child_process")',
      'Function("x", "...rest", "return rest[1](x)").call(null, "child_process", 1, require)',
      'new Function("req", "return req(\'child_process\')").apply(undefined, [module.require])',
      // The body's own `this`, bound by .call/.apply: plain, under an arrow, through a string built in the body.
      'Function("return this(\'child_process\')").call(require)',
      'Function("const r = () => this; return r()(\'child_\' + \'process\')").apply(module.require, [])',
      'new Function("n", "return this[\'req\' + \'uire\'](n)").call(module, "child_process")',
    ].map((spelling) => ({
      code: `const m = ${spelling};`,
      ...cjs,
      // The body hands the module back to `m`, whose calls the gate does not judge: an escape of the module too.
      errors: [{ ...at('evaluatedCode', 1, 11), data: { name: 'Function', message: "Loads 'child_process', which can run other programs with the user's rights." } }, { ...at('evaluatedCode', 1, 11), data: { name: 'Function', message: RETURNED_CHILD_PROCESS } }],
    })),
    // The constant that holds the built function, called once.
    { code: 'const boot = Function("...a", "return a[0](\'child_\' + \'process\')");\nconst m = boot(require);', ...cjs, errors: [{ ...at('evaluatedCode', 1, 14), data: { name: 'Function', message: "Loads 'child_process', which can run other programs with the user's rights." } }, { ...at('evaluatedCode', 1, 14), data: { name: 'Function', message: RETURNED_CHILD_PROCESS } }] },
    {
      code: 'var table = { b: "var c = require(\'child_\' + \'process\');" };\nfunction load(id) { new Function("module", "exports", "require", table[id])({}, {}, require); }\nload("b");',
      ...cjs,
      errors: [at('evaluatedCode', 2, 21)],
    },
    // Decoded constants fold, and what they decode to is linted.
    { code: 'eval(atob("ZXZhbChwYXlsb2FkKQ=="));', errors: [at('evaluatedCode', 1, 1)] },
    { code: 'eval("process.env.NODE_ENV");', options: [{ minSeverity: 'info' }], errors: [at('evaluatedCode', 1, 1)] },
    // Indirect and evaluating: both are reported.
    { code: 'globalThis.eval("eval(x)");', errors: [at('indirect', 1, 1), at('evaluatedCode', 1, 1)] },
  ],
});

describe('no-dynamic-code inside the gate', () => {
  const linter = new Linter({ configType: 'flat' });
  const lint = (code: string) => captureReports(() => linter.verify(code, plugin.configs.strict, 'plugin.cjs')).reports;

  it('turns a constant Function body that loads child_process into a child-process finding', () => {
    const reports = lint('new Function("require(\'child_process\').exec(\'id\')")();').filter((r) => r.ruleId === 'no-dynamic-code');
    expect(reports.map((r) => r.messageId)).toContain('evaluatedCode');
    const inner = reports.find((r) => r.messageId === 'evaluatedCode')!.inner!;
    expect(inner.kind.category).toBe('child-process');
    expect(reports[0].loc).toMatchObject({ line: 1, column: 1 });
  });

  it('keeps the bundler idiom Function("return this")() quiet', () => {
    expect(lint('var g = Function("return this")();')).toEqual([]);
  });
});

