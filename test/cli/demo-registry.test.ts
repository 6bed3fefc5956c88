/**
 * The committed demo registry (sample-plugins/registry) stays usable: it
 * verifies from its pinned root, gives each sample its tier, will not expire
 * for years, and its tarballs still hold exactly the sample plugins' files
 * (after changing a sample: `npm run demo:registry`).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { extract } from 'tar';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RegistryClient } from '../../host/registry/client.js';
import { storedTargetPath } from '../../host/registry/repository.js';
import { SAMPLES } from './trust-helpers.js';

const REGISTRY = join(SAMPLES, 'registry');
let state: string;
let client: RegistryClient;

beforeAll(async () => {
  state = mkdtempSync(join(tmpdir(), 'warden-demo-registry-'));
  client = await RegistryClient.open({ url: REGISTRY, trustedRoot: join(REGISTRY, 'metadata', '1.root.json'), watch: false }, state);
  expect(await client.refresh()).toEqual({ ok: true, changed: true });
});
afterAll(async () => {
  await client.close();
  rmSync(state, { recursive: true, force: true });
});

it('verifies, gives one plugin per tier, and will not expire for years', () => {
  const view = client.view!;
  expect(Object.fromEntries(view.plugins().map((p) => [p.id, p.tier]))).toEqual({
    'samples.hello-world': 'official',
    'samples.notes': 'official',
    'acme.greeter': 'trusted',
    'samples.weather': 'community',
    'samples.file-indexer': 'community',
  });
  expect(view.blocklist.entries.map((e) => e.pattern)).toEqual(['publisher:shady']);
  expect(view.expires.getTime()).toBeGreaterThan(Date.now() + 10 * 365 * 86_400_000);
});

function files(root: string): Record<string, string> {
  const found: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else found[relative(root, path)] = readFileSync(path, 'utf8');
    }
  };
  walk(root);
  return found;
}

it("holds exactly the sample plugins' files (rebuild with npm run demo:registry after changing one)", async () => {
  for (const target of client.view!.plugins()) {
    const out = mkdtempSync(join(tmpdir(), 'warden-demo-target-'));
    try {
      await extract({ file: join(REGISTRY, 'targets', storedTargetPath(target.file)), cwd: out });
      expect(files(join(out, 'package')), target.id).toEqual(files(join(SAMPLES, target.name)));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }
});
