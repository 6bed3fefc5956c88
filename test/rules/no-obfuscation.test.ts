import { describe, expect, it } from 'vitest';
import rule from '../../rules/no-obfuscation.js';
import { isEncodedBlob, shannonEntropy } from '../../rules/utils/hidden-strings.js';
import { commonjs as cjs, ruleTester as tester } from './rule-tester.js';

const at = (messageId: string, line: number, column: number) => ({ messageId, line, column });

/** 300 bytes covering every value evenly, base64-encoded: as dense as an embedded image or an encrypted payload. */
const BLOB = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 73 + 41) % 256)).toString('base64');

/** What obfuscator.io (string array, rotation, hex-indexed decoder) makes of `console.log('Hello World'); require('child_process').exec('id')`. */
const OBFUSCATOR_IO = [
  "function _0x3a1c(){const _0x5b2e1f=['log','2748310qXzTbl','exec','child_process','1431216FhRnWf','Hello\\x20World','9yKcGzq','3565688YtUvEo','12BqZkdA','1027482LxMmvA','id','7gWbMJr','1349575nQyAQm'];_0x3a1c=function(){return _0x5b2e1f;};return _0x3a1c();}",
  'function _0x2f4d(_0x1e2b7a,_0x4c8a0d){const _0x3a1c5e=_0x3a1c();return _0x2f4d=function(_0x2f4d3b,_0x5d1e2c){_0x2f4d3b=_0x2f4d3b-0x1b3;let _0x1f9c4a=_0x3a1c5e[_0x2f4d3b];return _0x1f9c4a;},_0x2f4d(_0x1e2b7a,_0x4c8a0d);}',
  "(function(_0x4b1f2e,_0x3d2a1c){const _0x2c5e4b=_0x2f4d,_0x1a7f3d=_0x4b1f2e();while(!![]){try{const _0x5e3b2a=parseInt(_0x2c5e4b(0x1b4))/0x1+-parseInt(_0x2c5e4b(0x1bd))/0x2+parseInt(_0x2c5e4b(0x1b7))/0x3*(-parseInt(_0x2c5e4b(0x1ba))/0x4)+-parseInt(_0x2c5e4b(0x1bf))/0x5+parseInt(_0x2c5e4b(0x1bb))/0x6*(parseInt(_0x2c5e4b(0x1be))/0x7)+parseInt(_0x2c5e4b(0x1b9))/0x8+parseInt(_0x2c5e4b(0x1b8))/0x9;if(_0x5e3b2a===_0x3d2a1c)break;else _0x1a7f3d['push'](_0x1a7f3d['shift']());}catch(_0x3f2e1d){_0x1a7f3d['push'](_0x1a7f3d['shift']());}}}(_0x3a1c,0x4f2a1));",
  'const _0x1c3e2f=_0x2f4d;console[_0x1c3e2f(0x1b3)](_0x1c3e2f(0x1b8));require(_0x1c3e2f(0x1b6))[_0x1c3e2f(0x1b5)](_0x1c3e2f(0x1bc));',
].join('\n');

/** The older obfuscator.io shape: a top-level array rotated `while(--n)` inside an IIFE that receives it. */
const OBFUSCATOR_IO_OLD =
  "var _0x4f21=['log','Hello\\x20World','exec','child_process','id','platform'];(function(_0x2d8f05,_0x4b81bb){var _0x4d74cb=function(_0x32719f){while(--_0x32719f){_0x2d8f05['push'](_0x2d8f05['shift']());}};_0x4d74cb(++_0x4b81bb);}(_0x4f21,0x1f4));var _0x1a2b=function(_0x2d8f05,_0x4b81bb){_0x2d8f05=_0x2d8f05-0x0;var _0x4d74cb=_0x4f21[_0x2d8f05];return _0x4d74cb;};console[_0x1a2b('0x0')](_0x1a2b('0x1'));";

/** Dean Edwards' packer (p,a,c,k,e,d) around `var cp=require('child_process');cp.exec('id')`. */
const PACKED =
  "eval(function(p,a,c,k,e,d){e=function(c){return(c<a?'':e(parseInt(c/a)))+((c=c%a)>35?String.fromCharCode(c+29):c.toString(36))};if(!''.replace(/^/,String)){while(c--){d[e(c)]=k[c]||e(c)}k=[function(e){return d[e]}];e=function(){return'\\\\w+'};c=1};while(c--){if(k[c]){p=p.replace(new RegExp('\\\\b'+e(c)+'\\\\b','g'),k[c])}}return p}('2 0=3(\\'1\\');0.4(\\'5\\');',62,6,'cp|child_process|var|require|exec|id'.split('|'),0,{}));";

/** A long constant that is ordinary minified code: evaluated as code, not a blob. */
const MINIFIED = Array.from({ length: 8 }, (_, i) => `var a${i}=function(b,c){return b*${i}+c.length||[]};`).join('');
const PROSE = 'Warden reads every plugin before it runs and explains in plain words what it found. '.repeat(4);

describe('encoded blobs', () => {
  it('are long, dense and drawn from an encoding alphabet', () => {
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBe(2);
    expect(isEncodedBlob(BLOB)).toBe(true);
    expect(isEncodedBlob(BLOB.slice(0, 150))).toBe(false);
    expect(isEncodedBlob(PROSE)).toBe(false);
    expect(isEncodedBlob(MINIFIED)).toBe(false);
    // Hex carries at most 4 bits per character: decoded hex is caught by its decoder instead.
    expect(isEncodedBlob(Buffer.from(BLOB).toString('hex'))).toBe(false);
  });
});

tester.run('no-obfuscation', rule, {
  valid: [
    // A decoded-but-never-executed base64 icon, and decoding for display.
    `import fs from "node:fs";\nconst ICON = "${BLOB}";\nfs.writeFileSync("icon.png", Buffer.from(ICON, "base64"));`,
    'const token = atob(header); console.log(decodeURIComponent(location.hash), token.length);',
    // A long dense string that is only stored, and evaluated constants without decoding.
    `const KEY = "${BLOB}"; export default KEY;`,
    'eval("1 + 1"); new Function("a", "return a * 2");',
    `eval(${JSON.stringify(MINIFIED)}); setTimeout(${JSON.stringify(PROSE)}, 1);`,
    // A decoded string handed to a timer: Node refuses a string callback, so nothing is executed.
    'setTimeout(unescape("%61%6c%65%72%74%28%31%29"), 0);',
    // The words in strings and comments.
    'const doc = "eval(atob(x)) is how droppers start"; // require(Buffer.from(x, "base64"))',
    // A round-robin queue: push(shift()) on a string list, but no loop bound to it.
    'const servers = ["a", "b", "c", "d", "e", "f"];\nfunction next() { servers.push(servers.shift()); return servers[0]; }',
    // Escaping text into generated code with a table keyed by the characters it replaces, and a dictionary never evaluated.
    'const ESC = { "\\\\": "\\\\\\\\", "\\n": "\\\\n", "\'": "\\\\\'" };\nnew Function("return \'" + text.replace(/[\\\\\\n\']/g, (c) => ESC[c]) + "\'");\nfunction esc(c) { return "\\\\" + ESC[c]; }\neval("\'" + text.replace(/[\\n]/g, esc) + "\'");',
    'const words = "alpha|beta|gamma".split("|");\nconsole.log("0 1 2".replace(/\\d/g, (i) => words[i]));\neval("1 + 1".replace(/1/g, () => words[0].length));',
    // A string table rotated at run time and read in place, or read through a lookup by constant indexes but never reordered.
    'const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];\nfunction startOn(n) { for (let i = 0; i < n; i++) days.push(days.shift()); }\nstartOn(settings.firstDay);\ndays.forEach(render); title(days[0]);',
    'const names = ["red", "green", "blue", "cyan", "magenta"];\nfunction name(i) { return names[i]; }\npaint(name(0)); paint(name(1)); paint(name(2));',
    // Sorted, and a sort-in-place helper over another list: ordinary ordering, not a hidden permutation.
    'const cols = ["b", "a", "e", "d", "c"];\ncols.sort();\nfunction col(i) { return cols[i]; }\nshow(col(0), col(1), col(2));',
    'const cols = ["b", "a", "e", "d", "c"];\nfunction bubble(a) { for (let i = 0; i < a.length; i++) if (a[i] > a[i + 1]) [a[i], a[i + 1]] = [a[i + 1], a[i]]; }\nbubble(other);\nfunction col(i) { return cols[i]; }\nshow(col(0), col(1), col(2));',
    // A string table and hex constants that have nothing to do with each other.
    'const names = ["red", "green", "blue", "cyan", "magenta"]; paint(0xff0000); paint(0x00ff00); paint(0x0000ff);',
    // Ordinary minified code.
    'var a=["a","b","c","d","e","f"];for(var i=0;i<a.length;i++)console.log(a[i]);!function(e){e.push(e.shift())}([1,2]);',
    // Decoding that shows what it decodes to text, constants minifiers write, a computed key on a plain object.
    { code: 'const text = atob(input); const t = !0, f = !1; const o = {}; o["x"] = 1; console.log(Buffer.from(bytes).toString("hex"));', options: [{ minSeverity: 'info' }] },
    // A module member by a key from a known list, and Reflect on plain objects.
    { code: 'const fs = require("fs"); for (const m of ["readFile", "stat"]) wrap(fs[m]); Reflect.get(target, "x"); Object.keys(options);', ...cjs },
    // Right-to-left text without control characters, and a plain identifier.
    'const greeting = "שלום עולם"; const مرحبا = 1;',
  ],
  invalid: [
    // Decode, then execute — folded or not.
    { code: 'eval(atob("ZXZhbCgneCcp"));', errors: [{ ...at('decodeExecute', 1, 1), data: { decoder: 'atob', sink: 'eval' } }] },
    { code: 'const code = Buffer.from(payload, "base64").toString();\nnew Function(code)();', errors: [{ ...at('decodeExecute', 2, 1), data: { decoder: "Buffer.from(…, 'base64')", sink: 'Function' } }] },
    { code: 'require(Buffer.from("6368696c645f70726f63657373", "hex").toString());', ...cjs, errors: [{ ...at('decodeExecute', 1, 1), data: { decoder: "Buffer.from(…, 'hex')", sink: 'require' } }] },
    { code: 'const m = await import(decodeURIComponent(name));', errors: [{ ...at('decodeExecute', 1, 17), data: { decoder: 'decodeURIComponent', sink: 'import()' } }] },
    // Char-code arrays mapped through fromCharCode, a decoding helper, Reflect, the global object.
    { code: 'eval([101, 118, 97, 108].map((c) => String.fromCharCode(c)).join(""));', errors: [{ ...at('decodeExecute', 1, 1), data: { decoder: 'String.fromCharCode', sink: 'eval' } }] },
    { code: 'const d = (s) => Buffer.from(s, "base64").toString("utf8");\nglobalThis["ev" + "al"](d(x));', errors: [at('decodeExecute', 2, 1)] },
    { code: 'function decode(s) { return atob(s); }\nReflect.apply(eval, null, [decode(x)]);', errors: [at('decodeExecute', 2, 1)] },
    { code: 'import vm from "vm";\nvm.runInThisContext(atob(src) as string);', filename: 'a.ts', errors: [{ ...at('decodeExecute', 2, 1), data: { decoder: 'atob', sink: 'vm.runInThisContext' } }] },
    { code: 'const name = String.fromCharCode(118, 109);\nconst m = require(name);', filename: 'a.cjs', ...cjs, errors: [at('decodeExecute', 2, 11)] },
    // A decoded string built up in a loop, and bytes decoded by TextDecoder into a global's name.
    { code: 'let code = "";\nfor (const c of codes) code += String.fromCharCode(c);\neval(code);', errors: [{ ...at('decodeExecute', 3, 1), data: { decoder: 'String.fromCharCode', sink: 'eval' } }] },
    { code: 'const name = new TextDecoder().decode(new Uint8Array([101, 118, 97, 108]));\nwindow[name](code);', errors: [{ ...at('decodeExecute', 2, 1), data: { decoder: 'TextDecoder.decode', sink: 'a global chosen at run time' } }] },
    // A decoded name that reaches eval.
    { code: 'window[atob("ZXZhbA==")](code);', errors: [{ ...at('decodeExecute', 1, 1), data: { decoder: 'atob', sink: 'eval' } }] },
    // A long high-entropy string that is executed, even through an unknown decryptor.
    { code: `const BLOB = "${BLOB}";\neval(decrypt(BLOB, key));`, errors: [{ ...at('payloadExecute', 2, 1), data: { sink: 'eval', length: '400', entropy: '5.98' } }] },
    { code: `const P = "${BLOB}";\nnew Function(P)();\nimport("vm").then((vm) => vm.runInThisContext(\`\${P}\`));`, errors: [{ ...at('payloadExecute', 2, 1), data: { sink: 'Function', length: '400', entropy: '5.98' } }, { ...at('payloadExecute', 3, 27), data: { sink: 'vm.runInThisContext', length: '400', entropy: '5.98' } }] },
    // obfuscator.io string arrays.
    {
      code: OBFUSCATOR_IO,
      ...cjs,
      errors: [
        { ...at('stringArray', 1, 36), data: { name: '_0x5b2e1f', count: '13', mechanism: 'rotation loop and hex-indexed decoder and self-replacing accessor' } },
        at('arrayAccessor', 1, 200),
      ],
    },
    // A module member whose name a reader cannot see: computed, decoded, reflected, enumerated.
    { code: 'const os = require("os");\nos["host" + "name"]();', ...cjs, errors: [{ ...at('hiddenMember', 2, 1), data: { module: 'os', key: "'hostname'" } }] },
    { code: 'const os = require("os");\nos[Buffer.from("aG9zdG5hbWU=", "base64").toString()]();\nos[Object.keys(os).find((n) => n === "hostname")]();', ...cjs, errors: [at('hiddenMember', 2, 1), at('hiddenMember', 3, 1), { ...at('enumeratedModule', 3, 4), data: { module: 'os', how: 'Object.keys' } }] },
    { code: 'import os from "node:os";\nReflect.get(os, "hostname").call({});\nObject.getOwnPropertyDescriptor(os, "userInfo").value();', errors: [{ ...at('reflectedMember', 2, 1), data: { module: 'os', member: 'hostname', how: 'Reflect.get' } }, at('reflectedMember', 3, 1)] },
    { code: 'const cp = require("child_process");\nObject.entries(cp).find(([k]) => k === "spawn")[1]("node", ["x.js"]);', ...cjs, errors: [at('enumeratedModule', 2, 1)] },
    // The start-up rotation loop on its own, with the array built elsewhere.
    { code: '(function (get, sum) { const list = get(); while (!![]) { try { if (parseInt(list[0]) === sum) break; list.push(list.shift()); } catch (e) { list.push(list.shift()); } } }(_0x5808, 0x4f2a1));', ...cjs, errors: [{ ...at('rotationLoop', 1, 2), data: { name: 'list', count: '?', mechanism: 'rotation loop' } }] },
    { code: '(function (a) { for (;;) { a.unshift(a.pop()); if (check(a)) break; } })(table);', errors: [at('rotationLoop', 1, 1)] },
    // Low findings a reviewer sees in strict mode: names decoded from literals, constants spelled as JSFuck, computed module keys.
    { code: 'function g(h) { return h.replace(/../g, (m) => String.fromCharCode(parseInt(m, 16))); }\nconst names = [g("72657175697265"), g("6178696f73")];', options: [{ minSeverity: 'info' }], errors: [{ ...at('decodedName', 2, 16), data: { value: 'require', decoder: 'g (String.fromCharCode)' } }, { ...at('decodedName', 2, 37), data: { value: 'axios', decoder: 'g (String.fromCharCode)' } }] },
    { code: 'const u = Buffer.from("aHR0cHM6Ly94LmV4YW1wbGUvYQ==", "base64").toString();', options: [{ minSeverity: 'info' }], errors: [{ ...at('decodedName', 1, 11), data: { value: 'https://x.example/a', decoder: "Buffer.from(…, 'base64')" } }] },
    { code: 'while (!![]) { i = +!![] + +[]; if (!!false) break; }', options: [{ minSeverity: 'info' }], errors: [{ ...at('disguisedConstant', 1, 8), data: { value: 'true', text: '!![]' } }, at('disguisedConstant', 1, 20), at('disguisedConstant', 1, 28), at('disguisedConstant', 1, 37)] },
    { code: 'const os = require("os");\nos["hostname"]();', ...cjs, options: [{ minSeverity: 'info' }], errors: [{ ...at('computedMember', 2, 1), data: { module: 'os', member: 'hostname' } }] },
    { code: OBFUSCATOR_IO_OLD, ...cjs, errors: [{ ...at('stringArray', 1, 13), data: { name: '_0x4f21', count: '6', mechanism: 'rotation loop' } }] },
    // A hand-rolled variant: dot access, a for loop, string hex indexes.
    {
      code: 'var t = ["a", "b", "c", "d", "e", "f", "g"];\n(function (arr, n) { for (; n--; ) arr.push(arr.shift()); })(t, 3);\nfunction d(i) { return t[i - 0x0]; }\nd("0x1"); d("0x2"); d("0x3");',
      errors: [{ ...at('stringArray', 1, 9), data: { name: 't', count: '7', mechanism: 'rotation loop and hex-indexed decoder' } }],
    },
    // A string table reordered in place by a function of any form, then read through a decoder by constant indexes.
    {
      code: 'var t = ["cot", "gnidaeh", "ssecorp_dlihc", "cexe", "hs | lruc"];\nfunction rotate(list, times) { for (var i = 0; i < times; i++) list.push(list.shift()); }\nrotate(t, 4);\nfunction k(i) { return t[i - 300].split("").reverse().join(""); }\nrequire(k(300))[k(301)](k(302));',
      ...cjs,
      errors: [{ ...at('stringArray', 1, 9), data: { name: 't', count: '5', mechanism: 'rotation read through an index decoder' } }],
    },
    {
      code: 'const words = ["os", "child_process", "exec", "id", "tmp"];\nconst spin = (l, n) => { while (n--) l.unshift(l.pop()); };\nconst again = words;\nspin(again, 2);\nconst pick = (i) => words[i];\nconst p = pick;\nrequire(p(+"3"))[p(4)](p(0));',
      ...cjs,
      errors: [{ ...at('stringArray', 1, 15), data: { name: 'words', count: '5', mechanism: 'rotation read through an index decoder' } }],
    },
    {
      code: 'const s = ["a", "b", "child_process", "exec", "id", "c"];\ns.push(...s.splice(0, 2));\nconst dec = { get(i) { return s[i - 10]; } };\nrequire(dec.get(10))[dec.get(11)](dec.get("12"));',
      ...cjs,
      errors: [{ ...at('stringArray', 1, 11), data: { name: 's', count: '6', mechanism: 'rotation read through an index decoder' } }],
    },
    {
      code: 'const s = ["id", "exec", "child_process", "a", "b"];\ns.reverse();\nfunction d(i) { return s[i]; }\nrequire(d(2))[d(3)](d(4));',
      ...cjs,
      errors: [{ ...at('stringArray', 1, 11), data: { name: 's', count: '5', mechanism: 'shuffle read through an index decoder' } }],
    },
    {
      code: 'const s = ["id", "exec", "child_process", "a", "b"];\n(function mix(a) { for (let i = 0; i < a.length; i += 2) [a[i], a[a.length - 1 - i]] = [a[a.length - 1 - i], a[i]]; })(s);\nfunction d(i) { return s[i]; }\nrequire(d(2))[d(3)](d(4));',
      ...cjs,
      errors: [{ ...at('stringArray', 1, 11), data: { name: 's', count: '5', mechanism: 'shuffle read through an index decoder' } }],
    },
    // Packers: code rebuilt at load time by putting back words from a dictionary, then evaluated.
    { code: PACKED, ...cjs, errors: [{ ...at('decodeExecute', 1, 1), data: { decoder: 'words put back from a dictionary (a packer)', sink: 'eval' } }] },
    {
      code: 'function unpack(src, base, n, words) { while (n--) if (words[n]) src = src.replace(new RegExp("\\b" + n.toString(base) + "\\b", "g"), words[n]); return src; }\nconst code = unpack("0 1=2(\'3\')", 36, 4, "var|cp|require|child_process".split("|"));\nnew Function(code)();',
      ...cjs,
      errors: [{ ...at('decodeExecute', 3, 1), data: { decoder: 'words put back from a dictionary (a packer)', sink: 'Function' } }],
    },
    {
      code: 'const dict = ["require", "child_process", "exec", "id"];\nconst put = (w) => dict[parseInt(w, 36)];\nimport("vm").then((vm) => vm.runInThisContext("0(\'1\')[\'2\'](\'3\')".replace(/\\b\\w\\b/g, put)));\neval([0, 1].map((i) => dict[i]).join(" "));',
      errors: [{ ...at('decodeExecute', 3, 27), data: { decoder: 'words put back from a dictionary (a packer)', sink: 'vm.runInThisContext' } }, at('decodeExecute', 4, 1)],
    },
    // Trojan Source: every bidi control character at its exact place, in strings and comments.
    {
      code: 'var accessLevel = "user";\nif (accessLevel != "user\u202E \u2066// Check if admin\u2069 \u2066") { grant(); }\n/* \u202B */',
      errors: [
        { ...at('bidi', 2, 25), data: { code: 'U+202E', character: 'RIGHT-TO-LEFT OVERRIDE' } },
        { ...at('bidi', 2, 27), data: { code: 'U+2066', character: 'LEFT-TO-RIGHT ISOLATE' } },
        at('bidi', 2, 45),
        at('bidi', 2, 47),
        { ...at('bidi', 3, 4), data: { code: 'U+202B', character: 'RIGHT-TO-LEFT EMBEDDING' } },
      ],
    },
    // Zero-width characters inside identifiers, once per name.
    { code: 'const admin = false;\nconst a\u200Ddm\u200Cin = true;\nif (a\u200Ddm\u200Cin) grant();', errors: [{ ...at('zeroWidth', 2, 7), data: { name: 'admin', code: 'U+200D' } }] },
    { code: 'function check\u200C(user) { return true; }\nexport { check\u200C as check };', errors: [{ ...at('zeroWidth', 1, 10), data: { name: 'check', code: 'U+200C' } }] },
  ],
});
