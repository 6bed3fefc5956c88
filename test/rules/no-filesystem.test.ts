import { describe, expect, it } from 'vitest';
import rule from '../../rules/no-filesystem.js';
import { assess } from '../../analyzer/assess.js';
import { PROCESS_ENVIRONMENT } from '../../rules/utils/sensitive-paths.js';
import { commonjs, gateReports, inDeclaredPlugin, ruleTester } from './rule-tester.js';
import { ESBUILD_TO_ESM, OLD_TS_IMPORT_STAR, TS_IMPORT_DEFAULT, TS_IMPORT_STAR } from './utils/compiled-helpers.js';

const mod = (line: number, column: number, module?: string) => ({ messageId: 'module', line, column, ...(module && { data: { module } }) });
const secret = (line: number, column: number, path?: string, reason?: string) => ({
  messageId: 'sensitivePath',
  line,
  column,
  ...(path && reason && { data: { path, reason, callee: 'fs:readFileSync' } }),
});

const declaredHead = 'const fs = require("fs"); const os = require("os"); const path = require("path");\n';
ruleTester.run('no-filesystem', rule, {
  valid: [
    // Paths inside the plugin, and words that only look like targets.
    { code: 'const path = require("path"); const p = path.join(__dirname, "data.json");', ...commonjs },
    'throw new Error("refusing to write under /etc/: " + target);',
    'console.error("cannot read ~/.ssh: permission denied");',
    'const ssh = connect(); const etc = [1, 2, 3]; const config = { fs: true, ".ssh": 1 };',
    '// fs.readFileSync(os.homedir() + "/.ssh/id_rsa")\nconst s = "require(\'fs\')";',
    'import x from "my-fs-utils"; import y from "./fs.js"; import z from "fsevents-docs";',
    { code: 'import type { Stats } from "node:fs"; let s: Stats;', filename: 'types.ts' },
    // Path builders are not file access; the template in a log message is not a path.
    'import { join } from "node:path"; import { homedir } from "node:os";\nconst where = join(homedir(), ".ssh");',
    // Comparing, searching and storing path strings opens nothing; nor do bare names outside fs.
    'if (target.startsWith("/etc/") || name.endsWith(".env")) deny(); ignored.push("~/.ssh"); files.includes(".npmrc");',
    'const ignore = new Set([".env", ".npmrc"]); walk(root, { skip: ".env" }); match(".env");',
    // Ordinary platform detection and a .env template.
    'load("/etc/os-release"); load(".env.example");',
    // A local function that shares a name with an fs function.
    'function readFileSync(p) { return p; } readFileSync("~/.music/list");',
    { code: '!function(e){var t=e.readFileSync||0;e.a=function(n){return t(n)}}({});', ...commonjs },
    // The folder above a path proven in the data folder is in it too.
    { code: 'const fs = require("fs"); const path = require("path");\nexports.activate = (ctx) => { const file = path.join(ctx.dataDir, "cache", "recent.json"); fs.mkdirSync(path.dirname(file), { recursive: true }); fs.writeFileSync(file, "[]"); };', ...commonjs },
    // In a plugin declaring $home/Music: its data folder, its own files and the declared folder are only low.
    {
      code: `${declaredHead}exports.activate = (ctx) => {\n  fs.writeFileSync(path.join(ctx.dataDir, "state.json"), "{}");\n  const music = path.join(os.homedir(), "Music");\n  for (const f of fs.readdirSync(music)) fs.statSync(path.join(music, f));\n  fs.readFileSync("cache.json");\n};`,
      ...commonjs,
      ...inDeclaredPlugin,
    },
    // An archiver's path options, all inside the data folder, in a plugin declaring its filesystem use.
    {
      code: 'const tar = require("tar");\nconst path = require("path");\nexports.activate = (ctx) => tar.c({ gzip: true, cwd: path.join(ctx.dataDir, "notes"), file: path.join(ctx.dataDir, "backup.tgz") }, ["."]);',
      ...commonjs,
      ...inDeclaredPlugin,
    },
    // Moving into the data folder (or below it) leaves relative paths there.
    { code: 'exports.activate = (ctx) => { process.chdir(ctx.dataDir); process.chdir(require("path").join(ctx.dataDir, "work")); };', ...commonjs },
    // A dataDir set from a dataDir, or an object's own field: the data folder does not move.
    { code: 'const path = require("path");\nexports.setup = (opts, ctx) => { opts.dataDir = path.join(ctx.dataDir, "x"); opts.dataDir = opts.dataDir || ctx.dataDir; };\nclass S { constructor(dataDir) { this.dataDir = dataDir; } }', ...commonjs },
    // A with body declaring its own dataDir, or writing a dataDir built from the data folder.
    { code: 'const path = require("path");\nexports.a = (ctx) => { with (ctx) { let dataDir = "/tmp"; dataDir = "/x"; } with (ctx) { dataDir = path.join(dataDir, "cache"); } };', ...commonjs },
    // Options merged from what the gate cannot read, a dataDir merged from a dataDir, another key set through Reflect.
    { code: 'const path = require("path");\nexports.setup = (opts, ctx, defaults) => { Object.assign(opts, defaults, { ...ctx }); Object.assign(opts, { dataDir: path.join(ctx.dataDir, "db") }); Reflect.set(opts, "cacheDir", "/tmp/x"); Object.defineProperty(opts, "name", { value: "/etc" }); };', ...commonjs },
  ],
  invalid: [
    // Moving the dataDir of an object the plugin was handed: other files' data-folder paths built from it go there.
    // Through a name holding the parameter, Object.assign (also a spread literal), Reflect.set and defineProperty.
    {
      code: 'const os = require("os");\nexports.a = (ctx) => { const c = ctx; c.dataDir = os.homedir(); };\nexports.b = (ctx) => { Object.assign(ctx, { ["data" + "Dir"]: "/home" }); Object.assign(ctx, { ...{ dataDir: "/etc" } }); };\nexports.c = (ctx) => { Reflect.set(ctx, "dataDir", "/home"); Object.defineProperty(ctx, "data" + "Dir", { value: "/home" }); Reflect.defineProperty(ctx, "dataDir", { get: () => "/root" }); };',
      ...commonjs,
      errors: [
        { messageId: 'movesDataFolder', line: 2, data: { target: 'c.dataDir', path: "'~'" } },
        { messageId: 'movesDataFolder', line: 3, data: { target: 'ctx.dataDir', path: "'/home'" } },
        { messageId: 'movesDataFolder', line: 3, data: { target: 'ctx.dataDir', path: "'/etc'" } },
        { messageId: 'movesDataFolder', line: 4, data: { target: 'ctx.dataDir', path: "'/home'" } },
        { messageId: 'movesDataFolder', line: 4, data: { target: 'ctx.dataDir', path: "'/home'" } },
        { messageId: 'movesDataFolder', line: 4, data: { target: 'ctx.dataDir', path: 'a folder the gate cannot place' } },
      ],
    },
    // Inside `with (ctx)` a bare dataDir is ctx's: assigned, destructured, or climbed with `+=`.
    {
      code: 'const os = require("os");\nexports.a = (ctx) => { with (ctx) { dataDir = os.homedir(); } };\nexports.b = (ctx, o) => { with (ctx) { ({ dataDir } = o); dataDir += "/../.."; } };',
      ...commonjs,
      errors: [
        { messageId: 'movesDataFolder', line: 2, data: { target: 'ctx.dataDir', path: "'~'" } },
        { messageId: 'movesDataFolder', line: 3, data: { target: 'ctx.dataDir', path: 'a folder the gate cannot place' } },
        { messageId: 'movesDataFolder', line: 3, data: { target: 'ctx.dataDir', path: 'a folder the gate cannot place' } },
      ],
    },
    { code: 'const os = require("os");\nexports.prepare = (ctx) => { ctx.dataDir = os.homedir(); };\nexports.other = (c, dir) => { c.dataDir = dir; };', ...commonjs, errors: [{ messageId: 'movesDataFolder', line: 2, column: 30, data: { target: 'ctx.dataDir', path: "'~'" } }, { messageId: 'movesDataFolder', line: 3, column: 31, data: { target: 'c.dataDir', path: 'a folder the gate cannot place' } }] },
    { code: 'import fs from "node:fs";', errors: [mod(1, 1, 'fs')] },
    { code: 'import { readFile } from "fs/promises";', errors: [mod(1, 1, 'fs')] },
    { code: 'const fs = require("f" + "s"); const fse = require("fs-extra");', ...commonjs, errors: [mod(1, 12, 'fs'), mod(1, 44, 'fs-extra')] },
    // Archivers and globbers read and write whatever paths they are handed.
    { code: 'const tar = require("tar");\ntar.c({ cwd: require("os").homedir(), file: "b.tgz" }, [".ssh"]);\nimport("fast-glob");', ...commonjs, errors: [mod(1, 13, 'tar'), { messageId: 'unprovenPath', line: 2, column: 14 }, mod(3, 1, 'fast-glob')] },
    { code: 'const g = await import(`graceful-${"fs"}`);', errors: [mod(1, 17, 'graceful-fs')] },
    { code: 'module.constructor._load("original-fs");', ...commonjs, errors: [mod(1, 1, 'original-fs')] },
    // Sensitive paths: plain, then built every way the folder knows.
    {
      code: 'import fs from "fs";\nfs.readFileSync("/etc/passwd");',
      errors: [mod(1, 1), secret(2, 17, '/etc/passwd', 'system account and key files under /etc')],
    },
    {
      code: 'import fs from "fs"; import os from "os"; import path from "path";\nfs.readFileSync(path.join(os.homedir(), ".ssh", "id_rsa"));',
      errors: [mod(1, 1), secret(2, 17, '~/.ssh/id_rsa', 'SSH keys')],
    },
    {
      code: 'const { readFileSync } = require("node:fs");\nreadFileSync(process.env.HOME + "/.aws/credentials");',
      ...commonjs,
      errors: [mod(1, 26), { ...secret(2, 14), data: { path: '~/.aws/credentials', reason: 'AWS credentials', callee: 'fs:readFileSync' } }],
    },
    {
      code: 'import { readFile } from "node:fs/promises";\nconst { HOME } = process.env;\nawait readFile(`${HOME}/.npmrc`, "utf8");',
      errors: [mod(1, 1), { ...secret(3, 16), data: { path: '~/.npmrc', reason: 'npm credentials', callee: 'fs/promises:readFile' } }],
    },
    {
      code: 'const fs = require("fs");\nfs.promises.readFile(require("os").homedir() + "/.kube/config");',
      ...commonjs,
      errors: [mod(1, 12), { ...secret(2, 22), data: { path: '~/.kube/config', reason: 'Kubernetes credentials', callee: 'fs:promises.readFile' } }],
    },
    {
      code: 'const f = require("fs");\nconst name = atob("Ly5naXQtY3JlZGVudGlhbHM=");\nf.createReadStream(process.env.USERPROFILE + name);',
      ...commonjs,
      errors: [mod(1, 11), { ...secret(3, 20), data: { path: '~/.git-credentials', reason: 'git credentials', callee: 'fs:createReadStream' } }],
    },
    {
      code: 'import { copyFile } from "fs";\nimport { join } from "path";\ncopyFile(join(process.env.LOCALAPPDATA, "Google", "Chrome", "User Data", "Default", "Login Data"), "/tmp/x", cb);',
      errors: [mod(1, 1), { ...secret(3, 10), data: { path: '~/AppData/Local/Google/Chrome/User Data/Default/Login Data', reason: 'a browser profile with saved passwords and cookies', callee: 'fs:copyFile' } }],
    },
    {
      code: 'import * as fs from "fs";\nfs.readdirSync(process.env.APPDATA + "\\\\Exodus\\\\exodus.wallet");',
      errors: [mod(1, 1), { ...secret(2, 16), data: { path: '~/AppData/Roaming\\Exodus\\exodus.wallet', reason: 'a cryptocurrency wallet', callee: 'fs:readdirSync' } }],
    },
    // A directory that cannot be folded, with a known sensitive tail.
    {
      code: 'import fs from "fs"; import path from "path";\nfs.readFileSync(path.join(__dirname, "..", ".env"));\nfs.statSync(dir + "/.ssh/" + "id_ed25519");\nfs.openSync(`${root}/.env.production`, "r");',
      errors: [mod(1, 1), secret(2, 17, '*/../.env'), secret(3, 13), secret(4, 13)],
    },
    // A file: URL is a path to fs.
    {
      code: 'import { readFileSync } from "fs";\nreadFileSync(new URL("file:///etc/shad" + "ow"));',
      errors: [mod(1, 1), { ...secret(2, 14), data: { path: '/etc/shadow', reason: 'system account and key files under /etc', callee: 'fs:readFileSync' } }],
    },
    // Reached through .call and Reflect.apply.
    {
      code: 'const fs = require("fs");\nfs.readFileSync.call(fs, "/etc/shadow");\nReflect.apply(fs.readFileSync, fs, ["~/.ssh/id_rsa"]);',
      ...commonjs,
      errors: [mod(1, 12), secret(2, 26), secret(3, 37)],
    },
    // Wrappers: any call receiving a fully folded sensitive path.
    {
      code: 'import { homedir } from "os";\nimport { join } from "path";\nconst wallet = join(homedir(), ".config", "Exodus");\nreadAll(wallet);\nupload("~/.docker/config.json");',
      errors: [
        { messageId: 'sensitivePath', line: 4, column: 9, data: { path: '~/.config/Exodus', reason: 'a cryptocurrency wallet', callee: 'readAll' } },
        { messageId: 'sensitivePath', line: 5, column: 8, data: { path: '~/.docker/config.json', reason: 'Docker registry credentials', callee: 'upload' } },
      ],
    },
    {
      code: 'jsonfile(`~/.config/google-chrome/Default/Local Extension Settings/${"nkbihfbeogaeaoehlefnkodbefgpgknn"}`);',
      errors: [{ messageId: 'sensitivePath', line: 1, column: 10, data: { path: '~/.config/google-chrome/Default/Local Extension Settings/nkbihfbeogaeaoehlefnkodbefgpgknn', reason: 'a cryptocurrency wallet', callee: 'jsonfile' } }],
    },
    // A sensitive file loaded as a module (JSON with import attributes), a browser database, WASI preopens.
    { code: 'import os from "node:os";\nconst cfg = await import(os.homedir() + "/.docker/config.json", { with: { type: "json" } });', errors: [{ messageId: 'sensitiveLoad', line: 2, column: 19, data: { path: '~/.docker/config.json', via: 'import()', reason: 'Docker registry credentials' } }] },
    { code: 'import { DatabaseSync } from "node:sqlite";\nimport os from "node:os";\nnew DatabaseSync(os.homedir() + "/.config/google-chrome/Default/Cookies");', errors: [{ messageId: 'module', line: 1, column: 1 }, { messageId: 'sensitivePath', line: 3, column: 18 }] },
    { code: 'import { WASI } from "node:wasi";\nnew WASI({ version: "preview1", preopens: { "/sandbox": "/" } });', errors: [{ messageId: 'wasiPreopen', line: 2, column: 1, data: { path: '/', reason: 'the whole file system or home folder' } }] },
    // The data folder's own parent is not in it.
    { code: 'const fs = require("fs"); const path = require("path");\nexports.activate = (ctx) => fs.writeFileSync(path.join(path.dirname(ctx.dataDir), "x"), "");', ...commonjs, errors: [mod(1, 12, 'fs'), { messageId: 'unprovenPath', line: 2, column: 46 }] },
    // A process's environment read from /proc is the environment (env), by any of the process's names, with its PID built at run time.
    {
      code: 'const fs = require("fs"); const path = require("path");\nfs.readFileSync("/proc/thread-self/environ");\nfs.readFileSync(`/proc/${process.pid}/environ`);\nfs.promises.readFile(path.join("/proc", String(process.ppid), "task", tid, "environ"));\nfs.readFileSync("/proc/" + pid + "/root/etc/shadow");',
      ...commonjs,
      errors: [
        mod(1, 12, 'fs'),
        { messageId: 'environmentFile', line: 2, column: 17, data: { path: '/proc/thread-self/environ', reason: PROCESS_ENVIRONMENT, callee: 'fs:readFileSync' } },
        { messageId: 'environmentFile', line: 3, column: 17, data: { path: '/proc/*/environ', reason: PROCESS_ENVIRONMENT, callee: 'fs:readFileSync' } },
        { messageId: 'environmentFile', line: 4, column: 22, data: { path: '/proc/*/task/*/environ', reason: PROCESS_ENVIRONMENT, callee: 'fs:promises.readFile' } },
        { messageId: 'sensitivePath', line: 5, column: 17, data: { path: '/proc/*/root/etc/shadow', reason: 'system account and key files under /etc', callee: 'fs:readFileSync' } },
      ],
    },
    // ...also built into a name first, or returned by a local helper; a name written more than once is not placed.
    {
      code: 'const fs = require("fs");\nconst p = "/proc/" + pid + "/environ";\nfs.readFileSync(p);\nfunction where(id) { return `/proc/${id}/environ`; }\nfs.readFileSync(where(process.ppid));\nconst home = require("os").homedir() + "/.ssh";\nconst key = home + "/id_rsa";\nfs.readFileSync(key);\nlet q = "/proc/"; q += "x";\nfs.readFileSync(q);',
      ...commonjs,
      errors: [
        mod(1, 12, 'fs'),
        { messageId: 'environmentFile', line: 3, column: 17, data: { path: '/proc/*/environ', reason: PROCESS_ENVIRONMENT, callee: 'fs:readFileSync' } },
        { messageId: 'environmentFile', line: 5, column: 17, data: { path: '/proc/*/environ', reason: PROCESS_ENVIRONMENT, callee: 'fs:readFileSync' } },
        { messageId: 'sensitivePath', line: 8, column: 17 },
        { messageId: 'unprovenPath', line: 10, column: 17 },
      ],
    },
    // A path from a list a loop walks or a helper is called with; chat apps' LevelDB sessions.
    { code: 'const fs = require("fs"); const os = require("os"); const path = require("path");\nfor (const f of [".cache/x", ".ssh/id_ed25519"]) fs.readFile(path.join(os.homedir(), f), cb);', ...commonjs, errors: [mod(1, 12, 'fs'), { messageId: 'sensitivePath', line: 2, column: 62, data: { path: '~/.ssh/id_ed25519', reason: 'SSH keys', callee: 'fs:readFile' } }] },
    { code: 'const fs = require("fs");\nconst grab = (dir) => fs.readdirSync(process.env.APPDATA + dir);\ngrab("/discord/Local Storage/leveldb");', ...commonjs, errors: [mod(1, 12, 'fs'), { messageId: 'sensitivePath', line: 2, column: 38 }, { messageId: 'sensitivePath', line: 3, column: 6 }] },
    // Reads the gate proves stay in the plugin's own folder are only low; one read elsewhere keeps the load high.
    { code: 'const fs = require("fs");\nconst path = require("path");\nfs.readFileSync(path.join(__dirname, "data.json"));\nfs.existsSync(path.join(__dirname, "cache"));', ...commonjs, filename: 'lib/index.js', options: [{ minSeverity: 'low' }], errors: [{ messageId: 'ownFiles', line: 1, column: 12, data: { module: 'fs' } }] },
    { code: 'import { readFileSync } from "node:fs";\nreadFileSync(new URL("./a.json", import.meta.url));', filename: 'src/a.mjs', options: [{ minSeverity: 'low' }], errors: [{ messageId: 'ownFiles', line: 1, column: 1 }] },
    { code: 'const fs = require("fs");\nconst path = require("path");\nfs.readFileSync(path.join(__dirname, "..", "..", "etc", "hosts"));', ...commonjs, filename: 'lib/index.js', errors: [{ messageId: 'module', line: 1, column: 12 }, { messageId: 'unprovenPath', line: 3, column: 17, data: { path: 'a path the gate cannot place', callee: 'fs:readFileSync', folder: '', open: 'no', climbs: 'no' } }] },
    // The package is granted to read, not to write: a write into it is placed and judged like any other.
    { code: 'const fs = require("fs");\nfs.readFileSync(__dirname + "/a");\nfs.writeFileSync(__dirname + "/b", x);', ...commonjs, filename: 'index.js', errors: [{ messageId: 'module', line: 1, column: 12 }, { messageId: 'unprovenPath', line: 3, column: 18, data: { path: "'/__plugin__/b'", callee: 'fs:writeFileSync', folder: '/__plugin__/b', open: 'no', climbs: 'no', access: 'write' } }] },
    // Issue 12: without a declaration, a load whose every use stays in the data folder, or reads the package, is low.
    {
      code: 'const fs = require("fs");\nconst path = require("path");\nexports.activate = (ctx) => {\n  fs.mkdirSync(path.join(ctx.dataDir, "cache"), { recursive: true });\n  fs.writeFileSync(path.join(ctx.dataDir, "cache", "s.json"), "{}");\n  const all = fs.readdirSync(ctx.dataDir, { recursive: true });\n  const js = fs.globSync ? fs.globSync("**/*.json", { cwd: ctx.dataDir }) : [];\n  fs.copyFileSync(path.join(__dirname, "seed.json"), path.join(ctx.dataDir, "s.json"));\n  return fs.readFileSync(Buffer.from(path.join(__dirname, "t", "a.txt")));\n};',
      ...commonjs,
      filename: 'index.js',
      options: [{ minSeverity: 'low' }],
      errors: [{ messageId: 'ownFiles', line: 1, column: 12 }],
    },
    { code: 'const { writeFileSync: put, promises } = require("fs");\nexports.activate = ({ dataDir }) => { put(`${dataDir}/a.json`, "{}"); return promises.readFile(dataDir + "/a.json"); };', ...commonjs, filename: 'index.js', options: [{ minSeverity: 'low' }], errors: [{ messageId: 'ownFiles', line: 1, column: 42 }] },
    // Compiled ES imports: TypeScript's, Babel's and esbuild's interop helpers hand back the module, and
    // TypeScript calls a named import as `(0, fs_1.readFileSync)(…)`; the data-folder proof sees through both.
    ...[
      `${TS_IMPORT_DEFAULT}${TS_IMPORT_STAR}const fs_1 = __importDefault(require("fs"));\nconst path = __importStar(require("path"));`,
      `${OLD_TS_IMPORT_STAR}const fs_1 = __importStar(require("fs"));\nconst path = __importStar(require("path"));`,
      'function _interopRequireDefault(e) { return e && e.__esModule ? e : { default: e }; }\nvar fs_1 = _interopRequireDefault(require("fs"));\nvar path = _interopRequireDefault(require("path")).default;',
      `${ESBUILD_TO_ESM}var fs_1 = __toESM(require("fs"), 1);\nvar path = __toESM(require("path"));`,
    ].map((head) => ({
      code: `${head}\nexports.activate = (ctx) => { const file = path.join(ctx.dataDir, "notes.txt"); fs_1.default.appendFileSync(file, "x"); return fs_1.default.readFileSync(file, "utf8"); };`,
      ...commonjs,
      filename: 'dist/index.js',
      options: [{ minSeverity: 'low' }],
      errors: [{ messageId: 'ownFiles' }],
    })),
    { code: 'const fs_1 = require("fs");\nconst path_1 = require("path");\nexports.activate = (ctx) => (0, fs_1.readFileSync)((0, path_1.join)(ctx.dataDir, "a.json"), "utf8");', ...commonjs, filename: 'dist/index.js', options: [{ minSeverity: 'low' }], errors: [{ messageId: 'ownFiles', line: 1, column: 14 }] },
    // Seen through, the calls are judged as fs's: a path out of the data folder, a credential.
    { code: `${TS_IMPORT_DEFAULT}const fs_1 = __importDefault(require("fs"));\nconst os_1 = __importDefault(require("os"));\nexports.activate = () => fs_1.default.writeFileSync(os_1.default.homedir() + "/notes.txt", "x");`, ...commonjs, filename: 'dist/index.js', errors: [{ messageId: 'module', line: 4, column: 30 }, { messageId: 'unprovenPath', line: 6, column: 53 }] },
    { code: `${TS_IMPORT_DEFAULT}const fs_1 = __importDefault(require("fs"));\nconst os_1 = __importDefault(require("os"));\n(0, fs_1.default.readFileSync)(os_1.default.homedir() + "/.ssh/id_rsa");`, ...commonjs, filename: 'dist/index.js', errors: [{ messageId: 'module', line: 4, column: 30 }, { messageId: 'sensitivePath', line: 6, column: 32 }] },
    // A lookalike that hands back something else is a function like any other: the module given to it is not proven.
    { code: 'function __importDefault(mod) { return { default: mod.constructor }; }\nconst fs_1 = __importDefault(require("fs"));\nexports.activate = (ctx) => fs_1.default.readFileSync(ctx.dataDir + "/a");', ...commonjs, filename: 'dist/index.js', errors: [{ messageId: 'module', line: 2, column: 30 }] },
    // Not an own use: a name that may climb, a write into the package, a link, a function whose paths are not modelled, the function handed on.
    ...[
      ['exports.activate = (ctx) => fs.readFileSync(path.join(ctx.dataDir, ctx.config.get("n")));'],
      ['fs.readFileSync(path.resolve(__dirname, "templates", name + ".txt"));', 17],
      ['exports.activate = (ctx) => fs.symlinkSync("/srv/db", path.join(ctx.dataDir, "db"));', 44],
      ['exports.activate = (ctx) => fs.openSync(path.join(ctx.dataDir, "a"), "w");'],
      ['exports.activate = (ctx) => (fs.globSync || glob)("**", { cwd: ctx.dataDir });'],
      // Inside a `with` body a name may be the object's member: `__dirname` is no longer the package's.
      ['with ({ __dirname: home }) { fs.readFileSync(path.join(__dirname, "a.txt")); }', 46],
    ].map(([body, unplacedAt]) => ({
      code: `const fs = require("fs"); const path = require("path");\n${body}`,
      ...commonjs,
      filename: 'index.js',
      errors: [{ messageId: 'module', line: 1, column: 12 }, ...(unplacedAt ? [{ messageId: 'unprovenPath', line: 2, column: unplacedAt as number }] : [])],
    })),
    // Inside `with (ctx)`, `dataDir = …` moves ctx's: the read after it is unplaced, and the move is reported where it happens.
    {
      code: 'const fs = require("fs"); const path = require("path");\nexports.activate = (ctx) => { with (ctx) { dataDir = home; } return fs.readFileSync(path.join(ctx.dataDir, "rclone.conf")); };',
      ...commonjs,
      filename: 'index.js',
      errors: [{ messageId: 'module', line: 1, column: 12 }, { messageId: 'movesDataFolder', line: 2, column: 44 }, { messageId: 'unprovenPath', line: 2, column: 85 }],
    },
    { code: 'const fs = require("fs");\nfs.writeFileSync(require("path").join(__dirname, "index.js"), code);', ...commonjs, filename: 'index.js', errors: [{ messageId: 'module', line: 1, column: 12 }, { messageId: 'unprovenPath', line: 2, column: 18, data: { path: "'/__plugin__/index.js'", callee: 'fs:writeFileSync', folder: '/__plugin__/index.js', open: 'no', climbs: 'no', access: 'write' } }] },
    // A move of the working directory outside the data folder makes every relative path of every file unplaced: reported where it happens, however spelled.
    {
      code: 'const os = require("os");\nprocess.chdir(os.homedir());\nconst { chdir: cd } = process;\ncd("/srv");\nprocess["ch" + "dir"](where());\nReflect.apply(process.chdir, process, [os.homedir() + "/.config"]);\nrequire("node:process").chdir("..");',
      ...commonjs,
      errors: [
        { messageId: 'changesDirectory', line: 2, column: 15, data: { path: "'~'", callee: 'process.chdir', folder: '' } },
        { messageId: 'changesDirectory', line: 4, column: 4, data: { path: "'/srv'", callee: 'process.chdir', folder: '' } },
        { messageId: 'changesDirectory', line: 5, column: 23, data: { path: 'a folder the gate cannot place', callee: 'process.chdir', folder: '' } },
        { messageId: 'changesDirectory', line: 6, column: 40 },
        { messageId: 'changesDirectory', line: 7, column: 31 },
      ],
    },
    { code: 'exports.activate = (ctx) => process.chdir(require("path").join(ctx.dataDir, ctx.config.get("dir")));', ...commonjs, errors: [{ messageId: 'changesDirectory', line: 1, column: 43 }] },
    // Handed on as a value, it is called where the gate cannot see with what.
    {
      code: '[home].forEach(process.chdir);\nconst { chdir } = process;\nsetTimeout(chdir, 0, home);\nconst ops = { cd: process["chdir"] };\nconst list = [globalThis.process.chdir];\nconst cd = process.chdir.bind(process);\ncd(home);',
      ...commonjs,
      errors: [
        { messageId: 'changesDirectory', line: 1, column: 16, data: { path: 'a folder the gate cannot place', callee: 'process.chdir, handed on as a value', folder: '' } },
        { messageId: 'changesDirectory', line: 3, column: 12 },
        { messageId: 'changesDirectory', line: 4, column: 19 },
        { messageId: 'changesDirectory', line: 5, column: 15 },
        { messageId: 'changesDirectory', line: 7, column: 4 },
      ],
    },
    // Declared $home/Music covers none of these: each call stays high (or critical) where it is.
    { code: `${declaredHead}process.chdir(os.homedir());\nprocess.chdir(".docker");\nfs.readFileSync("config.json");`, ...commonjs, ...inDeclaredPlugin, errors: [{ messageId: 'changesDirectory', line: 2, column: 15, data: { path: "'~'", callee: 'process.chdir', folder: '' } }, { messageId: 'changesDirectory', line: 3, column: 15, data: { path: 'a folder the gate cannot place', callee: 'process.chdir', folder: '' } }, { messageId: 'unprovenPath', line: 4, column: 17, data: { path: 'a path the gate cannot place', callee: 'fs:readFileSync', folder: '', open: 'no', climbs: 'no' } }] },
    { code: `${declaredHead}fs.readFileSync([os.userInfo().homedir, ".aws", "credentials"].join("/"));`, ...commonjs, ...inDeclaredPlugin, errors: [{ messageId: 'unprovenPath', line: 2, column: 17 }] },
    { code: `${declaredHead}const { targets } = require("./targets.json");\nfor (const t of targets) send(fs.readFileSync(path.join(os.homedir(), t)));`, ...commonjs, ...inDeclaredPlugin, errors: [{ messageId: 'unprovenPath', line: 3, column: 47, data: { path: "'~/…'", callee: 'fs:readFileSync', folder: '~', open: 'yes', climbs: 'yes' } }] },
    { code: `${declaredHead}fs.readFileSync(path.join(os.homedir(), "Music", "..", ".config", "app.json"));`, ...commonjs, ...inDeclaredPlugin, errors: [{ messageId: 'unprovenPath', line: 2, column: 17, data: { path: "'~/.config/app.json'", callee: 'fs:readFileSync', folder: '~/.config/app.json', open: 'no', climbs: 'no' } }] },
    { code: `${declaredHead}fs.globSync(".s?h/id_*", { cwd: os.homedir() });\nfs.readdirSync("/", { recursive: true });`, ...commonjs, ...inDeclaredPlugin, errors: [{ messageId: 'wholeTreeWalk', line: 2, column: 13, data: { folder: '~', how: 'a glob', callee: 'fs:globSync' } }, { messageId: 'wholeTreeWalk', line: 3, column: 16, data: { folder: '/', how: 'recursively', callee: 'fs:readdirSync' } }] },
    { code: `${declaredHead}fs.readFileSync(Buffer.from([47, 101, 116, 99, 47, 115, 104, 97, 100, 111, 119]));\nfs.readFileSync(path.join("/", "proc", "self", "root", "etc", "sh" + "adow"));`, ...commonjs, ...inDeclaredPlugin, errors: [{ messageId: 'sensitivePath', line: 2, column: 17, data: { path: '/etc/shadow', reason: 'system account and key files under /etc', callee: 'fs:readFileSync' } }, { messageId: 'sensitivePath', line: 3, column: 17 }] },
  ],
});

describe('what a filesystem declaration covers', () => {
  const declared = { filesystem: { read: ['$home/Documents', 'assets'] } };
  /** Each report's message id and the severity the gate gives it under the declaration above. */
  const judged = (code: string) => {
    // In source order, as the analyzer lists them: the rule judges loads at the end of the file, with its calls.
    const reports = gateReports('no-filesystem', rule, code).sort((a, b) => a.loc.line - b.loc.line || a.loc.column - b.loc.column);
    return reports.map((r) => [r.messageId, assess([{ file: 'index.js', reports: [r], reachable: true }], declared)[0].severity]);
  };
  const head = 'const fs = require("fs"); const os = require("os"); const path = require("path");\n';

  it('covers the load, and paths proven inside a declared folder, the data folder or the package', () => {
    expect(judged(`${head}fs.readFileSync(path.join(os.homedir(), "Documents", "notes.md"));`)).toEqual([['module', 'low'], ['unprovenPath', 'low']]);
    expect(judged(`${head}const dir = path.join(os.homedir(), "Documents"); for (const n of fs.readdirSync(dir)) fs.readFileSync(path.join(dir, n));`)).toEqual([['module', 'low'], ['unprovenPath', 'low'], ['unprovenPath', 'low']]);
    // The data folder (the working directory, ctx.dataDir) and the package are always granted: nothing to report.
    expect(judged(`${head}exports.activate = (ctx) => { const inbox = path.join(ctx.dataDir, "inbox"); fs.mkdirSync(inbox); fs.readdirSync(inbox).map((f) => fs.statSync(path.join(inbox, f))); fs.readFileSync("state.json"); };`)).toEqual([['ownFiles', 'low']]);
    expect(judged(`${head}let context; exports.activate = (c) => { context = c; }; function save() { const { dataDir } = context; fs.writeFileSync(\`\${dataDir}/s.json\`, "{}"); }`)).toEqual([['ownFiles', 'low']]);
    expect(judged(`${head}fs.readFileSync(path.join(__dirname, "assets", "icon.svg"));`)).toEqual([['ownFiles', 'low']]);
    // Names a listing gave, however they are held, cannot climb.
    expect(judged(`${head}const music = path.join(os.homedir(), "Documents");\nfor (const e of fs.readdirSync(music, { withFileTypes: true }).filter((e) => e.isFile())) { const n = e.name; fs.statSync(music + "/" + n); }`)).toEqual([['module', 'low'], ['unprovenPath', 'low'], ['unprovenPath', 'low']]);
    expect(judged(`${head}async function f() { const dir = path.join(os.homedir(), "Documents"); (await fs.promises.readdir(dir)).forEach((n) => fs.readFileSync(path.join(dir, n))); }`)).toEqual([['module', 'low'], ['unprovenPath', 'low'], ['unprovenPath', 'low']]);
  });

  it('follows a path through a promise chain: Promise.resolve(v) and what each reaction returns', () => {
    const own = [
      `exports.activate = () => Promise.resolve(__dirname).then((d) => fs.promises.readFile(path.join(d, "package.json"), "utf8"));`,
      `Promise.resolve(path.join(__dirname, "a.json")).then((p) => { return p; }).then((file) => fs.readFileSync(file));`,
      `exports.activate = (ctx) => Promise.resolve(ctx.dataDir).then((dir) => path.join(dir, "state.json")).then((f) => fs.writeFileSync(f, "{}"));`,
    ];
    for (const code of own) expect(judged(`${head}${code}`), code).toEqual([['ownFiles', 'low']]);
    // The secret at the end of a chain is found where it is read.
    expect(judged(`${head}Promise.resolve(os.homedir()).then((h) => path.join(h, ".aws", "credentials")).then((p) => fs.promises.readFile(p));`)).toContainEqual(['sensitivePath', 'critical']);
    // A reaction that rewrites its parameter, an async one, or a promise the file did not make: not placed.
    const unplaced = [
      `Promise.resolve(__dirname).then((d) => { d = "/etc"; return fs.readFileSync(path.join(d, "hosts")); });`,
      `Promise.resolve(__dirname).then(async (d) => d + "/../..").then((p) => fs.readFileSync(p));`,
      `fetchDir().then((d) => fs.readFileSync(path.join(d, "a.json")));`,
      // Another object's `then` calls its callbacks with what it likes, however its first reaction looks.
      `const box = { then(f) { return { then: (g) => g(process.argv[2]) }; } };\nbox.then(() => __dirname).then((p) => fs.readFileSync(p));`,
      `const box = { then: () => ({ then: (g) => g(process.argv[2]) }) };\nbox["then"](() => path.join(__dirname, "a.json")).then((p) => fs.readFileSync(p));`,
      // A named reaction that calls itself again, one that rewrites its parameter through arguments.
      `Promise.resolve(__dirname).then(function read(d) { fs.readFileSync(path.join(d, "a.json")); if (!read.done) { read.done = 1; read(process.argv[2]); } });`,
      `Promise.resolve(__dirname).then(function (d) { arguments[0] = process.argv[2]; return fs.readFileSync(path.join(d, "a.json")); });`,
      // A rejection handler (or a catch) settles the promise too; a generator reaction returns a generator, not its return value.
      `Promise.resolve(__dirname).then(() => JSON.parse("{")).then(() => path.join(__dirname, "a.json"), () => process.argv[2]).then((p) => fs.readFileSync(p));`,
      `Promise.resolve(__dirname).then(function* (d) { return d; }).then((p) => fs.readFileSync(path.join(p, "a.json")));`,
      `Promise.resolve(__dirname).then(() => JSON.parse("{")).catch(() => process.argv[2]).then((p) => fs.readFileSync(p));`,
    ];
    for (const code of unplaced) expect(judged(`${head}${code}`)[0][0], code).toBe('module');
    // A chain begun empty and ended by a catch, a named reaction that never calls itself: still the package.
    const stillOwn = [
      `Promise.resolve().then(() => path.join(__dirname, "package.json")).then((f) => fs.readFileSync(f)).catch(() => 0);`,
      `Promise.resolve(__dirname).then(function readManifest(dir) { return fs.readFileSync(path.join(dir, "package.json"), "utf8"); });`,
    ];
    for (const code of stillOwn) expect(judged(`${head}${code}`), code).toEqual([['ownFiles', 'low']]);
  });

  it('reads an own file named by a constant list of relative names, however the list is walked', () => {
    const ownFilesOnly = [
      `const TEMPLATES = ["daily.md", "meeting.md"];\nfor (const t of TEMPLATES) fs.readFileSync(path.join(__dirname, "templates", t), "utf8");`,
      `const PAGES = ["a.html", "sub/b.html"];\nPAGES.forEach((page) => fs.readFileSync(path.join(__dirname, "pages", page)));`,
      `const NAMES = ["en", "de"];\nexports.load = () => NAMES.map((n) => fs.readFileSync(\`\${__dirname}/locales/\${n}.json\`));`,
    ];
    for (const code of ownFilesOnly) expect(judged(`${head}${code}`), code).toEqual([['ownFiles', 'low']]);
    // A name that climbs or is absolute, a list that changes or comes from outside: any element may leave the package,
    // so the load is the one a declaration must cover (high without it), not the own-files one.
    const mayClimb = [
      `const T = ["daily.md", "../../.ssh/id_rsa"];\nfor (const t of T) fs.readFileSync(path.join(__dirname, t));`,
      `const T = ["daily.md", "/etc/passwd"];\nfor (const t of T) fs.readFileSync(path.resolve(__dirname, t));`,
      `const T = ["daily.md"];\nexports.add = (x) => T.push(x);\nfor (const t of T) fs.readFileSync(path.join(__dirname, t));`,
      `const T = require("./names.json");\nfor (const t of T) fs.readFileSync(path.join(__dirname, t));`,
      // A `.` (or empty) segment turns into `..` beside the text around it.
      `const P = ["."];\nfor (const p of P) for (const q of P) fs.readFileSync(\`\${__dirname}/\${p}\${q}/\${p}\${q}/other/index.js\`);`,
      `const L = ["en", "."];\nL.forEach((l) => fs.readFileSync(\`\${__dirname}/\${l}./other/index.js\`));`,
      `const L = ["en/"];\nL.forEach((l) => fs.readFileSync(\`\${__dirname}/\${l}../other/index.js\`));`,
      // A named callback that calls itself with another name, one that rewrites its element through arguments.
      `const L = ["en"];\nL.forEach(function load(l) { fs.readFileSync(path.join(__dirname, l)); if (!load.again) { load.again = 1; load(process.argv[2]); } });`,
      `const L = ["en"];\nL.forEach(function (l) { arguments[0] = process.argv[2]; fs.readFileSync(path.join(__dirname, l)); });`,
    ];
    for (const code of mayClimb) expect(judged(`${head}${code}`)[0][0], code).toBe('module');
    // Dotted names that are not `.` segments, and a named callback that never calls itself, stay the package's.
    expect(judged(`${head}const L = [".env.defaults", "v1./notes.md"];\nL.forEach(function loadOne(l) { fs.readFileSync(\`\${__dirname}/conf/\${l}\`); });`)).toEqual([['ownFiles', 'low']]);
  });

  it('keeps high every path it cannot place inside the grant', () => {
    const cases = [
      // Decoded by hand, from a shipped table, a Buffer that is not constant, through os.userInfo(): not placed.
      `function dec(s) { let o = ""; for (const c of s) o += String.fromCharCode(c.charCodeAt(0) ^ 1); return o; }\nfs.readFileSync(path.join(os.homedir(), dec("/rri")));`,
      `const { targets } = require("./targets.json");\nfor (const t of targets) fs.readFileSync(path.join(os.homedir(), t));`,
      `fs.readFileSync([os.userInfo().homedir, ".aws", "credentials"].join("/"));`,
      `fs.readFileSync(Buffer.from(bytes));`,
      // Home or root with an unknown rest is never covered, even under a declared $home.
      `fs.readdirSync(os.homedir());`,
      `const name = pick(); fs.readFileSync(os.homedir() + "/" + name);`,
      // A segment that is not a name a listing gave may hold `..`: under a declared folder it is not covered.
      `exports.activate = (ctx) => ctx.commands.register("open", (name) => fs.readFileSync(path.join(os.homedir(), "Documents", name)));`,
      `const A = "abcdefghijklmnopqrstuvwxyz";\nfunction dec(s) { let o = ""; for (const c of s) { const i = A.indexOf(c); o += i < 0 ? c : A[(i + 13) % 26]; } return o; }\nfs.readFileSync(os.homedir() + "/Documents/" + dec("../.ffu/vq_efn"));`,
      // A declared folder climbed out of, or joined with unknown segments spread in.
      `fs.readFileSync(path.join(os.homedir(), "Documents", x, "..", "..", "notes"));`,
      `exports.activate = (ctx) => fs.readFileSync(path.join(ctx.dataDir, ...up, "etc", "hosts"));`,
      // The plugin changes its working directory: a relative path is no longer in the data folder.
      `process.chdir(os.homedir()); fs.readFileSync("config.json");`,
      `fs.readFileSync("notes.txt"); require("process").chdir("/");`,
      // path.resolve starts again at an absolute part; a Buffer or URL overwritten in place is not the path it was made from.
      `fs.readFileSync(path.resolve(__dirname, os.homedir() + "/" + ".config/rclone/rclone.conf"));`,
      `fs.readFileSync(path.resolve(__dirname, "cache", pick()));`,
      `const b = Buffer.from("./cache/state".padEnd(28, "0")); const t = ["/srv/backup/", "db.txt"]; b.write(t.join(""), 0); fs.readFileSync(b);`,
      `const b = Buffer.from(path.join(__dirname, "a.json")); b.fill(0x2f, 0, 1); fs.readFileSync(b);`,
      `const b = new Uint8Array(Buffer.from("./state")); b[0] = 47; fs.readFileSync(b);`,
      `const u = require("url").pathToFileURL(path.join(__dirname, "a.json")); u.pathname = "/srv/x"; fs.readFileSync(u);`,
      `fs.readFileSync(new URL(os.homedir() + "/.config/rclone/rclone.conf", "file://" + __filename));`,
      // A folder declared to read is not granted to write.
      `fs.writeFileSync(path.join(os.homedir(), "Documents", "notes.md"), text);`,
      // A host object the plugin made itself is not the host's.
      `const ctx = { dataDir: where() }; fs.readFileSync(path.join(ctx.dataDir, "a"));`,
    ];
    for (const code of cases) {
      const reports = judged(head + code).filter(([id]) => id !== 'module');
      expect(reports.length, code).toBeGreaterThan(0);
      expect(reports.every(([id, severity]) => (id === 'unprovenPath' || id === 'changesDirectory') && severity === 'high'), code).toBe(true);
    }
  });

  it('places a field the constructor sets from a parameter where every `new` of the class puts it', () => {
    const scanner = 'class Scanner { constructor(dir) { this.dir = dir; } *files() { for (const d of fs.readdirSync(this.dir)) yield path.join(this.dir, d); } }\n';
    const placed = judged(`${head}${scanner}exports.activate = (ctx) => [...new Scanner(ctx.dataDir).files(), ...new Scanner(path.join(ctx.dataDir, "inbox")).files()];`);
    expect(placed.filter(([id]) => id === 'unprovenPath')).toEqual([]);
    const unplaced = [
      // A `new` with another folder, the field written from outside, the class handed on, a factory in the class itself.
      `${scanner}exports.activate = (ctx) => [...new Scanner(ctx.dataDir).files(), ...new Scanner(os.homedir()).files()];`,
      `${scanner}exports.activate = (ctx) => { const s = new Scanner(ctx.dataDir); s.dir = os.homedir(); return [...s.files()]; };`,
      `${scanner}exports.Scanner = Scanner;\nexports.activate = (ctx) => [...new Scanner(ctx.dataDir).files()];`,
      'class Scanner { constructor(dir) { this.dir = dir; } static home() { return new Scanner(os.homedir()); } list() { return fs.readdirSync(this.dir); } }\nexports.activate = (ctx) => [new Scanner(ctx.dataDir).list(), Scanner.home().list()];',
    ];
    for (const code of unplaced) expect(judged(head + code).some(([id, severity]) => id === 'unprovenPath' && severity === 'high'), code).toBe(true);
  });

  it('trusts an anchor of the file\'s own place only while nothing in the file writes it', () => {
    const written = [
      // The wrapper's parameters are ordinary bindings: assigned, destructured into, looped over, or written through the wrapper's `arguments`.
      `__dirname = os.homedir(); fs.readFileSync(path.join(__dirname, ".config/doctl/config.yaml"));`,
      `({ __filename } = { __filename: os.homedir() + "/x" }); fs.readFileSync(path.join(path.dirname(__filename), ".terraform.d", "credentials.tfrc.json"));`,
      `[, __dirname] = [0, os.homedir()]; const at = (f) => path.join(__dirname, f); fs.readFileSync(at(".netrc-x"));`,
      `for (__dirname of [os.homedir()]); fs.readFileSync(__dirname + "/.config/gh/hosts.yml");`,
      `function setup() { __dirname = require("os").homedir(); } setup(); fs.readFileSync(path.join(__dirname, ".s3cfg"));`,
      `arguments[4] = os.homedir(); fs.readFileSync(path.join(__dirname, ".s3cfg"));`,
      `const wrapper = arguments; wrapper["" + 4] = os.homedir(); fs.readFileSync(path.join(__dirname, ".s3cfg"));`,
      `Object.assign(arguments, { 3: os.homedir() + "/x" }); fs.readFileSync(path.join(path.dirname(__filename), ".s3cfg"));`,
      // import.meta is an ordinary object: its members are assigned, merged into or redefined, directly or through an alias.
      `import.meta.dirname = os.homedir(); fs.readFileSync(path.join(import.meta.dirname, ".config/hcloud/cli.toml"));`,
      `import.meta["dir" + "name"] = os.homedir(); fs.readFileSync(path.join(import.meta.dirname, ".s3cfg"));`,
      `Object.assign(import.meta, { dirname: os.homedir() }); fs.readFileSync(path.join(import.meta.dirname, ".s3cfg"));`,
      `Object.defineProperty(import.meta, "url", { value: "file://" + os.homedir() + "/" }); fs.readFileSync(new URL(".s3cfg", import.meta.url));`,
      `const meta = import.meta; meta.filename = os.homedir() + "/x"; fs.readFileSync(path.join(path.dirname(import.meta.filename), ".s3cfg"));`,
      // The host's ctx is trusted only while the parameter holds what the host passed.
      `exports.activate = (ctx) => { ctx = { ...ctx, dataDir: os.homedir() }; fs.readFileSync(path.join(ctx.dataDir, ".s3cfg")); };`,
      `exports.activate = function (ctx) { arguments[0] = { dataDir: os.homedir() }; fs.readFileSync(path.join(ctx.dataDir, ".s3cfg")); };`,
      `exports.activate = (ctx) => { [ctx] = [{ dataDir: os.homedir() }]; const { dataDir } = ctx; fs.readFileSync(dataDir + "/.s3cfg"); };`,
      // Its members are as writable: directly, by a computed key, reflectively, or on the copy a class keeps.
      `exports.activate = (ctx) => { ctx.dataDir = os.homedir(); fs.readFileSync(path.join(ctx.dataDir, ".s3cfg")); };`,
      `exports.activate = (ctx) => { const k = ["data", "Dir"].join(""); ctx[k] = os.homedir(); fs.readFileSync(path.join(ctx.dataDir, ".s3cfg")); };`,
      `exports.activate = (ctx) => { Object.assign(ctx, { dataDir: os.homedir() }); fs.readFileSync(path.join(ctx.dataDir, ".s3cfg")); };`,
      `let context; exports.activate = (c) => { context = c; Reflect.defineProperty(context, "dataDir", { value: os.homedir() }); }; exports.read = () => fs.readFileSync(path.join(context.dataDir, ".s3cfg"));`,
      `class Sync { constructor(ctx) { this.ctx = { ...ctx, dataDir: os.homedir() }; } read() { return fs.readFileSync(path.join(this.ctx.dataDir, ".s3cfg")); } }\nexports.activate = (ctx) => new Sync(ctx).read();`,
      `class Sync { ctx = { dataDir: os.homedir() }; read() { return fs.readFileSync(path.join(this.ctx.dataDir, ".s3cfg")); } }\nexports.activate = () => new Sync().read();`,
    ];
    for (const code of written) {
      const reports = judged(head + code).filter(([id]) => id !== 'module');
      expect(reports.length, code).toBeGreaterThan(0);
      expect(reports.every(([id, severity]) => (id === 'unprovenPath' || id === 'sensitivePath' || id === 'movesDataFolder') && (severity === 'high' || severity === 'critical')), code).toBe(true);
    }
    // Reading the anchors, resolving from import.meta, a function's own `arguments` or a shadowing parameter writes nothing of them.
    const read = [
      `const here = __dirname; const wrapper = arguments; const count = wrapper.length + arguments[4].length; fs.readFileSync(path.join(here, "a.json")); fs.readFileSync(path.join(__dirname, "b.json"));`,
      `function pick(__dirname) { __dirname = "x"; arguments[0] = 1; return __dirname; } fs.readFileSync(path.join(__dirname, "assets", "icon.svg"));`,
      `import.meta.resolve("./a.js"); const base = import.meta.url; fs.readFileSync(new URL("./assets/a.json", base)); fs.readFileSync(path.join(import.meta.dirname, "b.json"));`,
      `exports.activate = (ctx) => { const { dataDir } = ctx; fs.writeFileSync(path.join(dataDir, "s.json"), "{}"); fs.readFileSync(path.join(ctx.dataDir, "s.json")); };`,
      `class Store { ctx; constructor(ctx) { this.ctx = ctx; this.dataDir = ctx.dataDir; this.count = 0; } save() { this.count++; fs.writeFileSync(path.join(this.ctx.dataDir, "s.json"), "{}"); } }\nexports.activate = (ctx) => { new Store(ctx).save(); ctx.subscriptions = []; setup(ctx); };`,
    ];
    for (const code of read) expect(judged(head + code), code).toEqual([['ownFiles', 'low']]);
  });

  it('places a variable rebound inside a proven folder, a local helper\'s result and a local literal\'s member', () => {
    const placed = [
      `const stateFile = (ctx) => path.join(ctx.dataDir, "state.json");\nexports.activate = (ctx) => { fs.writeFileSync(stateFile(ctx), "{}"); fs.readFileSync(stateFile(ctx)); };`,
      `let dir = __dirname;\ndir = path.join(dir, "templates");\nexports.activate = () => fs.readFileSync(path.join(dir, "daily.md"));`,
      `exports.activate = (ctx) => { const env = { dir: ctx.dataDir, log: ctx.log }; fs.writeFileSync(path.join(env.dir, "cache.json"), "{}"); env.log.info("ok"); };`,
      `function asset(name) { return name === "dark" ? path.join(__dirname, "themes", "dark.css") : path.join(__dirname, "themes", "light.css"); }\nfs.readFileSync(asset("dark"));`,
    ];
    for (const code of placed) expect(judged(head + code), code).toEqual([['ownFiles', 'low']]);
    const unplaced = [
      `const stateFile = (c) => path.join(c.dataDir, ".s3cfg");\nexports.activate = () => fs.readFileSync(stateFile({ dataDir: os.homedir() }));`,
      `const stateFile = (ctx) => path.join(ctx.dataDir, "..", "..", ".s3cfg");\nexports.activate = (ctx) => fs.readFileSync(stateFile(ctx));`,
      `function where(ctx) { if (ctx.config.get("legacy")) return os.homedir() + "/.s3cfg"; return path.join(ctx.dataDir, "s3cfg"); }\nexports.activate = (ctx) => fs.readFileSync(where(ctx));`,
      `let dir = __dirname;\ndir = path.join(dir, "..", "..", "..");\nfs.readFileSync(path.join(dir, ".s3cfg"));`,
      `let dir = __dirname;\nif (process.platform === "linux") dir = os.homedir();\nfs.readFileSync(path.join(dir, ".s3cfg"));`,
      `exports.activate = (ctx) => { const env = { dir: ctx.dataDir }; env["d" + "ir"] = os.homedir(); fs.readFileSync(path.join(env.dir, ".s3cfg")); };`,
      `exports.activate = (ctx) => { const env = { dir: ctx.dataDir }; Object.assign(env, { dir: os.homedir() }); fs.readFileSync(path.join(env.dir, ".s3cfg")); };`,
    ];
    for (const code of unplaced) {
      const reports = judged(head + code).filter(([id]) => id !== 'module');
      expect(reports.length, code).toBeGreaterThan(0);
      expect(reports.every(([id, severity]) => (id === 'unprovenPath' || id === 'sensitivePath' || id === 'movesDataFolder') && (severity === 'high' || severity === 'critical')), code).toBe(true);
    }
  });

  it('judges each path of a copy by its own access: the source is read, the destination written', () => {
    expect(judged(`${head}fs.copyFileSync(path.join(os.homedir(), "Documents", "a"), path.join(os.homedir(), "Documents", "b"));`)).toEqual([['module', 'low'], ['unprovenPath', 'low'], ['unprovenPath', 'high']]);
  });

  it('reports a walk of everything under home or root as critical, and sensitive paths however they are spelled', () => {
    expect(judged(`${head}fs.globSync(".s?h/id_*", { cwd: os.homedir() });`)).toEqual([['module', 'low'], ['wholeTreeWalk', 'critical']]);
    expect(judged(`${head}const home = os.homedir(); for (const f of fs.readdirSync(home, { recursive: true })) if (/wal+et\\.dat$/.test(f)) send(f);`)).toEqual([['module', 'low'], ['wholeTreeWalk', 'critical']]);
    expect(judged(`${head}fs.promises.glob("/**/id_*");`)).toEqual([['module', 'low'], ['wholeTreeWalk', 'critical']]);
    expect(judged(`${head}fs.readFileSync(Buffer.from([47,101,116,99,47,115,104,97,100,111,119]));`)).toEqual([['module', 'low'], ['sensitivePath', 'critical']]);
    expect(judged(`${head}fs.readFileSync(path.join("/", "proc", "self", "root", "etc", "sh" + "adow"));`)).toEqual([['module', 'low'], ['sensitivePath', 'critical']]);
    expect(judged(`${head}fs.readFileSync(path.join(os.homedir(), "..", "..", "etc", "shadow"));`)).toEqual([['module', 'low'], ['sensitivePath', 'critical']]);
    // A glob or a recursive walk inside a declared folder is covered.
    expect(judged(`${head}fs.globSync("**/*.md", { cwd: path.join(os.homedir(), "Documents") }); fs.readdirSync(path.join(os.homedir(), "Documents"), { recursive: true });`)).toEqual([['module', 'low'], ['unprovenPath', 'low'], ['unprovenPath', 'low']]);
  });
});
