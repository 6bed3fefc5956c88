import { describe, expect, it } from 'vitest';
import { Linter } from 'eslint';
import { gateConfig } from '../../rules/index.js';
import rule from '../../rules/no-eslint-disable.js';
import { captureReports } from '../../rules/utils/report.js';
import { ruleTester as tester } from './rule-tester.js';

const at = (line: number, column: number, directive: string) => ({ messageId: 'directive', line, column, data: { directive } });
/** As in the gate, directives are read as text and never obeyed (otherwise they would silence this very rule)… */
const noInline = { linterOptions: { noInlineConfig: true } } as const;
/** …and ESLint itself then says so, once per directive comment. */
const eslintIgnores = (comment: string, line: number, column: number) => ({
  message: `'${comment}' has no effect because you have 'noInlineConfig' setting in your config.`,
  line,
  column,
});

tester.run('no-eslint-disable', rule, {
  valid: [
    // The words in strings and in prose comments.
    'const s = "/* eslint-disable */"; const t = `// eslint-disable-next-line`;',
    '// We never use eslint-disable in this file.\n/* The eslint configuration lives elsewhere. */',
    '/** eslint-disable is documented in the README */',
    // Other tools' directives.
    '/* global window */ // @ts-ignore\n/* istanbul ignore next */',
  ],
  invalid: [
    { code: '/* eslint-disable */\neval(x);', ...noInline, errors: [eslintIgnores('/* eslint-disable */', 1, 1), at(1, 1, 'eslint-disable')] },
    { code: 'eval(x); // eslint-disable-line', ...noInline, errors: [eslintIgnores('// eslint-disable-line', 1, 10), at(1, 10, 'eslint-disable-line')] },
    {
      code: '// eslint-disable-next-line warden/no-dynamic-code -- it is fine\neval(x);',
      ...noInline,
      errors: [eslintIgnores('// eslint-disable-next-line warden/no-dynamic-code -- it is fine', 1, 1), at(1, 1, 'eslint-disable-next-line')],
    },
    {
      code: '/* eslint-disable warden/no-network */\nfetch(u);\n/* eslint-enable warden/no-network */',
      ...noInline,
      errors: [
        eslintIgnores('/* eslint-disable warden/no-network */', 1, 1),
        at(1, 1, 'eslint-disable'),
        eslintIgnores('/* eslint-enable warden/no-network */', 3, 1),
        at(3, 1, 'eslint-enable'),
      ],
    },
    {
      code: '/* eslint warden/no-dynamic-code: off */\n/*eslint-disable-line*/',
      ...noInline,
      errors: [eslintIgnores('/* eslint warden/no-dynamic-code: off */', 1, 1), at(1, 1, 'eslint'), eslintIgnores('/*eslint-disable-line*/', 2, 1), at(2, 1, 'eslint-disable-line')],
    },
    {
      code: 'const x: number = 1; /*  eslint-disable  */',
      filename: 'a.ts',
      ...noInline,
      errors: [eslintIgnores('/*  eslint-disable  */', 1, 22), at(1, 22, 'eslint-disable')],
    },
  ],
});

describe('no-eslint-disable inside the gate', () => {
  it('reports the directive and still reports what it tried to silence', () => {
    const linter = new Linter({ configType: 'flat' });
    const code = '// eslint-disable-next-line\neval(userInput);\n/* eslint-disable */\nnew Function("x" + y);';
    const { reports } = captureReports(() => linter.verify(code, gateConfig('module'), 'plugin.js'));
    const seen = reports.map((r) => `${r.ruleId}:${r.messageId}@${r.loc.line}`);
    expect(seen).toEqual(
      expect.arrayContaining([
        'no-eslint-disable:directive@1',
        'no-dynamic-code:nonConstant@2',
        'no-eslint-disable:directive@3',
        'no-dynamic-code:nonConstant@4',
      ]),
    );
    expect(reports.find((r) => r.ruleId === 'no-eslint-disable')!.kind).toEqual({ category: 'suppression', severity: 'medium' });
  });
});
