import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { CONTEXT_FUNCTIONS, isContextFunction } from '../../../rules/utils/plugin-api.js';
import { probe } from './probe.js';

/** The members of each property of `PluginContext` that are functions, as TypeScript reads api/context.ts. */
function contractFunctions(): Record<string, string[]> {
  const file = fileURLToPath(new URL('../../../api/context.ts', import.meta.url));
  const program = ts.createProgram([file], { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file)!;
  const declaration = source.statements.find((statement): statement is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(statement) && statement.name.text === 'PluginContext')!;
  const out: Record<string, string[]> = {};
  for (const property of checker.getPropertiesOfType(checker.getTypeAtLocation(declaration))) {
    const type = checker.getTypeOfSymbolAtLocation(property, declaration);
    const members = checker.getPropertiesOfType(checker.getApparentType(type)).filter((member) => checker.getTypeOfSymbolAtLocation(member, declaration).getCallSignatures().length > 0);
    if (members.length) out[property.name] = members.map((member) => member.name).filter((name) => !name.startsWith('__@')).sort();
  }
  return out;
}

describe('plugin-api', () => {
  it('lists exactly the function members api/context.ts gives each part of the context', () => {
    const contract = contractFunctions();
    const table = Object.fromEntries(Object.entries(CONTEXT_FUNCTIONS).map(([key, names]) => [key, [...names].sort()]));
    // The contract's own parts are listed member for member; strings and arrays by their prototypes' methods.
    expect(Object.keys(table).sort()).toEqual(Object.keys(contract).filter((key) => key !== 'config').sort());
    for (const key of ['commands', 'events', 'storage', 'window', 'net', 'user', 'log']) expect(table[key]).toEqual(contract[key]);
    for (const key of ['subscriptions', 'pluginId', 'dataDir']) expect(contract[key].filter((name) => !table[key].includes(name))).toEqual([]);
  });

  it('follows the context from activate through members, aliases, destructuring and helpers', () => {
    const inside = (body: string, head = 'export function activate(ctx)') => probe(`${head} { ${body} }\n0;`, (resolver, _node, context) => {
      let found: boolean | undefined;
      const visit = (node: any): void => {
        if (node?.type === 'ExpressionStatement' && found === undefined) found = isContextFunction(context, resolver, node.expression);
        for (const value of Object.values(node ?? {})) if (value && typeof value === 'object' && value !== node.parent) (Array.isArray(value) ? value : [value]).forEach((child: any) => child?.type && visit(child));
      };
      visit(context.sourceCode.ast);
      return found;
    }, { filename: 'p.js' });
    expect(inside('ctx.log.info;')).toBe(true);
    expect(inside('const { net } = ctx; net.fetch;')).toBe(true);
    expect(inside('const s = ctx.subscriptions; s["pu" + "sh"];')).toBe(true);
    expect(inside('log.warn;', 'export const activate = ({ log }) =>')).toBe(true);
    expect(inside('ctx.config.get;')).toBe(false);
    expect(inside('ctx.log;')).toBe(false);
    expect(inside('ctx.log.info;', 'export function deactivate(ctx)')).toBe(false);
  });
});
