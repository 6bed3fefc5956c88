/**
 * What a constant string of code evaluates to, when it is only a name:
 * `eval('require')`, `eval('pro' + 'cess')`, `Function('return process')()`,
 * `vm.runInThisContext('globalThis')`. The value is a capability root reached
 * without naming it in the file, so the resolver treats the call as that root
 * (and no-dynamic-code reports the evaluation). Only names and member chains
 * with plain or literal keys are read; anything else is code, which
 * no-dynamic-code lints as such.
 */
import * as espree from 'espree';
import type { AnyNode } from './ast.js';

/**
 * A global path (`['process', 'env']`; `[]` is the global object), or undefined when the code is not just a name.
 * `this` is the global object in a Function body and in code run in the global scope (indirect eval, `vm.runInThisContext`).
 */
export function evaluatedPath(source: string, asFunctionBody: boolean, inGlobalScope = asFunctionBody): string[] | undefined {
  if (source.length > 2000) return undefined;
  let program: AnyNode;
  try {
    // A function body may `return`; wrapping it keeps the parse strictly to that body.
    const text = asFunctionBody ? `(function () {\n${source}\n})` : source;
    program = espree.parse(text, { ecmaVersion: 'latest', sourceType: 'script' }) as unknown as AnyNode;
  } catch {
    return undefined;
  }
  const statements: AnyNode[] = program.body.filter((statement: AnyNode) => statement.type !== 'EmptyStatement');
  if (statements.length !== 1 || statements[0].type !== 'ExpressionStatement') return undefined;
  let expression: AnyNode = statements[0].expression;
  if (asFunctionBody) {
    const body: AnyNode[] = expression.body.body.filter((statement: AnyNode) => statement.type !== 'EmptyStatement' && !statement.directive);
    if (body.length !== 1 || body[0].type !== 'ReturnStatement' || !body[0].argument) return undefined;
    // A Function body runs as a sloppy function called plainly: its `this` is the global object, unless it asks for strict mode.
    if (expression.body.body.some((statement: AnyNode) => statement.directive === 'use strict') && containsThis(body[0].argument)) return undefined;
    expression = body[0].argument;
  }
  return pathOf(expression, inGlobalScope);
}

function pathOf(node: AnyNode, thisIsGlobal: boolean): string[] | undefined {
  switch (node.type) {
    case 'Identifier':
      return node.name === 'globalThis' || node.name === 'global' ? [] : [node.name];
    case 'ThisExpression':
      return thisIsGlobal ? [] : undefined;
    case 'SequenceExpression':
      return pathOf(node.expressions[node.expressions.length - 1], thisIsGlobal);
    case 'MemberExpression': {
      const key = !node.computed ? node.property.name : node.property.type === 'Literal' ? String(node.property.value) : undefined;
      const object = key === undefined ? undefined : pathOf(node.object, thisIsGlobal);
      return object && [...object, key!];
    }
    default:
      return undefined;
  }
}

function containsThis(node: AnyNode): boolean {
  if (node.type === 'ThisExpression') return true;
  if (node.type === 'MemberExpression') return containsThis(node.object);
  if (node.type === 'SequenceExpression') return node.expressions.some(containsThis);
  return false;
}
