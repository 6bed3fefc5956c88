/** A specifier names one module however it is spelled: `node:` or not, and Node's internal aliases as their module. */
import { describe, expect, it } from 'vitest';
import { moduleName, packageName } from '../../../rules/utils/specifiers.js';

describe('moduleName', () => {
  it('judges Node\'s `_<module>_<part>` built-ins and `sys` as the module whose API they hand out', () => {
    expect(['_http_client', 'node:_http_agent', '_http_server', '_tls_wrap', 'node:_tls_common', '_stream_readable', '_stream_wrap', 'sys'].map(moduleName))
      .toEqual(['http', 'http', 'http', 'tls', 'tls', 'stream', 'stream', 'util']);
  });

  it('leaves everything else as written, but for `node:`', () => {
    // Packages that only look like the internals are packages: Node has no such built-in.
    expect(['node:fs', 'fs/promises', '_http_clientx_y', '_foo_bar', '_http', 'lodash', '@scope/_tls_wrap'].map(moduleName))
      .toEqual(['fs', 'fs/promises', '_http_clientx_y', '_foo_bar', '_http', 'lodash', '@scope/_tls_wrap']);
  });

  it('gives the package an internal alias belongs to', () => {
    expect(packageName('node:_http_client')).toBe('http');
    expect(packageName('@scope/pkg/sub')).toBe('@scope/pkg');
  });
});
