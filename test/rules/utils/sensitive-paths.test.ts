import { describe, expect, it } from 'vitest';
import { PROCESS_ENVIRONMENT, sensitiveGlobReason, sensitivePathReason } from '../../../rules/utils/sensitive-paths.js';

describe('sensitivePathReason', () => {
  it.each([
    ['~/.ssh', 'SSH keys'],
    ['~/.ssh/id_rsa', 'SSH keys'],
    ['/home/alice/.ssh/authorized_keys', 'SSH keys'],
    ['C:\\Users\\bob\\.ssh\\id_ed25519', 'SSH keys'],
    ['id_ed25519', 'an SSH key'],
    ['~/.npmrc', 'npm credentials'],
    ['.npmrc', 'npm credentials'],
    ['~/.aws/credentials', 'AWS credentials'],
    ['~/.config/gcloud/application_default_credentials.json', 'Google Cloud credentials'],
    ['~/.kube/config', 'Kubernetes credentials'],
    ['~/.docker/config.json', 'Docker registry credentials'],
    ['~/.gnupg/private-keys-v1.d', 'GnuPG keys'],
    ['~/.netrc', 'network logins (.netrc)'],
    ['%USERPROFILE%\\_netrc', 'network logins (.netrc)'],
    ['~/.git-credentials', 'git credentials'],
    ['/etc/passwd', 'system account and key files under /etc'],
    ['/etc/shadow', 'system account and key files under /etc'],
    ['/etc/', 'system account and key files under /etc'],
    ['/etc', 'system account and key files under /etc'],
    ['/etc/sudoers.d/90-cloud-init-users', 'system account and key files under /etc'],
    ['/etc/ssh/ssh_host_ed25519_key', 'system account and key files under /etc'],
    ['/etc/NetworkManager/system-connections/home.nmconnection', 'system account and key files under /etc'],
    // A process's environment by any of its names under /proc, `*` standing for a part built at run time.
    ['/proc/self/environ', PROCESS_ENVIRONMENT],
    ['/proc/thread-self/environ', PROCESS_ENVIRONMENT],
    ['/proc/1/task/7/environ', PROCESS_ENVIRONMENT],
    ['/proc/*/environ', PROCESS_ENVIRONMENT],
    ['/proc/self/task/*/environ', PROCESS_ENVIRONMENT],
    ['/proc/thread-self/mem', "a process's memory"],
    // The same files through a process's view of the root, or with `.` and `..` segments.
    ['/proc/self/root/etc/shadow', 'system account and key files under /etc'],
    ['/proc/1/root/proc/self/root/root/.ssh/id_rsa', 'SSH keys'],
    ['/proc/*/task/*/root/etc/shadow', 'system account and key files under /etc'],
    ['/tmp/../etc/./passwd', 'system account and key files under /etc'],
  ])('%s is credentials or system secrets', (path, reason) => {
    expect(sensitivePathReason(path)).toBe(reason);
  });

  it.each([
    '~/.config/google-chrome/Default/Login Data',
    '~/.config/chromium/Default',
    '~/.config/BraveSoftware/Brave-Browser/Default/Cookies',
    '~/.mozilla/firefox/abcd.default-release/logins.json',
    '~/Library/Application Support/Google/Chrome/Default',
    '/Users/carol/Library/Application Support/Firefox/Profiles',
    '~/Library/Safari/History.db',
    '%LOCALAPPDATA%\\Google\\Chrome\\User Data\\Local State',
    'C:\\Users\\dan\\AppData\\Local\\Microsoft\\Edge\\User Data',
    '%APPDATA%\\Mozilla\\Firefox\\Profiles',
    '*/Default/Local Extension Settings',
  ])('%s is a browser profile', (path) => {
    expect(sensitivePathReason(path)).toBe('a browser profile with saved passwords and cookies');
  });

  it.each([
    '~/.config/Exodus/exodus.wallet',
    '%APPDATA%\\Electrum\\wallets',
    '~/.electrum/wallets/default_wallet',
    '~/Library/Application Support/Ledger Live/app.json',
    '%APPDATA%\\atomic\\Local Storage\\leveldb',
    '~/.bitcoin/wallet.dat',
    'backup/wallet.dat',
    'nkbihfbeogaeaoehlefnkodbefgpgknn',
    '~/.config/google-chrome/Default/IndexedDB/chrome-extension_nkbihfbeogaeaoehlefnkodbefgpgknn_0.indexeddb.leveldb',
  ])('%s is a wallet', (path) => {
    expect(sensitivePathReason(path)).toBe('a cryptocurrency wallet');
  });

  it.each(['.env', './.env', '*/.env', '/srv/app/.env.production', '.env.local'])('%s is a .env file', (path) => {
    expect(sensitivePathReason(path)).toBe('secrets in a .env file');
  });

  it.each([
    '~',
    '~/Music',
    './data.json',
    '/tmp/cache',
    '.env.example',
    '.envrc-notes/readme',
    '~/.ssh-backup-notes',
    'ssh',
    '/etc/os-release',
    '/etc/wsl.conf',
    '/etc/resolv.conf',
    '/etc/ssl/certs/ca-certificates.crt',
    '/etc/pki/tls/certs/ca-bundle.crt',
    '/etc/passwd-notes.txt',
    '/usr/etc/passwd',
    '~/projects/chromium-docs',
    '~/.config/my-plugin/settings.json',
    'refusing to write under /etc/',
    'cannot read ~/.ssh: permission denied',
    'wallet.dat.md',
    // Other files of a process, and names that only contain the word.
    '/proc/self/status',
    '/proc/cpuinfo',
    '/proc/self/environ.txt',
    '~/notes/environ',
    '',
  ])('%s is not sensitive', (path) => {
    expect(sensitivePathReason(path)).toBeUndefined();
  });
});

describe('sensitiveGlobReason', () => {
  it('names a secret a glob segment expands to, and not one a segment of wildcards alone could be', () => {
    for (const word of ['~/.aw?/credentials', '~/.[s]sh/id_rsa', '~/.[!x]sh', '~/.*/credentials', '~/.s[s-t]h', 'src/id_*', '.env*']) expect(sensitiveGlobReason(word), word).toBeDefined();
    // Any name (`dist/*`), ordinary names, a dot name from a segment that does not start with `.`, a lone `[`.
    for (const word of ['dist/*', 'dist/*.js', 'logs/*.log', '~/.config/*', '*.env', '~/*sh/id', '~/.ss[', '~/a[b/x']) expect(sensitiveGlobReason(word), word).toBeUndefined();
  });
});
