/**
 * Symlinks that lead out of a grant. Without a mount namespace of its own
 * (isolation `namespaces` or `none`) a plugin follows a symlink already in a
 * granted folder: the permission model checks the path it is given, then the
 * kernel follows the link (measured: a link in the plugin's folder to a file
 * outside read it; one in the data folder wrote through it). The plugin cannot
 * make such links itself (`fs.symlink` needs unrestricted fs permissions), so
 * checking every granted folder when the plugin starts closes the door. Under
 * `strict` the link's target does not exist in the plugin's view, and this
 * check is not needed.
 */
import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type Grant, canonical, within } from './permissions.js';

/** Folders with more entries than this are not searched: the plugin is refused rather than run unchecked. */
export const MAX_CHECKED_ENTRIES = 50_000;

/**
 * One line per link that leads outside the grant: a link where the plugin may read must point at something it may
 * read, a link where it may write at something it may write. A link whose target does not exist counts by the
 * path it would create. Empty when every link stays inside.
 */
export function escapingLinks(grant: Grant, maxEntries = MAX_CHECKED_ENTRIES): string[] {
  const problems: string[] = [];
  let entries = 0;
  const roots = [...new Set([...grant.fsRead, ...grant.fsWrite])].filter((root) => !coveredByAnother(root, grant));
  const pending = [...roots];
  while (pending.length > 0) {
    const path = pending.pop()!;
    let stat;
    try {
      stat = lstatSync(path);
    } catch {
      continue; // a granted path that does not exist yet holds no link
    }
    if (stat.isSymbolicLink()) {
      const problem = escape(path, grant);
      if (problem) problems.push(problem);
    } else if (stat.isDirectory()) {
      let names: string[];
      try {
        names = readdirSync(path);
      } catch {
        continue; // unreadable for the host: unreadable for the plugin too
      }
      entries += names.length;
      if (entries > maxEntries) {
        return [`its granted folders hold more than ${maxEntries} entries, too many to check for symlinks that lead outside the grant`];
      }
      for (const name of names) pending.push(join(path, name));
    }
  }
  return problems;
}

/** A root inside another root is walked as part of that one. */
function coveredByAnother(root: string, grant: Grant): boolean {
  const others = [...grant.fsRead, ...grant.fsWrite].filter((other) => other !== root);
  return within(root, others);
}

function escape(link: string, grant: Grant): string | undefined {
  const target = canonical(resolve(dirname(link), readlinkSync(link)));
  const readable = within(link, grant.fsRead) && !within(target, grant.fsRead);
  const writable = within(link, grant.fsWrite) && !within(target, grant.fsWrite);
  if (!readable && !writable) return undefined;
  return `${link} is a symlink to ${target}, outside what the plugin may ${writable ? 'write' : 'read'}`;
}
