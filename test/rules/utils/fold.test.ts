import { describe, expect, it } from 'vitest';
import { fold, probe } from './probe.js';

const cjs = { sourceType: 'commonjs' as const };
const value = (v: unknown) => ({ value: v });

describe('constant folding', () => {
  it('folds string building: concatenation, templates, join, split/reverse, String.raw', () => {
    expect(fold('"child_" + "process"')).toEqual(value('child_process'));
    expect(fold('`node:${"fs"}/${1 + 1}`')).toEqual(value('node:fs/2'));
    expect(fold('["e", "v", "a", "l"].join("")')).toEqual(value('eval'));
    expect(fold('"lave".split("").reverse().join("")')).toEqual(value('eval'));
    expect(fold('"xevalx".slice(1, -1).toUpperCase().toLowerCase()')).toEqual(value('eval'));
    expect(fold('String.raw`a\\nb`')).toEqual(value('a\\nb'));
    expect(fold('(255).toString(16) + "x".repeat(2)')).toEqual(value('ffxx'));
  });

  it('folds encodings: unicode and hex escapes, base64, hex, char codes, URI escapes', () => {
    expect(fold('"\\u0065v\\x61l"')).toEqual(value('eval'));
    expect(fold('Buffer.from("ZXZhbA==", "base64").toString()')).toEqual(value('eval'));
    expect(fold('Buffer.from("6576616c", "hex").toString("utf8")')).toEqual(value('eval'));
    expect(fold('atob("ZXZhbA==")')).toEqual(value('eval'));
    expect(fold('String.fromCharCode(101, 118, 97, 108)')).toEqual(value('eval'));
    expect(fold('[101, 118, 97, 108].map((c) => String.fromCharCode(c)).join("")')).toEqual(value('eval'));
    expect(fold('[1, 2].map(function (x, i) { return x + i; })')).toEqual(value([1, 3]));
    expect(fold('decodeURIComponent("%65val") + unescape("%2B")')).toEqual(value('eval+'));
    expect(fold('String.fromCharCode.apply(null, [101, 118, 97, 108])')).toEqual(value('eval'));
    expect(fold('atob.call(null, "ZXZhbA==")')).toEqual(value('eval'));
  });

  it('folds reduce and reduceRight of a known array with a callback whose result folds', () => {
    expect(fold('const frags = ["chi", "ld_", "proc", "ess"]; frags.reduce((a, b) => a + b)')).toEqual(value('child_process'));
    expect(fold('["chi", "ld_", "process"].reduce((a, b) => a + b, "node:")')).toEqual(value('node:child_process'));
    expect(fold('["ess", "proc", "ld_", "chi"].reduceRight((a, b) => a.concat(b))')).toEqual(value('child_process'));
    expect(fold('[99, 112].reduce(function (s, c, i) { return s + String.fromCharCode(c) + i; }, "")')).toEqual(value('c0p1'));
    // A local reducer by name, declared or held in a const, is as visible as one written in place.
    expect(fold('function cat(a, b) { return `${a}${b}`; } const f = ["chi", "ld_process"]; f.reduce(cat)')).toEqual(value('child_process'));
    expect(fold('const cat = (a, b) => [a, b].join(""); const f = ["chi", "ld_process"]; f.map((x) => x).reduce(cat, "")')).toEqual(value('child_process'));
    expect(fold('function up(x) { return x.toUpperCase(); } ["o", "s"].map(up).join("")')).toEqual(value('OS'));
    // As JavaScript runs it: holes are skipped, an empty array needs an initial value.
    expect(fold('["chi", , "ld_process"].reduce((a, b) => a + b)')).toEqual(value('child_process'));
    expect(fold('[, "s"].map((x) => "o" + x)[1]')).toEqual(value('os'));
    expect(fold('[].reduce((a, b) => a + b, "os")')).toEqual(value('os'));
    expect(fold('[].reduce((a, b) => a + b)')).toBeUndefined();
  });

  it('does not fold reduce when the array may change or the reducer does more than return a value', () => {
    expect(fold('const f = ["o", "s"]; f.push("x"); f.reduce((a, b) => a + b)')).toBeUndefined();
    expect(fold('const f = ["o", "s"]; f.reduce((a, b, i, all) => a + b + all.length)')).toBeUndefined();
    expect(fold('const f = ["o", "s"]; f.reduce((a, b) => { log(a); return a + b; })')).toBeUndefined();
    expect(fold('let cat = (a, b) => a + b; cat = (a) => a; ["o", "s"].reduce(cat)')).toBeUndefined();
    expect(fold('const f = ["o", "s"]; f.reduce(combine)')).toBeUndefined();
    expect(fold('["o", "s"].reduce((a, b) => a + b + unknown)')).toBeUndefined();
    // A named reducer handed the array as its fourth parameter may write to it.
    expect(fold('function w(a, b, i, all) { return a + b; } const f = ["o", "s"]; f.reduce(w); f[0]')).toBeUndefined();
  });

  it('evaluates coercion-built (JSFuck) strings, numbers and keys as JavaScript does', () => {
    expect(fold('([]+{})[1]')).toEqual(value('o'));
    expect(fold('(![]+[])[+[]]')).toEqual(value('f'));
    expect(fold('+[]')).toEqual(value(0));
    expect(fold('!+[]+!+[]')).toEqual(value(2));
    expect(fold('[][[]]+[]')).toEqual(value('undefined'));
    expect(fold('(+[![]]+[])')).toEqual(value('NaN'));
    // A built-in method's text gives letters; only its name and text are folded, never the function.
    expect(fold('([]["at"]+[])[3]')).toEqual(value('c'));
    expect(fold('[][(![]+[])[+[]]+(![]+[])[!+[]+!+[]]+(![]+[])[+!+[]]+(!![]+[])[+[]]]+[]')).toEqual(value('function flat() { [native code] }'));
    const e = '(!![]+[])[!+[]+!+[]+!+[]]';
    const a = '(![]+[])[+!+[]]';
    const l = '(![]+[])[!+[]+!+[]]';
    expect(fold(`${e}+"v"+${a}+${l}`)).toEqual(value('eval'));
    // `'false'[true]` is undefined, as in JavaScript (JSFuck writes 1 as `+!+[]`).
    expect(fold('(![]+[])[!+[]]')).toEqual(value(undefined));
    // A chain of thousands of terms is folded without running out of depth.
    expect(fold(Array.from({ length: 400 }, () => '(!![]+[])[+[]]').join('+') + '+""')).toEqual(value('t'.repeat(400)));
  });

  it('does not take what a variable\'s object lacks as missing (it may gain members later)', () => {
    expect(fold('const o = {}; o.x')).toBeUndefined();
    expect(fold('const list = []; list[0] + "x"')).toBeUndefined();
    expect(fold('"abc".foo')).toEqual(value(undefined));
  });

  it('follows const aliases and destructuring across the module', () => {
    expect(fold('const a = "ev"; const b = a + "al"; b')).toEqual(value('eval'));
    expect(fold('let e; e = "child_process"; e')).toEqual(value('child_process'));
    expect(fold('const { k } = { k: "fs" }; k')).toEqual(value('fs'));
    expect(fold('const { a: [, second] } = { a: ["x", "vm"] }; second')).toEqual(value('vm'));
    expect(fold('const parts = { m: "child", n: "process" }; parts.m + "_" + parts["n"]')).toEqual(value('child_process'));
    expect(fold('const o = JSON.parse(\'{"name":"net"}\'); o.name')).toEqual(value('net'));
  });

  it('sees through TypeScript wrappers, conditionals and logical operators', () => {
    expect(fold('("ev" as string) + ("al"!)', { filename: 'a.ts' })).toEqual(value('eval'));
    expect(fold('true ? "fs" : "net"')).toEqual(value('fs'));
    expect(fold('undefined ?? "dns"')).toEqual(value('dns'));
  });

  it('folds paths from the home directory to ~ so sensitive paths are recognisable', () => {
    expect(fold('import os from "os"; import path from "node:path"; path.join(os.homedir(), ".ssh", "id_rsa")')).toEqual(value('~/.ssh/id_rsa'));
    // Above the home folder is somewhere absolute, never a path relative to the working folder.
    expect(fold('import os from "os"; import path from "node:path"; path.join(os.homedir(), "..", "..", "etc", "shadow")')).toEqual(value('/etc/shadow'));
    expect(fold('import os from "os"; import path from "node:path"; path.join(os.homedir(), ".cache", "../..", "etc")')).toEqual(value('/etc'));
    expect(fold('import path from "node:path"; path.join("a", "..", "b")')).toEqual(value('b'));
    expect(fold('process.env.HOME + "/.aws/credentials"', cjs)).toEqual(value('~/.aws/credentials'));
    expect(fold('const path = require("path"); path.resolve("/etc", "x", "..", "passwd")', cjs)).toEqual(value('/etc/passwd'));
  });

  it('does not fold what is not certain', () => {
    expect(fold('userInput + "x"')).toBeUndefined();
    expect(fold('let s = "a"; s = "b"; s += "c"; s')).toBeUndefined();
    // A parameter of a function the file does not keep to itself can be anything; one the calls fill differently is not one value.
    const parameter = (code: string) => probe(code, (resolver, expression) => resolver.folder.fold(resolver.declaredFunction(expression.callee)!.params[0]), cjs);
    expect(parameter('export function f(x) { return x; } f("a")')).toBeUndefined();
    expect(parameter('function f(x) { return x; } module.exports = f; f("a")')).toBeUndefined();
    expect(parameter('function f(x) { return x; } f("b"); f("a")')).toBeUndefined();
    expect(fold('const o = { a: input }; o.a')).toBeUndefined();
    expect(fold('const [first, ...rest] = ["a", "b"]; rest')).toBeUndefined();
    expect(fold('Buffer.from(data, "base64").toString()')).toBeUndefined();
    // A value too large to hold is not folded (the cap is 1 MiB).
    expect(fold('"a".repeat(2 ** 21)')).toBeUndefined();
  });

  it('follows local functions whose every call the file sees', () => {
    expect(fold('function f(x) { return x; } f("a")')).toEqual(value('a'));
    expect(fold('const name = () => "child_" + "process"; name()')).toEqual(value('child_process'));
    expect(fold('function load(l, n) { return n; } load(require, "fs"); load(require, "fs")', cjs)).toEqual(value('fs'));
    expect(fold('(function (n) { return n + "_process"; })("child")')).toEqual(value('child_process'));
    // Each call is folded with its own arguments, recursion included; a call with an unknown argument is not.
    expect(fold('function walk(n, d) { return d ? walk(n, d - 1) : n; } walk("net", 3)')).toEqual(value('net'));
    expect(fold('function g(h) { return h.replace(/../g, (m) => String.fromCharCode(parseInt(m, 16))); } g("6e6574"); g("7673")')).toEqual(value('vs'));
    expect(fold('function id(x) { return x; } id(input)')).toBeUndefined();
    expect(probe('function load(n) { return n; } load("fs"); load("child_process")', (resolver, expression) => {
      const fn = resolver.declaredFunction(expression.callee)!;
      return resolver.folder.possibleValues(fn.params[0]);
    })).toEqual(['fs', 'child_process']);
  });

  it('lists the few values a choice, a loop or an array callback may take', () => {
    const possible = (code: string) => probe(code, (resolver, expression) => resolver.folder.possibleValues(expression), cjs);
    expect(possible('const m = x ? "fs" : "net"; m')).toEqual(['fs', 'net']);
    expect(possible('const list = ["a", "b"]; list[i]')).toEqual(['a', 'b']);
    const callbackBody = (code: string) => probe(code, (resolver, expression) => resolver.folder.possibleValues(expression.arguments[0].body), cjs);
    expect(callbackBody('const os = require("os"); const path = require("path"); [".ssh/id_rsa", ".aws/credentials"].forEach((p) => path.join(os.homedir(), p))')).toEqual(['~/.ssh/id_rsa', '~/.aws/credentials']);
    expect(probe('const list = ["a", "b"]; for (const p of list) { p; } 0', (resolver, expression) => {
      const loop = expression.parent!.parent!.body[1];
      return resolver.folder.possibleValues(loop.body.body[0].expression);
    })).toEqual(['a', 'b']);
    expect(possible('const path = require("path"); const dirs = [".ssh", ".aws"]; dirs.forEach((d) => path.join("/root", d)); path.join("/x", dirs[k])')).toEqual(['/x/.ssh', '/x/.aws']);
    expect(possible('input')).toBeUndefined();
    expect(possible('x ? "a" : input')).toBeUndefined();
  });

  it('lists the elements a local array may hold when it is only ever added constants to', () => {
    const possible = (code: string) => probe(code, (resolver, expression) => resolver.folder.possibleValues(expression), cjs);
    const fold1 = (code: string) => probe(code, (resolver, expression) => resolver.folder.fold(expression), cjs);
    expect(possible('const l = ["./a.json"]; l.push("./b.json", "./c.json"); l.unshift("./z.json"); l[i]')).toEqual(['./a.json', './b.json', './c.json', './z.json']);
    expect(possible('const D = "./d.json"; const l = []; if (x) l.push(D); const n = l.push("./e.json"); l.forEach((f) => log(f)); l[i]')).toEqual(['./d.json', './e.json']);
    // Its exact contents still do not fold: only the set of what it may hold is known.
    expect(fold1('const l = ["os"]; l.push("fs"); l[0]')).toBeUndefined();
    // Any other write, an unknown or spread addition, an alias, an escape or a reassignment: nothing is known.
    for (const write of ['l.push(name)', 'l.push(...more)', 'l.push({ p: "x" })', 'l[1] = "x"', 'l.splice(0, 1, "child_process")', 'const m = l; m.push("x")', 'register(l)', 'l.length = 0', 'l.push("x").toString(); l = []']) {
      expect(possible(`let l = ["./a.json"]; ${write}; l[i]`), write).toBeUndefined();
    }
    expect(possible('const l = [{ f: "./a.json" }]; l.push({ f: "./b.json" }); l[i]')).toBeUndefined();
  });

  it('folds an object or array only while nothing can write to it', () => {
    // Read only, through aliases, destructuring, copies and read-only methods: still the literal.
    expect(fold('const cfg = { mod: "os" }; const alias = cfg; log(alias.mod); cfg.mod')).toEqual(value('os'));
    expect(fold('const parts = ["os", "fs"]; const joined = parts.join(","); send(joined); [...parts].reverse(); parts.map((p) => p + "!"); parts[1]')).toEqual(value('fs'));
    expect(fold('const o = { m: "os" }; const { m } = o; JSON.stringify(o); Object.keys(o); o.m')).toEqual(value('os'));
    expect(fold('const cfg = { a: { m: "os" } }; cfg.a.m.toUpperCase(); cfg.a.m')).toEqual(value('os'));
    // A member write, directly or through an alias, a destructured part or a loop variable.
    expect(fold('const cfg = { mod: "os" }; cfg.mod = "child_process"; cfg.mod')).toBeUndefined();
    expect(fold('const cfg = { mod: "os" }; const alias = cfg; alias.mod = "child_process"; cfg.mod')).toBeUndefined();
    expect(fold('const cfg = { mod: "os" }; const alias = cfg; alias["m" + "od"] = "child_process"; cfg.mod')).toBeUndefined();
    expect(fold('const parts = ["os"]; parts[0] = "child_process"; parts[0]')).toBeUndefined();
    expect(fold('const cfg = { a: { m: "os" } }; const s = cfg.a; s.m = "child_process"; cfg.a.m')).toBeUndefined();
    expect(fold('const mods = [{ n: "os" }]; for (const m of mods) m.n = "child_process"; mods[0].n')).toBeUndefined();
    expect(fold('const o = { n: 1 }; o.n++; o.n')).toBeUndefined();
    expect(fold('const o = { n: "os", m: "x" }; delete o.n; o.m')).toBeUndefined();
    expect(fold('const o = { n: "os" }; [o.n] = ["child_process"]; o.n')).toBeUndefined();
    // Mutating methods, however they are reached, and callbacks handed the array.
    expect(fold('const parts = ["os", "child_process"]; parts.reverse(); parts[0]')).toBeUndefined();
    expect(fold('const parts = ["os", "child_process"]; parts.sort().reverse(); parts[0]')).toBeUndefined();
    expect(fold('const parts = ["os", "child_process"]; parts["rev" + "erse"](); parts[0]')).toBeUndefined();
    expect(fold('const parts = ["os", "child_process"]; parts.valueOf().reverse(); parts[0]')).toBeUndefined();
    expect(fold('const parts = ["os", "child_process"]; Array.prototype.reverse.call(parts); parts[0]')).toBeUndefined();
    expect(fold('const parts = ["os", "child_process"]; parts.forEach((p, i, a) => a.reverse()); parts[0]')).toBeUndefined();
    // Reflective writes and hand-offs to code the gate does not know.
    expect(fold('const o = { m: "os" }; Object.assign(o, { m: "child_process" }); o.m')).toBeUndefined();
    expect(fold('const o = { m: "os" }; Reflect.set(o, "m", "child_process"); o.m')).toBeUndefined();
    expect(fold('const o = { m: "os" }; Object.defineProperty(o, "m", { value: "child_process" }); o.m')).toBeUndefined();
    expect(fold('const o = { m: "os" }; tweak(o); o.m')).toBeUndefined();
    expect(fold('const o = { m: "os", set() { this.m = "child_process"; } }; o.set(); o.m')).toBeUndefined();
    expect(fold('let o; o = { m: "os" }; const box = [o]; box[0].m = "child_process"; o.m')).toBeUndefined();
    // A local function's parameter that writes to the object it is given.
    expect(fold('function first(a) { a.reverse(); return a[0]; } first(["os", "child_process"])')).toBeUndefined();
    expect(fold('function first(a) { return a[0]; } first(["os", "child_process"])')).toEqual(value('os'));
  });

  it('does not bind a parameter of a function that uses its own arguments (sloppy mode maps them)', () => {
    expect(fold('function load(name) { arguments[0] = "child_process"; return name; } load("os")')).toBeUndefined();
    expect(probe('function load(name) { const a = arguments; a[0] = "child_process"; return require(name); } load("os"); 0', (resolver, expression) => {
      const fn = expression.parent!.parent!.body[0];
      return resolver.folder.possibleValues(fn.params[0]);
    }, cjs)).toBeUndefined();
    expect(fold('const load = (name) => name; load("os")')).toEqual(value('os'));
  });

  it('converts an object to a string only when its conversion is known', () => {
    // A plain object, an array, a built-in's text: JavaScript's own conversion.
    expect(fold('"" + {}')).toEqual(value('[object Object]'));
    expect(fold('`${["a", "b"]}`')).toEqual(value('a,b'));
    // Its own valueOf/toString (a method, an arrow, a nested array holding one) decides: unknown, never a crash.
    expect(fold('"" + { valueOf: () => "child_process" }')).toBeUndefined();
    expect(fold('`${{ toString() { return "child_process"; } }}`')).toBeUndefined();
    expect(fold('const n = { toString() { return "child_process"; } }; `${n}`')).toBeUndefined();
    expect(fold('String({ toString: () => "fs" })')).toBeUndefined();
    expect(fold('[{ toString: () => "child_" }, "process"].join("")')).toBeUndefined();
    expect(fold('"child_".concat({ toString: () => "process" })')).toBeUndefined();
    expect(fold('+{ valueOf: () => 1 }')).toBeUndefined();
    expect(fold('({ a: "x" })[{ toString: () => "a" }]')).toBeUndefined();
    expect(fold('JSON.parse(\'{"toString": "x"}\') + ""')).toBeUndefined();
    const possible = (code: string) => probe(code, (resolver, expression) => resolver.folder.possibleValues(expression), cjs);
    expect(possible('const o = x ? { toString() { return "a"; } } : "b"; `${o}`')).toBeUndefined();
  });

  it('survives self-reference without looping', () => {
    expect(fold('var a = b + "x", b = a + "y"; a')).toBeUndefined();
  });
});
