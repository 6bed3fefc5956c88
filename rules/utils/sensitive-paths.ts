/**
 * Which file-system paths hold other people's secrets: credentials in the
 * home folder, system account files, browser profiles (saved passwords and
 * cookies), cryptocurrency wallets and `.env` files. Reading any of them is
 * what credential-stealing packages do, so no-filesystem reports a use as
 * critical whatever the manifest declares.
 *
 * Paths arrive as folded strings: `~` stands for the user's home (see
 * fold.ts), Windows separators and `%APPDATA%`-style variables are accepted,
 * and a leading `*` stands for a directory that could not be folded
 * (`path.join(dir, '.env')` → `* /.env`). Matching is by path segment and
 * case-insensitive, so `~/.ssh-keys-backup` or `ssh` alone are not matches.
 */
import { posix } from 'node:path';

interface SensitivePattern {
  pattern: RegExp;
  reason: string;
}

/** Application-data folders on Linux, macOS and Windows, where browsers and wallets keep their profiles. */
const APP_DATA = String.raw`(?:^|/)(?:\.config|library/application support|appdata/(?:roaming|local))/`;
const END = String.raw`(?:/|$)`;

/** Chromium-family extension ids of wallets whose local storage holds keys. */
const WALLET_EXTENSIONS = [
  'nkbihfbeogaeaoehlefnkodbefgpgknn', // MetaMask
  'bfnaelmomeimhlpmgjnjophhpkkoljpa', // Phantom
  'hnfanknocfeofbddgcijnmhnfnkdnaad', // Coinbase Wallet
  'fhbohimaelbohpjbbldcngcnapndodjp', // Binance Wallet
  'ibnejdfjmmkpcnlpebklmnkoeoihofec', // TronLink
];

/**
 * What under /etc holds accounts, keys or saved logins. Most of /etc is read
 * for ordinary reasons (`os-release`, `resolv.conf`, CA bundles under
 * `ssl/certs`), so only these and a listing of /etc itself are sensitive.
 */
const SECRET_ETC = [
  'passwd', 'shadow', 'gshadow', 'group', 'master\\.passwd', 'sudoers(?:\\.d)?', 'security', 'ssh', 'ssl/private', 'pki/tls/private',
  'krb5\\.keytab', 'networkmanager/system-connections', 'wpa_supplicant', 'kubernetes', 'machine-id',
];

/**
 * A process's folder under /proc, by any of its names: `self`, `thread-self`, a PID, a thread's `task/<tid>`, and `*`
 * for a segment built at run time (`/proc/${process.pid}/environ`).
 */
const PROC_PROCESS = String.raw`^/proc/(?:self|thread-self|\d+|\*)(?:/task/(?:\d+|\*))?`;

/** Why a /proc environment file is sensitive: reading it is reading the whole environment, which rules report as env. */
export const PROCESS_ENVIRONMENT = "a process's environment, every variable and secret in it";

/** Most specific first: a wallet inside a browser profile is reported as a wallet. */
const PATTERNS: SensitivePattern[] = [
  { pattern: new RegExp(String.raw`(?:^|/)\.ssh${END}`), reason: 'SSH keys' },
  { pattern: new RegExp(String.raw`(?:^|/)id_(?:rsa|dsa|ecdsa|ed25519)(?:\.pub)?$`), reason: 'an SSH key' },
  { pattern: new RegExp(String.raw`(?:^|/)\.(?:npmrc|yarnrc(?:\.yml)?)$`), reason: 'npm credentials' },
  { pattern: new RegExp(String.raw`(?:^|/)\.aws${END}`), reason: 'AWS credentials' },
  { pattern: new RegExp(String.raw`(?:^|/)\.config/gcloud${END}`), reason: 'Google Cloud credentials' },
  { pattern: new RegExp(String.raw`(?:^|/)\.azure${END}`), reason: 'Azure credentials' },
  { pattern: new RegExp(String.raw`(?:^|/)\.kube${END}`), reason: 'Kubernetes credentials' },
  { pattern: new RegExp(String.raw`(?:^|/)\.docker/config\.json$`), reason: 'Docker registry credentials' },
  { pattern: new RegExp(String.raw`(?:^|/)\.gnupg${END}`), reason: 'GnuPG keys' },
  { pattern: new RegExp(String.raw`(?:^|/)[._]netrc$`), reason: 'network logins (.netrc)' },
  { pattern: new RegExp(String.raw`(?:^|/)\.git-credentials$|(?:^|/)\.config/git/credentials$`), reason: 'git credentials' },
  { pattern: new RegExp(String.raw`(?:^|/)\.config/gh/hosts\.yml$`), reason: 'GitHub CLI credentials' },
  { pattern: new RegExp(String.raw`(?:^|/)\.(?:pypirc|pgpass|my\.cnf|vault-token)$|(?:^|/)\.gem/credentials$`), reason: 'stored credentials' },
  { pattern: new RegExp(String.raw`(?:^|/)\.(?:bash|zsh|sh)_history$`), reason: 'shell history' },
  { pattern: new RegExp(String.raw`(?:^|/)library/keychains${END}`), reason: 'the macOS keychain' },
  { pattern: new RegExp(`${PROC_PROCESS}/environ$`), reason: PROCESS_ENVIRONMENT },
  { pattern: new RegExp(`${PROC_PROCESS}/mem$`), reason: "a process's memory" },
  { pattern: new RegExp(`^/etc(?:$|/(?:${SECRET_ETC.join('|')})${END})`), reason: 'system account and key files under /etc' },
  {
    pattern: new RegExp(
      `${APP_DATA}(?:exodus|electrum|atomic|ledger live|guarda|coinomi|armory|bitcoin|ethereum|monero|wasabiwallet|solana)${END}` +
        String.raw`|(?:^|/)(?:\.electrum|\.bitcoin|\.ethereum|exodus\.wallet|com\.liberty\.jaxx)${END}` +
        String.raw`|(?:^|/)wallet\.dat$` +
        `|${WALLET_EXTENSIONS.join('|')}`,
    ),
    reason: 'a cryptocurrency wallet',
  },
  {
    pattern: new RegExp(
      String.raw`(?:^|/)\.config/(?:google-chrome(?:-beta|-unstable)?|chromium|bravesoftware|microsoft-edge(?:-beta|-dev)?|opera|vivaldi|yandex-browser)${END}` +
        String.raw`|(?:^|/)\.mozilla/firefox${END}` +
        String.raw`|(?:^|/)library/application support/(?:google/chrome|chromium|bravesoftware|microsoft edge|firefox|com\.operasoftware\.opera|vivaldi|arc)${END}` +
        String.raw`|(?:^|/)library/(?:safari|cookies|containers/com\.apple\.safari)${END}` +
        String.raw`|(?:^|/)appdata/local/(?:google/chrome|chromium|bravesoftware|microsoft/edge|vivaldi|yandex/yandexbrowser)${END}` +
        String.raw`|(?:^|/)appdata/roaming/(?:mozilla/firefox|opera software)${END}` +
        String.raw`|(?:^|/)(?:login data|web data|local extension settings|key[34]\.db|logins\.json|cookies\.sqlite|cookies\.binarycookies)${END}`,
    ),
    reason: 'a browser profile with saved passwords and cookies',
  },
  {
    pattern: new RegExp(
      String.raw`(?:^|/)(?:discord|discordcanary|discordptb|lightcord)/(?:local storage|leveldb)${END}` +
        String.raw`|(?:^|/)(?:telegram desktop|telegramdesktop)/tdata${END}` +
        String.raw`|(?:^|/)local storage/leveldb${END}`,
    ),
    reason: "a chat app's or browser's stored sessions (LevelDB)",
  },
  { pattern: new RegExp(String.raw`(?:^|/)\.env(?:\.(?!(?:example|sample|template|dist|defaults)$)[^/]+)?$`), reason: 'secrets in a .env file' },
];

/** Spellings of the home folder and the Windows app-data folders, rewritten to `~/…`. */
const HOME_SPELLINGS: [RegExp, string][] = [
  [/^(?:%userprofile%|\$home|\$\{home\})(?=\/|$)/, '~'],
  [/^%appdata%(?=\/|$)/, '~/appdata/roaming'],
  [/^%localappdata%(?=\/|$)/, '~/appdata/local'],
  [/^(?:\/home\/[^/]+|\/users\/[^/]+|\/root|[a-z]:\/users\/[^/]+)(?=\/|$)/, '~'],
];
/** The same files by another road: a process's view of the root (`/proc/self/root/etc/shadow`), and `.`/`..` segments. */
const ROOT_VIEWS = new RegExp(`${PROC_PROCESS}/root(?=/|$)`);

/** Why `path` is sensitive, in a few words, or undefined when it is not (or is not a path at all). */
export function sensitivePathReason(path: string): string | undefined {
  if (!looksLikePath(path)) return undefined;
  const normalized = normalize(path);
  return PATTERNS.find(({ pattern }) => pattern.test(normalized))?.reason;
}

/** Names of the files and folders above that a shell glob can stand for (`~/.aw?/credentials`, `~/.*\/id_rsa`). */
const GLOBBED_NAMES = [
  '.ssh', 'id_rsa', 'id_dsa', 'id_ecdsa', 'id_ed25519', '.npmrc', '.yarnrc', '.aws', '.azure', '.kube', '.docker', '.gnupg', '.netrc',
  '.git-credentials', '.pypirc', '.pgpass', '.my.cnf', '.vault-token', '.bash_history', '.zsh_history', '.env', '.electrum',
  '.bitcoin', '.ethereum', 'wallet.dat', '.mozilla', 'shadow', 'passwd', 'sudoers',
];

/**
 * Why a shell word with glob characters is sensitive: a segment the shell expands to one of the names above. A segment
 * of wildcards alone (`dist/*`) stands for any name, so it is not taken for one; as in the shell, only a segment that
 * starts with a literal `.` matches a dot name.
 */
export function sensitiveGlobReason(word: string): string | undefined {
  const segments = word.split('/');
  for (const [index, segment] of segments.entries()) {
    if (!/[*?[]/.test(segment) || /^[*?]+$/.test(segment)) continue;
    const matcher = new RegExp(`^${segment.replace(/\[!?[^\]]+\]|[*?]|[^*?[]+|\[/g, globToken)}$`, 'i');
    for (const name of GLOBBED_NAMES) {
      if (name.startsWith('.') !== segment.startsWith('.') || !matcher.test(name)) continue;
      const reason = sensitivePathReason([...segments.slice(0, index), name, ...segments.slice(index + 1)].join('/'));
      if (reason) return reason;
    }
  }
  return undefined;
}

/** One token of a glob segment as a regular expression: `*`, `?`, a `[…]`/`[!…]` class, or literal text. */
function globToken(token: string): string {
  if (token === '*') return '.*';
  if (token === '?') return '.';
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  if (token.length > 2 && token.startsWith('[')) {
    const negated = token.startsWith('[!');
    const members = token.slice(negated ? 2 : 1, -1).replace(/[\\^\]]/g, '\\$&');
    return `[${negated ? '^' : ''}${members}]`;
  }
  return escape(token);
}

/**
 * A path, not a sentence that mentions one: `'cannot write /etc/hosts'` is a
 * message. Paths with spaces (`Application Support`) start from a root.
 */
function looksLikePath(text: string): boolean {
  if (text.length === 0 || text.length > 4096 || /[\n\r\t]/.test(text)) return false;
  return !text.includes(' ') || /^(?:[/~*.]|[a-z]:[\\/]|%|\$)/i.test(text);
}

function normalize(path: string): string {
  let result = path.toLowerCase().replace(/\\/g, '/').replace(/\/{2,}/g, '/');
  if (result.startsWith('/')) result = posix.normalize(result);
  while (ROOT_VIEWS.test(result)) result = result.replace(ROOT_VIEWS, '') || '/';
  for (const [spelling, home] of HOME_SPELLINGS) result = result.replace(spelling, home);
  return result.length > 1 ? result.replace(/\/$/, '') : result;
}
