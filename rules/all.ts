/**
 * Every Warden rule by name, in the order they run. Kept apart from
 * rules/index.ts, whose ESLint configs import @typescript-eslint/parser and
 * with it the TypeScript compiler (~0.3 s to load), which the gate does not
 * need for a JavaScript-only plugin.
 */
import type { WardenRule } from './meta.js';
import noCapabilityEscape from './no-capability-escape.js';
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
  'no-capability-escape': noCapabilityEscape,
};
