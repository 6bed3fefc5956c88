import { describe, expect, it } from 'vitest';
import { capabilityRoot } from '../../../rules/utils/capability-roots.js';
import { Confinement } from '../../../rules/utils/confinement.js';
import type { Ref } from '../../../rules/utils/resolve.js';
import { probe } from './probe.js';

const cjs = { sourceType: 'commonjs' as const };
const root = (path: string[], module?: string): Ref => ({ module, path });

describe('capability roots', () => {
  it('names the values that grant power, with the category of what they can do', () => {
    expect(capabilityRoot(root([]))).toEqual({ label: 'the global object', category: 'dynamic-code' });
    expect(capabilityRoot(root(['require']))?.category).toBe('dynamic-import');
    expect(capabilityRoot(root(['require', 'cache', '*']))?.category).toBe('runtime-tampering');
    expect(capabilityRoot(root(['process', 'binding']))?.category).toBe('native-code');
    expect(capabilityRoot(root(['process', 'report']))?.category).toBe('env');
    expect(capabilityRoot(root(['eval', 'bind']))?.label).toBe('eval');
    expect(capabilityRoot(root(['prototype', 'require'], 'module'))?.category).toBe('runtime-tampering');
    expect(capabilityRoot(root(['readFile', 'constructor'], 'fs'))?.label).toBe('Function');
    expect(capabilityRoot(root(['fetch']))?.category).toBe('network');
    expect(capabilityRoot(root(['%import.meta']))?.label).toBe('import.meta');
  });

  it('leaves data and harmless members alone', () => {
    for (const path of [['Function', 'prototype'], ['Reflect', 'apply'], ['module', 'exports'], ['process', 'argv'], ['process', 'env'], ['require', 'resolve'], ['%import.meta', 'url'], ['Math'], ['navigator', 'userAgent']]) {
      expect(capabilityRoot(root(path)), path.join('.')).toBeUndefined();
    }
    expect(capabilityRoot(root(['builtinModules'], 'module'))).toBeUndefined();
    for (const [module, member] of [['fs', 'existsSync'], ['fs', 'constants'], ['fs/promises', 'stat'], ['dns', 'getServers'], ['net', 'isIP'], ['http', 'STATUS_CODES'], ['crypto', 'randomBytes'], ['worker_threads', 'parentPort']]) {
      expect(capabilityRoot(root([member], module)), `${module}.${member}`).toBeUndefined();
    }
  });

  it('names the functions of the power modules that are the power itself', () => {
    expect(capabilityRoot(root(['exec'], 'child_process'))).toEqual({ label: 'child_process.exec', category: 'child-process', builtinFunction: true });
    expect(capabilityRoot(root(['readFileSync'], 'fs'))).toEqual({ label: 'fs.readFileSync', category: 'filesystem', builtinFunction: true });
    expect(capabilityRoot(root(['promises', 'writeFile'], 'fs'))?.label).toBe('fs.promises.writeFile');
    expect(capabilityRoot(root(['promises'], 'fs'))).toEqual({ label: 'fs.promises', category: 'filesystem', builtinModule: true });
    expect(capabilityRoot(root(['request'], 'https'))?.category).toBe('network');
    expect(capabilityRoot(root(['lookup'], 'dns'))?.category).toBe('network');
    expect(capabilityRoot(root(['Worker'], 'worker_threads'))?.category).toBe('child-process');
    expect(capabilityRoot(root(['exec', 'bind'], 'child_process'))?.label).toBe('child_process.exec');
    expect(capabilityRoot(root(['exec', 'length'], 'child_process'))).toBeUndefined();
  });
});

describe('escape analysis', () => {
  /** Where the root value of the last expression statement's first argument escapes. */
  const escapeOf = (code: string, options = cjs) =>
    probe(code, (resolver, expression, context) => {
      const value = expression.type === 'CallExpression' && expression.arguments.length ? expression.arguments[0] : expression;
      const ref = resolver.resolve(value);
      const escape = ref && new Confinement(resolver, context.sourceCode).escapeOf(value, ref);
      return escape?.how ?? null;
    }, options);

  it('accepts the shapes it resolves', () => {
    expect(escapeOf('typeof require')).toBeNull();
    expect(escapeOf('require.main === module')).toBeNull();
    expect(escapeOf('function load(l) { return l("./a"); } load(require)')).toBeNull();
    expect(escapeOf('const api = { r: require }; api.r("./a"); (0, api)')).toBeNull();
  });

  it('names the way a root leaves', () => {
    expect(escapeOf('helper(require)')).toBe('is passed to helper');
    expect(escapeOf('Reflect.get(process, key)')).toMatch(/read through Reflect.get with a key/);
    expect(escapeOf('function load(l) { return l; } module.exports = load; load(require)')).toBe('is passed to load');
    // The parameter now stands for require: its own uses are judged where the rule meets them.
    expect(escapeOf('function load(l) { other(l); } load(require)')).toBeNull();
  });

  it("follows a builtin module's function through promisify and lets a strict module's members be called", () => {
    // `promisify(fs.readFile)` is fs.readFile again: the argument is followed as the call, which goes nowhere here.
    expect(escapeOf('const fs = require("fs"); const util = require("util"); util.promisify(fs.readFile)')).toBeNull();
    expect(escapeOf('const fs = require("fs"); const util = require("util"); keep(util.promisify(fs.readFile))')).toBe('is passed to keep');
    expect(escapeOf('const cp = require("child_process"); emit(cp.spawn, "x")')).toBe('is passed to emit');
    // A parameter fed the module and something else is followed strictly; its functions are then called as members of the module.
    expect(escapeOf('function use(f) { f.readFileSync("a"); } use(other); use(require("fs"))')).toBeNull();
    expect(escapeOf('function use(f) { keep(f); } use(other); use(require("fs"))')).toBe('is passed to keep');
  });
});
