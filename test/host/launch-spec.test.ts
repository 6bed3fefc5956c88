/**
 * The launch spec as data: for each isolation level, the whole command line
 * a grant turns into — resource wrapper, isolation wrapper (the complete bwrap
 * argument vector), node with its permission flags, the runtime and its guard
 * — built from made-up machine facts, so every level is checked on any
 * machine. sandbox-escape.test.ts proves the same specs hold when they run.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Grant, type LaunchContext, launchSpec } from '../../host/permissions.js';
import { type IsolationTools, type NodeRuntime, systemFiles } from '../../host/platform.js';

const tools: IsolationTools = {
  bwrap: { path: '/usr/bin/bwrap', disableUserns: true },
  unshare: '/usr/bin/unshare',
  setpriv: '/usr/bin/setpriv',
  prlimit: '/usr/bin/prlimit',
};

const MIB = 1024 * 1024;
const COMMON_FLAGS = ['--allow-fs-read', '--allow-fs-write', '--allow-child-process', '--allow-worker', '--allow-addons', '--allow-wasi', '--disable-warning'];

const node20: NodeRuntime = {
  path: '/opt/node20/bin/node',
  version: 'v20.20.2',
  major: 20,
  permissionFlag: '--experimental-permission',
  flags: new Set(['--experimental-permission', ...COMMON_FLAGS]),
  idleDataBytes: 48 * MIB,
  system: { files: ['/opt/node20/bin/node', '/usr/lib/x86_64-linux-gnu/libc.so.6'], symlinks: [{ path: '/lib64', target: 'usr/lib64' }] },
};

const node24: NodeRuntime = {
  ...node20,
  path: '/opt/node24/bin/node',
  version: 'v24.22.3',
  major: 24,
  permissionFlag: '--permission',
  flags: new Set(['--permission', '--allow-inspector', ...COMMON_FLAGS]),
  idleDataBytes: 560 * MIB,
};

const grant: Grant = {
  fsRead: ['/plugins/p', '/data/p', '/home/u/Music'],
  fsWrite: ['/data/p', '/tmp/out'],
  networkHosts: [],
  env: ['LANG', 'ABSENT'],
  childProcess: false,
  worker: false,
  nativeAddons: false,
};

function context(overrides: Partial<LaunchContext> = {}): LaunchContext {
  return {
    level: 'strict',
    tools,
    node: node20,
    runtimeRead: ['/warden/dist/host/runtime', '/warden/package.json'],
    bootstrap: ['/warden/dist/host/runtime/bootstrap.js', '/warden/node_modules/vscode-jsonrpc/lib/node/main.js'],
    dataDir: '/data/p',
    heapMb: 128,
    memoryMb: 256,
    openFiles: 256,
    dataQuotaBytes: 64 * MIB,
    processes: 128,
    inheritedFds: [30, 252],
    hostEnv: { LANG: 'C.UTF-8', PATH: '/usr/bin', HOME: '/home/u', AWS_SECRET_ACCESS_KEY: 'x' },
    ...overrides,
  };
}

const NODE_PART = [
  '/opt/node20/bin/node',
  '--experimental-permission',
  '--allow-fs-read=/warden/dist/host/runtime',
  '--allow-fs-read=/warden/package.json',
  '--allow-fs-read=/plugins/p',
  '--allow-fs-read=/data/p',
  '--allow-fs-read=/home/u/Music',
  '--allow-fs-write=/data/p',
  '--allow-fs-write=/tmp/out',
  '--disable-warning=ExperimentalWarning',
  '--max-old-space-size=128',
  '/warden/dist/host/runtime/bootstrap.js',
  '/warden/node_modules/vscode-jsonrpc/lib/node/main.js',
  JSON.stringify({ socketPaths: ['/data/p', '/tmp/out'], closeFds: [30, 252], confinedView: true }),
];

const RESOURCES = ['/usr/bin/prlimit', '--nofile=256:256', `--fsize=${64 * MIB}:${64 * MIB}`, '--core=0:0', `--data=${368 * MIB}:${368 * MIB}`, '--'];

describe('isolation strict', () => {
  it('is the whole bwrap argument vector: namespaces, no capabilities, and a root holding only what the grant names', () => {
    expect(launchSpec(grant, context()).argv).toEqual([
      ...RESOURCES,
      '/usr/bin/bwrap',
      '--unshare-user', '--unshare-pid', '--unshare-net', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try',
      '--disable-userns',
      '--uid', '65534', '--gid', '65534',
      '--hostname', 'warden-plugin',
      '--cap-drop', 'ALL',
      '--die-with-parent',
      '--new-session',
      // Shallowest first; at one depth a tmpfs goes under the grants, /proc and /dev over everything.
      '--size', String(64 * MIB), '--tmpfs', '/tmp',
      '--symlink', 'usr/lib64', '/lib64',
      '--proc', '/proc',
      '--dev', '/dev',
      '--ro-bind-try', '/warden/package.json', '/warden/package.json',
      '--ro-bind-try', '/plugins/p', '/plugins/p',
      // The data folder is granted both ways: bound once, writable.
      '--bind-try', '/data/p', '/data/p',
      '--bind-try', '/tmp/out', '/tmp/out',
      '--ro-bind-try', '/home/u/Music', '/home/u/Music',
      '--ro-bind', '/opt/node20/bin/node', '/opt/node20/bin/node',
      '--ro-bind', '/usr/lib/x86_64-linux-gnu/libc.so.6', '/usr/lib/x86_64-linux-gnu/libc.so.6',
      '--ro-bind-try', '/warden/dist/host/runtime', '/warden/dist/host/runtime',
      '--chdir', '/data/p',
      '--',
      ...NODE_PART,
    ]);
  });

  it('binds a path granted both ways once, writable, and a nested grant on top of its parent', () => {
    const nested: Grant = { ...grant, fsRead: ['/srv', '/data/p'], fsWrite: ['/srv/cache', '/data/p'] };
    const argv = launchSpec(nested, context({ runtimeRead: [] })).argv;
    const binds = argv.flatMap((arg, i) => (arg.includes('bind') ? [`${arg} ${argv[i + 1]}`] : []));
    expect(binds.filter((bind) => !bind.includes('/opt/node20') && !bind.includes('libc'))).toEqual([
      '--ro-bind-try /srv',
      '--bind-try /srv/cache',
      '--bind-try /data/p',
    ]);
  });

  it('keeps the host network for an inspected plugin, which Node 20 must run without the permission model', () => {
    const spec = launchSpec(grant, context({ inspect: true }));
    expect(spec.argv).not.toContain('--unshare-net');
    expect(spec.argv).toContain('--unshare-pid');
    expect(spec.permissionModel).toBe(false);
    expect(spec.nodeFlags).toEqual(['--max-old-space-size=128', '--inspect-brk=0']);
    expect(spec.warnings[0]).toMatch(/runs WITHOUT filesystem, process, worker and addon restrictions/);
    // Node 24 can allow the inspector under the permission model.
    const on24 = launchSpec(grant, context({ inspect: true, node: node24 }));
    expect(on24.permissionModel).toBe(true);
    expect(on24.nodeFlags).toEqual(expect.arrayContaining(['--permission', '--allow-inspector', '--inspect-brk=0']));
    expect(on24.warnings).toEqual([]);
  });

  it('lets sqlite stay (the view holds its files) and counts two processes above node (bwrap and its pid-1 reaper)', () => {
    const spec = launchSpec(grant, context());
    expect(spec.guard.confinedView).toBe(true);
    expect(spec.nodeDepth).toBe(2);
  });
});

describe('isolation namespaces', () => {
  it('is unshare with user (nobody inside), network, PID (its own /proc), IPC and UTS namespaces, dying with the host', () => {
    const spec = launchSpec(grant, context({ level: 'namespaces' }));
    expect(spec.argv).toEqual([
      ...RESOURCES,
      '/usr/bin/setpriv', '--pdeathsig', 'KILL', '--',
      '/usr/bin/unshare', '--map-user=65534', '--map-group=65534', '--net', '--pid', '--ipc', '--uts', '--fork', '--mount-proc', '--kill-child=SIGKILL', '--',
      ...NODE_PART.slice(0, -1),
      JSON.stringify({ socketPaths: ['/data/p', '/tmp/out'], closeFds: [30, 252], confinedView: false }),
    ]);
    expect(spec.nodeDepth).toBe(1);
    expect(launchSpec(grant, context({ level: 'namespaces', inspect: true })).argv).not.toContain('--net');
  });
});

describe('isolation none', () => {
  it('is node with the parent-death signal and the resource bounds only', () => {
    const spec = launchSpec(grant, context({ level: 'none' }));
    expect(spec.argv.slice(0, RESOURCES.length + 4)).toEqual([...RESOURCES, '/usr/bin/setpriv', '--pdeathsig', 'KILL', '--']);
    expect(spec.argv[RESOURCES.length + 4]).toBe('/opt/node20/bin/node');
    expect(spec.nodeDepth).toBe(0);
    expect(spec.guard.confinedView).toBe(false);
  });
});

describe('every level', () => {
  it("uses the plugin's own Node's permission flags: --permission on 24, --experimental-permission on 20", () => {
    expect(launchSpec(grant, context({ node: node24 })).nodeFlags[0]).toBe('--permission');
    expect(launchSpec(grant, context()).nodeFlags[0]).toBe('--experimental-permission');
    const withoutDisable = { ...node20, flags: new Set(['--experimental-permission', '--allow-fs-read']) };
    expect(launchSpec({ ...grant, nativeAddons: true }, context({ node: withoutDisable })).nodeFlags).not.toEqual(
      expect.arrayContaining(['--allow-addons']),
    );
    expect(launchSpec(grant, context({ node: withoutDisable })).nodeFlags.some((flag) => flag.startsWith('--disable-warning'))).toBe(false);
  });

  it('opts in only to what is granted, one --allow-fs-read per path (Node 20 reads a comma list as one path)', () => {
    const spec = launchSpec({ ...grant, worker: true, childProcess: true, nativeAddons: true }, context());
    expect(spec.nodeFlags).toEqual(expect.arrayContaining(['--allow-worker', '--allow-child-process', '--allow-addons']));
    expect(spec.nodeFlags.some((flag) => flag.includes(','))).toBe(false);
    expect(launchSpec(grant, context()).nodeFlags).not.toEqual(expect.arrayContaining(['--allow-worker']));
    expect(launchSpec(grant, context()).nodeFlags).not.toContain('--allow-wasi');
  });

  it("gives a WebAssembly plugin's process the runtime's worker thread and WASI, never the plugin's grant, and no data-segment limit", () => {
    const node20WithoutWasi: NodeRuntime = { ...node20, flags: new Set([...node20.flags].filter((flag) => flag !== '--allow-wasi')) };
    const wasm = launchSpec(grant, context({ wasmModule: true }));
    expect(wasm.nodeFlags).toEqual(expect.arrayContaining(['--allow-worker', '--allow-wasi']));
    expect(wasm.nodeFlags).not.toEqual(expect.arrayContaining(['--allow-child-process']));
    expect(wasm.argv.some((arg) => arg.startsWith('--data='))).toBe(false);
    // A Node without the flag (20: WASI is not behind the permission model there) is not given it.
    expect(launchSpec(grant, context({ wasmModule: true, node: node20WithoutWasi })).nodeFlags).not.toContain('--allow-wasi');
  });

  it('passes only the granted variables the host has, nothing else', () => {
    expect(launchSpec(grant, context()).env).toEqual({ LANG: 'C.UTF-8' });
  });

  it('sets the data-segment limit to what this Node commits idle plus 1.25 × memoryMb, except with workers; processes only with childProcess', () => {
    const limit = (spec: ReturnType<typeof launchSpec>, name: string) => spec.argv.find((arg) => arg.startsWith(`--${name}=`));
    expect(limit(launchSpec(grant, context({ node: node24 })), 'data')).toBe(`--data=${880 * MIB}:${880 * MIB}`);
    expect(limit(launchSpec({ ...grant, worker: true }, context()), 'data')).toBeUndefined();
    expect(limit(launchSpec(grant, context({ memoryMb: undefined })), 'data')).toBeUndefined();
    expect(limit(launchSpec(grant, context()), 'nproc')).toBeUndefined();
    expect(limit(launchSpec({ ...grant, childProcess: true }, context()), 'nproc')).toBe('--nproc=128:128');
  });

  it('goes without the wrappers this machine does not have', () => {
    const bare = launchSpec(grant, context({ level: 'none', tools: {} }));
    expect(bare.argv[0]).toBe('/opt/node20/bin/node');
    expect(() => launchSpec(grant, context({ tools: {} }))).toThrow('isolation "strict" needs bubblewrap');
    expect(() => launchSpec(grant, context({ level: 'namespaces', tools: {} }))).toThrow('isolation "namespaces" needs unshare');
  });
});

describe('systemFiles', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'warden-system-files-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('records every symlink on the way to each file, so the loader finds it by the path it asks for', () => {
    mkdirSync(join(tmp, 'usr', 'lib', 'arch'), { recursive: true });
    writeFileSync(join(tmp, 'usr', 'lib', 'arch', 'libc.so.6.real'), '');
    symlinkSync('libc.so.6.real', join(tmp, 'usr', 'lib', 'arch', 'libc.so.6'));
    symlinkSync('usr/lib', join(tmp, 'lib'));
    const files = systemFiles([join(tmp, 'lib', 'arch', 'libc.so.6'), join(tmp, 'missing.so')]);
    expect(files.files).toEqual([join(tmp, 'usr', 'lib', 'arch', 'libc.so.6.real')]);
    expect(files.symlinks).toEqual([
      { path: join(tmp, 'lib'), target: 'usr/lib' },
      { path: join(tmp, 'usr', 'lib', 'arch', 'libc.so.6'), target: 'libc.so.6.real' },
    ]);
  });
});
