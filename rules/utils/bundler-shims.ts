/**
 * The few pieces of code bundlers generate around `require` and the global
 * object, recognised only in their exact generated shape — the same syntax
 * tree, whatever the local names (minifiers rename them) — and nothing like
 * them: esbuild's `__require`, browserify's prelude, webpack's global
 * runtime. Inside a recognised shim nothing is reported (it hands on
 * `require` or the global object on purpose); what the shim stands for is
 * followed instead: a variable bound to `__require` is `require`, the first
 * parameter of a browserify module function is `require` (so every
 * `require('x')` a bundled module makes is judged), `__webpack_require__.g`
 * is the global object.
 */
import type { SourceCode } from 'eslint';
import * as espree from 'espree';
import type { AnyNode } from './ast.js';
import { climbWrappers, isWithin, unwrap } from './ast.js';
import { findVariable } from './scope.js';

export type ShimKind = 'esbuild-require' | 'browserify-prelude' | 'webpack-global';

export interface Shim {
  kind: ShimKind;
  /** The generated code: nothing inside it is reported. */
  node: AnyNode;
}

/** The shapes, as the bundlers print them (esbuild's twice: readable, and minified with `<"u"`). */
const CANONICAL: [ShimKind, string][] = [
  [
    'esbuild-require',
    `((x) => typeof require !== "undefined" ? require : typeof Proxy !== "undefined" ? new Proxy(x, { get: (a, b) => (typeof require !== "undefined" ? require : a)[b] }) : x)(function(x) { if (typeof require !== "undefined") return require.apply(this, arguments); throw Error('Dynamic require of "' + x + '" is not supported'); })`,
  ],
  [
    'esbuild-require',
    `(e=>typeof require<"u"?require:typeof Proxy<"u"?new Proxy(e,{get:(r,t)=>(typeof require<"u"?require:r)[t]}):e)(function(e){if(typeof require<"u")return require.apply(this,arguments);throw Error('Dynamic require of "'+e+'" is not supported')})`,
  ],
  [
    'browserify-prelude',
    `(function(){function r(e,n,t){function o(i,f){if(!n[i]){if(!e[i]){var c="function"==typeof require&&require;if(!f&&c)return c(i,!0);if(u)return u(i,!0);var a=new Error("Cannot find module '"+i+"'");throw a.code="MODULE_NOT_FOUND",a}var p=n[i]={exports:{}};e[i][0].call(p.exports,function(r){var n=e[i][1][r];return o(n||r)},p,p.exports,r,e,n,t)}return n[i].exports}for(var u="function"==typeof require&&require,i=0;i<t.length;i++)o(t[i]);return o}return r})()`,
  ],
  [
    'webpack-global',
    `(function() { if (typeof globalThis === 'object') return globalThis; try { return this || new Function('return this')(); } catch (e) { if (typeof window === 'object') return window; } })()`,
  ],
];
/** Names a shape uses as themselves; every other name is the shape's own and may be renamed. */
const GLOBALS = new Set(['require', 'Proxy', 'arguments', 'Error', 'globalThis', 'window', 'Function', 'undefined']);
/** Words whose presence in a file's text is necessary for a shim, so most files are never walked. */
const MARKERS = ['Dynamic require of', 'MODULE_NOT_FOUND', "Function('return this')()", 'Function("return this")()'];
const MIN_SHIM_LENGTH = 150;
const MAX_SHIM_LENGTH = 1500;
const SKIPPED_KEYS = new Set(['parent', 'range', 'loc', 'start', 'end', 'raw', 'comments', 'tokens']);

let fingerprints: Map<string, ShimKind> | undefined;

/** A structural fingerprint: node types, operators, literal values and global names; local names by order of appearance. */
export function fingerprint(node: AnyNode): string {
  const names = new Map<string, number>();
  const out: string[] = [];
  const visit = (value: unknown): void => {
    if (!value || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      out.push('[');
      value.forEach(visit);
      out.push(']');
      return;
    }
    const n = value as AnyNode;
    if (typeof n.type !== 'string') return;
    if (n.type === 'ParenthesizedExpression') return visit(n.expression);
    if (n.type === 'Identifier') {
      if (GLOBALS.has(n.name)) out.push(`g:${n.name}`);
      else {
        if (!names.has(n.name)) names.set(n.name, names.size);
        out.push(`l:${names.get(n.name)}`);
      }
      return;
    }
    out.push(n.type);
    if (n.type === 'Literal') out.push(JSON.stringify(typeof n.value === 'number' ? Number(n.value) : n.value));
    for (const key of Object.keys(n).sort()) {
      if (SKIPPED_KEYS.has(key) || key === 'type' || key === 'value') continue;
      const child = n[key];
      if (child && typeof child === 'object') {
        out.push(key);
        visit(child);
      } else if (key === 'operator' || key === 'prefix' || key === 'async' || key === 'generator' || key === 'computed' || key === 'kind') {
        out.push(`${key}=${String(child)}`);
      }
    }
  };
  visit(node);
  return out.join(' ');
}

function canonicalFingerprints(): Map<string, ShimKind> {
  if (!fingerprints) {
    fingerprints = new Map();
    for (const [kind, source] of CANONICAL) {
      const program = espree.parse(source, { ecmaVersion: 2022, sourceType: 'script' }) as unknown as AnyNode;
      fingerprints.set(fingerprint(program.body[0].expression), kind);
    }
  }
  return fingerprints;
}

const perFile = new WeakMap<object, Shim[]>();

/** The shims in a file, found once per file. */
export function shimsOf(sourceCode: SourceCode): Shim[] {
  let shims = perFile.get(sourceCode);
  if (!shims) {
    shims = MARKERS.some((marker) => sourceCode.text.includes(marker)) ? findShims(sourceCode.ast as unknown as AnyNode) : [];
    perFile.set(sourceCode, shims);
  }
  return shims;
}

/** Candidates are the calls in the places a bundler puts a shim: a declarator's value, an assignment's right side, a callee. */
function findShims(program: AnyNode): Shim[] {
  const known = canonicalFingerprints();
  const found: Shim[] = [];
  const visit = (node: AnyNode): void => {
    // Every shape is a function called where it is written, a few hundred characters long.
    const callee = node.type === 'CallExpression' ? unwrap(node.callee) : undefined;
    const length = node.range ? node.range[1] - node.range[0] : 0;
    if ((callee?.type === 'ArrowFunctionExpression' || callee?.type === 'FunctionExpression') && length >= MIN_SHIM_LENGTH && length <= MAX_SHIM_LENGTH) {
      const kind = known.get(fingerprint(node));
      if (kind) {
        found.push({ kind, node });
        return;
      }
    }
    for (const key of Object.keys(node)) {
      if (SKIPPED_KEYS.has(key)) continue;
      const value = node[key];
      if (Array.isArray(value)) {
        for (const child of value) if (child && typeof child.type === 'string') visit(child);
      } else if (value && typeof value === 'object' && typeof value.type === 'string') {
        visit(value);
      }
    }
  };
  visit(program);
  return found;
}

/** True when `node` lies inside a recognised shim. */
export function insideShim(sourceCode: SourceCode, node: AnyNode): boolean {
  const shims = shimsOf(sourceCode);
  if (!shims.length || !node.range) return false;
  return shims.some((shim) => isWithin(node, shim.node));
}

/** The value a shim call gives: `require` for esbuild's, the global object for webpack's. */
export function shimValue(sourceCode: SourceCode, call: AnyNode): 'require' | 'global' | undefined {
  const shim = shimsOf(sourceCode).find((candidate) => candidate.node === call);
  return shim?.kind === 'esbuild-require' ? 'require' : shim?.kind === 'webpack-global' ? 'global' : undefined;
}

/** For browserify: whether `fn` is a module function in the map handed to the prelude (`{1: [function (require, module, exports) {…}, {…}]}`). */
export function isBrowserifyModule(sourceCode: SourceCode, fn: AnyNode): boolean {
  const element = climbWrappers(fn);
  const pair = element.parent;
  if (pair?.type !== 'ArrayExpression' || pair.elements[0] !== element.node) return false;
  const property = pair.parent;
  const map = property?.type === 'Property' ? property.parent : undefined;
  const call = map?.parent;
  if (call?.type !== 'CallExpression' || call.arguments[0] !== map) return false;
  return shimsOf(sourceCode).some((shim) => shim.kind === 'browserify-prelude' && unwrap(call.callee) === shim.node);
}

/**
 * For a call of a browserify module's `require` parameter: that module's dependency map. The prelude looks the name
 * up there first (`var n = e[i][1][r]; return o(n || r)`): a number is another module of the bundle; a string goes
 * to Node's own `require`, so `require('./util')` with `{"./util": "child_process"}` loads child_process; a falsy
 * value, or a name the map lacks, loads the name itself. `complete` is false when the gate cannot list the map:
 * a key or value it cannot fold, a spread, a `__proto__` (whose entries the lookup inherits), a map held in a
 * variable; then a name the map does not list may be mapped to anything.
 */
export interface BrowserifyDeps {
  map: Map<string, string | number>;
  complete: boolean;
}

export function browserifyDeps(sourceCode: SourceCode, callee: AnyNode, fold: (node: AnyNode) => unknown): BrowserifyDeps | undefined {
  if (callee.type !== 'Identifier') return undefined;
  const def = findVariable(sourceCode.getScope(callee as never), callee.name)?.defs[0];
  const fn = def?.node as AnyNode | undefined;
  if (def?.type !== 'Parameter' || !fn || fn.params?.[0] !== def.name || !isBrowserifyModule(sourceCode, fn)) return undefined;
  const element = climbWrappers(fn).parent!.elements[1];
  const out: BrowserifyDeps = { map: new Map(), complete: true };
  if (!element) return out;
  const deps = unwrap(element);
  if (deps.type !== 'ObjectExpression') return { ...out, complete: false };
  for (const property of deps.properties) {
    const key = property.type !== 'Property' ? undefined : property.computed ? fold(property.key) : property.key.type === 'Identifier' ? property.key.name : property.key.value;
    if (property.type !== 'Property' || (typeof key !== 'string' && typeof key !== 'number') || (!property.computed && key === '__proto__')) {
      out.complete = false;
      continue;
    }
    const value = unwrap(property.value);
    const folded = value.type === 'Identifier' && value.name === 'undefined' ? undefined : fold(value);
    if (typeof folded === 'string' || typeof folded === 'number') {
      if (folded) out.map.set(String(key), folded);
    } else if (!(value.type === 'Identifier' && value.name === 'undefined') && !(value.type === 'Literal' && !value.value)) out.complete = false;
  }
  return out;
}
