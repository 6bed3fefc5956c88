import { describe, expect, it } from 'vitest';
import { Resolver } from '../../../rules/utils/resolve.js';
import { childNodes, type AnyNode } from '../../../rules/utils/ast.js';
import { probe, resolveName, type ProbeOptions } from './probe.js';

const cjs = { sourceType: 'commonjs' as const };
const script = { sourceType: 'script' as const };

/** What the resolver names the first node, in source order, that `pick` gives for a node of `code`. */
function resolvedFirst(code: string, pick: (node: AnyNode) => AnyNode | undefined, options: ProbeOptions = cjs): string | undefined {
  return probe(`${code}\n0;`, (resolver, _expression, context) => {
    const find = (node: AnyNode): AnyNode | undefined => pick(node) ?? childNodes(node).map(find).find(Boolean);
    return Resolver.nameOf(resolver.resolve(find(context.sourceCode.ast as unknown as AnyNode)!));
  }, options);
}

const thisMemberRead = (node: AnyNode) => (node.type === 'MemberExpression' && node.object.type === 'ThisExpression' ? node : undefined);

describe('identity resolution', () => {
  it('resolves globals however they are spelled', () => {
    expect(resolveName('eval')).toBe('eval');
    expect(resolveName('(0, eval)')).toBe('eval');
    expect(resolveName('globalThis["ev" + "al"]')).toBe('eval');
    expect(resolveName('window.eval')).toBe('eval');
    expect(resolveName('self[`eval`]')).toBe('eval');
    expect(resolveName('global.process.env', cjs)).toBe('process.env');
    expect(resolveName('Reflect.get(globalThis, "eval")')).toBe('eval');
    expect(resolveName('Function("return this")().eval')).toBe('eval');
    expect(resolveName('(function () { return this; })().eval', script)).toBe('eval');
    expect(resolveName('(globalThis as any).eval', { filename: 'a.ts' })).toBe('eval');
  });

  it('follows aliases, late single assignments, destructuring and bind', () => {
    expect(resolveName('const e = eval; e')).toBe('eval');
    expect(resolveName('let e; e = globalThis.eval; e')).toBe('eval');
    expect(resolveName('const { binding: b } = process; b')).toBe('process.binding');
    expect(resolveName('const run = eval.bind(null); run')).toBe('eval');
  });

  it('does not treat local declarations, parameters, reassigned variables or methods as globals', () => {
    expect(resolveName('function eval(s) { return s; } eval', script)).not.toBe('eval');
    expect(resolveName('const Function = (x) => x; Function')).not.toBe('Function');
    expect(resolveName('let e = eval; e = (x) => x; e')).toBeUndefined();
    expect(resolveName('function f(eval) { return eval; } f')).not.toBe('eval');
    expect(resolveName('const api = connect(); api.eval')).toBeUndefined();
    expect(resolveName('function f() { return this.eval; } f()')).toBeUndefined();
  });

  it('names module members through require, import, import() and createRequire', () => {
    expect(resolveName('require("child_process").exec', cjs)).toBe('child_process:exec');
    expect(resolveName('const { exec: run } = require("node:child_process"); run', cjs)).toBe('child_process:exec');
    expect(resolveName('import { exec } from "child_process"; exec')).toBe('child_process:exec');
    expect(resolveName('import * as cp from "node:child_process"; cp.spawn')).toBe('child_process:spawn');
    expect(resolveName('const fs = await import("fs"); fs.readFile')).toBe('fs:readFile');
    expect(resolveName('import { createRequire } from "node:module"; const r = createRequire(import.meta.url); r("vm").Script')).toBe('vm:Script');
    expect(resolveName('require(name).x', cjs)).toBe('*:x');
    expect(resolveName('import("vm").then((vm) => vm.Script)', { filename: 'a.mjs' })).toBeUndefined();
    expect(probe('import("node:vm").then((vm) => vm.Script);', (resolver, expression) => {
      const body = expression.arguments[0].body;
      return Resolver.nameOf(resolver.resolve(body));
    })).toBe('vm:Script');
    expect(resolveName('function f(cp) { return cp.exec; } f')).not.toContain('child_process');
    // A promise made with an executor holds what every call of its resolve agrees on.
    const thenBody = (code: string) => probe(code, (resolver, expression) => Resolver.nameOf(resolver.resolve(expression.arguments[0].body)));
    expect(thenBody('new Promise(function (done) { done(require("child_process")); }).then((cp) => cp.exec);')).toBe('child_process:exec');
    expect(thenBody('new Promise((done) => { if (x) done(globalThis); else done(global); }).then((g) => g.process);')).toBe('process');
    expect(thenBody('new Promise((done) => { done(require("fs")); done(require("os")); }).then((m) => m.x);')).toBeUndefined();
    expect(thenBody('new Promise((done) => setTimeout(done, 9, require("fs"))).then((m) => m.x);')).toBeUndefined();
  });

  it('normalises the roads to require', () => {
    expect(resolveName('module.require', cjs)).toBe('require');
    expect(resolveName('process.mainModule.require', cjs)).toBe('require');
    expect(resolveName('module.constructor._load', cjs)).toBe('require');
    expect(resolveName('require("module").prototype.require', cjs)).toBe('require');
  });

  it('turns constructor chains into the Function constructors', () => {
    expect(resolveName('[].constructor.constructor')).toBe('Function');
    expect(resolveName('""["constr" + "uctor"]["constructor"]')).toBe('Function');
    expect(resolveName('x.constructor.constructor')).toBe('Function');
    expect(resolveName('function f() {} f.constructor')).toBe('Function');
    expect(resolveName('(async function () {}).constructor')).toBe('AsyncFunction');
    expect(resolveName('Object.getPrototypeOf(function* () {}).constructor')).toBe('GeneratorFunction');
    expect(resolveName('Object.getPrototypeOf(async function* () {}).constructor')).toBe('AsyncGeneratorFunction');
  });

  it("names a Node object's class by its constructor: tty's and the standard streams' is net.Socket", () => {
    expect(resolveName('import tty from "node:tty"; Object.getPrototypeOf(tty.ReadStream.prototype).constructor')).toBe('net:Socket');
    expect(resolveName('import { WriteStream } from "tty"; WriteStream.__proto__')).toBe('net:Socket');
    expect(resolveName('process.stdout.constructor')).toBe('net:Socket');
    expect(resolveName('Reflect.getPrototypeOf(process.stdin).constructor.prototype')).toBe('net:Socket.prototype');
    expect(resolveName('import net from "net"; new net.Server().constructor')).toBe('net:Server');
    // Three prototypes up is stream.Duplex, no socket; the streams themselves are not classes.
    expect(resolveName('process.stdout.__proto__.__proto__.__proto__.constructor')).not.toBe('net:Socket');
    expect(resolveName('process.stdout.write')).toBe('process.stdout.write');
  });

  it("names literals' prototypes and constructors as the intrinsics they are", () => {
    expect(resolveName('({}).__proto__')).toBe('Object.prototype');
    expect(resolveName('[].__proto__')).toBe('Array.prototype');
    expect(resolveName('"".constructor')).toBe('String');
    expect(resolveName('(1).constructor.prototype')).toBe('Number.prototype');
    expect(resolveName('/x/.__proto__')).toBe('RegExp.prototype');
    expect(resolveName('Object.getPrototypeOf([])')).toBe('Array.prototype');
    expect(resolveName('null')).toBeUndefined();
  });

  it('marks a key it cannot fold as DYNAMIC instead of guessing', () => {
    expect(resolveName('globalThis[k]')).toBe('*');
    expect(resolveName('process[k]')).toBe('process.*');
  });
});

describe('call normalisation', () => {
  const normalized = (code: string, options = {}) =>
    probe(
      code,
      (resolver, expression) => {
        const call = resolver.normalizeCall(expression);
        return { callee: Resolver.nameOf(call.callee), args: call.args?.map((arg) => resolver.folder.fold(arg)?.value), isNew: call.isNew };
      },
      options,
    );

  it('sees through .call, .apply, Reflect.apply and Reflect.construct', () => {
    expect(normalized('eval.call(null, "a")')).toEqual({ callee: 'eval', args: ['a'], isNew: false });
    expect(normalized('eval.apply(null, ["a"])')).toEqual({ callee: 'eval', args: ['a'], isNew: false });
    expect(normalized('Reflect.apply(eval, undefined, ["a"])')).toEqual({ callee: 'eval', args: ['a'], isNew: false });
    expect(normalized('Reflect.construct(Function, ["a", "b"])')).toEqual({ callee: 'Function', args: ['a', 'b'], isNew: true });
    expect(normalized('new Function("x")')).toEqual({ callee: 'Function', args: ['x'], isNew: true });
  });

  it('says so when the arguments cannot be known', () => {
    expect(normalized('eval.apply(null, args)').args).toBeUndefined();
  });

  it('puts the arguments .bind fixed first, through names and bound twice', () => {
    expect(normalized('const def = Object.defineProperty.bind(Object, "a");\ndef("b", "c")')).toEqual({ callee: 'Object.defineProperty', args: ['a', 'b', 'c'], isNew: false });
    expect(normalized('const f = eval.bind(null);\nconst g = f.bind(null, "x");\ng.call(null, "y")')).toEqual({ callee: 'eval', args: ['x', 'y'], isNew: false });
    expect(normalized('Reflect.set.bind(null, "o")("k", 1)')).toEqual({ callee: 'Reflect.set', args: ['o', 'k', 1], isNew: false });
    expect(normalized('const log = console.log;\nlog("z")')).toEqual({ callee: 'console.log', args: ['z'], isNew: false });
  });

  it('recognises every spelling of require and folds its specifier', () => {
    const required = (code: string) => probe(code, (resolver, expression) => resolver.requireCall(expression)?.specifier ?? null, cjs);
    expect(required('require("child_" + "process")')).toBe('child_process');
    expect(required('const r = require; r("fs")')).toBe('fs');
    expect(required('require.call(null, "net")')).toBe('net');
    expect(required('module.constructor._load("dns")')).toBe('dns');
    expect(required('require(name)')).toBeNull();
    expect(required('function require(n) { return n; } require("fs")')).toBeNull();
    expect(required('loader.require("fs")')).toBeNull();
  });
});

describe('declared functions', () => {
  it('finds the function an identifier names, and nothing for other bindings', () => {
    const declared = (code: string) => probe(code, (resolver, expression) => resolver.declaredFunction(expression)?.type ?? null);
    expect(declared('function d(s) { return s; } d')).toBe('FunctionDeclaration');
    expect(declared('const d = (s) => s; d')).toBe('ArrowFunctionExpression');
    expect(declared('const d = other; d')).toBeNull();
    expect(declared('eval')).toBeNull();
  });
});

describe('TypeScript import-equals', () => {
  it('names members of a module loaded with `import x = require()`', () => {
    expect(resolveName('import vm = require("node:vm"); vm.runInThisContext', { filename: 'a.ts' })).toBe('vm:runInThisContext');
  });
});

describe('following values through the file', () => {
  it('binds a parameter to what every call of a local function passes', () => {
    expect(probe('function load(l, n) { return l(n); } load(require, "fs")', (resolver, expression) => {
      const fn = resolver.declaredFunction(expression.callee)!;
      return Resolver.nameOf(resolver.resolve(fn.params[0]));
    }, cjs)).toBe('require');
    expect(resolveName('function load(l, n) { return l(n); } load(require, "child_process").execSync', cjs)).toBe('child_process:execSync');
    expect(resolveName('(function (g) { return g; })(globalThis).eval')).toBe('eval');
    // Different things at different calls, or an exported function: unknown.
    expect(resolveName('function pick(x) { return x; } pick(require); pick(other).y; pick(eval)')).toBeUndefined();
    expect(resolveName('export function pick(x) { return x; } pick(eval)')).toBeUndefined();
    // One of the functions a name may be given (TypeScript's `(this && this.f) || function …`) runs at each call of the name.
    const execRead = (node: AnyNode) => (node.type === 'MemberExpression' && node.property.name === 'execSync' ? node : undefined);
    expect(resolvedFirst('var run = (this && this.run) || (fast ? function (m) { return m.execSync; } : slow);\nrun(require("child_process"));', execRead)).toBe('child_process:execSync');
    expect(resolvedFirst('var run = (this && this.run) || function (m) { return m.execSync; };\nrun(require("child_process")); hand(run);', execRead)).toBeUndefined();
  });

  it('resolves a call of a local function to what all its returns agree on', () => {
    expect(resolveName('function getRequire() { return require; } getRequire()', cjs)).toBe('require');
    expect(resolveName('const g = () => globalThis; g().process')).toBe('process');
    expect(resolveName('async function m() { return import("vm"); } (await m()).Script')).toBe('vm:Script');
    expect(resolveName('function f(x) { if (x) return require; return eval; } f(1)', cjs)).toBeUndefined();
    expect(resolveName('function f() { return require; } f = other; f()', cjs)).toBeUndefined();
  });

  it('resolves a call of a method a literal the file keeps to itself holds to what the method returns', () => {
    // Taken off the object, a sloppy method's `this` is the global object, and so is what it returns.
    expect(resolveName('const probe = { self() { return this; } };\n(0, probe.self)().process.binding', cjs)).toBe('process.binding');
    expect(resolveName('const probe = { self() { return this; } };\nconst f = probe["se" + "lf"]; f().process', cjs)).toBe('process');
    expect(resolveName('const probe = { self: function () { return this; } };\nprobe.self.call(null).eval', cjs)).toBe('eval');
    expect(resolveName('const api = { get: () => require("child_process") };\n(0, api.get)().execSync', cjs)).toBe('child_process:execSync');
    expect(resolveName('const probe = { self() { return this; } };\nconst list = [probe.self];\nlist[0]().process', cjs)).toBe('process');
    // Called as a method, `this` is the literal, which is then handed out: neither it nor the call is followed.
    expect(resolveName('const o = { self() { return this; } };\no.self().process', cjs)).toBeUndefined();
    expect(resolveName('const o = { self() { return this; } };\nconst g = (0, o.self)(); o.self().process', cjs)).toBeUndefined();
    // A method rewritten, or a literal handed on, holds something the gate no longer knows.
    expect(resolveName('const o = { self() { return this; } };\no.self = other; (0, o.self)().process', cjs)).toBeUndefined();
    expect(resolveName('const o = { self() { return this; } };\nmix(o); (0, o.self)().process', cjs)).toBeUndefined();
  });

  it('reads a stored value back out of a literal the file keeps to itself', () => {
    expect(resolveName('const api = { load: require }; api.load', cjs)).toBe('require');
    expect(resolveName('const api = { sub: { e: eval } }; api.sub["e"]')).toBe('eval');
    expect(resolveName('const list = [process]; list[0].binding')).toBe('process.binding');
    // A literal that is written to, passed on, spread or read through `this` is not followed.
    expect(resolveName('const api = { load: require }; api.load = other; api.load', cjs)).not.toBe('require');
    expect(resolveName('const api = { load: require }; helper(api); api.load', cjs)).not.toBe('require');
    expect(resolveName('const api = { ...base, e: eval }; api.e')).not.toBe('eval');
  });

  it("resolves a sloppy function's `this` to the global object only when every call leaves it unbound", () => {
    expect(resolveName('function g() { return this; } g().process', cjs)).toBe('process');
    expect(resolveName('function g() { return this; } g.call(null).eval', cjs)).toBe('eval');
    expect(resolveName('const g = function () { return (() => this)(); }; g()["req" + "uire"]', cjs)).toBe('require');
    // Strict code, a module, a method, a constructor, an exported function, a call binding another `this`.
    expect(resolveName('"use strict"; function g() { return this; } g().process', cjs)).toBeUndefined();
    expect(resolveName('function g() { return this; } g().process')).toBeUndefined();
    expect(resolveName('const o = { g() { return this; } }; o.g().process', cjs)).toBeUndefined();
    expect(resolveName('function g() { return this; } new g(); g().process', cjs)).toBeUndefined();
    expect(resolveName('function g() { return this; } exports.g = g; g().process', cjs)).toBeUndefined();
    expect(resolveName('function g() { return this; } g.call(obj).process', cjs)).toBeUndefined();
    // CommonJS top-level `this` is `exports`.
    expect(resolveName('this.process', cjs)).toBeUndefined();
  });

  it("resolves a subclass's instance as an instance of its module base, and the subclass's own prototype as its own", () => {
    expect(resolveName('const i = require("inspector"); class P extends i.Session {} new P().post', cjs)).toBe('inspector:Session.%instance.post');
    expect(resolveName('const { Session } = require("inspector"); class A extends Session {} const B = class extends A {}; new B().post', cjs)).toBe('inspector:Session.%instance.post');
    // Its own prototype is its own object (marked as the subclass's, which no rule counts as shared); an instance of a
    // class with no module base, or of a built-in's subclass, stays unknown.
    expect(resolveName('const i = require("inspector"); class P extends i.Session {} P.prototype', cjs)).toBe('inspector:Session.%subclass.prototype');
    expect(resolveName('class A {} class B extends A {} new B().post', cjs)).toBeUndefined();
    expect(resolveName('class M extends Map {} new M().get', cjs)).toBeUndefined();
  });

  it("resolves a sloppy object-literal method's `this` to the global object once the file takes the method off the object", () => {
    // What `this.process` in the method names, wherever the method is then called.
    const thisProcess = (code: string, options = cjs) => resolvedFirst(code, thisMemberRead, options);
    expect(thisProcess('const o = { g() { return this.process; } }; const { g } = o; g();')).toBe('process');
    expect(thisProcess('const o = { g: function () { return this["pro" + "cess"]; } }; const h = o.g; h();')).toBe('process');
    expect(thisProcess('const o = { g() { return this.process; } }; const [e] = [0].map(o.g); o.g();')).toBe('process');
    expect(thisProcess('const o = { g() { return this.process; } }; o.g.call(null);')).toBe('process');
    expect(thisProcess('const o = { g() { return this.process; } }; let g; ({ g } = o); o["g"].bind()();')).toBe('process');
    // Only ever called as a method (chaining), bound to another object, looked at, strict code, a module, a getter.
    expect(thisProcess('const o = { g() { return this.process; }, h() { return this; } }; o.h().g();')).toBeUndefined();
    expect(thisProcess('const o = { g() { return this.process; } }; o.g.call(o);')).toBeUndefined();
    expect(thisProcess('const o = { g() { return this.process; } }; if (typeof o.g === "function" && o.g) o.g();')).toBeUndefined();
    expect(thisProcess('"use strict"; const o = { g() { return this.process; } }; const { g } = o; g();')).toBeUndefined();
    expect(thisProcess('const o = { g() { return this.process; } }; const { g } = o; g();', { sourceType: 'module' as never })).toBeUndefined();
    expect(thisProcess('const o = { get g() { return this.process; } }; const { g } = o;')).toBeUndefined();
    expect(resolveName('this.process', script)).toBe('process');
  });

  it("resolves a capability root read off an exported sloppy function's `this` to the global's: an importer may call it bare", () => {
    const thisMember = (code: string, options = cjs) => resolvedFirst(code, thisMemberRead, options);
    // What the function's one `return` gives.
    const returned = (code: string) => resolvedFirst(code, (node) => (node.type === 'ReturnStatement' ? node.argument : undefined));
    expect(thisMember('module.exports = function collect() { return this.process.env; };')).toBe('process');
    expect(thisMember('exports.run = function (src) { return this.Function(src); };')).toBe('Function');
    expect(thisMember('module.exports.send = function (u) { return this["fe" + "tch"](u); };')).toBe('fetch');
    expect(thisMember('function grab() { return this.process; }\nmodule.exports = { grab };')).toBe('process');
    expect(thisMember('module.exports = { grab: function () { return this.eval; } };')).toBe('eval');
    expect(thisMember('module.exports = { grab() { return this.process; } };')).toBe('process');
    // Held by a name first, merged into the exports, `this` kept in a const, or another member written as a decoy.
    expect(thisMember('const grab = function () { return this.process; };\nmodule.exports = { grab };')).toBe('process');
    expect(thisMember('function grab() { return this.process; }\nconst g = grab;\nmodule.exports.run = g;')).toBe('process');
    expect(thisMember('function grab() { return this.process; }\nObject.assign(module.exports, { grab });')).toBe('process');
    expect(returned('exports.run = function () { const g = this; const k = "pro" + "cess"; return g[k].binding; };')).toBe('process.binding');
    expect(returned('module.exports = function () { const { process: p } = this; return p.binding; };')).toBe('process.binding');
    expect(returned('exports.run = function () { const g = this; return g.emit; };')).toBeUndefined();
    expect(returned('function run() { this.ready = true; return this.process.binding; }\nmodule.exports = run;')).toBe('process.binding');
    // A constructor (capitalised, writing `this.x`, built with new, a prototype), strict code, a module, a member
    // that is no capability root, a local `exports`, and a function the file keeps to itself.
    expect(thisMember('module.exports = function (f) { this.fetch = f; return this.fetch; };')).toBeUndefined();
    expect(thisMember('function make() { return this.process; }\nmake.prototype.x = 1;\nmodule.exports = make;')).toBeUndefined();
    expect(thisMember('function make() { return this.process; }\nmodule.exports = make; new make();')).toBeUndefined();
    expect(thisMember('"use strict"; module.exports = function () { return this.process; };')).toBeUndefined();
    expect(thisMember('export default function () { return this.process; }', { sourceType: 'module' as never })).toBeUndefined();
    expect(thisMember('exports.emitAll = function () { return this.emit; };')).toBeUndefined();
    expect(thisMember('const exports = {}; exports.run = function () { return this.process; };')).toBeUndefined();
    // A method whose object has a member of that name means its sibling (`this.process(text)`).
    expect(thisMember('module.exports = { process(t) { return t; }, run(t) { return this.process(t); } };')).toBeUndefined();
    expect(thisMember('module.exports = { Function: (x) => x, run() { return this.Function(1); } };')).toBeUndefined();
  });

  it("resolves a capability root read off the `this` of a function handed to callers the file does not see: they may run it bare", () => {
    const thisMember = (code: string, options = cjs) => resolvedFirst(code, thisMemberRead, options);
    // Handed on, stored, returned; a capitalised name is no sign of a constructor when nothing constructs it.
    expect(thisMember('function run() { return this.process; }\nrunAll(run);')).toBe('process');
    expect(thisMember('const run = function () { return this.process; };\nrunLater(run);')).toBe('process');
    expect(thisMember('list.forEach(function (s) { this.eval(s); });')).toBe('eval');
    expect(resolvedFirst('list.forEach(function (s) { var self = this; self.eval(s); });', (node) => (node.type === 'CallExpression' && node.callee.type === 'MemberExpression' && node.callee.object.name === 'self' ? node.callee : undefined), cjs)).toBe('eval');
    expect(resolvedFirst('list.forEach(function (s) { var self = this; self = other; self.eval(s); });', (node) => (node.type === 'CallExpression' && node.callee.type === 'MemberExpression' && node.callee.object.name === 'self' ? node.callee : undefined), cjs)).toBeUndefined();
    expect(thisMember('const tasks = [function () { return this["fe" + "tch"]; }];\nmodule.exports = tasks;')).toBe('fetch');
    expect(thisMember('function Beacon(u) { return this.fetch(u); }\nmodule.exports = { Beacon };')).toBe('fetch');
    // A constructor, a method of the object it is stored on or of a prototype, strict code, the wrapper's own names.
    expect(thisMember('function Client() { return this.fetch; }\nClient.prototype.get = 1;\nrunAll(Client);')).toBeUndefined();
    expect(thisMember('Client.prototype.get = function () { return this.fetch; };')).toBeUndefined();
    expect(thisMember('api.get = function () { return this.fetch; };\napi.get();')).toBeUndefined();
    // ...unless the file takes it off its object: then whoever runs it may run it bare.
    expect(thisMember('var o = {};\no.f = function () { return this.process; };\nlist.forEach(o.f);')).toBe('process');
    expect(thisMember('const api = {};\napi.get = function () { return this.fetch; };\nregister(api.get);')).toBe('fetch');
    expect(thisMember('"use strict";\nrunAll(function () { return this.process; });')).toBeUndefined();
    expect(thisMember('runAll(function () { return this.require; });')).toBeUndefined();
    // Handed on with the this it is to run with: bound, a context argument after it, a listener (the emitter).
    expect(thisMember('setInterval(function () { return this.fetch; }.bind(this), 10);')).toBeUndefined();
    expect(thisMember('list.forEach(function () { return this.fetch; }, this);')).toBeUndefined();
    expect(thisMember('_.each(list, function () { return this.process; }, view);')).toBeUndefined();
    expect(thisMember('model.on("change", function () { return this.fetch; });')).toBeUndefined();
    // ...unless that this is the global object.
    expect(thisMember('list.forEach(function () { return this.fetch; }, globalThis);')).toBe('fetch');
    expect(thisMember('const g = global;\nrun(function () { return this.eval; }.bind(g));')).toBe('eval');
  });

  it('takes `this` for the global object in a sloppy callback a built-in runs with no receiver', () => {
    const returned = (code: string) => resolvedFirst(code, (node) => (node.type === 'ReturnStatement' ? node.argument : undefined));
    expect(returned('"{{x}}".replace(/x/, function () { return this; });')).toBe('');
    expect(returned('[2, 1].sort(function () { return this; });')).toBe('');
    expect(returned('[1].reduce(function () { return this; }, 0);')).toBe('');
    expect(returned('Array.from([0], function () { return this; });')).toBe('');
    expect(returned('new Promise(function () { return this; });')).toBe('');
    expect(returned('Promise.resolve(1).then(null, function () { return this; });')).toBe('');
    expect(returned('queueMicrotask(function () { return this; });')).toBe('');
    // The same function handed over by a name that holds it, even when the file also calls it with a receiver.
    expect(returned('function grab() { return this; }\n[0].map(grab);')).toBe('');
    expect(returned('const grab = function () { return this; };\nconst alias = grab;\nPromise.resolve().then(alias);')).toBe('');
    expect(returned('function grab() { return this; }\ngrab.call(box);\nReflect.apply(grab, undefined, []);')).toBe('');
    expect(returned('function grab() { return this; }\ngrab.call(null);')).toBe('');
    // An explicit undefined thisArg is none; arrays the file certainly has (built by built-ins, a split of a literal,
    // a copy of one); a bind to nothing kept in a const and called plainly.
    expect(returned('function grab() { return this; }\n[0].map(grab, undefined);')).toBe('');
    expect(returned('function grab() { return this; }\nArray.from([0], grab, void 0);')).toBe('');
    expect(returned('function grab() { return this; }\n"a".split("").map(grab);')).toBe('');
    expect(returned('function grab() { return this; }\nObject.keys({ a: 1 }).filter(Boolean).forEach(grab);')).toBe('');
    expect(returned('function grab() { return this; }\nconst list = [0];\nlist.some(grab);')).toBe('');
    expect(returned('var keys = Reflect.ownKeys({ a: 1 });\nkeys.map(function () { return this; });')).toBe('');
    expect(returned('const names = Object.getOwnPropertySymbols(o).filter(Boolean);\nnames.forEach(function () { return this; });')).toBe('');
    expect(returned('function grab() { return this; }\nconst run = grab.bind(null);\nrun();')).toBe('');
    // Taken off a const literal that holds it; `Function.prototype.call` and `.apply` run through `.call`.
    expect(returned('function grab() { return this; }\nconst h = { grab };\n[0].map(h.grab);')).toBe('');
    expect(returned('function grab() { return this; }\nconst h = { run: grab };\nPromise.resolve().then(h["run"]);')).toBe('');
    expect(returned('function grab() { return this; }\nFunction.prototype.call.call(grab, null);')).toBe('');
    expect(returned('function grab() { return this; }\nFunction.prototype.apply.call(grab, undefined, []);')).toBe('');
    // A tag runs like a plain call, and yields what its body returns.
    expect(resolveName('function scope() { return this; }\nconst G = scope`x`;\nG.JSON', cjs)).toBe('JSON');
    // Node's timers give the timer object; a thisArg, another object's `then`, a strict callback.
    expect(returned('setTimeout(function () { return this; });')).toBeUndefined();
    expect(returned('[1].forEach(function () { return this; }, box);')).toBeUndefined();
    expect(returned('Array.from([0], function () { return this; }, box);')).toBeUndefined();
    expect(returned('thenable.then(function () { return this; });')).toBeUndefined();
    expect(returned('function grab() { return this; }\n[0].map(grab, box);\ngrab.call(box);\nsetTimeout(grab);')).toBeUndefined();
    // Another object's split or map may bind `this`; a bind to an object is that object.
    expect(returned('function grab() { return this; }\nwords.split("").map(grab);\nconst run = grab.bind(box);\nrun();')).toBeUndefined();
    expect(returned('"use strict"; [2, 1].sort(function () { return this; });')).toBeUndefined();
    // A name written again may hold anything with a `map` of its own.
    expect(returned('var keys = Reflect.ownKeys({ a: 1 });\nkeys = other;\nkeys.map(function () { return this; });')).toBeUndefined();
    // A method call off the literal binds it; so do `call.call` and `apply.call` with a receiver.
    expect(returned('function grab() { return this; }\nconst h = { grab };\nh.grab();\n[0].map(h.other);')).toBeUndefined();
    expect(returned('function grab() { return this; }\nFunction.prototype.call.call(grab, box);\nFunction.prototype.apply.call(grab, box, []);')).toBeUndefined();
  });

  it('reaches the module wrapper through arguments.callee.caller', () => {
    expect(resolveName('function h() { return arguments.callee.caller.arguments[1]; } h()', cjs)).toBe('require');
    expect(resolveName('function h() { return arguments.callee.caller; } h()', cjs)).toBe('%caller');
    expect(resolveName('function h() { return h.caller.caller.arguments[2].exports; } h()', cjs)).toBe('module.exports');
    expect(resolveName('function h() { "use strict"; return arguments.callee; } h()', cjs)).toBeUndefined();
  });

  it('resolves constant code that only names something to what it names', () => {
    expect(resolveName('eval("require")', cjs)).toBe('require');
    expect(resolveName('eval("glob" + "alThis.pro" + "cess").env', cjs)).toBe('process.env');
    expect(resolveName('Function("return process")()', cjs)).toBe('process');
    expect(resolveName('new Function("return require")()', cjs)).toBe('require');
    expect(resolveName('[].filter.constructor("return process")()', cjs)).toBe('process');
    expect(resolveName('Function("return this")().eval')).toBe('eval');
    // The built function run another way: .call(), .apply(null), Reflect.apply, a variable; a parameter list; vm.Script.
    expect(resolveName('Function("return process").call()', cjs)).toBe('process');
    expect(resolveName('Reflect.apply(Function("return process"), null, [])', cjs)).toBe('process');
    expect(resolveName('const f = new Function("", "return require"); f()', cjs)).toBe('require');
    expect(resolveName('const vm = require("vm"); new vm.Script("globalThis.process").runInThisContext()', cjs)).toBe('process');
    expect(resolveName('Function("process", "return process")(fake)', cjs)).toBeUndefined();
    // Indirect eval runs in the global scope, where `this` is the global object; a direct one sees the caller's (CommonJS: exports).
    expect(resolveName('(0, eval)("this").process', cjs)).toBe('process');
    expect(resolveName('eval("this").process', cjs)).toBeUndefined();
    // Code that does more than name, or asks for strict mode, is linted as code instead.
    expect(resolveName('eval("require(\'fs\')")', cjs)).toBeUndefined();
    expect(resolveName('Function("\'use strict\'; return this")().eval')).toBeUndefined();
    // A parameter list that does not shadow the name changes nothing.
    expect(resolveName('Function("a", "return process")()', cjs)).toBe('process');
  });

  it('names import.meta, the CommonJS wrapper arguments and classes that extend Function', () => {
    expect(resolveName('import.meta')).toBe('%import.meta');
    expect(resolveName('arguments[1]', cjs)).toBe('require');
    expect(resolveName('arguments[2].exports', cjs)).toBe('module.exports');
    expect(resolveName('function f() { return arguments[1]; } f')).not.toBe('require');
    expect(resolveName('class Evil extends Function {} Evil')).toBe('Function');
    expect(resolveName('const AF = (async () => {}).constructor; (class extends AF {})')).toBe('AsyncFunction');
  });

  it('sees through descriptors, promisify, module instances and the prototype of module', () => {
    expect(resolveName('Object.getOwnPropertyDescriptor(globalThis, "eval").value')).toBe('eval');
    expect(resolveName('const { promisify } = require("util"); const { exec } = require("child_process"); promisify(exec)', cjs)).toBe('child_process:exec');
    expect(resolveName('const Module = require("module"); new Module()._compile', cjs)).toBe('module:prototype._compile');
    expect(resolveName('Object.getPrototypeOf(module).require', cjs)).toBe('require');
    expect(resolveName('const inspector = require("inspector"); new inspector.Session().post', cjs)).toBe('inspector:Session.%instance.post');
  });

  it("walks a declared subclass's heritage when the code climbs its chain, and keeps its own members its own", () => {
    expect(resolveName('class Cache extends Map {} Object.getPrototypeOf(Cache.prototype).get')).toBe('Map.prototype.get');
    expect(resolveName('class List extends Array {} List.prototype.__proto__')).toBe('Array.prototype');
    expect(resolveName('const Box = class extends Set {}; Object.getPrototypeOf(Box).prototype.add')).toBe('Set.prototype.add');
    expect(resolveName('class A extends Promise {} class B extends A {} Reflect.getPrototypeOf(Reflect.getPrototypeOf(B.prototype)).then')).toBe('Promise.prototype.then');
    expect(resolveName('const { EventEmitter } = require("events"); class Bus extends EventEmitter {} Bus.prototype.__proto__.emit', cjs)).toBe('events:EventEmitter.prototype.emit');
    // Its own prototype and statics are a distinct object; its prototype's constructor is the subclass itself.
    expect(resolveName('class Cache extends Map {} Cache.prototype.get')).toBe('Map.%subclass.prototype.get');
    expect(resolveName('class Cache extends Map {} Cache.prototype.constructor')).toBe('Map.%subclass');
    expect(resolveName('class Plain {} Object.getPrototypeOf(Plain.prototype)')).toBeUndefined();
  });

  it('resolves super to the parent class in static members and super() calls, to its prototype in instance members', () => {
    const superMember = (code: string) =>
      probe(code, (resolver, expression) => {
        const found: AnyNode[] = [];
        const visit = (node: AnyNode) => {
          if (!node || typeof node.type !== 'string') return;
          if (node.type === 'Super') found.push(node.parent?.type === 'MemberExpression' ? node.parent : node);
          for (const [key, child] of Object.entries(node)) {
            if (key === 'parent') continue;
            for (const item of Array.isArray(child) ? child : [child]) if (item && typeof item === 'object') visit(item as AnyNode);
          }
        };
        visit(expression);
        return found.map((node) => Resolver.nameOf(resolver.resolve(node)));
      });
    expect(superMember('(class extends Array { static install() { super.prototype.includes = f; } })')).toEqual(['Array.prototype']);
    expect(superMember('(class extends Map { static { super.prototype; } get(k) { return super.get(k); } })')).toEqual(['Map.prototype', 'Map.prototype.get']);
    expect(superMember('(class extends Map { constructor() { super(); } static f = () => super.prototype; })')).toEqual(['Map', 'Map.prototype']);
    // An object literal's method has its own home object; a class without a known parent gives nothing.
    expect(superMember('(class extends Map { m() { return { n() { return super.x; } }; } })')).toEqual([undefined]);
    expect(superMember('(class extends makeBase() { static f() { return super.prototype; } })')).toEqual([undefined]);
  });

  it('keeps a destructured name bound to its member when it has a default', () => {
    expect(resolveName('const { fetch: send = () => {} } = globalThis; send')).toBe('fetch');
    expect(resolveName('const { binding: b = null } = process; b')).toBe('process.binding');
  });

  it('takes a class, and a CallSite frame, for what they are', () => {
    expect(resolveName('class K {} K.constructor')).toBe('Function');
    expect(resolveName('const K = class {}; K.constructor')).toBe('Function');
    expect(resolveName('new Error().stack[0].getFunction().arguments[1]', cjs)).toBe('require');
    expect(resolveName('const err = {}; Error.captureStackTrace(err); err.stack[1].getThis().process', cjs)).toBe('process');
    // Another module's function's caller, and through its arguments the wrapper's require.
    expect(resolveName('const lib = require("./lib"); lib.run.caller.arguments[1]', cjs)).toBe('require');
    // With arguments, or on a module's object, getFunction is that API's own.
    expect(resolveName('registry.getFunction("x")')).toBeUndefined();
  });
});
