import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { identityOf, loadManifest } from '../../analyzer/manifest.js';
import { MANIFEST, REPO, writePlugin } from './helpers.js';

async function problem(manifest: unknown): Promise<string> {
  const dir = writePlugin({ 'package.json': typeof manifest === 'string' ? manifest : JSON.stringify(manifest) });
  const error = await loadManifest(dir, 'sample').then(
    () => undefined,
    (e: Error) => e,
  );
  expect(error?.name).toBe('UsageError');
  return error!.message;
}

const without = (field: string) => Object.fromEntries(Object.entries(MANIFEST).filter(([key]) => key !== field));

describe('loadManifest', () => {
  it('accepts the design example and derives the plugin id', async () => {
    const manifest = {
      ...MANIFEST,
      activationEvents: ['onStartup', 'onCommand:sample.run', 'onEvent:file-saved'],
      contributes: { commands: [{ command: 'sample.run', title: 'Run' }] },
      capabilities: {
        network: { hosts: ['api.example.com', '*.cdn.example.com'] },
        filesystem: { read: ['$data', '$home/Music'], write: ['$data'] },
        env: ['LANG', 'MUSIC_DIR'],
        childProcess: false,
        worker: false,
        nativeAddons: false,
      },
      repository: { type: 'git', url: 'https://github.com/acme/sample' },
      dependencies: { anything: '^1.0.0' },
    };
    const loaded = await loadManifest(writePlugin({ 'package.json': manifest }));
    expect(identityOf(loaded)).toEqual({ id: 'acme.sample', name: 'sample', publisher: 'acme', version: '1.0.0' });
    expect(loaded.capabilities?.network?.hosts).toEqual(['api.example.com', '*.cdn.example.com']);
  });

  it('names each missing required field', async () => {
    for (const field of ['name', 'publisher', 'version', 'main', 'engines']) {
      expect(await problem(without(field))).toBe(`invalid manifest sample/package.json: "${field}" is required`);
    }
    expect(await problem({ ...MANIFEST, engines: { node: '>=20' } })).toBe('invalid manifest sample/package.json: "engines.warden" is required');
  });

  it('names the field of a wrong type, an unknown capability, a bad value', async () => {
    expect(await problem({ ...MANIFEST, version: 1 })).toBe('invalid manifest sample/package.json: "version" must be a string');
    expect(await problem({ ...MANIFEST, capabilities: { netwrk: {} } })).toBe('invalid manifest sample/package.json: "capabilities.netwrk" is not a known field');
    expect(await problem({ ...MANIFEST, capabilities: { childProcess: 'yes' } })).toBe('invalid manifest sample/package.json: "capabilities.childProcess" must be a boolean');
    expect(await problem({ ...MANIFEST, activationEvents: ['onStartup', 'whenever'] })).toMatch(/^invalid manifest sample\/package.json: "activationEvents\[1\]" must match/);
    expect(await problem({ ...MANIFEST, contributes: { commands: [{ command: 'x' }] } })).toBe('invalid manifest sample/package.json: "contributes.commands[0].title" is required');
    expect(await problem({ ...MANIFEST, version: 'one' })).toBe('invalid manifest sample/package.json: "version" must be a semantic version, not "one"');
    expect(await problem({ ...MANIFEST, engines: { warden: 'soon' } })).toBe('invalid manifest sample/package.json: "engines.warden" must be a semver range, not "soon"');
  });

  it('refuses control characters, line separators and bidi marks in every string it shows, and ".." in paths', async () => {
    const spoof = '\u001b[2K\r    • keep its own settings';
    const cases: [Record<string, unknown>, string][] = [
      [{ capabilities: { filesystem: { read: [`$home/.ssh/${spoof}`] } } }, 'capabilities.filesystem.read[0]'],
      [{ description: `fine\u009b2Kforged` }, 'description'],
      [{ displayName: 'a\u202egnp.exe' }, 'displayName'],
      [{ contributes: { commands: [{ command: 'x.run', title: `Run\n✔ done` }] } }, 'contributes.commands[0].title'],
      [{ contributes: { commands: [{ command: 'x.\u2028run', title: 'Run' }] } }, 'contributes.commands[0].command'],
      [{ repository: 'https://x.example/\u0007' }, 'repository'],
    ];
    for (const [fields, field] of cases) {
      expect(await problem({ ...MANIFEST, ...fields })).toBe(`invalid manifest sample/package.json: "${field}" must not contain control characters, line separators or bidi marks`);
    }
    for (const path of ['cache/../../..', '$data/..', '$home/x/../../y', '..', '/etc/../root']) {
      expect(await problem({ ...MANIFEST, capabilities: { filesystem: { write: [path] } } })).toBe(
        'invalid manifest sample/package.json: "capabilities.filesystem.write[0]" must not contain a ".." segment: name the folder it means',
      );
    }
    // Look-alikes stay valid: dots inside a name, printable text in any script, a tab-free description.
    const benign = { ...MANIFEST, description: 'Zählt Wörter — 単語を数える', capabilities: { filesystem: { read: ['cache..old', '$data/.x', './a/'] } } };
    await expect(loadManifest(writePlugin({ 'package.json': JSON.stringify(benign) }), 'sample')).resolves.toMatchObject({ description: benign.description });
  });

  it('reports invalid JSON and a missing package.json in one line', async () => {
    expect(await problem('{ "name": ')).toMatch(/^invalid manifest sample\/package.json: not valid JSON \(.+\)$/);
    const error = await loadManifest(writePlugin({ 'index.js': '' }), 'sample').catch((e: Error) => e);
    expect((error as Error).message).toBe('cannot analyze sample: no package.json');
  });

  it('ships a schema that is itself valid draft 2020-12, for editors', () => {
    const schema = JSON.parse(readFileSync(join(REPO, 'analyzer/manifest.schema.json'), 'utf8'));
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(new Ajv2020({ strict: true }).validateSchema(schema)).toBe(true);
  });
});
