/**
 * Warden's ESLint plugin: the rules the gate runs, for authors to run in their
 * editor and CI. `configs.recommended` reports medium and above (undeclared
 * capability use, dynamic code, obfuscation…); `configs.strict` reports
 * everything the gate records, down to `info`.
 */
import { createRequire } from 'node:module';
import type { ESLint, Linter } from 'eslint';
import * as espree from 'espree';
import { rules } from './all.js';
import { JAVASCRIPT_EXTENSIONS, SOURCE_EXTENSIONS } from './extensions.js';
import { useGateConfig } from './utils/embedded.js';
import { RULES_VERSION } from './version.js';

export { RULES_VERSION };
export const PLUGIN_NAME = 'warden';

export { rules };

const globs = (extensions: ReadonlySet<string>) => [...extensions].map((extension) => `**/*${extension}`);
const JAVASCRIPT_FILES = globs(JAVASCRIPT_EXTENSIONS);

/**
 * @typescript-eslint/parser (with typescript) is an optional peer
 * dependency: a project that has it gets TypeScript files linted too; a
 * JavaScript-only project needs neither, and its configs cover JavaScript.
 */
function optionalTypescriptParser(): Linter.Parser | undefined {
  try {
    return createRequire(import.meta.url)('@typescript-eslint/parser') as Linter.Parser;
  } catch {
    return undefined;
  }
}
const parser = optionalTypescriptParser() ?? espree;
export const SOURCE_FILES = parser === espree ? JAVASCRIPT_FILES : globs(SOURCE_EXTENSIONS);

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
    // JavaScript goes through ESLint's own parser: faster, and what the gate's runner uses.
    { files: JAVASCRIPT_FILES, languageOptions: { parser: espree } },
  ];
}

// Evaluated constant code is linted with this same configuration.
useGateConfig(gateConfig);

export default plugin;
