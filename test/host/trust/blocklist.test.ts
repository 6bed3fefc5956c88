/**
 * Blocklist matching: ids and id globs, publishers, repository URL globs in
 * every spelling npm allows, semver ranges; look-alikes that must not match.
 */
import { describe, expect, it } from 'vitest';
import { compilePattern, matchBlocklist, normalizeRepository } from '../../../host/registry/blocklist.js';

const subject = (over: Partial<{ id: string; publisher: string; version: string; repositories: string[] }> = {}) => ({
  id: 'evil.miner',
  publisher: 'evil',
  version: '1.2.3',
  repositories: ['github.com/evil-org/miner'],
  ...over,
});

describe('repository URLs', () => {
  it('one normal form for every spelling', () => {
    for (const spelling of [
      'https://github.com/evil-org/miner',
      'https://github.com/Evil-Org/miner.git',
      'git+https://github.com/evil-org/miner.git',
      'git+ssh://git@github.com/evil-org/miner.git',
      'git@github.com:evil-org/miner.git',
      'github:evil-org/miner',
      'evil-org/miner',
      'https://github.com/evil-org/miner/',
      'https://github.com/evil-org/miner#readme',
      // Spellings that name the same repository with a port, a host alias or an escape.
      'ssh://git@github.com:22/evil-org/miner.git',
      'git+ssh://git@github.com:22/evil-org/miner.git',
      'https://github.com:443/evil-org/miner',
      'http://github.com:80/evil-org/miner',
      'https://github.com:8443/evil-org/miner',
      'https://www.github.com/evil-org/miner',
      'https://WWW.GitHub.com./evil-org/miner',
      'https://github.com//evil-org//miner.git',
      'https://github.com/%65vil-org/miner',
      'https://user:secret@github.com/evil-org/miner',
      'git://github.com/evil-org/miner.git',
      'www.github.com/evil-org/miner',
    ]) {
      expect(normalizeRepository(spelling), spelling).toBe('github.com/evil-org/miner');
    }
    expect(normalizeRepository('gitlab:evil-org/miner')).toBe('gitlab.com/evil-org/miner');
    expect(normalizeRepository('https://git.example.org/team/tool.git')).toBe('git.example.org/team/tool');
    expect(normalizeRepository('example.org/tool')).toBe('example.org/tool');
    // Look-alikes stay apart.
    expect(normalizeRepository('https://github.com.evil.net/evil-org/miner')).toBe('github.com.evil.net/evil-org/miner');
    expect(normalizeRepository('https://wwwgithub.com/evil-org/miner')).toBe('wwwgithub.com/evil-org/miner');
    expect(normalizeRepository('https://github.com/evil-org-x/miner')).toBe('github.com/evil-org-x/miner');
  });
});

describe('patterns', () => {
  it('an organisation glob catches its repositories, not a look-alike organisation', () => {
    const org = compilePattern('repo:github.com/evil-org/*');
    expect(org(subject())).toBe(true);
    expect(org(subject({ repositories: ['github.com/evil-organisation/miner'] }))).toBe(false);
    expect(org(subject({ repositories: ['github.com/not-evil-org/miner'] }))).toBe(false);
    expect(org(subject({ repositories: [] }))).toBe(false);
    expect(compilePattern('repo:https://GitHub.com/evil-org/*')(subject())).toBe(true);
  });

  it('ids, globs and publishers', () => {
    expect(compilePattern('evil.miner')(subject())).toBe(true);
    expect(compilePattern('evil.*')(subject())).toBe(true);
    expect(compilePattern('evil.*')(subject({ id: 'evilcorp.miner' }))).toBe(false);
    // An id is one name: a star spans the slash of a scoped name, wherever the star stands.
    expect(compilePattern('evil.*')(subject({ id: 'evil.@x/miner' }))).toBe(true);
    expect(compilePattern('evil.@x/*')(subject({ id: 'evil.@x/miner' }))).toBe(true);
    expect(compilePattern('evil.@x/*')(subject({ id: 'evil.@y/miner' }))).toBe(false);
    expect(compilePattern('*.miner')(subject({ id: 'evil.@x/miner' }))).toBe(false);
    expect(compilePattern('*miner')(subject({ id: 'evil.@x/miner' }))).toBe(true);
    expect(compilePattern('evil.@x/miner')(subject({ id: 'evil.@x/miner' }))).toBe(true);
    expect(compilePattern('evil.*')(subject({ id: 'evilcorp.@x/miner' }))).toBe(false);
    expect(compilePattern('publisher:evil')(subject())).toBe(true);
    expect(compilePattern('publisher:evil')(subject({ publisher: 'evil-twin' }))).toBe(false);
  });

  it('ranges narrow an entry; hard entries come before soft ones', () => {
    const list = {
      entries: [
        { pattern: 'evil.*', soft: true, reason: 'unmaintained' },
        { pattern: 'evil.miner', range: '<1.2.0', reason: 'mines coins' },
        { pattern: 'publisher:evil', range: '>=1.2.0 <2', reason: 'compromised account' },
      ],
    };
    expect(matchBlocklist(list, subject()).map((e) => e.reason)).toEqual(['compromised account', 'unmaintained']);
    expect(matchBlocklist(list, subject({ version: '1.1.9' })).map((e) => e.reason)).toEqual(['mines coins', 'unmaintained']);
    expect(matchBlocklist(list, subject({ version: '2.0.0' })).map((e) => e.reason)).toEqual(['unmaintained']);
  });

  it('refuses patterns it could not apply', () => {
    for (const bad of ['repo:evil', 'publisher:', 'publisher:Evil_Corp', '', 'two words']) expect(() => compilePattern(bad), bad).toThrow();
  });
});
