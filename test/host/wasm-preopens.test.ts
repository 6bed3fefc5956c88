/** Which folders a WASM plugin's WASI may open: only what its grant adds beyond its own folders, and only writable ones. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonical, grantFromManifest } from '../../host/permissions.js';
import { wasiPreopens } from '../../host/wasm/wasi-preopens.js';

const work = canonical(mkdtempSync(join(tmpdir(), 'warden-preopens-')));
const context = { pluginRoot: join(work, 'plugin'), dataDir: join(work, 'data'), home: join(work, 'home') };
const own = { dataDir: context.dataDir, root: context.pluginRoot };

describe('wasiPreopens', () => {
  it('opens nothing without a filesystem grant, though $data is always writable', () => {
    const grant = grantFromManifest(undefined, context);
    expect(grant.fsWrite).toContain(canonical(context.dataDir));
    expect(wasiPreopens(grant, own)).toEqual({});
  });

  it('opens exactly the granted write paths, not read-only ones', () => {
    const grant = grantFromManifest({ filesystem: { read: ['$home/Music'], write: ['$home/Exports'] } }, context);
    const exports = canonical(join(context.home, 'Exports'));
    expect(wasiPreopens(grant, own)).toEqual({ [exports]: exports });
  });
});
