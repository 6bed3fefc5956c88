/**
 * The consent vocabulary: every declaration becomes atoms and sentences, the
 * combinations that add up to more than their parts are called out (and
 * harmless ones are not), and an update's "more" is computed by coverage, so
 * a narrower request is not mistaken for a wider one.
 */
import { describe, expect, it } from 'vitest';
import { atomsOf, beyond, capabilitiesOf, dangers, describeAtom, parseGrants, stillGranted } from '../../../host/install/capabilities.js';

describe('atoms and sentences', () => {
  it('round-trips a declaration, never asking for its own data folder', () => {
    const declared = { network: { hosts: ['api.example.com'] }, filesystem: { read: ['$data', '$home/Music'], write: ['$data/cache'] }, env: ['LANG'], childProcess: true };
    const atoms = atomsOf(declared);
    expect(atoms).toEqual(['network:api.example.com', 'filesystem.read:$home/Music', 'env:LANG', 'childProcess']);
    expect(atomsOf(capabilitiesOf(atoms))).toEqual(atoms);
  });

  it('reads as plain language', () => {
    expect(describeAtom('filesystem.read:$home/Music')).toBe('read files in ~/Music');
    expect(describeAtom('filesystem.read:$home')).toBe('read every file in your home folder');
    expect(describeAtom('filesystem.read:$home/.ssh')).toMatch(/^read files in ~\/\.ssh — .*SSH/);
    expect(describeAtom('filesystem.write:/srv/media')).toBe('create, change and delete files in /srv/media');
    expect(describeAtom('network:api.example.com')).toBe('send requests to api.example.com');
    expect(describeAtom('network:*.cdn.example.com')).toBe('send requests to any server under cdn.example.com');
    expect(describeAtom('childProcess')).toBe('run other programs with your rights');
  });
});

describe('dangerous combinations', () => {
  it('something private to read plus a way out: it could upload your files', () => {
    expect(dangers(['filesystem.read:$home', 'network:api.example.com'])).toEqual(['can read your home folder and reach the network: it could upload your files']);
    expect(dangers(['filesystem.read:/var/backups', 'network:*'])[0]).toMatch(/files in \/var\/backups and reach the network: it could upload your files to any server/);
    expect(dangers(['env:GITHUB_TOKEN', 'network:api.example.com'])).toEqual(['can read GITHUB_TOKEN and reach the network: it could send your secrets away']);
    expect(dangers(['childProcess', 'network:x.example'])).toEqual(['can run other programs and reach the network: it could download and run anything']);
    expect(dangers(['nativeAddons'])[0]).toMatch(/native code/);
    expect(dangers(['filesystem.write:$home'])).toEqual(['can change or delete any file in your home folder']);
  });

  it('benign look-alikes stay quiet', () => {
    expect(dangers(['network:api.example.com', 'env:LANG'])).toEqual([]);
    expect(dangers(['filesystem.read:$home/Music'])).toEqual([]); // no way out
    expect(dangers(['filesystem.read:assets', 'network:api.example.com'])).toEqual([]); // its own package
    expect(dangers([])).toEqual([]);
  });
});

describe('updates', () => {
  it('asks again only for what the old grant does not cover', () => {
    expect(beyond(['network:api.example.com', 'network:new.example.com'], ['network:api.example.com'])).toEqual(['network:new.example.com']);
    expect(beyond(['filesystem.read:$home/Music/jazz'], ['filesystem.read:$home/Music'])).toEqual([]);
    expect(beyond(['filesystem.read:$home'], ['filesystem.read:$home/Music'])).toEqual(['filesystem.read:$home']);
    expect(beyond(['filesystem.read:$home/Musical'], ['filesystem.read:$home/Music'])).toEqual(['filesystem.read:$home/Musical']);
    expect(beyond(['network:api.cdn.example.com'], ['network:*.cdn.example.com'])).toEqual([]);
    expect(beyond(['network:*.cdn.example.com'], ['network:api.cdn.example.com'])).toEqual(['network:*.cdn.example.com']);
    expect(stillGranted(['env:LANG', 'childProcess'], ['env:LANG'])).toEqual(['env:LANG']);
  });

  it('--grant accepts only what the plugin asks for', () => {
    expect(parseGrants(['env:LANG'], ['env:LANG', 'childProcess'], 'a.b')).toEqual(['env:LANG']);
    expect(() => parseGrants(['childProcess'], ['env:LANG'], 'a.b')).toThrow(/not something a\.b asks for \(it asks for: env:LANG\)/);
  });
});
