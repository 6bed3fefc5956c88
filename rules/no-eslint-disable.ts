/**
 * no-eslint-disable: ESLint directive comments in plugin code. The gate never
 * honours them (a plugin must not silence its own review), and reports each
 * one so a reviewer sees what the author tried to hide from their own linter.
 */
import type { Rule } from 'eslint';
import { defineRule } from './meta.js';
import { report } from './utils/report.js';

/** A comment that ESLint reads as a directive starts with one of these words (after whitespace). */
const DIRECTIVE = /^\s*(eslint-disable-next-line|eslint-disable-line|eslint-disable|eslint-enable|eslint)(?=\s|$)/;

const rule = defineRule({
  name: 'no-eslint-disable',
  description: 'Report ESLint directive comments: the gate ignores them, so they suppress nothing in review.',
  messages: {
    directive: "'{{directive}}' comment: Warden's gate does not honour ESLint directives in plugin code, so it hides nothing from review.",
  },
  findings: {
    directive: { category: 'suppression', severity: 'medium' },
  },
  create(context) {
    return {
      Program() {
        for (const comment of context.sourceCode.getAllComments()) {
          const match = DIRECTIVE.exec(comment.value);
          if (match) report(context, rule, { node: comment as never, messageId: 'directive', data: { directive: match[1] } });
        }
      },
    } as Rule.RuleListener;
  },
});

export default rule;
