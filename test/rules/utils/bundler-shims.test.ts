import { describe, expect, it } from 'vitest';
import { shimsOf } from '../../../rules/utils/bundler-shims.js';
import { probe } from './probe.js';

const ESBUILD = `var __require = /* @__PURE__ */ ((x) => typeof require !== "undefined" ? require : typeof Proxy !== "undefined" ? new Proxy(x, {
  get: (a, b) => (typeof require !== "undefined" ? require : a)[b]
}) : x)(function(x) {
  if (typeof require !== "undefined") return require.apply(this, arguments);
  throw Error('Dynamic require of "' + x + '" is not supported');
});`;

const kinds = (code: string) => probe(`${code}\n0`, (_resolver, _expression, context) => shimsOf(context.sourceCode).map((shim) => shim.kind), { sourceType: 'commonjs', filename: 'a.js' });

describe('bundler shims', () => {
  it("recognises esbuild's __require, readable or minified with other names", () => {
    expect(kinds(ESBUILD)).toEqual(['esbuild-require']);
    const minified = `var q=(z=>typeof require<"u"?require:typeof Proxy<"u"?new Proxy(z,{get:(m,n)=>(typeof require<"u"?require:m)[n]}):z)(function(z){if(typeof require<"u")return require.apply(this,arguments);throw Error('Dynamic require of "'+z+'" is not supported')});`;
    expect(kinds(minified)).toEqual(['esbuild-require']);
  });

  it('recognises nothing that only looks like a shim', () => {
    // The same text with the fallback calling something else, and with the message changed.
    expect(kinds(ESBUILD.replace('require.apply(this, arguments)', 'loader.apply(this, arguments)'))).toEqual([]);
    expect(kinds(ESBUILD.replace('Dynamic require of', 'Dynamic load of'))).toEqual([]);
    expect(kinds('const r = typeof require === "function" ? require : null;')).toEqual([]);
  });

  it("recognises webpack's global runtime", () => {
    const webpack = `__webpack_require__.g = (function() {
      if (typeof globalThis === 'object') return globalThis;
      try { return this || new Function('return this')(); } catch (e) { if (typeof window === 'object') return window; }
    })();`;
    expect(kinds(`var __webpack_require__ = {};\n${webpack}`)).toEqual(['webpack-global']);
  });
});
