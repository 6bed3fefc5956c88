/**
 * Warden's ESLint plugin: the rules the gate runs, for authors to run in their
 * editor and CI. `configs.recommended` reports medium and above (undeclared
 * capability use, dynamic code, obfuscation…); `configs.strict` reports
 * everything the gate records, down to `info`.
 */
import type { ESLint, Linter } from 'eslint';
import parser from '@typescript-eslint/parser';
import type { WardenRule } from './meta.js';
import noChildProcess from './no-child-process.js';
import noDynamicCode from './no-dynamic-code.js';
import noDynamicRequire from './no-dynamic-require.js';
import noEslintDisable from './no-eslint-disable.js';
import noFilesystem from './no-filesystem.js';
import noNativeCode from './no-native-code.js';
import noNetwork from './no-network.js';
import noObfuscation from './no-obfuscation.js';
import noProcessEnv from './no-process-env.js';
import noRuntimeTampering from './no-runtime-tampering.js';

import { useGateConfig } from './utils/embedded.js';
import { RULES_VERSION } from './version.js';

export { RULES_VERSION };
export const PLUGIN_NAME = 'warden';

export const rules: Record<string, WardenRule> = {
  'no-dynamic-code': noDynamicCode,
  'no-child-process': noChildProcess,
  'no-network': noNetwork,
  'no-filesystem': noFilesystem,
  'no-process-env': noProcessEnv,
  'no-dynamic-require': noDynamicRequire,
  'no-native-code': noNativeCode,
  'no-runtime-tampering': noRuntimeTampering,
  'no-obfuscation': noObfuscation,
  'no-eslint-disable': noEslintDisable,
};

export const SOURCE_FILES = ['**/*.js', '**/*.cjs', '**/*.mjs', '**/*.jsx', '**/*.ts', '**/*.cts', '**/*.mts', '**/*.tsx'];

function allRules(minSeverity: string): Linter.RulesRecord {
  return Object.fromEntries(Object.keys(rules).map((name) => [`${PLUGIN_NAME}/${name}`, ['error', { minSeverity }]]));
}

const plugin: ESLint.Plugin & { configs: Record<'recommended' | 'strict', Linter.Config> } = {
  meta: { name: 'warden/eslint-plugin', version: RULES_VERSION },
  rules: rules as ESLint.Plugin['rules'],
  configs: {} as Record<'recommended' | 'strict', Linter.Config>,
};

function config(name: string, minSeverity: string): Linter.Config {
  return {
    name: `warden/${name}`,
    files: SOURCE_FILES,
    languageOptions: { parser, ecmaVersion: 'latest', sourceType: 'module' },
    plugins: { [PLUGIN_NAME]: plugin },
    rules: allRules(minSeverity),
  };
}

plugin.configs.recommended = config('recommended', 'medium');
plugin.configs.strict = config('strict', 'info');

/**
 * The configuration the gate lints with: every rule, every severity, and
 * inline `eslint-disable` comments ignored (they are reported instead).
 */
export function gateConfig(sourceType: 'module' | 'commonjs' | 'script'): Linter.Config[] {
  return [
    {
      files: SOURCE_FILES,
      languageOptions: { parser, ecmaVersion: 'latest', sourceType, parserOptions: { ecmaFeatures: { jsx: true } } },
      linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'off', reportUnusedInlineConfigs: 'off' },
      plugins: { [PLUGIN_NAME]: plugin },
      rules: allRules('info'),
    },
  ];
}

// Evaluated constant code is linted with this same configuration.
useGateConfig(gateConfig);

export default plugin;
