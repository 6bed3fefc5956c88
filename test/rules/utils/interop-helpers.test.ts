import { describe, expect, it } from 'vitest';
import { isInteropHelperCall } from '../../../rules/utils/interop-helpers.js';
import { BABEL_WILDCARD, ESBUILD_TO_ESM, OLD_BABEL_WILDCARD, OLD_TS_IMPORT_STAR, TS_IMPORT_DEFAULT, TS_IMPORT_STAR } from './compiled-helpers.js';
import { probe, resolveName } from './probe.js';

const cjs = { sourceType: 'commonjs' as const };

/** Whether the last expression of `code`, a call, is an interop helper applied to its module. */
const helperCall = (code: string) => probe(code, (resolver, expression) => isInteropHelperCall(expression, resolver), { sourceType: 'commonjs', filename: 'a.js' });

describe('module-interop helpers', () => {
  it('recognises the helpers TypeScript, Babel and tslib emit, in their generated shapes', () => {
    expect(helperCall(`${TS_IMPORT_DEFAULT}__importDefault(require("fs"));`)).toBe(true);
    expect(helperCall(`${TS_IMPORT_STAR}__importStar(require("child_process"));`)).toBe(true);
    expect(helperCall('function _interopRequireDefault(e) { return e && e.__esModule ? e : { default: e }; }\n_interopRequireDefault(require("crypto"));')).toBe(true);
    expect(helperCall(`${BABEL_WILDCARD}_interopRequireWildcard(require("fs"));`)).toBe(true);
    expect(helperCall(`${BABEL_WILDCARD}_interopRequireWildcard(require("fs"), !0);`)).toBe(true);
    expect(helperCall('const tslib_1 = require("tslib");\ntslib_1.__importStar(require("fs"));')).toBe(true);
    expect(helperCall(`${ESBUILD_TO_ESM}__toESM(require("fs"), 1);`)).toBe(true);
    expect(helperCall(`${OLD_TS_IMPORT_STAR}__importStar(require("fs"));`)).toBe(true);
    expect(helperCall(`${OLD_BABEL_WILDCARD}_interopRequireWildcard(require("fs"));`)).toBe(true);
  });

  it('refuses a lookalike that returns something else than its module, or an object standing for it', () => {
    // The boundary: the module itself, under `default`, or its members copied under their own names.
    expect(helperCall('function __importDefault(mod) { return { default: mod }; }\n__importDefault(require("fs"));')).toBe(true);
    expect(helperCall('function __importDefault(mod) { var o = {}; o.writeFileSync = mod.writeFileSync; o.default = mod; return o; }\n__importDefault(require("fs"));')).toBe(true);
    expect(helperCall('function __importDefault(mod) { return { default: {} }; }\n__importDefault(require("fs"));')).toBe(false);
    expect(helperCall('function __importDefault(mod) { return 42; }\n__importDefault(require("fs"));')).toBe(false);
    expect(helperCall('function __importDefault(mod, flag) { return flag; }\n__importDefault(require("fs"), 1);')).toBe(false);
    expect(helperCall('var __importDefault = function (mod) { var r = "x"; return r; };\n__importDefault(require("fs"));')).toBe(false);
    expect(helperCall('function _interopRequireDefault(e) { return this; }\n_interopRequireDefault(require("fs"));')).toBe(false);
    // Something from outside put where the module's members are expected.
    expect(helperCall('function __importDefault(mod) { return { default: process }; }\n__importDefault(require("path"));')).toBe(false);
    expect(helperCall('function __importDefault(mod) { return { default: Object }; }\n__importDefault(require("path"));')).toBe(false);
    expect(helperCall('function __importDefault(mod) { var d = Object.defineProperty; return { default: { join: d } }; }\n__importDefault(require("path"));')).toBe(false);
    // Reaching past the module by a name, or moving one of its members under another name.
    expect(helperCall('function __importDefault(mod) { return { default: mod.constructor }; }\n__importDefault(require("path"));')).toBe(false);
    expect(helperCall('function __importDefault(mod) { return { default: mod["constr" + "uctor"].constructor }; }\n__importDefault(require("path"));')).toBe(false);
    expect(helperCall('function __importDefault(mod) { var o = {}; o.readFileSync = mod.writeFileSync; o.default = o; return o; }\n__importDefault(require("fs"));')).toBe(false);
    expect(helperCall('function __importDefault(mod) { var w = mod.writeFileSync; var o = { readFileSync: w }; return o; }\n__importDefault(require("fs"));')).toBe(false);
    expect(helperCall('function __importDefault(mod) { var o = {}; Object.defineProperty(o, "readFileSync", Object.getOwnPropertyDescriptor(mod, "writeFileSync")); return o; }\n__importDefault(require("fs"));')).toBe(false);
  });

  it('makes the result stand for the module, so members read off it are the module\'s', () => {
    expect(resolveName(`${TS_IMPORT_DEFAULT}const fs_1 = __importDefault(require("fs"));\nfs_1.default.writeFileSync`, cjs)).toBe('fs:writeFileSync');
    expect(resolveName(`${TS_IMPORT_STAR}const path = __importStar(require("path"));\npath.join`, cjs)).toBe('path:join');
    expect(resolveName(`${ESBUILD_TO_ESM}const cp = __toESM(require("child_process"));\n(0, cp.execSync)`, cjs)).toBe('child_process:execSync');
    expect(resolveName('const tslib_1 = require("tslib");\nconst os_1 = tslib_1.__importDefault(require("os"));\nos_1.default.homedir', cjs)).toBe('os:homedir');
    // A lookalike is only a local function, whose result is what its body returns.
    expect(resolveName('function __importDefault(mod) { return { default: {} }; }\nconst fs_1 = __importDefault(require("fs"));\nfs_1.default.writeFileSync', cjs)).not.toBe('fs:writeFileSync');
  });

  it('refuses a function that only bears the name: it calls other code, writes outside itself, or is given more than the module', () => {
    expect(helperCall('function __importDefault(mod) { leak(mod); return mod; }\n__importDefault(require("fs"));')).toBe(false);
    expect(helperCall('function __importDefault(mod) { globalThis.kept = mod; return mod; }\n__importDefault(require("fs"));')).toBe(false);
    expect(helperCall('let kept;\nfunction __importDefault(mod) { kept = mod; return mod; }\n__importDefault(require("fs"));')).toBe(false);
    expect(helperCall('function __importDefault(mod) { Object.defineProperty(globalThis, "k", { value: mod }); return mod; }\n__importDefault(require("fs"));')).toBe(false);
    expect(helperCall('function __importDefault(mod, sink) { sink.k = mod; return mod; }\n__importDefault(require("fs"), bus);')).toBe(false);
    expect(helperCall('function __importDefault(mod, f) { return f(mod); }\n__importDefault(require("fs"), 1);')).toBe(false);
    // Under another name, a function that does not hand back its argument is no helper, however plain.
    expect(helperCall('function wrap(m) { return { m }; }\nwrap(require("fs"));')).toBe(false);
    // A helper the file does not declare, or one from a package that is not a helper runtime.
    expect(helperCall('__importDefault(require("fs"));')).toBe(false);
    expect(helperCall('var __toESM = (mod) => __copyProps({}, mod);\n__toESM(require("fs"));')).toBe(false);
    expect(helperCall('const h = require("./helpers");\nh.__importStar(require("fs"));')).toBe(false);
  });
});
