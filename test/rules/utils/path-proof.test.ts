import { describe, expect, it } from 'vitest';
import { capabilityCovers } from '../../../rules/utils/manifest.js';
import { PathProver, type PathProof } from '../../../rules/utils/path-proof.js';
import { probe } from './probe.js';

const head = 'import fs from "node:fs"; import os from "node:os"; import path from "node:path";\n';

/** Where the last expression of `code` (a path) lies, as the prover places it. */
const place = (code: string, { chdir = false } = {}): PathProof | undefined =>
  probe(`${head}${code}`, (resolver, expression, context) => {
    const isListing = (node: any) => /^fs:(readdir|readdirSync|promises\.readdir)$/.test(String(resolverName(resolver, node)));
    return new PathProver(resolver, (node) => context.sourceCode.getScope(node as never), !chdir, isListing).prove(expression);
  }, { filename: 'lib/index.js' });

function resolverName(resolver: any, call: any): string | undefined {
  const ref = resolver.resolve(call.callee);
  return ref?.module === undefined ? undefined : `${ref.module}:${ref.path.join('.')}`;
}

describe('PathProver', () => {
  it('places folded paths under home, the data folder (the working directory), the package or the root', () => {
    expect(place('path.join(os.homedir(), "Music", "a.mp3")')).toEqual({ folder: '~/Music/a.mp3', open: false });
    expect(place('"notes/today.md"')).toEqual({ folder: '$data/notes/today.md', open: false });
    expect(place('path.join(__dirname, "assets")')).toEqual({ folder: '/__plugin__/lib/assets', open: false });
    expect(place('"/tmp/../etc/hosts"')).toEqual({ folder: '/etc/hosts', open: false });
    // Climbing above home is somewhere in the whole file system.
    expect(place('path.join(os.homedir(), "..", "..", "x")')).toEqual({ folder: '/x', open: true });
    expect(place('os.homedir() + "/../../etc/shadow"')).toEqual({ folder: '/etc/shadow', open: true });
    expect(place('path.resolve(os.homedir(), "Music", "/etc/hosts")')).toEqual({ folder: '/etc/hosts', open: false });
    expect(place('path.join(os.homedir(), "Music", "/etc/hosts")')).toEqual({ folder: '~/Music/etc/hosts', open: false });
  });

  it('takes the data folder from the host objects, not from objects the plugin made', () => {
    expect(place('function activate(ctx) { return 0; }\n(function (ctx) { return path.join(ctx.dataDir, "s.json"); })')).toBeUndefined();
    expect(place('export function activate(ctx) { globalThis.p = path.join(ctx.dataDir, "inbox"); }\nnull')).toBeUndefined();
    const inFunction = (body: string) => probe(`${head}export function activate(ctx) { ${body} }\n0`, (resolver, _e, context) => {
      let found: PathProof | undefined;
      const visit = (node: any): void => {
        if (!node || typeof node !== 'object') return;
        if (node.type === 'CallExpression' && node.callee.type === 'Identifier' && node.callee.name === 'mark') found = new PathProver(resolver, (n) => context.sourceCode.getScope(n as never), true, () => false).prove(node.arguments[0]);
        for (const [key, value] of Object.entries(node)) if (key !== 'parent') (Array.isArray(value) ? value : [value]).forEach(visit);
      };
      visit(context.sourceCode.ast);
      return found;
    });
    expect(inFunction('mark(path.join(ctx.dataDir, "inbox"));')).toEqual({ folder: '$data/inbox', open: false });
    expect(inFunction('const { dataDir } = ctx; mark(`${dataDir}/state.json`);')).toEqual({ folder: '$data/state.json', open: false });
    expect(inFunction('const fake = { dataDir: where() }; mark(path.join(fake.dataDir, "a"));')).toBeUndefined();
    expect(inFunction('function read(o) { mark(path.join(o.dataDir, "a")); } read({ dataDir: where() });')).toBeUndefined();
    expect(inFunction('function read(o) { mark(path.join(o.dataDir, "a")); } read(ctx);')).toEqual({ folder: '$data/a', open: false });
    expect(inFunction('mark(path.join(ctx.dataDir, name));')).toEqual({ folder: '$data', open: true, climbs: true });
    expect(inFunction('mark(path.join(ctx.dataDir, ...up, "etc"));')).toBeUndefined();
    expect(inFunction('mark(path.join(ctx.dataDir, name, "..", "..", "etc"));')).toBeUndefined();
  });

  it('knows relative paths only while the working directory is the data folder', () => {
    expect(place('"config.json"', { chdir: true })).toBeUndefined();
    expect(place('path.join(os.homedir(), "a")', { chdir: true })).toEqual({ folder: '~/a', open: false });
  });

  it('folds Buffers of a path and keeps only the folders written out before an unknown part', () => {
    expect(place('Buffer.from([47, 101, 116, 99])')).toEqual({ folder: '/etc', open: false });
    expect(place('os.homedir() + "/Music/" + x')).toEqual({ folder: '~/Music', open: true, climbs: true });
    expect(place('os.homedir() + "/Mus" + x')).toEqual({ folder: '~', open: true, climbs: true });
    expect(place('decode(x)')).toBeUndefined();
  });
});

describe('capabilityCovers for filesystem', () => {
  const declared = { filesystem: { read: ['$home/Music', 'assets'], write: ['$data/out'] } };
  const covers = (data: Record<string, string>) => capabilityCovers(declared, 'filesystem', data);

  it('covers a proven folder inside a declared path, the data folder or the package', () => {
    expect(covers({ folder: '~/Music/a.mp3', open: 'no' })).toBe(true);
    expect(covers({ folder: '~/Music', open: 'yes' })).toBe(true);
    expect(covers({ folder: '/__plugin__/assets/x.svg', open: 'no' })).toBe(true);
    expect(covers({ folder: '$data/anything', open: 'yes' })).toBe(true);
    // Reads and writes each need their own grant; the package is read-only.
    expect(covers({ folder: '$data/out/x', open: 'no', access: 'write' })).toBe(true);
    expect(covers({ folder: '~/Music/a.mp3', open: 'no', access: 'write' })).toBe(false);
    expect(covers({ folder: '/__plugin__/assets/x.svg', open: 'no', access: 'write' })).toBe(false);
    // The load of an fs module carries no folder: any filesystem declaration covers it.
    expect(covers({ module: 'fs' })).toBe(true);
  });

  it('covers nothing unplaced, nothing beside the declared folder, no climbing segment, and no open home or root', () => {
    expect(covers({ folder: '', open: 'no' })).toBe(false);
    expect(covers({ folder: '~/Musical', open: 'no' })).toBe(false);
    expect(covers({ folder: '~/Music', open: 'yes', climbs: 'yes' })).toBe(false);
    expect(capabilityCovers({ filesystem: { read: ['$home'] } }, 'filesystem', { folder: '~', open: 'yes' })).toBe(false);
    expect(capabilityCovers({ filesystem: { read: ['$home'] } }, 'filesystem', { folder: '~/.bashrc', open: 'no' })).toBe(true);
    expect(capabilityCovers({ filesystem: { read: ['/'] } }, 'filesystem', { folder: '/', open: 'yes' })).toBe(false);
    expect(capabilityCovers(undefined, 'filesystem', { folder: '~/Music', open: 'no' })).toBe(false);
  });
});
