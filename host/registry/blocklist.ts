/**
 * The registry's blocklist: a signed target (`blocklist.json`), so it is as
 * fresh and as rollback-proof as the rest of the metadata. Each entry names
 * what it blocks with one pattern:
 *
 *   acme.hello, acme.*                 plugin ids (globs)
 *   publisher:shady                    every plugin of a publisher
 *   repo:github.com/evil-org/*         repository URL globs (a whole organisation)
 *
 * optionally narrowed to a semver range, with a reason, a link, and `soft`
 * (a user may keep the plugin, with consent that is recorded).
 */
import picomatch from 'picomatch';
import satisfies from 'semver/functions/satisfies.js';
import validRange from 'semver/ranges/valid.js';
import { UsageError } from '../../cli/errors.js';
import type { Manifest } from '../../analyzer/types.js';
import { isPublisherId } from './layout.js';

export interface BlocklistEntry {
  pattern: string;
  range?: string;
  soft?: boolean;
  reason: string;
  link?: string;
  /** When the reviewer added it (ISO). */
  added?: string;
}

export interface Blocklist {
  entries: BlocklistEntry[];
}

export const EMPTY_BLOCKLIST: Blocklist = { entries: [] };

/** What a blocklist is matched against: identity and version, and every repository URL known for the plugin. */
export interface BlockSubject {
  id: string;
  publisher: string;
  version: string;
  repositories: string[];
}

type Matcher = (subject: BlockSubject) => boolean;

/** Checks a pattern's syntax; throws a UsageError naming what is wrong. */
export function compilePattern(pattern: string): Matcher {
  if (pattern.startsWith('publisher:')) {
    const publisher = pattern.slice('publisher:'.length);
    if (!isPublisherId(publisher)) throw new UsageError(`blocklist pattern ${JSON.stringify(pattern)}: "${publisher}" is not a publisher id`);
    return (subject) => subject.publisher === publisher;
  }
  if (pattern.startsWith('repo:')) {
    const glob = normalizeRepository(pattern.slice('repo:'.length));
    if (!glob || !glob.includes('/')) throw new UsageError(`blocklist pattern ${JSON.stringify(pattern)}: expected repo:<host>/<owner>/… (e.g. repo:github.com/evil-org/*)`);
    const matches = picomatch(glob, { nocase: true, dot: true });
    return (subject) => subject.repositories.some((url) => matches(url));
  }
  if (pattern === '' || /\s/.test(pattern)) throw new UsageError(`blocklist pattern ${JSON.stringify(pattern)}: expected a plugin id, publisher:<id> or repo:<url glob>`);
  // An id is one name, not a path: a `*` spans the `/` of a scoped name (`shady.*` blocks `shady.@x/tool`).
  const matches = picomatch(asOneSegment(pattern), { dot: true });
  return (subject) => matches(asOneSegment(subject.id));
}

/** A character no id or pattern holds, standing in for `/` so that picomatch reads the whole id as one path segment. */
const ID_SLASH = '\u0000';

function asOneSegment(text: string): string {
  return text.split('/').join(ID_SLASH);
}

export function validateEntry(entry: BlocklistEntry): void {
  compilePattern(entry.pattern);
  if (entry.range !== undefined && !validRange(entry.range)) throw new UsageError(`--range ${JSON.stringify(entry.range)} is not a semver range`);
  if (!entry.reason.trim()) throw new UsageError('a blocklist entry needs a reason (--reason TEXT)');
}

/** Every entry that applies to the subject, hard ones first. */
export function matchBlocklist(blocklist: Blocklist, subject: BlockSubject): BlocklistEntry[] {
  const hits = blocklist.entries.filter((entry) => {
    try {
      if (!compilePattern(entry.pattern)(subject)) return false;
    } catch {
      return false; // an entry this version cannot read matches nothing; the registry's tooling validates what it writes
    }
    return entry.range === undefined || satisfies(subject.version, entry.range, { includePrerelease: true });
  });
  return hits.sort((a, b) => Number(a.soft === true) - Number(b.soft === true));
}

/** A blocklist target's bytes, read leniently: unknown fields are ignored, malformed entries dropped. */
export function parseBlocklist(text: string): Blocklist {
  const data = JSON.parse(text) as { entries?: unknown };
  const entries = Array.isArray(data.entries) ? data.entries : [];
  return {
    entries: entries.filter(
      (entry): entry is BlocklistEntry =>
        typeof entry === 'object' && entry !== null && typeof (entry as BlocklistEntry).pattern === 'string' && typeof (entry as BlocklistEntry).reason === 'string',
    ),
  };
}

/** A soft entry a user chose to keep a plugin despite, as it was shown to them, and when. */
export interface KeptEntry {
  pattern: string;
  range?: string;
  reason: string;
  added?: string;
  at: string;
}

export function keptEntry(entry: BlocklistEntry, at: string): KeptEntry {
  return { pattern: entry.pattern, ...(entry.range !== undefined ? { range: entry.range } : {}), reason: entry.reason, ...(entry.added !== undefined ? { added: entry.added } : {}), at };
}

/**
 * Consent covers the very entry it was given for: the same pattern with another reason, range or date is a
 * new entry, and is asked about again.
 */
export function isKept(kept: readonly KeptEntry[] | undefined, entry: BlocklistEntry): boolean {
  return (kept ?? []).some((k) => k.pattern === entry.pattern && k.range === entry.range && k.reason === entry.reason && k.added === entry.added);
}

/** One sentence for a user: what blocked it, why, and where to read more. */
export function describeEntry(entry: BlocklistEntry): string {
  const range = entry.range ? ` (versions ${entry.range})` : '';
  const link = entry.link ? ` — ${entry.link}` : '';
  return `blocklisted by the registry${range}: ${entry.reason}${link}`;
}

/**
 * A repository as `host/owner/repo`, lower-case, whatever spelling npm allows:
 * `github:org/repo`, `org/repo`, `git+https://…/repo.git`, `git@host:org/repo.git`, `{ url }`.
 * What does not name another repository is dropped, so a glob cannot be
 * side-stepped by spelling: the scheme, user, port (`:22`, `:443`), `www.`,
 * a trailing dot on the host, percent-escapes, doubled slashes, `.git`.
 */
export function normalizeRepository(value: string | undefined): string | undefined {
  if (!value) return undefined;
  let text = value.trim();
  const shortcut = /^(github|gitlab|bitbucket):(.+)$/.exec(text);
  if (shortcut) text = `${shortcut[1] === 'bitbucket' ? 'bitbucket.org' : `${shortcut[1]}.com`}/${shortcut[2]}`;
  // npm's `owner/repo` shorthand means GitHub; an owner never has a dot, a host always does.
  else if (/^[\w-]+\/[\w.-]+$/.test(text)) text = `github.com/${text}`;
  text = text.replace(/^git\+/, '');
  // scp-like ssh (`git@github.com:org/repo`, no scheme): the part after the colon is a path, not a port.
  const scp = /^(?:[^@/:]+@)?([^/:]+):(?!\d+(?:\/|$))(?!\/\/)(.*)$/.exec(text);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) text = `ssh://${scp[1]}/${scp[2]}`;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) text = `https://${text}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return value.trim().toLowerCase();
  }
  const host = url.hostname.toLowerCase().replace(/\.$/, '').replace(/^www\./, '');
  const path = url.pathname
    .split('/')
    .filter((segment) => segment !== '')
    .map(decodeSegment)
    .join('/')
    .replace(/\.git$/, '');
  return (path ? `${host}/${path}` : host).toLowerCase();
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function manifestRepository(manifest: Pick<Manifest, 'repository'>): string | undefined {
  const { repository } = manifest;
  return normalizeRepository(typeof repository === 'string' ? repository : repository?.url);
}
