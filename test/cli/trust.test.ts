/**
 * The registry client under attack, through the real CLI: tiers come from
 * signatures, never from a manifest; metadata signed by a wrong key,
 * tampered, rolled back or expired is refused and the last verified view is
 * kept; key rotation is followed; offline, the last verified metadata is
 * used and its age said; the same client works over http.
 * Needs `npx tsc -p tsconfig.json` first.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Metadata, MetadataKind, MetaFile, Timestamp } from '@tufjs/models';
import { beforeEach, describe, expect, it } from 'vitest';
import { readSigningKey } from '../../host/registry/keys.js';
import { type DemoRegistry, type Listed, list, pack, registryPerTest, SAMPLES, warden, wardenAsync } from './trust-helpers.js';

/** Each test gets its own copy of the registry and a fresh client (plugins folder and data folder). */
const copies = registryPerTest('trust');
let built: DemoRegistry;
let work: string;
let registry: string;
beforeEach(() => {
  ({ built, work, registry } = copies);
});

const pinned = () => ['--trusted-root', join(built.dir, 'metadata', '1.root.json')];
const client = (name = 'client') => ['--plugins-dir', join(work, name, 'plugins'), '--data-dir', join(work, name, 'data')];

function newest(kind: string): string {
  const files = readdirSync(join(registry, 'metadata')).filter((f) => f.endsWith(`.${kind}.json`));
  return join(registry, 'metadata', files.sort((a, b) => Number.parseInt(b, 10) - Number.parseInt(a, 10))[0]);
}

describe('tiers come from the registry, never from the plugin', () => {
  it('a forged tier claim gets a tarball nothing: same id and version as an official plugin, other bytes, unregistered', async () => {
    const forged = await pack(join(SAMPLES, 'hello-world'), join(work, 'forged.tgz'), {
      edit: (m) => {
        m.tier = 'official';
        m.signedBy = 'the registry';
      },
      // Undeclared child_process: a warning for official plugins, a refusal for unregistered ones.
      files: { 'index.js': "const cp = require('child_process');\nexports.activate = (ctx) => ctx.commands.register('hello.sayHello', () => cp.execSync('id').toString());\n" },
    });
    const run = warden(work, 'install', forged, '--registry', registry, ...pinned(), ...client(), '--yes');
    expect(run.stdout).toMatch(/tier\s+unregistered/);
    expect(run.stdout).toMatch(/not a registry target/);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/blocks? loading for unregistered plugins/);

    // A claim inside Warden's own manifest field is not a field Warden knows: refused as bad input, nothing installed.
    const claimed = await pack(join(SAMPLES, 'hello-world'), join(work, 'claimed.tgz'), { edit: (m) => (m.warden = { tier: 'official' }) });
    const refused = warden(work, 'install', claimed, ...client('claimed'), '--yes');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^warden: invalid manifest .*"warden\.tier" is not a known field\n$/);
    expect(existsSync(join(work, 'claimed'))).toBe(false);

    // The same manifest claim on harmless code installs, as unregistered.
    const harmless = await pack(join(SAMPLES, 'hello-world'), join(work, 'claims.tgz'), { edit: (m) => (m.tier = 'official'), files: { 'README.md': 'trust me\n' } });
    expect(warden(work, 'install', harmless, ...client(), '--yes').code).toBe(0);
    expect(list(work, ...client()).map((p) => [p.id, p.tier])).toEqual([['samples.hello-world', 'unregistered']]);

    // The registry's own bytes, from a local file, get the registry's tier.
    const genuine = warden(work, 'install', built.tarballs.hello, ...client('other'), '--yes', '--registry', registry, ...pinned());
    expect(genuine.code).toBe(0);
    expect(genuine.stdout).toMatch(/matches the registry's plugins\/samples\/hello-world\/1\.0\.0\.tgz/);
    expect(list(work, ...client('other')).map((p) => [p.id, p.tier])).toEqual([['samples.hello-world', 'official']]);
  });

  it('each registry tier is the role that signed the bytes', () => {
    for (const id of ['samples.hello-world', 'samples.weather', 'acme.greeter']) {
      expect(warden(work, 'install', id, '--registry', registry, ...pinned(), ...client(), '--yes').code, id).toBe(0);
    }
    expect(list(work, ...client()).map((p) => [p.id, p.tier])).toEqual([
      ['acme.greeter', 'trusted'],
      ['samples.hello-world', 'official'],
      ['samples.weather', 'community'],
    ]);
  });
});

describe('metadata the client refuses', () => {
  it('signed by the wrong key: a targets key the root does not list', async () => {
    expect(warden(work, 'install', 'samples.hello-world', '--registry', registry, ...pinned(), ...client(), '--yes').code).toBe(0);
    // An attacker (or a mistake) signs with a key that is not the registry's: the tooling signs with whatever it holds.
    expect(warden(work, 'registry', 'init', join(work, 'impostor')).code).toBe(0);
    cpSync(join(work, 'impostor', 'keys', 'targets.key'), join(registry, 'keys', 'targets.key'));
    const evil = await pack(join(SAMPLES, 'hello-world'), join(work, 'evil.tgz'), { edit: (m) => (m.name = 'totally-official') });
    expect(warden(work, 'registry', 'add', registry, evil, '--tier', 'official').code).toBe(0);

    const refused = warden(work, 'install', 'samples.totally-official', '--registry', registry, ...pinned(), ...client(), '--yes');
    expect(refused.stderr).toMatch(/registry update refused: .*targets was signed by 0\/1 keys/);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/samples\.totally-official is not in the registry/);
    // The last verified view stays: what was official is still official.
    expect(list(work, ...client()).map((p) => [p.id, p.tier])).toEqual([['samples.hello-world', 'official']]);
    // A client that never saw good metadata installs nothing from it.
    const fresh = warden(work, 'install', 'samples.hello-world', '--registry', registry, ...pinned(), ...client('fresh'), '--yes');
    expect(fresh.code).toBe(1);
    expect(fresh.stderr).toMatch(/no verified metadata/);
  });

  it('tampered metadata and tampered stored state', () => {
    expect(warden(work, 'install', 'samples.weather', '--registry', registry, ...pinned(), ...client(), '--yes').code).toBe(0);
    // A published role changed after signing: a new targets version (the client must fetch it), one hash rewritten.
    expect(warden(work, 'registry', 'block', registry, 'publisher:shady', '--reason', 'malware').code).toBe(0);
    const file = newest('targets');
    const role = JSON.parse(readFileSync(file, 'utf8'));
    role.signed.targets['plugins/samples/hello-world/1.0.0.tgz'].hashes.sha256 = 'f'.repeat(64);
    writeFileSync(file, JSON.stringify(role, null, 1));
    const edited = warden(work, 'list', ...client());
    expect(edited.stderr).toMatch(/registry update refused: .*(hash|length)/i);
    // The timestamp (fetched on every refresh) with its version bumped and its signature left as it was.
    const timestampFile = join(registry, 'metadata', 'timestamp.json');
    const timestamp = JSON.parse(readFileSync(timestampFile, 'utf8'));
    timestamp.signed.version += 1;
    writeFileSync(timestampFile, JSON.stringify(timestamp, null, 1));
    expect(warden(work, 'list', ...client()).stderr).toMatch(/registry update refused: .*timestamp was signed by 0\/1 keys/);
    // The view verified before all this is still the one in use.
    expect(list(work, ...client()).map((p) => p.tier)).toEqual(['community']);

    // The client's own stored copy, edited: it is verified from the pinned root on every read, so it is ignored.
    const state = join(work, 'client', 'data', 'registry');
    const bundleFile = join(state, readdirSync(state)[0], 'verified.json');
    const bundle = JSON.parse(readFileSync(bundleFile, 'utf8'));
    bundle.blocklist = '{"entries":[]}\n';
    writeFileSync(bundleFile, JSON.stringify(bundle));
    const listed = warden(work, 'list', '--json', ...client());
    expect(listed.stderr).toMatch(/stored registry metadata failed verification/);
    // Neither the edited copy nor the tampered registry is believed: no verified view, so nothing is community.
    expect(JSON.parse(listed.stdout)[0].tier).toBe('unregistered');
  });

  it('a publisher role cannot freeze the blocklist: its own delegations are ignored, and a role that fails verification only loses its tier', () => {
    for (const id of ['samples.weather', 'acme.greeter']) expect(warden(work, 'install', id, '--registry', registry, ...pinned(), ...client(), '--yes').code, id).toBe(0);
    // acme publishes (around the tooling, which refuses it) a role of its own that delegates to the registry's "community".
    const publish = (signer: ReturnType<typeof readSigningKey>['signer'], edit: (signed: Record<string, any>) => void = () => undefined) => {
      const snapshotFile = join(registry, 'metadata', `${JSON.parse(readFileSync(join(registry, 'metadata', 'timestamp.json'), 'utf8')).signed.meta['snapshot.json'].version}.snapshot.json`);
      const snapshot = JSON.parse(readFileSync(snapshotFile, 'utf8'));
      const version = snapshot.signed.meta['publisher.acme.json'].version as number;
      const json = JSON.parse(readFileSync(join(registry, 'metadata', `${version}.publisher.acme.json`), 'utf8'));
      json.signed.version = version + 1;
      json.signatures = [];
      edit(json.signed);
      const role = Metadata.fromJSON(MetadataKind.Targets, json);
      role.sign(signer);
      writeFileSync(join(registry, 'metadata', `${version + 1}.publisher.acme.json`), JSON.stringify(role.toJSON()));
      snapshot.signed.meta['publisher.acme.json'] = { version: version + 1 };
      writeFileSync(snapshotFile, JSON.stringify(snapshot)); // what `registry refresh` re-reads, then re-signs
      expect(warden(work, 'registry', 'refresh', registry).code).toBe(0);
    };
    const acme = readSigningKey(built.publisherKey);
    publish(acme.signer, (signed) => {
      signed.delegations = { keys: { [acme.key.keyID]: acme.key.toJSON() }, roles: [{ name: 'community', keyids: [acme.key.keyID], threshold: 1, paths: ['plugins/acme/*/*'], terminating: false }] };
    });
    expect(warden(work, 'registry', 'block', registry, 'samples.weather', '--reason', 'mines coins').code).toBe(0);
    const delegating = warden(work, 'list', '--json', ...client());
    expect(delegating.stderr).not.toMatch(/refused/);
    expect(JSON.parse(delegating.stdout).map((p: Listed) => [p.id, p.tier, p.status])).toEqual([
      ['acme.greeter', 'trusted', 'enabled'],
      ['samples.weather', 'community', 'blocked'],
    ]);

    // A role whose signature does not hold (signed by a key the registry does not list for acme): acme's plugins lose their tier, nothing else does.
    expect(warden(work, 'registry', 'keygen', join(work, 'not-acme')).code).toBe(0);
    publish(readSigningKey(join(work, 'not-acme.key')).signer);
    expect(warden(work, 'registry', 'unblock', registry, 'samples.weather').code).toBe(0);
    const broken = warden(work, 'list', '--json', ...client());
    expect(broken.stderr).toMatch(/role publisher\.acme: publisher\.acme was signed by 0\/1 keys: its plugins get no tier/);
    expect(JSON.parse(broken.stdout).map((p: Listed) => [p.id, p.tier, p.status])).toEqual([
      ['acme.greeter', 'unregistered', expect.any(String)],
      ['samples.weather', 'community', 'enabled'],
    ]);
  });

  it('rollback: an older, validly signed blocklist is refused and the newer one keeps blocking', () => {
    expect(warden(work, 'install', 'acme.greeter', '--registry', registry, ...pinned(), ...client(), '--yes').code).toBe(0);
    const older = join(work, 'registry-before-block');
    cpSync(registry, older, { recursive: true });
    expect(warden(work, 'registry', 'block', registry, 'acme.greeter', '--reason', 'sends keystrokes away').code).toBe(0);
    const blocked = list(work, ...client());
    expect(blocked[0].status).toBe('blocked');
    expect(blocked[0].reasons.join()).toMatch(/sends keystrokes away/);

    // The mirror serves yesterday's metadata, every signature valid.
    rmSync(registry, { recursive: true });
    renameSync(older, registry);
    const rolledBack = warden(work, 'list', '--json', ...client());
    expect(rolledBack.stderr).toMatch(/registry update refused: .*version/i);
    const [greeter] = JSON.parse(rolledBack.stdout);
    expect(greeter.status).toBe('blocked');
    expect(greeter.reasons.join()).toMatch(/sends keystrokes away/);

    // Even with tuf-js's own copies gone, the client's verified bundle is the floor: no role version goes down.
    const state = join(work, 'client', 'data', 'registry');
    for (const key of readdirSync(state)) rmSync(join(state, key, 'tuf'), { recursive: true, force: true });
    const forgotten = warden(work, 'list', '--json', ...client());
    expect(forgotten.stderr).toMatch(/registry update refused: .*version \d+ is older than the accepted version/);
    expect(JSON.parse(forgotten.stdout)[0].status).toBe('blocked');
  });

  it('expired timestamp: community and unregistered plugins refuse to start, official ones run; a grace period lets them', async () => {
    for (const id of ['samples.hello-world', 'samples.weather']) {
      expect(warden(work, 'install', id, '--registry', registry, ...pinned(), ...client(), '--yes').code).toBe(0);
    }
    expect(warden(work, 'registry', 'refresh', registry, '--expires', '6s').code).toBe(0);
    const timestamp = JSON.parse(readFileSync(join(registry, 'metadata', 'timestamp.json'), 'utf8'));
    expect(list(work, ...client()).every((p) => p.status === 'enabled')).toBe(true); // seen while fresh
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(timestamp.signed.expires) - Date.now()) + 1000));

    const stale = warden(work, 'run', ...client(), '--exec', 'hello.sayHello', '--exec', 'weather.now', '--once');
    expect(stale.stderr).toMatch(/registry update refused: .*expired/i);
    expect(stale.stdout).toContain('[samples.hello-world] Hello, world!');
    expect(stale.stderr).toMatch(/✖ refused samples\.weather: the registry's metadata expired at .*community plugins do not start on stale metadata/);
    expect(stale.code).toBe(1);

    const graced = warden(work, 'run', ...client(), '--exec', 'weather.now', '--once', '--expired-grace', '1h');
    expect(graced.stderr).not.toMatch(/refused samples\.weather/);
    expect(graced.stdout).toMatch(/weather service unreachable|°C/);
    expect(graced.code).toBe(0);

    // Nothing community is installed on stale metadata either.
    const install = warden(work, 'install', built.tarballs.weather, ...client('late'), '--registry', registry, ...pinned(), '--yes');
    expect(install.code).toBe(1);
  });
});

describe('rotation, offline and http', () => {
  it('follows a key rotation through root version 2, and offline uses the last verified metadata, saying how old it is', () => {
    expect(warden(work, 'install', 'samples.weather', '--registry', registry, ...pinned(), ...client(), '--yes').code).toBe(0);
    expect(warden(work, 'registry', 'rotate-key', registry, 'timestamp').code).toBe(0);
    expect(warden(work, 'registry', 'rotate-key', registry, 'root').code).toBe(0);
    expect(existsSync(join(registry, 'metadata', '3.root.json'))).toBe(true);
    const rotated = warden(work, 'list', '--json', ...client());
    expect(rotated.stderr).not.toMatch(/refused/);
    expect(JSON.parse(rotated.stdout)[0].tier).toBe('community');

    renameSync(registry, `${registry}-unplugged`);
    const offline = warden(work, 'list', '--json', ...client());
    expect(offline.stderr).toMatch(/registry unreachable .*using metadata verified \d+ s ago/);
    expect(JSON.parse(offline.stdout)[0].tier).toBe('community');
  });

  it('after a rotation, a key rotated away signs nothing: neither a second root version 2 nor a timestamp behind a withheld root', async () => {
    expect(warden(work, 'install', 'samples.weather', '--registry', registry, ...pinned(), ...client(), '--yes').code).toBe(0);
    const oldSnapshot = JSON.parse(readFileSync(join(registry, 'metadata', 'timestamp.json'), 'utf8')).signed.meta['snapshot.json'].version as number;
    const oldKeys = join(work, 'old-keys');
    cpSync(join(registry, 'keys'), oldKeys, { recursive: true }); // the keys that leaked
    expect(warden(work, 'registry', 'block', registry, 'samples.weather', '--reason', 'steals tokens').code).toBe(0);
    expect(warden(work, 'registry', 'rotate-key', registry, 'root').code).toBe(0);
    expect(warden(work, 'registry', 'rotate-key', registry, 'timestamp').code).toBe(0);
    const followed = list(work, ...client());
    expect(followed[0].status).toBe('blocked');

    // An attacker holding the old root key serves its own registry where the real one was, with a root "version 2"
    // of its own keys signed by that old key (the pinned 1.root.json still names it), and versions above the real ones.
    const evil = join(work, 'evil');
    expect(warden(work, 'registry', 'init', evil).code).toBe(0);
    expect(warden(work, 'registry', 'add', evil, built.tarballs.weather, '--tier', 'official').code).toBe(0);
    for (let i = 0; i < 6; i++) expect(warden(work, 'registry', 'refresh', evil).code).toBe(0);
    const evilRoot = JSON.parse(readFileSync(join(evil, 'metadata', '1.root.json'), 'utf8'));
    evilRoot.signed.version = 2;
    evilRoot.signatures = [];
    const forged = Metadata.fromJSON(MetadataKind.Root, evilRoot);
    forged.sign(readSigningKey(join(oldKeys, 'root.key')).signer);
    forged.sign(readSigningKey(join(evil, 'keys', 'root.key')).signer);
    writeFileSync(join(evil, 'metadata', '2.root.json'), JSON.stringify(forged.toJSON()));
    cpSync(join(built.dir, 'metadata', '1.root.json'), join(evil, 'metadata', '1.root.json'));
    renameSync(registry, `${registry}-real`);
    renameSync(evil, registry);
    const attacked = warden(work, 'list', '--json', ...client());
    expect(attacked.stderr).toMatch(/registry update refused/);
    const [weather] = JSON.parse(attacked.stdout);
    expect([weather.tier, weather.status]).toEqual(['community', 'blocked']);
    rmSync(registry, { recursive: true });
    renameSync(`${registry}-real`, registry);

    // The real registry with its new roots withheld, and a timestamp signed by the old timestamp key pointing back at
    // the snapshot from before the block.
    for (const file of readdirSync(join(registry, 'metadata')).filter((f) => /^[2-9]\.root\.json$/.test(f))) rmSync(join(registry, 'metadata', file));
    const snapshotBytes = readFileSync(join(registry, 'metadata', `${oldSnapshot}.snapshot.json`));
    const timestamp = new Metadata(
      new Timestamp({
        version: 1000,
        specVersion: '1.0.31',
        expires: new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z'),
        snapshotMeta: new MetaFile({ version: oldSnapshot, length: snapshotBytes.length, hashes: { sha256: createHash('sha256').update(snapshotBytes).digest('hex') } }),
      }),
    );
    timestamp.sign(readSigningKey(join(oldKeys, 'timestamp.key')).signer);
    writeFileSync(join(registry, 'metadata', 'timestamp.json'), JSON.stringify(timestamp.toJSON()));
    const withheld = warden(work, 'list', '--json', ...client());
    expect(withheld.stderr).toMatch(/registry update refused: .*timestamp was signed by 0\/1 keys/);
    expect(JSON.parse(withheld.stdout)[0].status).toBe('blocked');
  });

  describe('over http', () => {
    let server: Server;
    let url: string;
    beforeEach(async () => {
      server = createServer((request, response) => {
        const path = join(registry, decodeURIComponent(new URL(request.url!, 'http://x').pathname));
        if (!path.startsWith(registry) || !existsSync(path)) {
          response.writeHead(404).end();
          return;
        }
        response.writeHead(200).end(readFileSync(path));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      return () => new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('installs from an http registry with a pinned root (and refuses to guess one)', async () => {
      const guessed = await wardenAsync(work, 'install', 'samples.hello-world', '--registry', url, ...client(), '--yes');
      expect(guessed.code).toBe(2);
      expect(guessed.stderr).toMatch(/--trusted-root/);
      const run = await wardenAsync(work, 'install', 'acme.greeter', '--registry', url, ...pinned(), ...client(), '--yes');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`the registry ${url} (plugins/acme/greeter/1.0.0.tgz`);
      const listed = await wardenAsync(work, 'list', '--json', ...client());
      expect(JSON.parse(listed.stdout).map((p: { id: string; tier: string }) => [p.id, p.tier])).toEqual([['acme.greeter', 'trusted']]);
    });
  });
});
