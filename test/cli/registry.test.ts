/**
 * `warden registry …` spawned for real: the registry it writes is a TUF
 * repository whose roles say the tiers, the gate runs before anything is
 * signed, and a publisher's role is published only with its publisher's
 * signature. Needs `npx tsc -p tsconfig.json` first.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegistry, CLI, type DemoRegistry, pack, SAMPLES, tempDir, warden } from './trust-helpers.js';

let work: string;
let registry: DemoRegistry;

beforeAll(async () => {
  work = tempDir('registry');
  registry = await buildRegistry(work);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function metadata(name: string): any {
  const files = readdirSync(join(registry.dir, 'metadata')).filter((f) => f.endsWith(`.${name}.json`));
  const newest = files.sort((a, b) => Number.parseInt(b, 10) - Number.parseInt(a, 10))[0];
  return JSON.parse(readFileSync(join(registry.dir, 'metadata', newest), 'utf8'));
}

describe('warden registry', () => {
  it('writes a TUF repository whose roles are the tiers', () => {
    const root = JSON.parse(readFileSync(join(registry.dir, 'metadata', '1.root.json'), 'utf8'));
    expect(root.signed._type).toBe('root');
    expect(root.signed.consistent_snapshot).toBe(true);
    expect(Object.values(root.signed.keys).every((key: any) => key.keytype === 'ed25519')).toBe(true);
    const targets = metadata('targets');
    expect(Object.keys(targets.signed.targets).sort()).toEqual(['blocklist.json', 'plugins/samples/hello-world/1.0.0.tgz']);
    const roles = targets.signed.delegations.roles.map((r: any) => [r.name, r.paths, r.terminating]);
    // The publisher's delegation comes first, covers only its own folder and ends the search there.
    expect(roles).toEqual([
      ['publisher.acme', ['plugins/acme/*/*'], true],
      ['community', ['plugins/*/*/*'], false],
    ]);
    expect(Object.keys(metadata('community').signed.targets)).toEqual(['plugins/samples/weather/0.3.0.tgz']);
    const publisher = metadata('publisher.acme');
    expect(Object.keys(publisher.signed.targets)).toEqual(['plugins/acme/greeter/1.0.0.tgz']);
    // Signed by the publisher's key, which the registry lists in its delegation.
    const publisherKey = readFileSync(registry.publisherPub, 'utf8').trim();
    const delegatedKeyId = targets.signed.delegations.roles[0].keyids[0];
    expect(targets.signed.delegations.keys[delegatedKeyId].keyval.public).toBe(publisherKey);
    expect(publisher.signatures.map((s: any) => s.keyid)).toEqual([delegatedKeyId]);
    // Consistent snapshots: the target is stored under its hash.
    const stored = join(registry.dir, 'targets', 'plugins', 'acme', 'greeter', `${publisher.signed.targets['plugins/acme/greeter/1.0.0.tgz'].hashes.sha256}.1.0.0.tgz`);
    expect(existsSync(stored)).toBe(true);

    const listing = warden(work, 'registry', 'list', registry.dir);
    expect(listing.stdout).toMatch(/official\s+plugins\/samples\/hello-world\/1\.0\.0\.tgz/);
    expect(listing.stdout).toMatch(/trusted\s+plugins\/acme\/greeter\/1\.0\.0\.tgz/);
    expect(listing.stdout).toMatch(/community\s+plugins\/samples\/weather\/0\.3\.0\.tgz/);
  });

  it('runs the gate first: a plugin its tier blocks is refused, unless --force with a reason, which is recorded', async () => {
    const stealer = await pack(join(SAMPLES, 'stealer'), join(work, 'tgz', 'stealer.tgz'));
    const before = metadata('community').signed.version;
    const refused = warden(work, 'registry', 'add', registry.dir, stealer, '--tier', 'community');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/totally-legit\.stealer 6\.6\.6 is refused for the community tier: .*critical/);
    expect(metadata('community').signed.version).toBe(before);

    expect(warden(work, 'registry', 'add', registry.dir, stealer, '--tier', 'community', '--force').code).toBe(2);
    const forced = warden(work, 'registry', 'add', registry.dir, stealer, '--tier', 'community', '--force', '--reason', 'kept for the malware corpus');
    expect(forced.code).toBe(0);
    const target = metadata('community').signed.targets['plugins/totally-legit/stealer/6.6.6.tgz'];
    expect(target.custom.warden.forced.reason).toBe('kept for the malware corpus');
    expect(target.custom.warden.forced.decision).toMatch(/critical/);
  });

  it('publishes a publisher role only with that publisher signature', async () => {
    const v2 = await pack(join(SAMPLES, 'greeter'), join(work, 'tgz', 'greeter-1.0.1.tgz'), { edit: (m) => (m.version = '1.0.1') });
    const other = join(work, 'keys', 'mallory');
    expect(warden(work, 'registry', 'keygen', other).code).toBe(0);
    // Another publisher's key cannot be used for acme's plugins, and a changed key is not slipped in by add.
    expect(warden(work, 'registry', 'add', registry.dir, v2, '--tier', 'trusted', '--publisher', 'acme', '--publisher-key', `${other}.pub`).code).toBe(2);
    const staged = warden(work, 'registry', 'add', registry.dir, v2, '--tier', 'trusted', '--publisher', 'acme', '--publisher-key', registry.publisherPub);
    expect(staged.code).toBe(0);
    expect(staged.stdout).toMatch(/staged acme\.greeter 1\.0\.1/);
    expect(Object.keys(metadata('publisher.acme').signed.targets)).not.toContain('plugins/acme/greeter/1.0.1.tgz');
    const wrong = warden(work, 'registry', 'sign', registry.dir, '--publisher', 'acme', '--key', `${other}.key`);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/is not the key registered for acme/);
    expect(warden(work, 'registry', 'sign', registry.dir, '--publisher', 'acme', '--key', registry.publisherKey).code).toBe(0);
    expect(Object.keys(metadata('publisher.acme').signed.targets)).toContain('plugins/acme/greeter/1.0.1.tgz');
    // A publisher vouches for its own plugins only.
    const notTheirs = warden(work, 'registry', 'add', registry.dir, registry.tarballs.hello, '--tier', 'trusted', '--publisher', 'acme', '--publisher-key', registry.publisherPub);
    expect(notTheirs.code).toBe(2);
    expect(notTheirs.stderr).toMatch(/published by samples, not acme/);
  });

  it('signs a staged publisher role only as a list of that publisher\'s own plugins: no delegation, no target outside its folder', async () => {
    const stagedFile = join(registry.dir, 'staged', 'publisher.acme.json');
    const edits: [string, (signed: Record<string, any>) => void, RegExp][] = [
      ['a delegation to an existing role', (signed) => (signed.delegations = { keys: {}, roles: [{ name: 'community', keyids: [], threshold: 1, terminating: false, paths: ['plugins/acme/*/*'] }] }), /may not delegate/],
      ['a delegation under a new name', (signed) => (signed.delegations = { keys: {}, roles: [{ name: 'acme-helpers', keyids: [], threshold: 1, terminating: false, paths: ['plugins/acme/*/*'] }] }), /may not delegate/],
      ['another publisher\'s plugin', (signed) => (signed.targets['plugins/samples/hello-world/9.0.0.tgz'] = { length: 1, hashes: { sha256: '0'.repeat(64) } }), /lists plugins\/samples\/hello-world\/9\.0\.0\.tgz, outside plugins\/acme/],
      ['a path deeper than a plugin', (signed) => (signed.targets['plugins/acme/greeter/x/1.0.0.tgz'] = { length: 1, hashes: { sha256: '0'.repeat(64) } }), /outside plugins\/acme/],
    ];
    for (const [n, [what, edit, message]] of edits.entries()) {
      const tarball = await pack(join(SAMPLES, 'greeter'), join(work, 'tgz', `greeter-2.0.${n}.tgz`), { edit: (m) => (m.version = `2.0.${n}`) });
      expect(warden(work, 'registry', 'add', registry.dir, tarball, '--tier', 'trusted', '--publisher', 'acme', '--publisher-key', registry.publisherPub).code, what).toBe(0);
      const staged = JSON.parse(readFileSync(stagedFile, 'utf8'));
      edit(staged.metadata.signed);
      writeFileSync(stagedFile, JSON.stringify(staged));
      const before = readdirSync(join(registry.dir, 'metadata')).sort();
      const signed = warden(work, 'registry', 'sign', registry.dir, '--publisher', 'acme', '--key', registry.publisherKey);
      expect(signed.code, what).toBe(2);
      expect(signed.stderr, what).toMatch(message);
      expect(signed.stderr.trim().split('\n'), what).toHaveLength(1);
      expect(readdirSync(join(registry.dir, 'metadata')).sort(), what).toEqual(before);
      rmSync(stagedFile);
    }
  });

  it('keeps versions immutable: the same version with other bytes is refused', async () => {
    const changed = await pack(join(SAMPLES, 'hello-world'), join(work, 'tgz', 'hello-changed.tgz'), { files: { 'extra.txt': 'different bytes\n' } });
    const run = warden(work, 'registry', 'add', registry.dir, changed, '--tier', 'official');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/already registered with different bytes/);
    expect(warden(work, 'registry', 'add', registry.dir, registry.tarballs.hello, '--tier', 'official').stdout).toMatch(/already registered/);
  });

  it('blocklists by id, publisher, repository glob and range, each with a reason; unblock removes them', () => {
    expect(warden(work, 'registry', 'block', registry.dir, 'publisher:shady', '--reason', 'exfiltrates files', '--link', 'https://example.com/advisories/1').code).toBe(0);
    expect(warden(work, 'registry', 'block', registry.dir, 'repo:github.com/evil-org/*', '--reason', 'a malware organisation').code).toBe(0);
    expect(warden(work, 'registry', 'block', registry.dir, 'acme.greeter', '--range', '<1.0.1', '--soft', '--reason', 'crashes on start').code).toBe(0);
    const blocklist = JSON.parse(readFileSync(join(registry.dir, 'targets', readdirSync(join(registry.dir, 'targets')).find((f) => f.endsWith('.blocklist.json') && f.startsWith(metadata('targets').signed.targets['blocklist.json'].hashes.sha256))!), 'utf8'));
    expect(blocklist.entries.map((e: any) => [e.pattern, e.range, e.soft])).toEqual([
      ['publisher:shady', undefined, undefined],
      ['repo:github.com/evil-org/*', undefined, undefined],
      ['acme.greeter', '<1.0.1', true],
    ]);
    expect(warden(work, 'registry', 'unblock', registry.dir, 'acme.greeter').code).toBe(0);
    expect(warden(work, 'registry', 'list', registry.dir).stdout).not.toMatch(/acme\.greeter <1\.0\.1/);
  });

  it('bad input: one line, exit 2, nothing written', () => {
    const before = readdirSync(join(registry.dir, 'metadata')).length;
    for (const args of [
      ['block', registry.dir, 'repo:evil', '--reason', 'x'],
      ['block', registry.dir, 'acme.x', '--range', 'not a range', '--reason', 'x'],
      ['block', registry.dir, 'publisher:Not_An_Id', '--reason', 'x'],
      ['add', registry.dir, registry.tarballs.hello, '--tier', 'gold'],
      ['add', registry.dir, registry.tarballs.hello, '--tier', 'trusted'],
      ['add', join(work, 'nowhere'), registry.tarballs.hello, '--tier', 'official'],
      ['refresh', registry.dir, '--expires', 'soon'],
      ['rotate-key', registry.dir, 'everything'],
      ['init', registry.dir],
    ]) {
      const run = warden(work, 'registry', ...args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    expect(readdirSync(join(registry.dir, 'metadata')).length).toBe(before);
  });

  it('reads a key or a trusted root only from a regular file: a FIFO or a device is refused in one line, never waited on', () => {
    const fifo = join(work, 'key-fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    for (const special of [fifo, '/dev/zero']) {
      for (const args of [
        ['registry', 'sign', registry.dir, '--publisher', 'acme', '--key', special],
        ['registry', 'add', registry.dir, registry.tarballs.hello, '--tier', 'trusted', '--publisher', 'acme', '--publisher-key', special],
        ['install', registry.tarballs.hello, '--registry', registry.dir, '--trusted-root', special, '--plugins-dir', join(work, 'fifo-plugins'), '--yes'],
      ]) {
        const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL', env: { ...process.env, NO_COLOR: '1' } });
        expect(run.signal, `${args.join(' ')}: still running after 20 s`).toBeNull();
        expect(run.status, args.join(' ')).toBe(2);
        expect(run.stderr.trim(), args.join(' ')).toMatch(new RegExp(`^[^\\n]*${special.replaceAll('/', '\\/')}: not a regular file`));
      }
    }
  });
});
