import rule from '../../rules/no-runtime-tampering.js';
import { commonjs as cjs, ruleTester as tester } from './rule-tester.js';

const at = (messageId: string, line: number, column: number) => ({ messageId, line, column });

tester.run('no-runtime-tampering', rule, {
  valid: [
    // A class's own prototype, and local objects named like intrinsics.
    'class Player {}\nPlayer.prototype.play = function () {};\nfunction Track() {}\nTrack.prototype.name = "x";',
    'const Math = { random: () => 4 }; Math.random = () => 5; const JSON = {}; JSON.x = 1;',
    'function patch(Object) { Object.prototype.x = 1; }',
    // Reading the module cache, and ordinary exports.
    { code: 'const loaded = Object.keys(require.cache); const m = require.cache[require.resolve("./a")];', ...cjs },
    { code: 'Object.defineProperty(exports, "__esModule", { value: true }); module.exports.x = 1; exports.y = 2;', ...cjs },
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
  ],
  invalid: [
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
    { code: 'Math.random = () => 4;\nglobalThis.JSON = fakeJson;\nReflect.apply = spy;', errors: [{ ...at('intrinsic', 1, 1), data: { target: 'Math.random' } }, { ...at('intrinsic', 2, 1), data: { target: 'JSON' } }, at('intrinsic', 3, 1)] },
    { code: 'window["fe" + "tch"] = logger;\ndelete global.Buffer;', ...cjs, errors: [at('intrinsic', 1, 1), at('intrinsic', 2, 1)] },
    // Modules that reach into the running process.
    { code: 'import inspector from "node:inspector";\nimport v8 from "v8";', errors: [{ ...at('processModule', 1, 1), data: { module: 'inspector' } }, at('processModule', 2, 1)] },
    { code: 'const repl = require("repl"); const t = require("trace_" + "events"); import("inspector/promises");', ...cjs, errors: [at('processModule', 1, 14), at('processModule', 1, 41), at('processModule', 1, 71)] },
    // Built-in modules' exports, process methods, shared prototypes: every other module sees the change.
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
  ],
});
