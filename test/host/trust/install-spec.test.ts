/**
 * What `warden install <spec>` understands: an id with an optional range,
 * scoped names included (their `@` is not a range), or a path.
 */
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../../host/install/installer.js';

describe('install specs', () => {
  it('reads ids and ranges, scoped names included', () => {
    expect(parseSpec('samples.hello-world')).toEqual({ kind: 'registry', id: 'samples.hello-world' });
    expect(parseSpec('samples.hello-world@^1.0.0')).toEqual({ kind: 'registry', id: 'samples.hello-world', range: '^1.0.0' });
    expect(parseSpec('shady.@x/tool')).toEqual({ kind: 'registry', id: 'shady.@x/tool' });
    expect(parseSpec('shady.@x/tool@>=1 <2')).toEqual({ kind: 'registry', id: 'shady.@x/tool', range: '>=1 <2' });
  });

  it('refuses what is neither an id nor a path, in one line', () => {
    for (const [spec, message] of [
      ['not an id', /a plugin id is publisher\.name/],
      ['shady.@x/tool@not-a-range', /"not-a-range" is not a semver range/],
      ['shady.@x/a/b', /a plugin id is publisher\.name/],
      ['shady.@/tool', /a plugin id is publisher\.name/],
      ['./no/such/folder', /no such file or folder/],
    ] as const) {
      expect(() => parseSpec(spec), spec).toThrow(message);
    }
  });
});
