/**
 * ESLint's RuleTester wired to vitest and to the parser the gate uses, so each
 * rule test file only lists its cases.
 */
import { Linter, RuleTester, type Rule } from 'eslint';
import parser from '@typescript-eslint/parser';
import { captureReports, type RawReport } from '../../rules/utils/report.js';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

export const ruleTester = new RuleTester({ languageOptions: { parser, ecmaVersion: 'latest', sourceType: 'module' } });

/** For cases that need CommonJS scoping (`require`, `module`, top-level `this`). */
export const commonjs = { languageOptions: { sourceType: 'commonjs' as const } };

/** For cases tested below the default `minSeverity` of 'medium'. */
export const allSeverities = { options: [{ minSeverity: 'info' }] };

/** A file of a plugin whose package.json declares network hosts and env variables, as an author's editor would see it. */
export const inDeclaredPlugin = { filename: fileURLToPath(new URL('./fixtures/declared-plugin/index.js', import.meta.url)) };

/** The raw reports the gate would collect from one rule on `code`: message id, data and finding kind. */
export function gateReports(name: string, rule: Rule.RuleModule, code: string): RawReport[] {
  const config: Linter.Config[] = [
    { files: ['**/*.js'], languageOptions: { parser }, plugins: { warden: { rules: { [name]: rule } } }, rules: { [`warden/${name}`]: 'error' } },
  ];
  return captureReports(() => new Linter({ configType: 'flat' }).verify(code, config, 'plugin.js')).reports;
}
