import { describe, expect, it } from 'vitest';
import { HeldValues } from '../../../rules/utils/held-values.js';
import { Resolver } from '../../../rules/utils/resolve.js';
import { isRuntimeDefinition, findVariable } from '../../../rules/utils/scope.js';
import { markedNode, probe, type ProbeOptions } from './probe.js';

/** The names of the values the last `$` of `code` may hold because they came out of a place the resolver does not follow. */
const held = (code: string, options?: ProbeOptions) =>
  probe(`${code}\n0`, (resolver, _expression, context) => {
    const marked = markedNode(context.sourceCode.ast as never);
    const values = new HeldValues(resolver, (node) => context.sourceCode.getScope(node as never));
    return values.refsOf(marked.parent.type === 'MemberExpression' && marked.parent.property === marked ? marked.parent : marked).map((ref) => Resolver.nameOf(ref));
  }, options);

describe('values held by places the resolver does not follow', () => {
  it('follows a shared value into an array, object, Map or Set and back out by every way out', () => {
    expect(held('for (const $ of [Array.prototype, String.prototype]) $.x = 1;')).toEqual(['Array.prototype', 'String.prototype']);
    expect(held('[Buffer.prototype].forEach(($) => $.x);')).toEqual(['Buffer.prototype']);
    expect(held('const [$] = [Array.prototype];\n$;')).toEqual(['Array.prototype']);
    expect(held('const m = new Map([["p", Object.prototype]]);\nconst $ = m.get("p");\n$;')).toEqual(['Object.prototype']);
    expect(held('const protos = { a: JSON };\nconst $ = protos[key];\n$;')).toEqual(['JSON']);
    expect(held('const s = new Set();\ns.add(Math);\nfor (const $ of s) $;')).toEqual(['Math']);
    expect(held('const list = [];\nlist.push(Reflect);\nconst $ = list[0];\n$;')).toEqual(['Reflect']);
    expect(held('for (const [, $] of Object.entries({ a: Promise.prototype })) $;')).toEqual(['Promise.prototype']);
  });

  it('follows a local function parameter to every argument, and a name inside with to the object member', () => {
    const parameter = held('function patch($) { return $; }\npatch(Array.prototype);\npatch(String.prototype);');
    expect(parameter).toEqual(['Array.prototype', 'String.prototype']);
    expect(held('with (Math) $;', { sourceType: 'script', filename: 'a.js' })).toEqual(['Math.$']);
    expect(held('let $;\nwith (JSON) { $ = 1; }', { sourceType: 'script', filename: 'a.js' })).toEqual(['JSON.$']);
    expect(held('with (JSON) { let $ = {}; $; }', { sourceType: 'script', filename: 'a.js' })).toEqual([]);
  });

  it('follows a throw to its catch, a callback of an unread call to the call\'s other arguments, an iterator, groupBy and a mapper', () => {
    expect(held('try { throw Array.prototype; } catch ($) { $; }')).toEqual(['Array.prototype']);
    // A throw in a nested function, or caught by an inner try, does not reach the outer catch.
    expect(held('try { const f = () => { throw JSON; }; try { throw Math; } catch (i) {} } catch ($) { $; }')).toEqual([]);
    expect(held('setTimeout(($) => $, 0, JSON);')).toEqual(['JSON']);
    expect(held('lib.each({}, ($) => $);')).toEqual([]);
    // An array's own callback method hands its thisArg to `this`, not to the parameter.
    expect(held('[{}].forEach(($) => $, Math);')).toEqual([]);
    expect(held('const it = { [Symbol.iterator]() { return { next() { return { value: RegExp.prototype, done: false }; } }; } };\nfor (const $ of it) $;')).toEqual(['RegExp.prototype']);
    expect(held('const g = Object.groupBy([Object.prototype], () => "a");\nconst $ = g.a;\n$;')).toEqual(['Object.prototype']);
    expect(held('const [$] = Array.from({ length: 1 }, () => Object.prototype);\n$;')).toEqual(['Object.prototype']);
    expect(held('const [$] = Array.from({ length: 1 }, () => ({}));\n$;')).toEqual([]);
  });

  it('follows a getter, a WeakRef, a proxy, a promise, a tag and arguments to what they hand back', () => {
    expect(held('const o = { get list() { return Array.prototype; }, own: {} };\nconst $ = o.list;\n$;')).toEqual(['Array.prototype']);
    expect(held('class S { static get j() { return JSON; } }\nconst $ = S.j;\n$;')).toEqual(['JSON']);
    expect(held('const $ = new WeakRef(Object.prototype).deref();\n$;')).toEqual(['Object.prototype']);
    expect(held('const $ = new Proxy(Math, {});\n$;')).toEqual(['Math']);
    expect(held('Promise.resolve(Reflect).then(($) => $);')).toEqual(['Reflect']);
    expect(held('function f() { const $ = arguments[1]; return $; }\nf({}, String.prototype);')).toEqual(['String.prototype']);
    expect(held('function t(s, $) { return $; }\nt`${Buffer.prototype}`;')).toEqual(['Buffer.prototype']);
  });

  it('holds nothing shared for own objects, call results, instances, and a folded key that picks an own element', () => {
    expect(held('for (const $ of [{}, {}]) $;')).toEqual([]);
    expect(held('[JSON.parse(text), new Map()].forEach(($) => $);')).toEqual([]);
    expect(held('const t = { own: {}, base: Object.prototype };\nconst $ = t.own;\n$;')).toEqual([]);
    expect(held('const [$] = [{}, Array.prototype];\n$;')).toEqual([]);
    expect(held('for (const $ in { a: Array.prototype }) $;')).toEqual([]);
    expect(held('const o = { get list() { return Array.prototype; }, own: {} };\nconst $ = o.own;\n$;')).toEqual([]);
    expect(held('function f() { const $ = arguments[0]; return $; }\nf({}, String.prototype);')).toEqual([]);
  });
});

describe('definitions that exist at run time', () => {
  it('erases TypeScript ambient declarations and keeps the rest', () => {
    const runtime = (code: string) =>
      probe(code, (_resolver, expression, context) => {
        const variable = findVariable(context.sourceCode.getScope(expression as never), expression.name);
        return variable?.defs.some(isRuntimeDefinition) ?? false;
      });
    expect(runtime('declare var fetch: any;\nfetch;')).toBe(false);
    expect(runtime('declare function eval(s: string): unknown;\neval;')).toBe(false);
    expect(runtime('let fetch = 1;\nfetch;')).toBe(true);
  });
});
