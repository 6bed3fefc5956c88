import { describe, expect, it } from 'vitest';
import { assignedTargets, isAssignedTo, isWriteTarget, type AnyNode } from '../../../rules/utils/ast.js';
import { probe } from './probe.js';

/** Every member expression of `code` (its source text) for which `test` holds. */
const members = (code: string, test: (node: AnyNode) => boolean) =>
  probe(`${code}\n0`, (_resolver, _expression, context) => {
    const found: string[] = [];
    const visit = (node: any): void => {
      if (!node || typeof node !== 'object') return;
      if (node.type === 'MemberExpression' && test(node)) found.push(context.sourceCode.getText(node));
      for (const [key, value] of Object.entries(node)) {
        if (key === 'parent') continue;
        if (Array.isArray(value)) value.forEach(visit);
        else visit(value);
      }
    };
    visit(context.sourceCode.ast);
    return found;
  });

describe('where JavaScript writes', () => {
  it('finds assignment targets at any depth of destructuring and in for-in/for-of heads', () => {
    expect(members('[a.b, [, c.d], { k: e.f = g.h, ...i.j }, ...k.l] = v;', isAssignedTo)).toEqual(['a.b', 'c.d', 'e.f', 'i.j', 'k.l']);
    expect(members('for (a.b of list); for (c[d] in table); for (const x of y.z);', isAssignedTo)).toEqual(['a.b', 'c[d]']);
    expect(members('(a.b as any) = 1; ({ x: (c.d)! } = v);', isAssignedTo)).toEqual(['a.b', 'c.d']);
  });

  it('counts updates and deletes as writes but not as assignments', () => {
    expect(members('a.b++; delete c.d; e.f += 1;', isWriteTarget)).toEqual(['a.b', 'c.d', 'e.f']);
    expect(members('a.b++; delete c.d; e.f += 1;', isAssignedTo)).toEqual(['e.f']);
  });

  it('leaves reads alone: defaults, computed keys, right-hand sides, objects of written members', () => {
    expect(members('[x = a.b] = v; ({ [c.d]: y } = w); z = e.f; g.h.i = 1; const { j = k.l } = m.n; for (o of p.q);', isWriteTarget)).toEqual(['g.h.i']);
  });

  it('lists what a target writes to', () => {
    const texts = (code: string) =>
      probe(code, (_resolver, expression, context) => assignedTargets(expression.left).map((node) => context.sourceCode.getText(node as never)));
    expect(texts('[a.b, [, c], { k: d.e = 1, ...f.g }, ...h[i]] = v')).toEqual(['a.b', 'c', 'd.e', 'f.g', 'h[i]']);
    expect(texts('x.y = 1')).toEqual(['x.y']);
  });
});
