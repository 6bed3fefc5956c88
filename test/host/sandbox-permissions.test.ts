/**
 * The permission chokepoint on its own: how a declaration becomes a grant
 * and what the host-side check says when it denies (and that it audits the
 * denial). How a grant becomes a launch spec is in launch-spec.test.ts.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditLog, readAuditLog } from '../../host/audit.js';
import { type Grant, check, grantFromManifest } from '../../host/permissions.js';

const tmp = mkdtempSync(join(tmpdir(), 'warden-permissions-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const folders = { pluginRoot: join(tmp, 'plugin'), dataDir: join(tmp, 'data'), home: join(tmp, 'home') };

const nothing = grantFromManifest(undefined, folders);

describe('grantFromManifest', () => {
  it('grants nothing but reading the plugin folder and reading and writing its data folder when nothing is declared', () => {
    expect(nothing).toEqual({
      fsRead: [folders.pluginRoot, folders.dataDir],
      fsWrite: [folders.dataDir],
      networkHosts: [],
      env: [],
      childProcess: false,
      worker: false,
      nativeAddons: false,
    });
  });

  it('expands $data and $home, resolves relative paths inside the plugin, and follows symlinks to their target', () => {
    mkdirSync(join(tmp, 'real-music'));
    mkdirSync(folders.home);
    symlinkSync(join(tmp, 'real-music'), join(folders.home, 'Music'));
    const grant = grantFromManifest(
      { filesystem: { read: ['$home/Music', 'assets', '/etc/hosts'], write: ['$data/cache', '$home/out'] }, childProcess: true },
      folders,
    );
    expect(grant.fsRead).toEqual([folders.pluginRoot, folders.dataDir, join(tmp, 'real-music'), join(folders.pluginRoot, 'assets'), '/etc/hosts']);
    expect(grant.fsWrite).toEqual([folders.dataDir, join(folders.dataDir, 'cache'), join(folders.home, 'out')]);
    expect(grant.childProcess).toBe(true);
    expect(grant.worker).toBe(false);
  });
});

describe('grantFromManifest refuses what leaves its base or reaches the host state (whatever the manifest schema let through)', () => {
  const hostState = [join(tmp, 'host-data'), join(tmp, 'plugins', '.warden')];
  const context = { ...folders, dataDir: join(tmp, 'host-data', 'plugins', 'atk.x'), hostState };
  const refusal = (declared: object): string => {
    try {
      grantFromManifest(declared, context);
      return 'granted';
    } catch (error) {
      return (error as Error).message;
    }
  };

  it('refuses ".." that climbs out of the package, the data folder or the home folder, naming where it leads', () => {
    expect(refusal({ filesystem: { write: ['cache/../../..'] } })).toBe(`invalid manifest: capabilities.filesystem.write "cache/../../.." resolves to ${join(tmp, "..")}, outside its own package`);
    expect(refusal({ filesystem: { read: ['$data/../..'] } })).toMatch(/"\$data\/\.\.\/\.\." resolves to .*host-data, outside its data folder$/);
    expect(refusal({ filesystem: { read: ['$home/../plugin'] } })).toMatch(/outside your home folder$/);
  });

  it("refuses any grant inside the host state and any write grant containing it; the plugin's own data folder is not host state", () => {
    expect(refusal({ filesystem: { read: [join(tmp, 'plugins', '.warden', 'installed')] } })).toMatch(/overlaps the host's own state/);
    expect(refusal({ filesystem: { read: [join(tmp, 'host-data', 'plugins', 'atk.other')] } })).toMatch(/overlaps the host's own state/);
    expect(refusal({ filesystem: { write: [tmp] } })).toMatch(/overlaps the host's own state \(.*host-data\)/);
    expect(refusal({ filesystem: { read: ['$data/cache', 'cache..d'], write: ['$data', '$data/sub', join(tmp, 'elsewhere')] } })).toBe('granted');
  });

  it('refuses control characters in a path it names, escaped', () => {
    expect(refusal({ filesystem: { read: ['$data/../\x1b[2K'] } })).toContain('"$data/../\\x1b[2K"');
  });
});

describe('check', () => {
  const grant: Grant = {
    ...nothing,
    fsRead: ['/srv/music'],
    networkHosts: ['api.example.com', '*.cdn.example.com'],
    env: ['LANG'],
    nativeAddons: true,
  };

  it('allows exactly what is granted', () => {
    expect(check(grant, { capability: 'network', host: 'API.example.com' })).toEqual({ allowed: true });
    expect(check(grant, { capability: 'network', host: 'img.cdn.example.com' })).toEqual({ allowed: true });
    expect(check(grant, { capability: 'env', variable: 'LANG' })).toEqual({ allowed: true });
    expect(check(grant, { capability: 'filesystem', access: 'read', path: '/srv/music/a.mp3' })).toEqual({ allowed: true });
    expect(check(grant, { capability: 'nativeAddons' })).toEqual({ allowed: true });
  });

  it('denies with a message naming the capability and how to declare it', () => {
    const messages = [
      check(grant, { capability: 'network', host: 'evil.example' }),
      check(grant, { capability: 'network', host: 'cdn.example.com.evil.example' }),
      check(grant, { capability: 'env', variable: 'AWS_SECRET_ACCESS_KEY' }),
      check(grant, { capability: 'filesystem', access: 'read', path: '/srv/music-private/x' }),
      check(grant, { capability: 'filesystem', access: 'write', path: '/srv/music/a.mp3' }),
      check(grant, { capability: 'childProcess' }),
    ].map((result) => (result.allowed ? 'allowed' : result.message));
    expect(messages).toEqual([
      'net.fetch to "evil.example" denied: add it to capabilities.network.hosts in package.json',
      'net.fetch to "cdn.example.com.evil.example" denied: add it to capabilities.network.hosts in package.json',
      'environment variable "AWS_SECRET_ACCESS_KEY" denied: add it to capabilities.env in package.json',
      'filesystem read of "/srv/music-private/x" denied: add it to capabilities.filesystem.read in package.json',
      'filesystem write of "/srv/music/a.mp3" denied: add it to capabilities.filesystem.write in package.json',
      'childProcess denied: set capabilities.childProcess to true in package.json',
    ]);
  });

  it('writes a denial to the audit log under the call it belongs to, and nothing for an allowed request', () => {
    const audit = new AuditLog(join(tmp, 'audit.jsonl'));
    const trail = { audit, pluginId: 'pub.plugin', correlationId: 'corr-1' };
    check(grant, { capability: 'env', variable: 'LANG' }, trail);
    check(grant, { capability: 'network', host: 'evil.example' }, trail);
    audit.close();
    expect(readAuditLog(audit.path)).toEqual([
      expect.objectContaining({
        seq: 1,
        pluginId: 'pub.plugin',
        correlationId: 'corr-1',
        kind: 'denied',
        capability: 'network',
        request: { capability: 'network', host: 'evil.example' },
      }),
    ]);
  });
});
