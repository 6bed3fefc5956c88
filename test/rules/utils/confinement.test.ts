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
    expect(capabilityRoot(root(['exec'], 'child_process'))).toBeUndefined(); // its load is the finding, not the value
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
});
