/**
 * Runs the shared resolver and folder on real parsed code: the last statement
 * of `code` is the expression under test, everything before it is context
 * (aliases, imports, declarations), parsed and scoped by ESLint as in the gate.
 */
import { Linter, type Rule } from 'eslint';
import parser from '@typescript-eslint/parser';
import type { AnyNode } from '../../../rules/utils/ast.js';
import { Resolver, resolverFor } from '../../../rules/utils/resolve.js';

export interface ProbeOptions {
  sourceType?: 'module' | 'commonjs' | 'script';
  filename?: string;
}

/** Calls `inspect` with the resolver and the last expression of `code`, and returns what it returned. */
export function probe<T>(code: string, inspect: (resolver: Resolver, expression: AnyNode, context: Rule.RuleContext) => T, options: ProbeOptions = {}): T {
  let result: { value: T } | undefined;
  const rule: Rule.RuleModule = {
    create: (context) => ({
      'Program:exit': (program: any) => {
        const last = program.body[program.body.length - 1];
        if (last?.type !== 'ExpressionStatement') throw new Error('the last statement must be an expression');
        result = { value: inspect(resolverFor(context), last.expression, context) };
      },
    }),
  };
  const linter = new Linter({ configType: 'flat' });
  const messages = linter.verify(
    code,
    [{ files: ['**/*.{js,cjs,mjs,ts,cts,mts}'], languageOptions: { parser, sourceType: options.sourceType ?? 'module' }, plugins: { probe: { rules: { probe: rule } } }, rules: { 'probe/probe': 'error' } }],
    options.filename ?? 'probe.ts',
  );
  const fatal = messages.find((message) => message.fatal);
  if (fatal) throw new Error(`cannot parse: ${fatal.message}`);
  if (!result) throw new Error('probe rule did not run');
  return result.value;
}

/** The folded value of the last expression, or undefined when it does not fold. */
export function fold(code: string, options?: ProbeOptions): unknown {
  return probe(code, (resolver, expression) => resolver.folder.fold(expression), options);
}

/** `eval`, `process.env`, `child_process:exec`… for the last expression; undefined when it resolves to nothing known. */
export function resolveName(code: string, options?: ProbeOptions): string | undefined {
  return probe(code, (resolver, expression) => Resolver.nameOf(resolver.resolve(expression)), options);
}

/** The identifier `$` in a parsed file: the expression a test asks about. */
export function markedNode(ast: AnyNode): any {
  let marked: any;
  const find = (node: any): void => {
    if (!node || typeof node !== 'object') return;
    if (node.type === 'Identifier' && node.name === '$') marked = node;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'parent') continue;
      if (Array.isArray(value)) value.forEach(find);
      else find(value);
    }
  };
  find(ast);
  return marked;
}
