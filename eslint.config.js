// Lints Warden's own code. Sample plugins are deliberately hostile and are
// analysed by the gate, not linted here.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'analyzer/generated/**', 'node_modules/**', 'sample-plugins/**', 'test/fixtures/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
);
