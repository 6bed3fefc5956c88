/**
 * The author's flow from docs/authors.md, for real: ESLint's Node API with
 * the two-line eslint.config.js (`warden/eslint-plugin`, resolved through the
 * package's own exports to the built dist/) finds the gate's findings in the
 * editor, and a declared host does not quiet a direct fetch (it authorizes ctx.net.fetch only).
 */
import { cpSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { analyzePlugin } from '../../analyzer/index.js';
import { FIXTURES, REPO, tempDir } from './helpers.js';

/** The fixture as an author's project that has installed warden (a link to this repository). */
function authorProject(): string {
  const dir = tempDir('warden-author-');
  cpSync(join(FIXTURES, 'author'), dir, { recursive: true });
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(REPO, join(dir, 'node_modules/warden'));
  return dir;
}

describe('author flow', () => {
  it('reports undeclared capability use in ESLint with the two-line config, as the gate does', async () => {
    const author = authorProject();
    const eslint = new ESLint({ cwd: author, overrideConfigFile: join(author, 'eslint.config.js') });
    const [result] = await eslint.lintFiles(['index.js']);
    expect(result.messages.map((message) => [message.ruleId, message.line])).toEqual([['warden/no-child-process', 1], ['warden/no-network', 4]]);

    const gate = await analyzePlugin(join(FIXTURES, 'author'), { cache: false });
    expect(gate.findings.map((finding) => [finding.ruleId, finding.line, finding.severity])).toEqual([
      ['no-child-process', 1, 'high'],
      ['no-network', 4, 'high'],
    ]);
  });
});
