import rule from '../../rules/no-runtime-tampering.js';
import { commonjs as cjs, ruleTester as tester } from './rule-tester.js';

const at = (messageId: string, line: number, column: number) => ({ messageId, line, column });

tester.run('no-runtime-tampering', rule, {
  valid: [
    // A class's own prototype, and local objects named like intrinsics.
    // A subclass of a built-in: its own prototype and statics, super calls, and `super.x = v` (which stores on `this`).
    'class Cache extends Map {\n  get(k) { return super.get(k); }\n  set(k, v) { super.last = k; return super.set(k, v); }\n  static of() { return super.from ? new this() : null; }\n}\nCache.prototype.describe = function () {};\nCache.label = "c";\nObject.setPrototypeOf(Cache.prototype, Map.prototype);\nconst proto = Object.getPrototypeOf(Cache.prototype); const read = proto.get;',
    'class List extends Array { constructor() { super(); this.x = 1; } static create() { return super.from([1]); } }\nList.prototype.sum = function () { return 0; };\nconst L2 = class extends List {}; L2.prototype.sum = null;',
    // The saved original put back under the same reference, however spelled, changes nothing.
    'const prev = Error.prepareStackTrace;\nError["prepareStackTrace"] = prev;\nconst key = "random";\nconst r = Math[key];\nMath[key] = r;',
    'class Player {}\nPlayer.prototype.play = function () {};\nfunction Track() {}\nTrack.prototype.name = "x";',
    'const Math = { random: () => 4 }; Math.random = () => 5; const JSON = {}; JSON.x = 1;',
    'function patch(Object) { Object.prototype.x = 1; }',
    // Reading the module cache, and ordinary exports.
    { code: 'const loaded = Object.keys(require.cache); const m = require.cache[require.resolve("./a")];', ...cjs },
    { code: 'Object.defineProperty(exports, "__esModule", { value: true }); module.exports.x = 1; exports.y = 2;', ...cjs },
    // Uncurried, on the plugin's own object.
    'const define = Function.prototype.call.bind(Object.defineProperty);\ndefine(null, {}, "x", { value: 1 });',
    // An uncurried mutator runs on its first argument, not on the prototype it was taken from.
    'const arraySort = Function.prototype.call.bind(Array.prototype.sort);\narraySort([3, 1, 2]);',
    // A double of the plugin's own object changes nothing shared.
    'import { mock } from "node:test";\nconst api = { get() {} };\nmock.method(api, "get", () => 1);\njest.spyOn(api, "get");',
    // An emitter's listener given an own object, or another event's value; an emitter the file hands on is not followed.
    { code: 'const E = require("events");\nconst bus = new E();\nbus.on("c", (codec) => { codec.parse = () => 1; });\nbus.emit("c", { parse: null });\nbus.emit("d", JSON);', ...cjs },
    // ...also a named listener, a `var` emitter and a `const` event name.
    { code: 'const E = require("events");\nvar bus = new E();\nconst name = "c";\nfunction patch(codec) { codec.parse = () => 1; }\nbus.on(name, patch);\nbus.emit(name, { parse: null });\nbus.emit("d", JSON);', ...cjs },
    // ...and the same shapes passing the plugin's own class, or another event's built-in.
    { code: 'const E = require("events");\nconst bus = new E();\nclass Thing {}\nbus.on("a", (P) => { P.prototype.at = spy; });\nReflect.apply(bus.emit, bus, ["a", Thing]);\nbus.emit(...["a", Thing]);\nbus.emit("b", ...[Array]);', ...cjs },
    // ...their look-alikes: the plugin's own objects, and another event's built-in.
    { code: 'Promise.resolve([{}]).then(([o]) => { o.at = spy; });\nasync function go() { const [c] = await Promise.resolve([new Map()]); c.x = 1; }\nconst { once, EventEmitter } = require("events");\nconst bus = new EventEmitter();\nonce(bus, "ready").then(([o]) => { o.prototype.x = spy; });\nclass Own {}\nbus.emit("ready", Own);\nbus.emit("other", Object);', ...cjs },
    // ...another type's built-in, or the plugin's own class.
    { code: 'const t = new EventTarget();\nclass Own {}\nt.addEventListener("go", (e) => { e.detail.prototype.at = spy; });\nt.dispatchEvent(new CustomEvent("go", { detail: Own }));\nt.dispatchEvent(new CustomEvent("other", { detail: Array }));', ...cjs },
    // Node's own events on process carry Node's values, not the built-ins.
    { code: 'process.on("exit", (code) => { code.x = 1; });\nprocess.on("warning", (w) => { w.name = "y"; });\nprocess.emit("other", JSON);', ...cjs },
    // An emitter handed on whose own emits pass only the plugin's objects.
    { code: 'const E = require("events");\nconst bus = new E();\nbus.on("c", (codec) => { codec.parse = () => 1; });\nbus.emit.call(bus, "c", {});\nmodule.exports = bus;\nconsole.log(bus);', ...cjs },
    // Writing to instances and to fresh objects, not to the intrinsics.
    'const o = {}; o.__defineGetter__("x", () => 1); Object.setPrototypeOf(o, null); Object.setPrototypeOf(Child.prototype, Base.prototype);',
    'const list = []; list.push(1); list.x = 2; const o = Object.create(null); o.toString = () => ""; Object.assign({}, defaults);',
    'globalThis.myPluginState = {}; window.appName = "x";',
    // V8's stack-depth knob is meant to be set.
    'Error.stackTraceLimit = 50;',
    // The words in strings and comments.
    'const s = "Object.prototype.x = 1"; // require.cache = {}',
    // The module builtin used only to make a require for this file or to list builtins reaches nothing of the loader.
    { code: 'import { createRequire, builtinModules } from "node:module";\nconst require = createRequire(import.meta.url);\nrequire("./data.json");', filename: 'index.mjs' },
    { code: 'const Module = require("module");\nconst r = Module.createRequire(__filename);\nconst { isBuiltin } = require("node:module");\nrequire("module").builtinModules.includes("fs");', ...cjs },
    // Merge and path-set helpers called with ordinary keys, and prototypes written on purpose (inheritance, an own class).
    { code: 'function setPath(obj, path, v) { const parts = path.split("."); let o = obj; for (let i = 0; i < parts.length - 1; i++) o = o[parts[i]] = o[parts[i]] || {}; o[parts[parts.length - 1]] = v; }\nsetPath(config, "server.port", 8080);\nsetPath(config, ["db", "host"].join("."), "localhost");' },
    { code: 'const _ = require("lodash");\n_.merge({}, defaults, { constructor: "Widget", proto: 1 });\n_.set(state, "user.prototype", 1);', ...cjs },
    'Child.prototype.__proto__ = Parent.prototype; Object.setPrototypeOf(Child.prototype, Parent.prototype); Widget.prototype.render = render;',
    'const inst = new Thing(); Object.getPrototypeOf(inst).name; const o = { __proto__: base, x: 1 };',
    // An instance of a built-in written, or its prototype only read or compared: its own, or nothing changed.
    'const p = Promise.resolve(1); p.then = wrap; const m = new Map(); m.extra = 1;\nconst same = Object.getPrototypeOf(new Map()) === Map.prototype; const then = Object.getPrototypeOf(Promise.all([])).then;',
    // Destructuring and loop heads that store into the plugin's own objects, instances of built-ins, and locals named like globals.
    'const { a, b } = obj; [state.x, state.y] = [1, 2]; ({ p: this.p, ...this.rest } = opts); for (cursor.current of items); for (seen[key] in table);',
    'const u = new URL(base); u.pathname = "/x"; [u.search] = ["?a"]; const ac = new AbortController(); ac.signal.onabort = stop;',
    'const console = makeLogger(); console.log = quiet; let fetch = null; fetch = myFetch; [fetch] = [other];',
    'function setup(crypto) { crypto.getRandomValues = fill; }',
    'Object.assign(globalThis, { myPluginApi: api }); Object.defineProperties(globalThis, { __pluginState: { value: {} } });',
    'const o = {}; o.__defineGetter__.call(o, "x", () => 1); Object.prototype.__defineGetter__.call(o, "y", () => 2);',
    // A Web Crypto polyfill for an old Node, and Buffer's pool size: guarded or meant to be set.
    'if (typeof globalThis.crypto === "undefined") globalThis.crypto = require("node:crypto").webcrypto;\nif (typeof structuredClone !== "function") globalThis.structuredClone = clone;\nBuffer.poolSize = 16384;',
    // Known signals (not SIGUSR1) to the plugin's own process, existence tests (signal 0) to any pid, and any signal to the plugin's own child.
    'process.kill(process.pid); process.kill(process.pid, "SIGTERM"); process.kill(process.pid, 9);\nfor (const s of ["SIGINT", "SIGTERM"]) process.kill(process.pid, s);\nconst { signals } = require("os").constants; process.kill(process.pid, signals.SIGKILL);',
    'process.kill(pid, 0);\nconst json = JSON.parse(text); try { process.kill(json.pid, 0); } catch {}\nconst ALIVE = 0; process.kill(process.ppid, ALIVE);',
    { code: 'const cp = require("child_process");\nconst worker = cp.fork("w.js");\nprocess.kill(worker.pid, "SIGKILL"); process.kill(-worker.pid, 15); worker.kill("SIGSTOP");', ...cjs },
    { code: 'const { spawn } = require("child_process");\nconst child = spawn("worker");\nfunction stop(signal) { process.kill(child.pid, signal); process.kill(-child.pid, signal); child.kill(signal); }', ...cjs },
    // Reading priorities, and renicing the plugin's own process (one argument, pid 0, its own pid) or a child it started.
    { code: 'const os = require("os");\nos.getPriority(); os.getPriority(process.ppid);\nos.setPriority(10); os.setPriority(0, 10); os.setPriority(process.pid, os.constants.priority.PRIORITY_LOW);\nconst SELF = 0; const me = process.pid; os.setPriority(SELF, 19); os.setPriority(me, 5);', ...cjs },
    { code: 'const { setPriority } = require("node:os");\nconst { spawn } = require("child_process");\nconst job = spawn("make");\nsetPriority(job.pid, 19);', ...cjs },
    // An object of the plugin's own with a method of that name.
    'const scheduler = { setPriority(task, level) { task.level = level; } };\nscheduler.setPriority(process.ppid, 19);',
    // Round 7 look-alikes: getters, WeakRefs, proxies, bound functions, tags and `arguments` over the plugin's own objects,
    // and shared values only read or called through them.
    'const shapes = { get list() { return []; }, get proto() { return Array.prototype; } };\nshapes.list.push(1);\nshapes.list.extra = 1;\nconst has = shapes.proto.includes.call(xs, 1);\nclass Box { get p() { return {}; } static get cfg() { return { a: 1 }; } }\nnew Box().p.x = 1;\nBox.cfg.a = 2;',
    'const ref = new WeakRef(cache);\nref.deref().size = 0;\nconst p = new Proxy({}, { set: (t, k, v) => Reflect.set(t, k, v) });\np.x = 1;\nconst q = new Proxy(target, {});\nq.y = 2;\nconst parse = new Proxy(JSON, {}).parse;',
    'const log = console.log.bind(console, "[plugin]");\nlog("hi");\nconst def = Object.defineProperty.bind(Object, exports);\ndef("__esModule", { value: true });\nconst setOwn = Reflect.set.bind(null, state);\nsetOwn("x", 1);',
    'function tag(strings, value) { value.seen = true; return strings.raw.join(""); }\ntag`a${{}}b${state}`;\nconst css = (s, ...v) => s.join("");\ncss`${Object.prototype.toString}`;',
    'function mark() { arguments[0].done = true; for (const o of arguments) o.seen = 1; }\nmark({}, state);\nfunction first() { return arguments[0]; }\nfirst(Array.prototype).includes.call(xs, 1);',
    // Polluting-looking keys handed to the platform, to guards, or as a bare key: nothing is merged.
    { code: 'const { has } = require("./lib/keys");\nconst BLOCKED = ["__proto__", "constructor", "prototype"];\nif (BLOCKED.includes(key) || has(obj, "__proto__")) throw new Error("bad key");\nconst o = JSON.parse(\'{"__proto__": {"x": 1}}\');\nconsole.log(Object.keys(o));\nassert.deepStrictEqual(structuredClone(o), o);\nrequire("node:assert").ok(JSON.parse(\'{"__proto__": 1}\'));\nguard.reject("__proto__");\nlib.merge({}, { theme: "dark", proto: 1 });', ...cjs },
    // Promises of the plugin's own values, and a shared value only read from a promise.
    'Promise.resolve({}).then((o) => { o.done = true; });\nasync function load() { return { items: [] }; }\nload().then((s) => { s.items.push(1); s.ready = true; });\nasync function f() { const c = await load(); c.x = 1; const J = await Promise.resolve(JSON); return J.parse(text); }',
    // signal-exit's shared emitter: a symbol-keyed member of the global object, defined through a bound definer.
    'const kExitEmitter = Symbol.for("signal-exit emitter");\nconst global = globalThis;\nconst ObjectDefineProperty = Object.defineProperty.bind(Object);\nif (!global[kExitEmitter]) ObjectDefineProperty(global, kExitEmitter, { value: {}, writable: false });\nglobalThis[Symbol.for("app.state")] = {};\nglobalThis[Symbol.asyncIterator] ??= x;',
    // Collections of the plugin's own objects walked and written, built-in methods kept in a list to call later,
    // a folded key that picks an own element out of a literal that also holds a prototype, and `with` over an own object.
    'const objs = [{ a: 1 }, { b: 2 }];\nfor (const o of objs) o.seen = true;\nobjs.forEach((o) => { o.x = 1; delete o.y; });\nfor (const k of Object.keys(obj)) obj[k] = transform(obj[k]);',
    'const fns = [Array.prototype.slice, Array.prototype.map];\nconst out = fns.map((f) => f.call(list, 0));\nconst m = new Map([["a", {}]]);\nm.get("a").x = 1;',
    'const table = { own: {}, base: Object.prototype };\ntable.own.x = 1;\nconst { own } = table;\nown.y = 2;\nconst [first] = [{}, Array.prototype];\nfirst.z = 3;',
    'const items = [JSON.parse(text), new Map(), Object.create(null)];\nitems.forEach((i) => { i.x = 1; });\nfunction mark(o) { o.done = true; }\nmark({}); mark(state);',
    'const handlers = [{ name: "a" }];\nfunction touch(h) { h.seen = 1; }\nhandlers.forEach(touch);\ntouch({});\nfunction make(o = {}) { o.x = 1; return o; }\nmake(state);',
    { code: 'var x = 1;\nwith (settings) { x = 2; y = 3; }', languageOptions: { sourceType: 'script' } },
    { code: 'declare const window: any;\nwindow.myState = 1;\nlet fetch: typeof globalThis.fetch = myFetch;\nfetch = other;', filename: 'a.ts' },
    // A predicate, comparator or index handed to an array method is not an element of what it returns.
    'function mark(list) { for (const item of list) item.modified = true; }\nmark(refs.map(toCondition).filter(Boolean));\nmark(rows.slice(0, Number.MAX_SAFE_INTEGER).sort(String.prototype.localeCompare));',
    // Array methods changing arrays of the code's own, or copies of shared ones, touch nothing shared.
    { code: 'const ks = Object.keys(o).sort();\nArray.from(s).reverse();\nprocess.argv.slice(2).shift();\nprocess.argv.splice(0, 2);\nconst list = [];\nlist.push(1);\nnew Array(3).fill(0);\n[].slice.call(arguments).sort();\nrequire("fs").readdirSync(".").sort();\nmodule.paths.slice().push("/x");\nclass List extends Array { add(x) { super.push(x); return this; } }', ...cjs },
    // A local class's fields, a generator's yields and a reducer's accumulator that hold only the code's own values.
    'class Box { p = []; }\nnew Box().p.push(1);\nfunction* nums() { yield 1; yield { a: 1 }; }\nfor (const n of nums()) n.a = 2;\nconst total = [1, 2].reduce((acc, x) => acc + x, 0);\nconst o = [1].reduce((acc) => { acc.n = 1; return acc; }, {});',
    // An instance member's own prototype, and prototypes only read.
    'class A { m() { Object.getPrototypeOf(this).cache = {}; } }\nconst p = Object.getPrototypeOf(x);\nuse(p.name, Object.getPrototypeOf(o) === Foo.prototype);',
    // Round 8 look-alikes: a caught error, a timer's own data, a hand-written iterator of local objects, groupings and
    // mappers of the code's own records, a callback handed local options.
    'try { JSON.parse(s); } catch (e) { e.message = "bad"; e.code = 1; }\ntry { throw new Error("x"); } catch (err) { err.handled = true; }',
    'const state = { n: 0 };\nsetTimeout((s) => { s.n += 1; s.done = true; }, 0, state);\nqueueMicrotask(() => { state.flag = 1; });',
    'const range = { [Symbol.iterator]() { let i = 0; return { next() { return i < 2 ? { value: { id: i++ }, done: false } : { done: true }; } }; } };\nfor (const r of range) r.seen = true;',
    'const g = Object.groupBy([{ k: 1 }], (x) => "all");\ng.all[0].picked = true;\nconst rows = Array.from({ length: 2 }, () => ({}));\nrows[0].x = 1;\nconst m = [1].map(() => ({ a: 1 }));\nm[0].b = 2;',
    'on("ready", (ev) => { ev.handled = true; }, { once: true });\ntry { throw { code: 1 }; } catch ({ code }) { const o = { code }; o.code = 2; }',
    'try { try { throw Array.prototype; } catch (inner) { void inner; } throw new Error("x"); } catch (e) { e.extra = 1; }',
    'function check(v) { if (!v) throw new TypeError("bad"); }\ntry { check(input); } catch (e) { e.extra = 1; }',
    // The `__proto__` accessor read but not written through, and another accessor's getter called.
    'const getProto = Object.getOwnPropertyDescriptor(Object.prototype, "__proto__").get;\nconst isArr = getProto.call(x) === Array.prototype;\nconst size = Object.getOwnPropertyDescriptor(Map.prototype, "size").get.call(m);\nconst o = Object.getOwnPropertyDescriptor(obj, "value").get.call(obj); o.seen = true;',
  ],
  invalid: [
    // The primordials idiom: Function.prototype.call bound to a definer runs it with the first argument as its this.
    {
      code: 'const { call } = Function.prototype;\nconst define = call.bind(Object.defineProperty);\nconst uncurried = define;\nuncurried(null, Array.prototype, "includes", { value: () => true });\nFunction.prototype.call.bind(Reflect.set)(null, String.prototype, "trim", () => "");',
      errors: [{ ...at('intrinsic', 4, 1), data: { target: 'Array.prototype.includes' } }, { ...at('intrinsic', 5, 1), data: { target: 'String.prototype.trim' } }],
    },
    // Test doubles replace a member for the whole process: node:test's mock (imported under any name, or a test's own), spies and stubs.
    {
      code: 'import { mock as m } from "node:test";\nm.method(JSON, "parse", () => ({}));\ntest("x", (t) => { t.mock.property(Math, "PI", 3); });\njest.spyOn(Object.prototype, "hasOwnProperty");\nsinon.stub(JSON, "stringify");',
      errors: [at('intrinsic', 2, 1), at('intrinsic', 3, 20), at('intrinsic', 4, 1), at('intrinsic', 5, 1)],
    },
    // An event is a call of its listeners: what an emit of that event passes is what the listener's parameters hold.
    {
      code: 'const { EventEmitter } = require("events");\nconst bus = new EventEmitter();\nbus.on("codec", (codec) => { codec.stringify = spy; });\nbus.once("p", function (n, proto) { proto.polluted = 1; });\nbus.emit("codec", JSON);\nbus.emit("p", 1, Object.prototype);',
      ...cjs,
      errors: [{ ...at('intrinsic', 3, 30), data: { target: 'JSON.stringify' } }, at('intrinsic', 4, 37)],
    },
    // Through a listener registered by name, a `var` or `let` emitter never written again, and a `const` event name.
    {
      code: 'const { EventEmitter } = require("events");\nvar bus = new EventEmitter();\nconst CODEC = "codec";\nfunction patch(codec) { codec.stringify = spy; }\nbus.on(CODEC, patch);\nconst widen = (P) => { P.prototype.includes = spy; };\nbus.prependListener("a", widen);\nbus.emit(CODEC, JSON);\nbus.emit("a", Array);',
      ...cjs,
      errors: [{ ...at('intrinsic', 4, 25), data: { target: 'JSON.stringify' } }, at('intrinsic', 6, 24)],
    },
    // An emitter the file also hands on still calls its listeners with what the file emits: `.call`, `.apply` too.
    {
      code: 'const E = require("events");\nconst bus = new E();\nbus.on("codec", (c) => { c.stringify = spy; });\nconst patch = (P) => { P.prototype.at = spy; };\nbus.on("p", patch);\nbus.emit.call(bus, "codec", JSON);\nbus.emit.apply(bus, ["p", Array]);\nmodule.exports = bus;\nconsole.log(bus);',
      ...cjs,
      errors: [{ ...at('heldShared', 3, 26), data: { target: 'JSON.stringify', through: 'c' } }, { ...at('heldShared', 4, 24), data: { target: 'Array.prototype.at', through: 'P.prototype' } }],
    },
    // An emit the gate does not read as such passes whatever its call is handed: Reflect.apply, a spread, `call.call`.
    {
      code: 'const E = require("events");\nconst bus = new E();\nbus.on("a", (P) => { P.prototype.at = spy; });\nbus.on("b", (J) => { J.parse = spy; });\nbus.on("c", (O) => { O.prototype.toString = spy; });\nReflect.apply(bus.emit, bus, ["a", Array]);\nconst args = ["b", JSON];\nbus.emit(...args);\nFunction.prototype.call.call(bus.emit, bus, "c", Object);',
      ...cjs,
      errors: [
        { ...at('heldShared', 3, 22), data: { target: 'Array.prototype.at', through: 'P.prototype' } },
        { ...at('heldShared', 4, 22), data: { target: 'JSON.parse', through: 'J' } },
        { ...at('heldShared', 5, 22), data: { target: 'Object.prototype.toString', through: 'O.prototype' } },
      ],
    },
    // A spread of a list the file also pushes to may pass what was pushed.
    {
      code: 'const E = require("events");\nconst bus = new E();\nbus.on("a", (P) => { P.prototype.at = spy; });\nconst more = ["a"];\nmore.push(Array);\nbus.emit(...more);',
      ...cjs,
      errors: [{ ...at('heldShared', 3, 22), data: { target: 'Array.prototype.at', through: 'P.prototype' } }],
    },
    // What the file emits reaches the listener even when the emitter is written again or emits what the file cannot name.
    {
      code: 'const E = require("events");\nlet bus = new E();\nbus.on("c", (codec) => { codec.parse = () => 1; }).emit(name, {});\nbus.emit("c", JSON);\nbus = other;',
      ...cjs,
      errors: [{ ...at('heldShared', 3, 26), data: { target: 'JSON.parse', through: 'codec' } }],
    },
    // `process` is an emitter too, and a bound emit kept in a const passes its bound arguments first.
    {
      code: 'process.on("codec", (c) => { c.stringify = spy; });\nprocess.emit("codec", JSON);\nconst E = require("events");\nconst bus = new E();\nbus.on("p", (P) => { P.prototype.at = spy; });\nconst emit = bus.emit.bind(bus, "p");\nemit(Array);',
      ...cjs,
      errors: [{ ...at('heldShared', 1, 30), data: { target: 'JSON.stringify', through: 'c' } }, { ...at('heldShared', 5, 22), data: { target: 'Array.prototype.at', through: 'P.prototype' } }],
    },
    // Registrations chained off the emitter, a `let` made by one later assignment, names as a plain template, a `let`
    // never written again, and a bracketed method name.
    {
      code: 'const E = require("events");\nlet bus;\nbus = new E();\nlet NAME = "codec";\nbus.on("noop", () => {}).on(NAME, (c) => { c.stringify = spy; });\nbus.once(`p`, (P) => { P.prototype.at = spy; });\nbus["emit"](`codec`, JSON);\nbus.emit("p", Array);',
      ...cjs,
      errors: [at('intrinsic', 5, 44), at('intrinsic', 6, 24)],
    },
    // Round 8 (m62): the `__proto__` accessor taken out of its descriptor and called reads a prototype.
    { code: 'const getProto = Object.getOwnPropertyDescriptor(Object.prototype, "__proto__").get;\nconst AP = getProto.call([]);\nAP.every = function () { return true; };', errors: [{ messageId: 'prototypeWrite', line: 3 }] },
    { code: 'const d = Reflect.getOwnPropertyDescriptor(Object.prototype, "__pro" + "to__");\nReflect.apply(d.get, "", [])["ends" + "With"] = () => true;\nconst { get } = Object.getOwnPropertyDescriptor(Object.prototype, "__proto__");\nget.apply(/x/).test = () => true;', errors: [{ messageId: 'prototypeWrite', line: 2 }, { messageId: 'prototypeWrite', line: 4 }] },
    // Round 8: a shared value handed over through a throw, a callback's extra arguments, a hand-written iterator,
    // a grouping and a mapper (m58, m59, m60, m61, m69).
    { code: 'try { throw Array.prototype; } catch (P) { P.includes = () => true; }', errors: [{ ...at('heldShared', 1, 44), data: { target: 'Array.prototype.includes', through: 'P' } }] },
    // Thrown by a function of the file the try block calls, directly or through another.
    { code: 'function fail(k) { if (k) throw RegExp.prototype; deeper(); }\nconst deeper = () => { throw Array.prototype; };\ntry { fail(0); } catch (shape) { shape.includes = () => true; }', errors: [{ ...at('heldShared', 3, 34), data: { target: 'RegExp.prototype.includes', through: 'shape' } }] },
    { code: 'const X = String.prototype;\ntry { if (X) { throw cond ? X : null; } } catch (e) { e["ends" + "With"] = () => true; }', errors: [{ ...at('heldShared', 2, 55), data: { target: 'String.prototype.endsWith', through: 'e' } }] },
    { code: 'try { throw { p: RegExp.prototype }; } catch (box) { box.p.test = () => true; }\ntry { try { throw 1; } finally { throw [JSON]; } } catch ([J]) { J.parse = f; }', errors: [{ ...at('heldShared', 1, 54), data: { target: 'RegExp.prototype.test', through: 'box.p' } }, { ...at('heldShared', 2, 66), data: { target: 'JSON.parse', through: 'J' } }] },
    { code: 'setTimeout((J) => { J.parse = f; }, 0, JSON);', errors: [{ ...at('heldShared', 1, 21), data: { target: 'JSON.parse', through: 'J' } }] },
    { code: 'const later = setImmediate;\nlater(function (list) { list[0].every = () => true; }, [Array.prototype]);\nprocess.nextTick((a, o) => { o.isAdmin = true; }, 1, Object.prototype);', errors: [{ ...at('heldShared', 2, 25), data: { target: 'Array.prototype["0"].every', through: 'list[0]' } }, { ...at('heldShared', 3, 30), data: { target: 'Object.prototype.isAdmin', through: 'o' } }] },
    { code: 'someLib.run(Promise.prototype, (p) => { p.then = f; });', errors: [{ ...at('heldShared', 1, 41), data: { target: 'Promise.prototype.then', through: 'p' } }] },
    { code: 'const it = { [Symbol.iterator]() { let done = false; return { next() { if (done) return { done: true }; done = true; return { done: false, value: String.prototype }; } }; } };\nfor (const P of it) P.endsWith = () => true;', errors: [{ ...at('heldShared', 2, 21), data: { target: 'String.prototype.endsWith', through: 'P' } }] },
    { code: 'const k = Symbol.iterator;\nconst it = { [Symbol.iterator]: function () { const step = { next: () => ({ value: Array.prototype }) }; return step; } };\nconst [A] = it;\nA.includes = () => true;\nconst gen = { *[Symbol.iterator]() { yield JSON; } };\nfor (const J of gen) J.parse = f;', errors: [{ ...at('heldShared', 4, 1), data: { target: 'Array.prototype.includes', through: 'A' } }, { ...at('heldShared', 6, 22), data: { target: 'JSON.parse', through: 'J' } }] },
    { code: 'const groups = Object.groupBy([Object.prototype], () => "all");\ngroups.all[0].isAdmin = true;', errors: [{ ...at('heldShared', 2, 1), data: { target: 'Object.prototype["0"].isAdmin', through: 'groups.all[0]' } }] },
    { code: 'const m = Map.groupBy([Array.prototype], (x) => 1);\nm.get(1)[0].every = () => true;\nfor (const [, list] of Object.entries(Object.groupBy([JSON], () => "k"))) list[0].parse = f;', errors: [{ ...at('heldShared', 2, 1), data: { target: 'Array.prototype["0"].every', through: 'm.get(1)[0]' } }, { ...at('heldShared', 3, 75), data: { target: 'JSON["0"].parse', through: 'list[0]' } }] },
    { code: 'const [OP] = Array.from({ length: 1 }, () => Object.prototype);\nOP.isAdmin = true;', errors: [{ ...at('heldShared', 2, 1), data: { target: 'Object.prototype.isAdmin', through: 'OP' } }] },
    { code: 'const all = [0].map(function () { return RegExp.prototype; });\nall[0].test = () => true;\nArray.from([String.prototype], (S) => { S.trim = f; });\n[1].flatMap(() => [JSON])[0].parse = f;', errors: [{ ...at('heldShared', 2, 1), data: { target: 'RegExp.prototype.test', through: 'all[0]' } }, { ...at('heldShared', 3, 41), data: { target: 'String.prototype.trim', through: 'S' } }, { ...at('heldShared', 4, 1), data: { target: 'JSON.parse', through: '[1].flatMap(() => [JSON])[0]' } }] },
    // A fixed key through Object.getPrototypeOf writes a prototype that may be a built-in one, kept in a name or not.
    { code: 'class Settings {}\nObject.getPrototypeOf(Settings.prototype).isAdmin = true;', errors: [at('prototypeWrite', 2, 1)] },
    { code: 'class Store extends Map {}\nconst P = Object.getPrototypeOf(Object.getPrototypeOf(new Store()));\nP.get = f;', errors: [at('prototypeWrite', 3, 1)] },
    { code: 'const proto = Reflect.getPrototypeOf(defaults());\nproto.shell = "/bin/sh";', errors: [at('prototypeWrite', 2, 1)] },
    // A method that changes its `this` in place writes there, however it is reached: the loader's search path, the
    // options every fork inherits, a built-in prototype handed as `this`.
    { code: 'module.paths.unshift(dir);\nrequire.main.paths.push(dir);', ...cjs, errors: [at('moduleLoader', 1, 1), at('moduleLoader', 2, 1)] },
    { code: 'process.execArgv.push("--import=" + hook);\nprocess.execArgv = ["--require", pre];\nconst argv = process.execArgv;\nargv["spl" + "ice"](0, 0, "-r", pre);', ...cjs, errors: [at('inheritedArguments', 1, 1), at('inheritedArguments', 2, 1), at('inheritedArguments', 4, 1)] },
    { code: 'Array.prototype.push.call(Object.prototype, "x");\n[].unshift.apply(Array.prototype, [1]);\nReflect.apply([].fill, Object.prototype, [0]);', ...cjs, errors: [at('intrinsic', 1, 1), at('intrinsic', 2, 1), at('intrinsic', 3, 1)] },
    // concat does hold its arguments.
    { code: 'for (const P of [].concat(Array.prototype)) P.at = spy;', errors: [{ ...at('heldShared', 1, 45), data: { target: 'Array.prototype.at', through: 'P' } }] },
    // A shared built-in put in a collection or handed to a parameter, and written after it comes back out.
    { code: 'const spy = () => true;\nfor (const P of [Array.prototype, String.prototype]) P.includes = spy;', errors: [{ ...at('heldShared', 2, 54), data: { target: 'Array.prototype.includes', through: 'P' } }] },
    { code: '[Buffer.prototype, Object.prototype].forEach((p) => { p.equals = () => true; });\n[String.prototype].map((s) => Object.defineProperty(s, "trim", { value: evil }));\n[0].reduce((acc, q) => { delete q.then; return acc; }, Promise.prototype);', errors: [{ ...at('heldShared', 1, 55), data: { target: 'Buffer.prototype.equals', through: 'p' } }, { ...at('heldShared', 2, 31), data: { target: 'String.prototype.trim', through: 's' } }] },
    { code: 'const protos = { a: Array.prototype, s: String.prototype };\nfor (const k in protos) protos[k].includes = spy;\nconst list = [Array.prototype];\nlet i = 0;\nwhile (i < list.length) { const P = list[i++]; P.at = spy; }', errors: [{ ...at('heldShared', 2, 25), data: { target: 'Array.prototype.includes', through: 'protos[k]' } }, { ...at('heldShared', 5, 48), data: { target: 'Array.prototype.at', through: 'P' } }] },
    // A local class's fields, a local generator's yields, a reducer's accumulator and result.
    { code: 'class Holder { p = Array.prototype; }\nnew Holder().p.includes = () => true;', errors: [{ ...at('heldShared', 2, 1), data: { target: 'Array.prototype.includes', through: 'new Holder().p' } }] },
    { code: 'class H { constructor() { this.j = JSON; } }\nconst h = new H();\nh.j.parse = f;', errors: [{ ...at('heldShared', 3, 1), data: { target: 'JSON.parse', through: 'h.j' } }] },
    { code: 'function* shared() { yield JSON; }\nfor (const J of shared()) J.parse = f;', errors: [{ ...at('heldShared', 2, 27), data: { target: 'JSON.parse', through: 'J' } }] },
    { code: 'const t = [0].reduce((acc) => acc, require("crypto"));\nt.timingSafeEqual = () => true;\n[0].reduce((acc) => { acc.parse = f; return acc; }, JSON);', ...cjs, errors: [{ ...at('heldShared', 2, 1), data: { target: 'crypto.timingSafeEqual', through: 't' } }, { ...at('heldShared', 3, 23), data: { target: 'JSON.parse', through: 'acc' } }] },
    { code: 'const [AP] = [Array.prototype];\nObject.assign(AP, { includes() { return true; } });\nconst { base: B } = { base: Object.prototype };\nB.isAdmin = true;', errors: [{ ...at('heldShared', 2, 1), data: { target: 'Array.prototype.includes', through: 'AP' } }, { ...at('heldShared', 4, 1), data: { target: 'Object.prototype.isAdmin', through: 'B' } }] },
    { code: 'const m = new Map([["p", Object.prototype]]);\nm.get("p").isAdmin = true;\nconst s = new Set();\ns.add(JSON);\nfor (const j of s) j.parse = evil;\nconst bag = [];\nbag.push(require("fs"));\nbag.at(-1).readFileSync = steal;', ...cjs, errors: [{ ...at('heldShared', 2, 1), data: { target: 'Object.prototype.isAdmin', through: 'm.get("p")' } }, { ...at('heldShared', 5, 20), data: { target: 'JSON.parse', through: 'j' } }, { ...at('heldShared', 8, 1), data: { target: 'fs.readFileSync', through: 'bag.at(-1)' } }] },
    { code: 'function patch(p, k) { p[k] = evil; }\npatch(Array.prototype, "map");\npatch(String.prototype, "trim");\nfor (const [name, P] of Object.entries({ ["ar" + "r"]: Array.prototype })) Reflect.set(P, name, 1);', errors: [{ ...at('heldShared', 1, 24), data: { target: 'Array.prototype[…]', through: 'p' } }, { ...at('heldShared', 4, 76), data: { target: 'Array.prototype[…]', through: 'P' } }] },
    { code: '[Array, String].forEach((C) => { C.prototype.includes = spy; });\nconst protos = [Array.prototype];\nfunction patch(p) { p.at = spy; }\nprotos.forEach(patch);\nfunction f(p = Promise.prototype) { p.then = evil; }', errors: [{ ...at('heldShared', 1, 34), data: { target: 'Array.prototype.includes', through: 'C.prototype' } }, { ...at('heldShared', 3, 21), data: { target: 'Array.prototype.at', through: 'p' } }, { ...at('heldShared', 5, 37), data: { target: 'Promise.prototype.then', through: 'p' } }] },
    { code: 'Object.values({ a: Array.prototype }).forEach((p) => { p.x = 1; });\nconst list = [Array.prototype];\nfor (let i = 0; i < list.length; i++) list[i].includes = spy;\nconst m = new Map();\nm.set("a", require.cache);\nm.forEach((v) => { delete v[id]; });', ...cjs, errors: [{ ...at('heldShared', 1, 56), data: { target: 'Array.prototype.x', through: 'p' } }, { ...at('heldShared', 3, 39), data: { target: 'Array.prototype.includes', through: 'list[i]' } }, { ...at('moduleLoader', 6, 20), data: { target: 'require.cache[…]', through: 'v' } }] },
    // A guarded fill through a loop variable is still only a polyfill.
    { code: 'for (const P of [Array.prototype, String.prototype]) if (!P.at) P.at = function () {};', options: [{ minSeverity: 'low' }], errors: [{ ...at('polyfill', 1, 65), data: { target: 'Array.prototype.at' } }] },
    // Inside `with (o)`, a name the body does not declare may be o's member.
    { code: 'with (Math) { random = () => 0.25; }\nwith (globalThis) { fetch = spy; }\nwith ({ P: Array.prototype }) { P.map = evil; }', languageOptions: { sourceType: 'script' }, errors: [{ ...at('intrinsic', 1, 15), data: { target: 'Math.random' } }, { ...at('intrinsic', 2, 21), data: { target: 'fetch' } }, { ...at('heldShared', 3, 33), data: { target: 'Array.prototype.map', through: 'P' } }] },
    // TypeScript erases an ambient declaration: the name is still the global.
    { code: 'declare var fetch: any;\nfetch = spy;\ndeclare let structuredClone: (x: unknown) => unknown;\n[structuredClone] = [(x: unknown) => x];', filename: 'a.ts', errors: [{ ...at('intrinsic', 2, 1), data: { target: 'fetch' } }, { ...at('intrinsic', 4, 2), data: { target: 'structuredClone' } }] },
    // Every place an assignment writes to is a write: destructuring targets at any depth, defaults, rest, loop heads.
    { code: 'const evil = (s) => ({});\n[Object.prototype.isAdmin, JSON.parse] = [true, evil];', errors: [{ ...at('intrinsic', 2, 2), data: { target: 'Object.prototype.isAdmin' } }, { ...at('intrinsic', 2, 28), data: { target: 'JSON.parse' } }] },
    { code: '({ a: Object.prototype.isAdmin } = src);\n[[, { x: Array.prototype.map = evil }], ...Object.prototype.rest] = v;\n({ ...Math.extra } = o);', errors: [at('intrinsic', 1, 7), { ...at('intrinsic', 2, 10), data: { target: 'Array.prototype.map' } }, { ...at('intrinsic', 2, 44), data: { target: 'Object.prototype.rest' } }, at('intrinsic', 3, 7)] },
    { code: 'const P = Object.prototype;\nconst k = "is" + "Admin";\n({ v: P[k] } = { v: true });', errors: [{ ...at('intrinsic', 3, 7), data: { target: 'Object.prototype.isAdmin' } }] },
    { code: 'for (Object.prototype.isAdmin of [true]);\nfor (String.prototype["tr" + "im"] in { a: 1 });\nconst proto = Object.getPrototypeOf(Promise.resolve());\nfor (proto.then of [evil]) {}', errors: [{ ...at('intrinsic', 1, 6), data: { target: 'Object.prototype.isAdmin' } }, { ...at('intrinsic', 2, 6), data: { target: 'String.prototype.trim' } }, { ...at('intrinsic', 4, 6), data: { target: 'Promise.prototype.then' } }] },
    { code: 'const crypto = require("crypto");\n[crypto.createHash] = [evil];\n({ c: require.cache[id] } = fake);\nfor (require("https").request of [spy]);', ...cjs, errors: [{ ...at('builtinExport', 2, 2), data: { target: 'crypto.createHash' } }, at('moduleLoader', 3, 7), at('builtinExport', 4, 6)] },
    { code: '({ [key]: obj.__proto__[key] } = payload);\nfor (target.constructor.prototype.isAdmin of [true]);', errors: [at('pollution', 1, 11), at('prototypeWrite', 2, 6)] },
    // A merge helper whose only computed store is a loop head or a destructuring target is a helper all the same.
    { code: 'function setIn(o, p, v) { const ks = p.split("."); while (ks.length > 1) [o] = [o[ks.shift()]]; [o[ks.pop()]] = [v]; }\nsetIn({}, "__proto__.polluted", 1);', errors: [{ ...at('pollutingCall', 2, 1), data: { helper: 'setIn', key: '__proto__.polluted' } }] },
    { code: 'function fill(o, p, v) { const ks = p.split("."); while (ks.length > 1) o = o[ks.shift()]; for (o[ks.pop()] of [v]); }\nfill({}, "constructor.prototype.isAdmin", true);', errors: [{ ...at('pollutingCall', 2, 1), data: { helper: 'fill', key: 'constructor.prototype.isAdmin' } }] },
    // Reflective writes, however they are called.
    { code: 'Object.defineProperty.call(null, Object.prototype, "isAdmin", { value: true });\nReflect.apply(Reflect.set, null, [Array.prototype, "map", evil]);\nconst { defineProperty: dp } = Object;\ndp(String.prototype, "trim", { value: evil });\nObject["ass" + "ign"](Object.prototype, { isAdmin: true });', errors: [{ ...at('intrinsic', 1, 1), data: { target: 'Object.prototype.isAdmin' } }, { ...at('intrinsic', 2, 1), data: { target: 'Array.prototype.map' } }, at('intrinsic', 4, 1), at('intrinsic', 5, 1)] },
    { code: '({}).__defineGetter__.call(Object.prototype, "isAdmin", () => true);\nconst ds = Object.prototype.__defineSetter__;\nds.apply(Array.prototype, ["length", spy]);\nReflect.apply(ds, JSON, ["parse", spy]);', errors: [{ ...at('intrinsic', 1, 1), data: { target: 'Object.prototype.isAdmin' } }, { ...at('intrinsic', 3, 1), data: { target: 'Array.prototype.length' } }, { ...at('intrinsic', 4, 1), data: { target: 'JSON.parse' } }] },
    { code: 'Object.assign(globalThis, { version: 1, fetch: spy });\nObject.defineProperties(globalThis, { crypto: { value: fake } });\nconst patch = { randomUUID: () => "0" };\nObject.assign(crypto, patch);\nobj.__proto__.__defineGetter__("isAdmin", () => true);', errors: [{ ...at('intrinsic', 1, 1), data: { target: 'fetch' } }, { ...at('intrinsic', 2, 1), data: { target: 'crypto' } }, at('intrinsic', 4, 1), { ...at('prototypeWrite', 5, 1), data: { target: 'obj.__proto__' } }] },
    // Node's globals are shared intrinsics: replacing them, their methods or their prototypes.
    { code: 'crypto.getRandomValues = (a) => a.fill(4);\ncrypto.randomUUID = () => "0";', errors: [{ ...at('intrinsic', 1, 1), data: { target: 'crypto.getRandomValues' } }, { ...at('intrinsic', 2, 1), data: { target: 'crypto.randomUUID' } }] },
    { code: 'globalThis["cry" + "pto"].subtle.digest = fake;\nconst { subtle } = globalThis.crypto;\nsubtle.sign = fake;\nObject.defineProperty(performance, "now", { value: () => 0 });', errors: [{ ...at('intrinsic', 1, 1), data: { target: 'crypto.subtle.digest' } }, at('intrinsic', 3, 1), { ...at('intrinsic', 4, 1), data: { target: 'performance.now' } }] },
    { code: 'console.log = spy;\nURL.prototype.toString = evil;\nEventTarget.prototype.dispatchEvent = hook;\nwindow.navigator.sendBeacon = leak;\n[globalThis.fetch, AbortSignal.timeout] = [logger, slow];', errors: [{ ...at('intrinsic', 1, 1), data: { target: 'console.log' } }, at('intrinsic', 2, 1), at('intrinsic', 3, 1), { ...at('intrinsic', 4, 1), data: { target: 'navigator.sendBeacon' } }, at('intrinsic', 5, 2), at('intrinsic', 5, 20)] },
    // A bare global name assigned is the global's property.
    { code: 'fetch = logger;\n[structuredClone, queueMicrotask] = [leak, later];\nWebAssembly.instantiate = spy;', errors: [{ ...at('intrinsic', 1, 1), data: { target: 'fetch' } }, at('intrinsic', 2, 2), at('intrinsic', 2, 19), at('intrinsic', 3, 1)] },
    // Signals are judged by value: SIGUSR1 by number, from os.constants, aliased, destructured; one the gate cannot tell to another process.
    { code: 'process.kill(process.ppid, 10);\nprocess.kill(pid, 5 * 2);\nconst { kill } = process;\nkill(pid, "SIG" + "USR1");\nprocess._kill(pid, 10);', errors: [at('debugger', 1, 1), at('debugger', 2, 1), at('debugger', 4, 1), at('debugger', 5, 1)] },
    { code: 'import os from "node:os";\nprocess.kill(process.ppid, os.constants.signals.SIGUSR1);\nconst { SIGUSR1: wake } = os.constants.signals;\nprocess.kill(1, wake);\nconst table = os.constants.signals;\nprocess.kill(1, table["SIG" + "USR1"]);', errors: [at('debugger', 2, 1), at('debugger', 4, 1), at('debugger', 6, 1)] },
    { code: 'process.kill(process.ppid, require("constants").SIGUSR1);\nprocess.kill(1, ready ? "SIGTERM" : "SIGUSR1");', ...cjs, errors: [at('debugger', 1, 1), at('debugger', 2, 1)] },
    { code: 'import { constants } from "os";\nexport function signal(pid, sig) { process.kill(pid, sig); }\nprocess.kill(process.ppid, constants.signals[name]);\nprocess.kill(process.pid, sig);', errors: [{ ...at('unknownSignal', 2, 36), data: { target: 'process.kill', signal: 'sig' } }, at('unknownSignal', 3, 1), at('unknownSignalToSelf', 4, 1)] },
    // Any known signal to a process that is not the plugin's own or its child: the host, every process, a group, a pid it cannot place.
    { code: 'process.kill(process.ppid, "SIGSTOP");\nprocess.kill(-1, 9);\nprocess.kill(0, "SIGTERM");\nprocess.kill(process.ppid);', errors: [{ ...at('foreignSignal', 1, 1), data: { target: 'process.kill', signal: '"SIGSTOP"', pid: 'process.ppid' } }, at('foreignSignal', 2, 1), at('foreignSignal', 3, 1), { ...at('foreignSignal', 4, 1), data: { target: 'process.kill', signal: 'SIGTERM', pid: 'process.ppid' } }] },
    { code: 'const SIG = { pause: "SIGSTOP", stop: "SIGKILL" };\nprocess.kill(process.ppid, SIG.pause);\nconst { kill } = process; const host = process.ppid;\nkill(host, "SIG" + "KILL");\nprocess["ki" + "ll"](-process.pid, 15);\nReflect.apply(process.kill, process, [process.ppid, 19]);', errors: [at('foreignSignal', 2, 1), at('foreignSignal', 4, 1), at('foreignSignal', 5, 1), at('foreignSignal', 6, 1)] },
    { code: 'import { constants } from "node:os";\nconst ALL = -1;\nexport function stop(pid) { process.kill(pid, constants.signals.SIGKILL); }\nprocess.kill(ALL, constants.signals["SIG" + "CONT"]);\nprocess.kill(process.ppid, [9, 15][0]);', errors: [at('foreignSignal', 3, 29), at('foreignSignal', 4, 1), at('foreignSignal', 5, 1)] },
    // The plugin's process group is not the plugin's own process: the host's other children may share it.
    // Renicing another process (the host, every pid, one the gate cannot place) starves it, however the call is reached.
    {
      code: 'const os = require("os");\nos.setPriority(process.ppid, 19);\nfor (let pid = 2; pid < 32768; pid++) os.setPriority(pid, os.constants.priority.PRIORITY_LOW);\nconst { setPriority: nice } = require("node:os");\nnice(1, -20);\nos["set" + "Priority"](process.ppid, 19);\nReflect.apply(os.setPriority, os, [process.ppid, 19]);\nos.setPriority.call(os, -process.pid, 19);\nos.setPriority(...targets);\nos.setPriority.apply(os, args);',
      ...cjs,
      errors: [{ ...at('foreignPriority', 2, 1), data: { target: 'os.setPriority', pid: 'process.ppid' } }, at('foreignPriority', 3, 39), at('foreignPriority', 5, 1), at('foreignPriority', 6, 1), at('foreignPriority', 7, 1), at('foreignPriority', 8, 1), at('foreignPriority', 9, 1), { ...at('foreignPriority', 10, 1), data: { target: 'os.setPriority', pid: 'a process the gate cannot tell' } }],
    },
    { code: 'import { setPriority } from "os";\nexport function lower(pid) { setPriority(pid, 19); }', errors: [at('foreignPriority', 2, 30)] },
    { code: 'const { sig } = require("./sig.json");\nprocess.kill(-process.pid, sig);\nprocess.kill(-(process.pid), conf.signal);', errors: [at('unknownSignal', 2, 1), at('unknownSignal', 3, 1)] },

    // A declared subclass's parent is the shared built-in: super.prototype in a static member, the prototype chain climbed.
    { code: 'class List extends Array {\n  static install() { super.prototype.includes = function () { return true; }; }\n}', errors: [{ ...at('intrinsic', 2, 22), data: { target: 'Array.prototype.includes' } }] },
    { code: 'class Cache extends Map {}\nconst base = Object.getPrototypeOf(Cache.prototype);\nbase.get = function () {};\nclass Tags extends Set {}\nTags.prototype.__proto__.add = spy;\nconst Later = class extends Promise {};\nObject.getPrototypeOf(Later).prototype["th" + "en"] = spy;', errors: [{ ...at('intrinsic', 3, 1), data: { target: 'Map.prototype.get' } }, { ...at('intrinsic', 5, 1), data: { target: 'Set.prototype.add' } }, { ...at('intrinsic', 7, 1), data: { target: 'Promise.prototype.then' } }] },
    { code: 'class Fail extends Error {}\nObject.defineProperty(Object.getPrototypeOf(Fail.prototype), "toString", { value: spy });\nclass A extends Map {}\nclass B extends A {}\nReflect.getPrototypeOf(Reflect.getPrototypeOf(B.prototype)).set = spy;\nclass R extends RegExp { static { const p = super.prototype; p.test = () => true; } }', errors: [{ ...at('intrinsic', 2, 1), data: { target: 'Error.prototype.toString' } }, { ...at('intrinsic', 5, 1), data: { target: 'Map.prototype.set' } }, { ...at('intrinsic', 6, 62), data: { target: 'RegExp.prototype.test' } }] },
    { code: 'const { EventEmitter } = require("events");\nclass Bus extends EventEmitter { static patch() { super.prototype.emit = spy; } }', ...cjs, errors: [{ ...at('builtinExport', 2, 51), data: { target: 'events.EventEmitter.prototype.emit' } }] },
    // The module loader, however Module was reached.
    // Any other member of it is the loader itself.
    { code: 'const { createRequire, _load } = require("module");', ...cjs, errors: [at('processModule', 1, 34)] },
    { code: 'import * as m from "module";\nconst r = m.createRequire(import.meta.url);\nm._resolveFilename("x");', errors: [at('processModule', 1, 1)] },
    { code: 'const Module = require("module");\nModule._load = function () {};', ...cjs, errors: [at('processModule', 1, 16), { ...at('moduleLoader', 2, 1), data: { target: 'Module._load' } }] },
    { code: 'module.constructor._resolveFilename = (r) => r;', ...cjs, errors: [{ ...at('moduleLoader', 1, 1), data: { target: 'Module._resolveFilename' } }] },
    { code: 'const M = module.constructor;\nconst key = "_com" + "pile";\nM[key] = wrap(M[key]);', ...cjs, errors: [{ ...at('moduleLoader', 3, 1), data: { target: 'Module._compile' } }] },
    { code: 'import Module from "node:module";\nModule._extensions[".js"] = hook;\nModule.prototype.require = hook;', errors: [at('processModule', 1, 1), { ...at('moduleLoader', 2, 1), data: { target: 'Module._extensions[".js"]' } }, { ...at('moduleLoader', 3, 1), data: { target: 'Module.prototype.require' } }] },
    { code: 'import { Module } from "module";\nObject.defineProperty(Module, "_load", { value: hook });', filename: 'a.mjs', errors: [at('processModule', 1, 1), at('moduleLoader', 2, 1)] },
    // require.cache and its entries.
    { code: 'delete require.cache[require.resolve("./config")];', ...cjs, errors: [{ ...at('moduleLoader', 1, 1), data: { target: 'require.cache[…]' } }] },
    { code: 'require.cache[id] = { exports: fake };\nrequire["cache"] = {};', ...cjs, errors: [at('moduleLoader', 1, 1), at('moduleLoader', 2, 1)] },
    { code: 'const cache = require.cache;\nReflect.set(cache, target, evil);\nObject.assign(cache, evil);', ...cjs, errors: [at('moduleLoader', 2, 1), at('moduleLoader', 3, 1)] },
    // Built-in prototypes: plain, computed, via __proto__, via literals, via defineProperty.
    { code: 'Object.prototype.isAdmin = true;', errors: [{ ...at('intrinsic', 1, 1), data: { target: 'Object.prototype.isAdmin' } }] },
    { code: 'Object.prototype["toString"] = () => "x";\nArray.prototype.includes &&= shim;', errors: [{ ...at('intrinsic', 1, 1), data: { target: 'Object.prototype.toString' } }, at('intrinsic', 2, 1)] },
    { code: '({}).__proto__.polluted = 1;\n[].__proto__.map = evil;\n"".constructor.prototype.trim = evil;', errors: [{ ...at('intrinsic', 1, 1), data: { target: 'Object.prototype.polluted' } }, at('intrinsic', 2, 1), at('intrinsic', 3, 1)] },
    { code: 'Function.prototype.__proto__.x = 1;\nPromise.prototype.then = wrap;', errors: [at('intrinsic', 1, 1), at('intrinsic', 2, 1)] },
    { code: 'const proto = Object.getPrototypeOf(async function () {});\nproto.constructor = null;', errors: [{ ...at('intrinsic', 2, 1), data: { target: 'AsyncFunction.prototype.constructor' } }] },
    // The prototype of a built-in's instance is the built-in's: a promise from a factory, a `new` of a built-in class.
    { code: 'const proto = Object.getPrototypeOf(Promise.resolve());\nconst original = proto.then;\nproto.then = function (a, b) { return original.call(this, a, b); };', errors: [{ ...at('intrinsic', 3, 1), data: { target: 'Promise.prototype.then' } }] },
    { code: 'const { getPrototypeOf } = Reflect;\ngetPrototypeOf(new Map()).get = evil;\nnew Set().__proto__.add = evil;', errors: [{ ...at('intrinsic', 2, 1), data: { target: 'Map.prototype.get' } }, { ...at('intrinsic', 3, 1), data: { target: 'Set.prototype.add' } }] },
    { code: 'const P = Promise;\nconst key = "th" + "en";\nObject["getPrototype" + "Of"](P.race([]))[key] = evil;', errors: [{ ...at('intrinsic', 3, 1), data: { target: 'Promise.prototype.then' } }] },
    { code: 'Object.defineProperty(String.prototype, "padStart", { value: evil });\nObject.setPrototypeOf(Array.prototype, null);', errors: [at('intrinsic', 1, 1), { ...at('intrinsic', 2, 1), data: { target: 'Array.prototype.__proto__' } }] },
    { code: 'Object.prototype.__defineGetter__("isAdmin", () => true);\nObject.setPrototypeOf(globalThis, proxy);', errors: [{ ...at('intrinsic', 1, 1), data: { target: 'Object.prototype.isAdmin' } }, { ...at('intrinsic', 2, 1), data: { target: '__proto__' } }] },
    { code: 'const P = (Object as any).prototype as Record<string, unknown>;\nP.x = 1;', filename: 'a.ts', errors: [at('intrinsic', 2, 1)] },
    // Global intrinsics themselves.
    { code: 'Error.prepareStackTrace = (e, frames) => frames;', errors: [{ ...at('intrinsic', 1, 1), data: { target: 'Error.prepareStackTrace' } }] },
    // Swapped for a synchronous block and put back by a finally (the callsites idiom): low. Any other shape stays high.
    {
      code: 'function caller() {\n  const prev = Error.prepareStackTrace;\n  try {\n    Error.prepareStackTrace = (_, s) => s;\n    return new Error().stack[2].getFileName();\n  } finally {\n    Error.prepareStackTrace = prev;\n  }\n}',
      options: [{ minSeverity: 'low' }],
      errors: [at('restoredOverride', 4, 5)],
    },
    { code: 'const P = "prepareStackTrace";\nconst prev = Error[P], limit = Error.stackTraceLimit;\ntry { Error[P] = (_, s) => s; frames = new Error().stack; } finally { Error.stackTraceLimit = limit; Error[P] = prev; }', options: [{ minSeverity: 'low' }], errors: [at('restoredOverride', 3, 7)] },
    { code: 'const saved = Error [ "prepareStackTrace" ];\nError["prepareStackTrace"] = (_, s) => s;\ntry { frames = new Error().stack; } finally { Error["prepareStackTrace"] = saved; }', options: [{ minSeverity: 'low' }], errors: [at('restoredOverride', 2, 1)] },
    // Restored without a finally (a throw leaves it replaced), after an await (others run meanwhile), with another value, through a let.
    // Putting the saved original back changes nothing of its own; the replacement is what is judged.
    { code: 'const prev = Error.prepareStackTrace;\nError.prepareStackTrace = (_, s) => s;\nuse(new Error().stack);\nError.prepareStackTrace = prev;', errors: [at('intrinsic', 2, 1)] },
    { code: 'async function f() { const prev = Math.random; try { Math.random = () => 4; await tick(); } finally { Math.random = prev; } }', errors: [at('intrinsic', 1, 54)] },
    { code: 'const prev = Math.random;\ntry { Math.random = () => 4; } finally { Math.random = other; }', errors: [at('intrinsic', 2, 7), at('intrinsic', 2, 42)] },
    { code: 'let prev = Math.random;\nprev = evil;\ntry { Math.random = () => 4; } finally { Math.random = prev; }', errors: [at('intrinsic', 3, 7), at('intrinsic', 3, 42)] },
    // A saved value put back under another name is a write of that other member.
    { code: 'const prev = Math.random;\nMath.floor = prev;', errors: [at('intrinsic', 2, 1)] },
    // A finally that restores some other member leaves the written one replaced.
    { code: 'const prev = Error.prepareStackTrace;\ntry { Object.prototype.polluted = 1; } finally { Error.prepareStackTrace = prev; }', errors: [at('intrinsic', 2, 7)] },
    { code: 'const prev = Math.random;\ntry { Math.floor = () => 4; } finally { Math.random = prev; }', errors: [at('intrinsic', 2, 7)] },
    // A restore that a statement before it can skip (return, throw, a call that throws, a condition) is no restore.
    { code: 'function f() {\n  const prev = Math.random;\n  try { Math.random = () => 4; } finally { return 1; Math.random = prev; }\n}', errors: [at('intrinsic', 3, 9)] },
    { code: 'const prev = Math.random;\ntry { Math.random = () => 4; } finally { cleanup(); Math.random = prev; }\nfunction cleanup() { throw 0; }', errors: [at('intrinsic', 2, 7)] },
    { code: 'const prev = Math.random;\ntry { Math.random = () => 4; } finally { if (done) Math.random = prev; }', errors: [at('intrinsic', 2, 7)] },
    // The same text naming another place: a shadowing binding, a key changed in between, a sequence that calls first.
    { code: 'const o = { toString() { return "x"; } };\nconst saved = o.toString;\nfunction go() { const o = Object.prototype; o.toString = saved; }', errors: [at('intrinsic', 3, 45)] },
    { code: 'let k = "toString";\nconst saved = Object.prototype[k];\nk = "polluted";\nObject.prototype[k] = saved;', errors: [at('intrinsic', 4, 1)] },
    { code: 'const prev = Math.random;\ntry { Math.random = () => 4; } finally { Math.random = (leave(), prev); }', errors: [at('intrinsic', 2, 7), at('intrinsic', 2, 42)] },
    // A chain that can change under its const names (globalThis.Math written in between), and names a with looks up each time.
    { code: 'const prev = globalThis.Math.random;\ntry { globalThis.Math.random = () => 4; globalThis.Math = {}; } finally { globalThis.Math.random = prev; }', options: [{ minSeverity: 'low' }], errors: [at('intrinsic', 2, 7), at('intrinsic', 2, 41), at('intrinsic', 2, 75)] },
    { code: 'with (scope) { const prev = Math.random; try { Math.random = () => 4; } finally { Math.random = prev; } }', ...cjs, errors: [at('intrinsic', 1, 48), at('intrinsic', 1, 83)] },
    // Other code runs at a for await or an await using while the replacement is in place.
    { code: 'async function f(src) { const prev = Math.random; try { Math.random = () => 4; for await (const x of src) use(x); } finally { Math.random = prev; } }', errors: [at('intrinsic', 1, 57)] },
    { code: 'Math.random = () => 4;\nglobalThis.JSON = fakeJson;\nReflect.apply = spy;', errors: [{ ...at('intrinsic', 1, 1), data: { target: 'Math.random' } }, { ...at('intrinsic', 2, 1), data: { target: 'JSON' } }, at('intrinsic', 3, 1)] },
    { code: 'window["fe" + "tch"] = logger;\ndelete global.Buffer;', ...cjs, errors: [at('intrinsic', 1, 1), at('intrinsic', 2, 1)] },
    // Modules that reach into the running process.
    { code: 'import inspector from "node:inspector";\nimport v8 from "v8";', errors: [{ ...at('processModule', 1, 1), data: { module: 'inspector' } }, at('processModule', 2, 1)] },
    { code: 'const repl = require("repl"); const t = require("trace_" + "events"); import("inspector/promises");', ...cjs, errors: [at('processModule', 1, 14), at('processModule', 1, 41), at('processModule', 1, 71)] },
    // Built-in modules' exports, process methods, shared prototypes: every other module sees the change.
    // A promise of the module hands it to then's callback and to await: writes there are writes to the module's exports.
    { code: 'Promise.resolve(require("crypto")).then((c) => { c.timingSafeEqual = () => true; });\n(async () => { const k = await Promise.resolve(require("node:crypto")); k["random" + "Bytes"] = fixed; })();', ...cjs, errors: [{ messageId: 'builtinExport', line: 1, column: 50, data: { target: 'crypto.timingSafeEqual' } }, { messageId: 'builtinExport', line: 2, column: 73, data: { target: 'crypto.randomBytes' } }] },
    { code: 'const crypto = require("crypto");\ncrypto.createHash = evil;\nrequire("node:https")["re" + "quest"] = spy;', ...cjs, errors: [{ messageId: 'builtinExport', line: 2, column: 1, data: { target: 'crypto.createHash' } }, { messageId: 'builtinExport', line: 3, column: 1 }] },
    { code: 'import { EventEmitter } from "node:events";\nEventEmitter.prototype.emit = hook;\nObject.assign(require("fs"), { readFileSync: steal });', ...cjs, errors: [{ messageId: 'builtinExport', line: 2, column: 1, data: { target: 'events.EventEmitter.prototype.emit' } }, { messageId: 'builtinExport', line: 3, column: 1 }] },
    { code: 'process.emit = patched;\nprocess["reallyExit"] = noop;', errors: [{ messageId: 'processMethod', line: 1, column: 1, data: { target: 'process.emit' } }, { messageId: 'processMethod', line: 2, column: 1 }] },
    // A merge or path-set helper handed a polluting key: the call is reported, not the helper.
    { code: 'function merge(t, s) { for (const k in s) { if (typeof s[k] === "object") { t[k] = t[k] || {}; merge(t[k], s[k]); } else t[k] = s[k]; } }\nmerge({}, JSON.parse(\'{"__proto__": {"isAdmin": true}}\'));', errors: [{ messageId: 'pollutingCall', line: 2, column: 1, data: { helper: 'merge', key: '__proto__' } }] },
    { code: 'const assignPath = (obj, path, v) => { const parts = path.split("."); let o = obj; while (parts.length > 1) { const p = parts.shift(); o = o[p] = o[p] || {}; } o[parts[0]] = v; };\nassignPath({}, "__pro" + "to__.polluted", "yes");', errors: [{ messageId: 'pollutingCall', line: 2, column: 1, data: { helper: 'assignPath', key: '__proto__.polluted' } }] },
    { code: 'function put(o, keys, v) { for (const k of keys.slice(0, -1)) o = o[k] ??= {}; o[keys.at(-1)] = v; }\nconst c = "constructor";\nput({}, [c, "prototype", "isAdmin"], true);', errors: [{ messageId: 'pollutingCall', line: 3, column: 1, data: { helper: 'put', key: 'constructor.prototype.isAdmin' } }] },
    { code: 'import _ from "lodash";\n_.set({}, ["constructor", "prototype", "isAdmin"], true);\n_.defaultsDeep({}, JSON.parse(\'{"a": {"constructor": {"prototype": {"x": 1}}}}\'));', errors: [{ messageId: 'pollutingCall', line: 2, column: 1, data: { helper: 'lodash:set', key: 'constructor.prototype.isAdmin' } }, { messageId: 'pollutingCall', line: 3, column: 1, data: { helper: 'lodash:defaultsDeep', key: 'a.constructor.prototype' } }] },
    // A prototype reached from an object and written: by any key through a reflected prototype, by a fixed key through __proto__ or constructor.prototype.
    { code: 'Object.getPrototypeOf(user)[key] = value;\nReflect.getPrototypeOf(obj)[name] = 1;', errors: [{ messageId: 'pollution', line: 1, column: 1 }, { messageId: 'pollution', line: 2, column: 1 }] },
    { code: 'obj.__proto__.isAdmin = true;\nconst k = "__pro" + "to__";\ntarget[k].polluted = 1;\nreq.body["constructor"]["prototype"].role = "admin";', errors: [{ messageId: 'prototypeWrite', line: 1, column: 1, data: { target: 'obj.__proto__.isAdmin' } }, { messageId: 'prototypeWrite', line: 3, column: 1 }, { messageId: 'prototypeWrite', line: 4, column: 1 }] },
    // The same prototypes written by the reflective writers.
    { code: 'Object.assign(obj.__proto__, payload);\nObject.defineProperty(Object.getPrototypeOf(o), name, { value: 1 });\nReflect.set(o.constructor.prototype, "isAdmin", true);', errors: [{ messageId: 'pollution', line: 1, column: 1 }, { messageId: 'pollution', line: 2, column: 1 }, { messageId: 'prototypeWrite', line: 3, column: 1 }] },
    // Prototype pollution through a key chosen at run time, however the prototype is reached.
    { code: 'function merge(t, s) { for (const k in s) t.__proto__[k] = s[k]; }', errors: [{ messageId: 'pollution', line: 1, column: 43 }] },
    { code: 'obj.constructor.prototype[key] = value;\ntarget["__pro" + "to__"][name] = 1;', errors: [{ messageId: 'pollution', line: 1, column: 1 }, { messageId: 'pollution', line: 2, column: 1 }] },
    // Loader hooks, reading the compilers table, and waking the inspector.
    { code: 'import { register } from "node:module";\nregister("./hooks.mjs", import.meta.url);', errors: [{ messageId: 'processModule', line: 1, column: 1 }, { messageId: 'loaderHook', line: 2, column: 1 }] },
    { code: 'const js = require.extensions[".js"];\nconst { _extensions } = module.constructor;\n_extensions[".js"](m, f);', ...cjs, errors: [{ messageId: 'loaderRead', line: 1, column: 12 }] },
    { code: 'process.kill(process.pid, "SIG" + "USR1");\nprocess._debugProcess(pid);', errors: [{ messageId: 'debugger', line: 1, column: 1 }, { messageId: 'debugger', line: 2, column: 1 }] },
    // A polyfill that fills a gap is only low.
    { code: 'if (!Array.prototype.findLast) Array.prototype.findLast = function () {};\nString.prototype.at ||= at;\nif (typeof Object.hasOwn !== "function") { Object.hasOwn = own; }', options: [{ minSeverity: 'low' }], errors: [{ messageId: 'polyfill', line: 1, column: 32 }, { messageId: 'polyfill', line: 2, column: 1 }, { messageId: 'polyfill', line: 3, column: 44 }] },
    { code: 'if (Array.prototype.findLast) Array.prototype.findLast = mine;', errors: [{ messageId: 'intrinsic', line: 1, column: 31 }] },
    // A symbol key names no intrinsic of the global object, but a prototype written by one is still changed.
    { code: 'Object.prototype[Symbol.for("x")] = 1;\nconst k = Symbol("y");\nArray.prototype[k] = f;\nPromise.prototype[Symbol.iterator] = g;', errors: [{ ...at('intrinsic', 1, 1), data: { target: 'Object.prototype[symbol]' } }, { ...at('intrinsic', 3, 1), data: { target: 'Array.prototype[symbol]' } }, { ...at('intrinsic', 4, 1), data: { target: 'Promise.prototype[symbol]' } }] },
    // A promise's value: what Promise.resolve, a local async function or a then callback settles with, reached by then or await.
    // An EventTarget's listener gets the event dispatched, a CustomEvent's `detail` what its init holds.
    {
      code: 'const t = new EventTarget();\nt.addEventListener("go", (e) => { e.detail.prototype.at = spy; });\nt.dispatchEvent(new CustomEvent("go", { detail: Array }));',
      ...cjs,
      errors: [{ ...at('heldShared', 2, 35), data: { target: 'Array.detail.prototype.at', through: 'e.detail.prototype' } }],
    },
    // A part of what a promise settles with: a destructured `then` parameter, a name destructured from `await`, and
    // `events.once`, whose promise holds that event's emitted arguments.
    {
      code: 'Promise.resolve([Array]).then(([P]) => { P.prototype.at = spy; });\nasync function go() { const { codec } = await Promise.resolve({ codec: JSON }); codec.parse = spy; }\nconst { once, EventEmitter } = require("events");\nconst bus = new EventEmitter();\nonce(bus, "ready").then(([O]) => { O.prototype.toString = spy; });\nbus.emit("ready", Object);',
      ...cjs,
      errors: [
        { ...at('heldShared', 1, 42), data: { target: 'Array.prototype.at', through: 'P.prototype' } },
        { ...at('heldShared', 2, 81), data: { target: 'JSON.parse', through: 'codec' } },
        { ...at('heldShared', 5, 36), data: { target: 'Object.prototype.toString', through: 'O.prototype' } },
      ],
    },
    { code: 'Promise.resolve(JSON).then((x) => { x.parse = wrapped; });\nasync function proto() { return Object.prototype; }\nproto().then((p) => { p.isAdmin = true; });\nasync function run() { const A = await Promise.resolve(Array.prototype); A.includes = () => true; (await proto()).then = hook; }\nPromise.resolve(1).then(() => Math).then((M) => { M.random = () => 4; });', errors: [{ ...at('heldShared', 1, 37), data: { target: 'JSON.parse', through: 'x' } }, { ...at('intrinsic', 3, 23), data: { target: 'Object.prototype.isAdmin' } }, { ...at('heldShared', 4, 74), data: { target: 'Array.prototype.includes', through: 'A' } }, { ...at('intrinsic', 4, 99), data: { target: 'Object.prototype.then' } }, { ...at('heldShared', 5, 51), data: { target: 'Math.random', through: 'M' } }] },
    // The global object written by a key the gate cannot fold: any intrinsic (`fetch`, `JSON`…) may be the one replaced.
    { code: 'import { NAME } from "./names.mjs";\nconst orig = globalThis[NAME];\nglobalThis[NAME] = (url, init) => orig(url, init);\nObject.defineProperty(globalThis, name, { value: spy });\nfor (const k of Object.keys(fakes)) global[k] = fakes[k];\nif (!globalThis[other]) globalThis[NAME] = impl;', errors: [{ ...at('intrinsic', 3, 1), data: { target: 'globalThis[…]' } }, { ...at('intrinsic', 4, 1), data: { target: 'globalThis[…]' } }, { ...at('intrinsic', 5, 37), data: { target: 'globalThis[…]' } }, { ...at('intrinsic', 6, 25), data: { target: 'globalThis[…]' } }] },
    { code: 'for (const name of names) if (typeof globalThis[name] === "undefined") globalThis[name] = shims[name];\nglobalThis[key] ??= fallback;', options: [{ minSeverity: 'low' }], errors: [{ ...at('polyfill', 1, 72), data: { target: 'globalThis[…]' } }, { ...at('polyfill', 2, 1), data: { target: 'globalThis[…]' } }] },
    // Polluting data handed to a function the gate cannot read: imported, a parameter, a method of an unknown object.
    { code: 'const { merge } = require("./lib/merge");\nconst settings = merge({}, JSON.parse(\'{"theme":"dark","__proto__":{"isAdmin":true}}\'));', ...cjs, errors: [{ messageId: 'pollutingHandOff', line: 2, column: 18, data: { helper: 'merge', key: '__proto__' } }] },
    { code: 'import deep from "./deep.mjs";\nimport * as util from "some-utils";\nconst payload = \'{"a": {"constructor": {"prototype": {"x": 1}}}}\';\ndeep(defaults, JSON.parse(payload));\nutil.assignPath(state, "__pro" + "to__.polluted", true);\nfunction apply(fn) { fn({}, ["constructor", "prototype", "isAdmin"], 1); }', errors: [{ messageId: 'pollutingHandOff', line: 4, column: 1, data: { helper: 'deep', key: 'a.constructor.prototype' } }, { messageId: 'pollutingHandOff', line: 5, column: 1, data: { helper: 'assignPath', key: '__proto__.polluted' } }, { messageId: 'pollutingHandOff', line: 6, column: 22, data: { helper: 'fn', key: 'constructor.prototype.isAdmin' } }] },
    { code: 'const lib = require("./helpers");\nconst evil = { ["__proto__"]: { isAdmin: true } };\nlib.extend(true, {}, evil);', ...cjs, errors: [{ messageId: 'pollutingHandOff', line: 3, column: 1, data: { helper: 'extend', key: '__proto__' } }] },
    // Round 7: shapes that hand a shared value back out — a getter, a WeakRef, a proxy, a bound definer, a tag's substitutions, `arguments`.
    { code: 'const shapes = { get list() { return Array.prototype; } };\nshapes.list.includes = () => true;', errors: [{ ...at('heldShared', 2, 1), data: { target: 'Array.prototype.includes', through: 'shapes.list' } }] },
    { code: 'const o = { get ["j" + "son"]() { const J = JSON; return J; } };\nconst { json } = o;\njson.parse = f;\nclass Box { get p() { return Promise.prototype; } }\nnew Box().p.then = hook;\nclass S { static get base() { return Object.getPrototypeOf({}); } static m = Math; }\nS.base.isAdmin = true;\nS["m"].random = () => 4;', errors: [{ ...at('heldShared', 3, 1), data: { target: 'JSON.parse', through: 'json' } }, { ...at('heldShared', 5, 1), data: { target: 'Promise.prototype.then', through: 'new Box().p' } }, { ...at('heldShared', 7, 1), data: { target: 'Object.prototype.isAdmin', through: 'S.base' } }, { ...at('heldShared', 8, 1), data: { target: 'Math.random', through: 'S["m"]' } }] },
    { code: 'new WeakRef(Object.prototype).deref().isAdmin = true;\nconst ref = new WeakRef(Array.prototype);\nconst P = ref.deref();\nObject.defineProperty(P, "includes", { value: () => true });\nconst refs = [new WeakRef(JSON)];\nfor (const r of refs) r.deref().parse = f;', errors: [{ ...at('heldShared', 1, 1), data: { target: 'Object.prototype.isAdmin', through: 'new WeakRef(Object.prototype).deref()' } }, { ...at('heldShared', 4, 1), data: { target: 'Array.prototype.includes', through: 'P' } }, { ...at('heldShared', 6, 23), data: { target: 'JSON.parse', through: 'r.deref()' } }] },
    { code: 'new Proxy(JSON, {}).parse = wrapped;\nconst p = new Proxy(Array.prototype, { get: (t, k) => t[k] });\np.includes = () => true;\nconst { proxy } = Proxy.revocable(Object.prototype, {});\nproxy.isAdmin = true;\nReflect.set(new Proxy(Math, {}), "random", () => 4);', errors: [{ ...at('heldShared', 1, 1), data: { target: 'JSON.parse', through: 'new Proxy(JSON, {})' } }, { ...at('heldShared', 3, 1), data: { target: 'Array.prototype.includes', through: 'p' } }, { ...at('heldShared', 5, 1), data: { target: 'Object.prototype.isAdmin', through: 'proxy' } }, { ...at('heldShared', 6, 1), data: { target: 'Math.random', through: 'new Proxy(Math, {})' } }] },
    { code: 'const def = Object.defineProperty.bind(Object, Array.prototype);\ndef("includes", { value: () => true });\nconst put = Reflect.set.bind(null, JSON, "parse");\nput(wrapped);\nconst assign = Object.assign.bind(Object);\nconst into = assign.bind(null, Promise.prototype);\ninto({ then: hook });\nObject.defineProperty.bind(null, String.prototype)("trim", { value: evil });', errors: [{ ...at('intrinsic', 2, 1), data: { target: 'Array.prototype.includes' } }, { ...at('intrinsic', 4, 1), data: { target: 'JSON.parse' } }, { ...at('intrinsic', 7, 1), data: { target: 'Promise.prototype.then' } }, { ...at('intrinsic', 8, 1), data: { target: 'String.prototype.trim' } }] },
    { code: 'function tag(strings, target) { target.isAdmin = true; return strings.join(""); }\nconst label = tag`notes${Object.prototype}`;\nconst mark = (s, a, b) => { b.includes = () => true; };\nmark`${1} and ${Array.prototype}`;', errors: [{ ...at('intrinsic', 1, 33), data: { target: 'Object.prototype.isAdmin' } }, { ...at('intrinsic', 3, 29), data: { target: 'Array.prototype.includes' } }] },
    { code: 'function install() { const orig = arguments[0].then; arguments[0].then = function (a, b) { return orig.call(this, a, b); }; }\ninstall(Promise.prototype);\nfunction all() { for (const P of arguments) P.at = spy; const [, J] = arguments; J.parse = f; }\nall(Array.prototype, JSON);\nfunction nth(i) { const a = arguments; a[i].random = () => 4; }\nnth(1, Math);', errors: [{ ...at('heldShared', 1, 54), data: { target: 'Promise.prototype.then', through: 'arguments[0]' } }, { ...at('heldShared', 3, 45), data: { target: 'Array.prototype.at', through: 'P' } }, { ...at('heldShared', 3, 82), data: { target: 'JSON.parse', through: 'J' } }, { ...at('heldShared', 5, 40), data: { target: 'Math.random', through: 'a[i]' } }] },
  ],
});
