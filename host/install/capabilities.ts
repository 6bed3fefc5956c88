/**
 * Capabilities as a user consents to them. A declaration is split into
 * atoms (`network:api.example.com`, `filesystem.read:$home/Music`,
 * `env:LANG`, `childProcess`), the unit shown at install, granted with
 * `--grant`, stored in the install record, and compared on update. Each atom
 * reads as a sentence ("read files in ~/Music"), and combinations that add
 * up to more than their parts are called out ("can read your home folder and
 * reach the network: it could upload your files").
 */
import { posix } from 'node:path';
import { UsageError } from '../../cli/errors.js';
import type { DeclaredCapabilities } from '../../rules/utils/manifest.js';
import { hostMatches } from '../../rules/utils/manifest.js';
import { sensitivePathReason } from '../../rules/utils/sensitive-paths.js';

export type Atom = string;

const FLAGS = ['childProcess', 'worker', 'nativeAddons'] as const;

/**
 * `$data` is the plugin's own folder, always granted: never asked for, never shown. Judged on the normalized path,
 * so `$data/..` (which the manifest schema refuses anyway) is not "its own data".
 */
function isOwnData(path: string): boolean {
  const normal = posix.normalize(path);
  return normal === '$data' || normal.startsWith('$data/');
}

export function atomsOf(declared: DeclaredCapabilities | undefined): Atom[] {
  const d = declared ?? {};
  const atoms = [
    ...(d.network?.hosts ?? []).map((host) => `network:${host}`),
    ...(d.filesystem?.read ?? []).filter((p) => !isOwnData(p)).map((path) => `filesystem.read:${path}`),
    ...(d.filesystem?.write ?? []).filter((p) => !isOwnData(p)).map((path) => `filesystem.write:${path}`),
    ...(d.env ?? []).map((name) => `env:${name}`),
    ...FLAGS.filter((flag) => d[flag] === true),
  ];
  return [...new Set(atoms)];
}

/** The declaration holding exactly these atoms (what the install record stores as the grant). */
export function capabilitiesOf(atoms: readonly Atom[]): DeclaredCapabilities {
  const result: DeclaredCapabilities = {};
  const push = (list: string[] | undefined, value: string): string[] => [...(list ?? []), value];
  for (const atom of atoms) {
    const [kind, value] = splitAtom(atom);
    if (kind === 'network') result.network = { hosts: push(result.network?.hosts, value) };
    else if (kind === 'filesystem.read') result.filesystem = { ...result.filesystem, read: push(result.filesystem?.read, value) };
    else if (kind === 'filesystem.write') result.filesystem = { ...result.filesystem, write: push(result.filesystem?.write, value) };
    else if (kind === 'env') result.env = push(result.env, value);
    else result[kind as (typeof FLAGS)[number]] = true;
  }
  return result;
}

function splitAtom(atom: Atom): [string, string] {
  const colon = atom.indexOf(':');
  return colon === -1 ? [atom, ''] : [atom.slice(0, colon), atom.slice(colon + 1)];
}

/** Checks what a user typed after `--grant`: it must be something the plugin asks for. */
export function parseGrants(values: readonly string[], requested: readonly Atom[], pluginId: string): Atom[] {
  return values.map((value) => {
    const atom = value.trim();
    if (requested.includes(atom)) return atom;
    const asked = requested.length > 0 ? `it asks for: ${requested.join(', ')}` : 'it asks for no capabilities';
    throw new UsageError(`--grant ${atom}: not something ${pluginId} asks for (${asked})`);
  });
}

/** Whether a granted atom already covers a requested one: the same host or path, or a wider one of the same kind. */
function covers(granted: Atom, requested: Atom): boolean {
  if (granted === requested) return true;
  const [gKind, gValue] = splitAtom(granted);
  const [rKind, rValue] = splitAtom(requested);
  if (gKind !== rKind) return false;
  if (gKind === 'network') return !rValue.startsWith('*') && gValue.startsWith('*.') && hostMatches(gValue, rValue);
  if (gKind.startsWith('filesystem.')) return rValue.startsWith(gValue.endsWith('/') ? gValue : `${gValue}/`);
  return false;
}

/** What `requested` asks for beyond `granted` (an update wanting more). */
export function beyond(requested: readonly Atom[], granted: readonly Atom[]): Atom[] {
  return requested.filter((atom) => !granted.some((g) => covers(g, atom)));
}

/** The requested atoms the old grant covers: what an update keeps without asking again. */
export function stillGranted(requested: readonly Atom[], granted: readonly Atom[]): Atom[] {
  return requested.filter((atom) => granted.some((g) => covers(g, atom)));
}

/** Where a declared path leads, as the person deciding reads it: normalized, so the words match what is granted. */
function place(declared: string): string {
  // The manifest schema and the grant both refuse `..`; a screen that met one anyway says so rather than guess.
  if (/(^|\/)\.\.(\/|$)/.test(declared)) return `${declared} (climbs out with "..": the host refuses it)`;
  const path = posix.normalize(declared).replace(/(.)\/$/, '$1');
  if (path === '$home') return 'your home folder';
  if (path.startsWith('$home/')) return `~/${path.slice('$home/'.length)}`;
  if (path === '$data' || path.startsWith('$data/')) return `its own data folder (${path})`;
  if (path === '/') return 'the whole computer';
  if (path.startsWith('/')) return path;
  if (path === '.') return 'its own package';
  return `its own package (${path})`;
}

function homeForm(path: string): string {
  return path.replace(/^\$home(?=\/|$)/, '~');
}

/** One plain sentence per atom. */
export function describeAtom(atom: Atom): string {
  const [kind, value] = splitAtom(atom);
  switch (kind) {
    case 'network':
      if (value === '*') return 'send requests to any server on the internet';
      return value.startsWith('*.') ? `send requests to any server under ${value.slice(2)}` : `send requests to ${value}`;
    case 'filesystem.read': {
      const secret = sensitivePathReason(homeForm(value));
      const where = value === '$home' || value === '/' ? `every file in ${place(value)}` : `files in ${place(value)}`;
      return secret ? `read ${where} — ${secret}` : `read ${where}`;
    }
    case 'filesystem.write':
      return `create, change and delete files in ${place(value)}`;
    case 'env':
      return `read the environment variable ${value}`;
    case 'childProcess':
      return 'run other programs with your rights';
    case 'worker':
      return 'start worker threads';
    case 'nativeAddons':
      return 'load native code, which the permission model does not confine';
    default:
      return atom;
  }
}

/** Environment variable names that usually hold credentials. */
const SECRET_NAME = /TOKEN|SECRET|PASSW|KEY|CREDENTIAL|AUTH|SESSION|COOKIE/i;

/**
 * Dangerous combinations, each a sentence: a way to read something private together with a way to send it
 * away, or a way out of the sandbox.
 */
export function dangers(atoms: readonly Atom[]): string[] {
  const reads = atoms.filter((a) => a.startsWith('filesystem.read:')).map((a) => splitAtom(a)[1]);
  const writes = atoms.filter((a) => a.startsWith('filesystem.write:')).map((a) => splitAtom(a)[1]);
  const secrets = atoms.filter((a) => a.startsWith('env:') && SECRET_NAME.test(a)).map((a) => splitAtom(a)[1]);
  const network = atoms.some((a) => a.startsWith('network:'));
  const anyHost = atoms.includes('network:*');
  const runs = atoms.includes('childProcess');
  const native = atoms.includes('nativeAddons');
  // Anything outside its own package and data folder is the user's: readable plus a way out means it can leave.
  const private_ = reads.filter((p) => p.startsWith('$home') || p.startsWith('/'));
  const found: string[] = [];
  if (network && private_.length > 0) {
    const what = private_.map((p) => (p === '$home' ? 'your home folder' : p === '/' ? 'every file on this computer' : `files in ${place(p)}`)).join(', ');
    found.push(`can read ${what} and reach the network: it could upload your files${anyHost ? ' to any server' : ''}`);
  }
  if (network && secrets.length > 0) found.push(`can read ${secrets.join(', ')} and reach the network: it could send your secrets away`);
  if (runs) found.push(network ? 'can run other programs and reach the network: it could download and run anything' : 'can run other programs with your rights, outside the permission checks that hold the plugin itself');
  if (native) found.push('loads native code: the permission model does not confine it, so its sandbox is only as strong as that code is honest');
  if (writes.some((p) => p === '$home' || p === '/')) found.push(`can change or delete any file in ${writes.filter((p) => p === '$home' || p === '/').map(place).join(', ')}`);
  return found;
}

/** What a tier means, for the person deciding. */
export function describeTier(tier: string, publisher: string): string {
  switch (tier) {
    case 'official':
      return "reviewed by the registry and signed with the registry's own key";
    case 'trusted':
      return `signed by its publisher ${publisher}, whose key the registry lists; the registry vouches for the publisher, not for each version`;
    case 'community':
      return "passed the registry's automated review and is signed with its community key; no person reviewed it";
    default:
      return 'no registry you use vouches for it: the strictest policy applies';
  }
}
