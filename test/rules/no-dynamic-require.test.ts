import rule from '../../rules/no-dynamic-require.js';
import { allSeverities, browserifyBundle, commonjs, ruleTester } from './rule-tester.js';

const critical = (line: number, column: number, via?: string) => ({ messageId: 'unresolvable', line, column, ...(via && { data: { via } }) });
const local = (line: number, column: number, prefix: string) => ({ messageId: 'localPrefix', line, column, data: { prefix } });

ruleTester.run('no-dynamic-require', rule, {
  valid: [
    // A map listed in full: another module of the bundle, a falsy value (the name itself), a name it lacks.
    { code: browserifyBundle('{"./util": 2, "./b": undefined, "./c": ""}'), ...commonjs },
    // Paths built from the plugin's own folder stay inside it.
    { code: 'const path = require("path");\nrequire(path.join(__dirname, "lib", "x.js"));', ...commonjs, filename: 'index.js' },
    { code: 'import { fileURLToPath } from "node:url";\nawait import(new URL("./a.mjs", import.meta.url).href);\nawait import(fileURLToPath(new URL("./b.mjs", import.meta.url)));', filename: 'src/main.mjs' },
    // Folded specifiers belong to the module rules, however they are spelled.
    { code: 'require("./lib/a.js"); require("child_" + "process"); require(["f", "s"].join(""));', ...commonjs },
    'import x from "lodash"; const m = await import(`./locales/${"en"}.json`);',
    { code: 'const impl = require(process.platform === "win32" ? "./win.js" : "./posix.js");', ...commonjs },
    // A local function called require, require.resolve (which loads nothing), and a method named require.
    { code: 'function require(x) { return x; } require(name);', ...commonjs },
    { code: 'const where = require.resolve(name); loader.require(name); this.import(name);', ...commonjs },
    // The words in strings and comments.
    '// require(name)\nconst s = "import(x)";',
    // Below the default minimum: a local prefix is only low.
    { code: 'const messages = require("./locales/" + lang + ".json");', ...commonjs },
    { code: '!function(e){var t=e.require||0;e.a=function(n){return t(n)}}({});', ...commonjs },
    // Climbing that stays inside the plugin: a file in lib/ loading its sibling folder, a dependency loading another.
    { code: 'require("../shared/util.js"); require(`../locales/${"en"}.json`);', ...commonjs, filename: 'lib/a.js' },
    { code: 'require("../other-dep/index.js");', ...commonjs, filename: 'node_modules/dep/index.js' },
    // A require made for this very file is an ordinary require.
    { code: 'import { createRequire } from "node:module";\nconst require = createRequire(import.meta.url);\nconst data = require("./data.json");', filename: 'index.mjs' },
    { code: 'const { createRequire } = require("module");\ncreateRequire(__filename)("./package.json");\nrequire("module").createRequire(require("path").join(__dirname, "x.js"));', ...commonjs, filename: 'lib/a.js' },
    // A local list of own files only ever added constants to: each possible element is loaded and judged (b04).
    { code: 'const locales = ["./locales/en.json"];\nlocales.push("./locales/de.json");\nconst tables = locales.map((f) => require(f));', ...commonjs, filename: 'index.js' },
    { code: 'const LOCALE = "./locales/fr.json";\nconst list = [];\nif (wantFr) list.push(LOCALE);\nlist.unshift(`./locales/${"en"}.json`);\nfor (const f of list) require(f);', ...commonjs, filename: 'index.js' },
    // Objects and arrays only read (aliases, copies, read-only methods, serialised, logged) keep their folded members.
    { code: 'const cfg = { mod: "os" };\nconst alias = cfg;\nconsole.log(alias.mod, JSON.stringify(cfg));\nrequire(cfg.mod);', ...commonjs },
    { code: 'const parts = ["os", "path"];\nconst sorted = [...parts].sort();\nparts.forEach((p) => console.log(p));\nrequire(parts[0]); require(parts.slice().reverse()[0]);', ...commonjs },
    { code: 'const names = { a: { m: "os" } };\nconst { a } = names;\nfor (const key in names) console.log(key);\nrequire(a.m);', ...commonjs },
    // A plain object's string form is JavaScript's own.
    { code: 'require("./" + {} + ".js");', ...commonjs },
  ],
  invalid: [
    { code: 'const m = require(name);', ...commonjs, errors: [critical(1, 11, 'require')] },
    // A folded object or array that something may write to is not its first value.
    { code: 'const cfg = { mod: "os" };\nconst alias = cfg;\nalias.mod = "child_process";\nrequire(cfg.mod);', ...commonjs, errors: [critical(4, 1)] },
    { code: 'const cfg = { mod: "os" };\ncfg["m" + "od"] = "child_" + "process";\nrequire(cfg.mod);', ...commonjs, errors: [critical(3, 1)] },
    { code: 'const parts = ["os", "child_process"];\nparts.reverse();\nrequire(parts[0]);', ...commonjs, errors: [critical(3, 1)] },
    // A list added an unknown name, a spread, or written through an alias is not a known few.
    { code: 'const locales = ["./locales/en.json"];\nlocales.push(ctx.config.get("locale"));\nlocales.map((f) => require(f));', ...commonjs, errors: [critical(3, 20)] },
    { code: 'const locales = ["./locales/en.json"];\nlocales.push(...extra);\nfor (const f of locales) require(f);', ...commonjs, errors: [critical(3, 26)] },
    { code: 'const locales = ["./locales/en.json"];\nconst same = locales;\nsame.push("./x.json");\nsame[0] = name;\nlocales.forEach((f) => require(f));', ...commonjs, errors: [critical(5, 24)] },
    { code: 'const parts = ["os", "child_process"];\nparts.sort().reverse();\nrequire(parts[0]);', ...commonjs, errors: [critical(3, 1)] },
    { code: 'const parts = ["os", "child_process"];\nconst p = parts;\np.splice(0, 1);\nrequire(parts[0]);', ...commonjs, errors: [critical(4, 1)] },
    { code: 'const o = { m: "os" };\nObject.assign(o, { m: "child_process" });\nrequire(o.m);', ...commonjs, errors: [critical(3, 1)] },
    { code: 'const o = { m: "os" };\nReflect.set(o, "m", "child_process");\nrequire(o.m);', ...commonjs, errors: [critical(3, 1)] },
    { code: 'const o = { m: "os" };\nconfigure(o);\nrequire(o.m);', ...commonjs, errors: [critical(3, 1)] },
    { code: 'const mods = [{ n: "os" }];\nfor (const m of mods) m.n = "child_process";\nrequire(mods[0].n);', ...commonjs, errors: [critical(3, 1)] },
    // Sloppy mode's `arguments` is mapped to the parameters: a write to it rewrites them.
    { code: 'function load(name) { arguments[0] = "child_" + "process"; return require(name); }\nload("os");', ...commonjs, errors: [critical(1, 67)] },
    { code: 'function load(name) { const a = arguments; a[0] = "child_process"; return require(name); }\nload("os");', ...commonjs, errors: [critical(1, 75)] },
    // An object made a string through its own methods.
    { code: 'require("" + { valueOf: () => "child_process" });', ...commonjs, errors: [critical(1, 1)] },
    { code: 'require(`${{ toString() { return "child_process"; } }}`);', ...commonjs, errors: [critical(1, 1)] },
    { code: 'const n = { toString: () => "child_" + "process" };\nrequire(String(n));', ...commonjs, errors: [critical(2, 1)] },
    { code: 'require(["child_", { toString() { return "process"; } }].join(""));', ...commonjs, errors: [critical(1, 1)] },
    { code: 'const m = await import(name);', errors: [critical(1, 17, 'import()')] },
    // Every road to require with an unknown name.
    { code: 'const r = require;\nr(process.argv[2]);', ...commonjs, errors: [critical(2, 1, 'require')] },
    { code: 'module.require(decode(payload));', ...commonjs, errors: [critical(1, 1)] },
    { code: 'module.constructor._load(x);\nprocess.mainModule.require(y);', ...commonjs, errors: [critical(1, 1), critical(2, 1)] },
    { code: 'import { createRequire } from "node:module";\ncreateRequire(import.meta.url)(pick());', errors: [critical(2, 1, 'require')] },
    { code: 'require.call(null, name);\nrequire.apply(null, [name]);\nReflect.apply(require, null, [name]);', ...commonjs, errors: [critical(1, 1), critical(2, 1), critical(3, 1)] },
    { code: 'process.getBuiltinModule(name);', errors: [critical(1, 1, 'require')] },
    // A choice with an unknown side is unknown; a choice between known names is not this rule's.
    { code: 'require(useNative ? "./native.js" : name);', ...commonjs, errors: [critical(1, 1)] },
    // No argument that can be read: spread, missing.
    { code: 'require(...parts);\nrequire.apply(null, args);', ...commonjs, errors: [critical(1, 1), critical(2, 1)] },
    // Prefixes that leave the plugin's folder say so; in an editor (an absolute file name) the folder is unknown, and so is the load.
    // A browserify module's dependency map the gate cannot list (a spread, a __proto__ the lookup inherits from, a map held in a variable, a value it cannot fold) may send a name anywhere.
    ...['{...M}', '{__proto__: M}', 'M'].map((deps) => ({ code: browserifyBundle(deps, 'const M = { "./util": "child_process" };\n'), ...commonjs, errors: [critical(3, 12)] })),
    { code: browserifyBundle('{"./util": pick()}'), ...commonjs, errors: [critical(2, 12)] },
    { code: 'require("../" + name);', ...commonjs, errors: [{ messageId: 'climbsOut', line: 1, column: 1, data: { specifier: '../…' } }] },
    { code: 'require(`./a/../../${name}`);', ...commonjs, errors: [{ messageId: 'climbsOut', line: 1, column: 1 }] },
    { code: 'require("/usr/lib/" + name);', ...commonjs, errors: [{ messageId: 'climbsOut', line: 1, column: 1, data: { specifier: '/usr/lib/…' } }] },
    { code: 'require("../" + name);', ...commonjs, filename: '/home/author/plugin/index.js', errors: [critical(1, 1)] },
    { code: 'import(`@scope/plugin-${name}`);', errors: [critical(1, 1, 'import()')] },
    // A literal relative prefix that stays inside: low.
    { code: 'const messages = require("./locales/" + lang + ".json");', ...commonjs, ...allSeverities, errors: [local(1, 18, './locales/')] },
    { code: 'const dir = "./plugins";\nconst p = await import(`${dir}/${name}.js`);', ...allSeverities, errors: [local(2, 17, './plugins/')] },
    { code: 'const r = require;\nr("./a/" + "b/" + x);', ...commonjs, ...allSeverities, errors: [local(2, 1, './a/b/')] },
    // A rest that is only a name (a listing's entry, a basename) cannot climb: still low.
    { code: 'const fs = require("fs");\nfor (const f of fs.readdirSync(__dirname + "/cmds")) require("./cmds/" + f);', ...commonjs, ...allSeverities, errors: [local(2, 54, './cmds/')] },
    { code: 'const path = require("path");\nrequire("./locales/" + path.basename(file, ".json"));', ...commonjs, ...allSeverities, errors: [local(2, 1, './locales/')] },
    // A file that writes code files and loads through a prefix: the rest can climb to what it wrote, unread.
    {
      code: 'const fs = require("fs"); const path = require("path");\nfs.writeFileSync(path.join(ctx.dataDir, "messages.js"), bundle);\nrequire("./locales/" + locale);',
      ...commonjs,
      errors: [{ messageId: 'stagedCode', line: 3, column: 1, data: { prefix: './locales/', written: "'*/messages.js'" } }],
    },
    { code: 'import { promises as fsp } from "node:fs";\nawait fsp.writeFile(`${dir}/hook.cjs`, text);\nawait import(`./plugins/${name}`);', errors: [{ messageId: 'stagedCode', line: 3, column: 7 }] },
    { code: 'const fse = require("fs-extra");\nfse.copySync(tmp, base + "/addon.node");\nrequire("./bin/" + arch);', ...commonjs, errors: [{ messageId: 'stagedCode', line: 3, column: 1 }] },
    // Data files written beside it change nothing.
    { code: 'const fs = require("fs");\nfs.writeFileSync(dir + "/cache.json", JSON.stringify(c));\nrequire("./locales/" + lang);', ...commonjs, ...allSeverities, errors: [local(3, 1, './locales/')] },
    // A rest computed from a place is a path, made to climb out (`../../data/stage.js`): critical, however it is built.
    { code: 'const path = require("path");\nconst rel = path.relative(path.join(__dirname, "locales"), path.join(ctx.dataDir, "stage.js"));\nrequire("./locales/" + rel);', ...commonjs, errors: [{ messageId: 'placeRest', line: 3, column: 1, data: { prefix: './locales/', place: 'path.relative' } }] },
    { code: 'const { relative } = require("node:path");\nconst up = relative(__dirname, process.cwd());\nawait import(`./plugins/${up}/stage.mjs`);', ...commonjs, errors: [{ messageId: 'placeRest', line: 3, column: 7 }] },
    { code: 'exports.activate = (ctx) => require("./x/" + ctx.dataDir + "/s.js");', ...commonjs, errors: [{ messageId: 'placeRest', line: 1, column: 29, data: { prefix: './x/', place: 'the data folder (dataDir)' } }] },
    { code: 'const here = process.cwd();\nrequire("./x/" + here + "/s.js");', ...commonjs, errors: [{ messageId: 'placeRest', line: 2, column: 1, data: { prefix: './x/', place: 'process.cwd()' } }] },
    // Code from outside the plugin: absolute paths, file: URLs (however built), the network, blob: URLs.
    { code: 'require("/tmp/x.js");\nimport("file:///etc/x.mjs");\nimport(new URL("./p.mjs", "file:///opt/evil/"));', ...commonjs, errors: [{ messageId: 'outside', line: 1, column: 1, data: { specifier: '/tmp/x.js', where: 'an absolute path' } }, { messageId: 'outside', line: 2, column: 1 }, { messageId: 'outside', line: 3, column: 1 }] },
    { code: 'const path = require("path");\nrequire(path.join(__dirname, "..", "..", "..", "escape.js"));', ...commonjs, filename: 'lib/a.js', errors: [{ messageId: 'outside', line: 2, column: 1 }] },
    // Climbing out of the plugin's folder, folded or only partly known: a repeated `../`, path.join of `..`, a template.
    { code: 'require("../../../etc/x");', ...commonjs, filename: 'index.js', errors: [{ messageId: 'climbsOut', line: 1, column: 1, data: { specifier: '../../../etc/x' } }] },
    { code: 'require("./lib/../../x");\nrequire("../../x");', ...commonjs, filename: 'lib/a.js', errors: [{ messageId: 'climbsOut', line: 2, column: 1 }] },
    { code: 'require("./" + "../".repeat(depth) + name);', ...commonjs, filename: 'index.js', errors: [{ messageId: 'climbsOut', line: 1, column: 1, data: { specifier: './../…' } }] },
    { code: 'const up = "../";\nimport(`${up}${up}${name}.js`);', filename: 'lib/a.mjs', errors: [{ messageId: 'climbsOut', line: 2, column: 1, data: { specifier: '../../…' } }] },
    { code: 'const path = require("path");\nrequire(path.join(__dirname, "..", "..", name));', ...commonjs, filename: 'lib/a.js', errors: [{ messageId: 'climbsOut', line: 2, column: 1, data: { specifier: '/…' } }] },
    { code: 'require(`${__dirname}/../${name}`);', ...commonjs, filename: 'index.js', errors: [{ messageId: 'climbsOut', line: 1, column: 1 }] },
    // A require created for some other place loads from there.
    { code: 'import { createRequire } from "node:module";\nconst r = createRequire(process.cwd() + "/");\nr("./config.js");', filename: 'index.mjs', errors: [{ messageId: 'foreignRequire', line: 2, column: 11, data: { where: 'a place only known at run time' } }] },
    { code: 'const m = require("module");\nm.createRequire("/usr/lib/node_modules/")("npm");', ...commonjs, filename: 'index.js', errors: [{ messageId: 'foreignRequire', line: 2, column: 1, data: { where: "'/usr/lib/node_modules/'" } }] },
    { code: 'import("https://cdn.example/x.mjs");\nimport("blob:nodedata:" + "1234");', errors: [{ messageId: 'outside', line: 1, column: 1, data: { specifier: 'https://cdn.example/x.mjs', where: 'a network address' } }, { messageId: 'blobUrl', line: 2, column: 1 }] },
  ],
});
