/**
 * Every place README.md and docs/ send a reader exists: relative links
 * (and their #anchors, by GitHub's heading slugs or an explicit id), and
 * file paths named in backticks (`docs/rules.md`, globs included).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { expect, it } from 'vitest';
import { REPO } from '../analyzer/helpers.js';

const DOCS = ['README.md', ...readdirSync(join(REPO, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

/** The text outside fenced code blocks (what a reader follows as prose). */
function prose(file: string): string {
  return readFileSync(join(REPO, file), 'utf8').replace(/^```[\s\S]*?^```/gm, '');
}

function anchors(file: string): Set<string> {
  const text = readFileSync(file, 'utf8');
  const slugs = [...text.matchAll(/^#+\s+(.+)$/gm)].map(([, heading]) =>
    heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-'),
  );
  const ids = [...text.matchAll(/id="([^"]+)"/g)].map(([, id]) => id);
  return new Set([...slugs, ...ids]);
}

function globExists(pattern: string): boolean {
  if (!pattern.includes('*')) return existsSync(join(REPO, pattern));
  const dir = dirname(pattern);
  const name = new RegExp(`^${pattern.slice(dir.length + 1).replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`);
  return existsSync(join(REPO, dir)) && readdirSync(join(REPO, dir)).some((entry) => name.test(entry));
}

it('every relative link and anchor in README.md and docs/ resolves', () => {
  const broken: string[] = [];
  for (const file of DOCS) {
    // Inline code (`globalThis[name](…)`) is not a link.
    for (const [, target] of prose(file).replace(/`[^`\n]*`/g, '').matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [path, anchor] = target.split('#');
      const resolved = path === '' ? join(REPO, file) : join(REPO, dirname(file), path);
      if (!existsSync(resolved)) broken.push(`${file}: ${target} (no ${relative(REPO, resolved)})`);
      else if (anchor && resolved.endsWith('.md') && !anchors(resolved).has(anchor)) broken.push(`${file}: ${target} (no heading #${anchor})`);
    }
  }
  expect(broken).toEqual([]);
});

it('every docs/ file named in backticks exists', () => {
  const broken: string[] = [];
  for (const file of DOCS) {
    for (const [, path] of prose(file).matchAll(/`(docs\/[\w*.-]+\.md)`/g)) if (!globExists(path)) broken.push(`${file}: ${path}`);
  }
  expect(broken).toEqual([]);
});

it("the authors' guide installs Warden from a tarball or a git URL, never by a registry name it does not have", () => {
  const installs = [...readFileSync(join(REPO, 'docs/authors.md'), 'utf8').matchAll(/^npm install .*$/gm)].map(([line]) => line);
  const naming = installs.filter((line) => /warden/.test(line));
  expect(naming.length).toBeGreaterThan(0);
  for (const line of naming) expect(line).toMatch(/\s(\S*warden-[\d.]+\.tgz|git\+\S+warden\S*)(\s|$)/);
  expect(installs.filter((line) => /(\s)warden(\s|$)/.test(line))).toEqual([]);
});
