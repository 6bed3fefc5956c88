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
    // The folder above a proven path; above an unknown rest, possibly the proven folder's own parent.
    expect(place('path.dirname(path.join(os.homedir(), "Music", "a.mp3"))')).toEqual({ folder: '~/Music', open: false });
    expect(place('path.dirname(path.join(os.homedir(), "Music", name))')).toEqual({ folder: '~', open: true, climbs: true });
    expect(place('path.dirname(os.homedir())')).toBeUndefined();
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
    // Destructured straight from a parameter: the same object, judged the same way.
    expect(inFunction('(({ dataDir }) => mark(path.join(dataDir, "a")))(ctx);')).toEqual({ folder: '$data/a', open: false });
    expect(inFunction('function save({ dataDir }) { mark(`${dataDir}/a`); } save({ dataDir: "/srv" });')).toBeUndefined();
    expect(inFunction('function save({ dataDir = "/srv" }) { mark(`${dataDir}/a`); }')).toBeUndefined();
    expect(inFunction('function save({ dataDir }) { dataDir = "/srv"; mark(`${dataDir}/a`); }')).toBeUndefined();
    expect(inFunction('function save({ ["data" + "Dir"]: d }) { mark(`${d}/a`); }')).toBeUndefined();
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

describe('PathProver: path functions as Node runs them', () => {
  it('starts path.resolve again at any absolute part, however it is built, and path.join never', () => {
    expect(place('path.resolve(__dirname, os.homedir() + "/" + ".config/rclone/rclone.conf")')).toEqual({ folder: '~/.config/rclone/rclone.conf', open: false });
    expect(place('const h = os.homedir(); path.resolve(__dirname, `${h}/.config`, "x")')).toEqual({ folder: '~/.config/x', open: false });
    expect(place('path.resolve(__dirname, path.join(os.homedir(), "a"))')).toEqual({ folder: '~/a', open: false });
    expect(place('path.posix.resolve(__dirname, "a", "/srv/b")')).toEqual({ folder: '/srv/b', open: false });
    expect(place('function f(ctx) { return path.resolve(__dirname, ctx.dataDir, "s.json"); }\nnull')).toBeUndefined();
    expect(place('path.resolve("a", "b")')).toEqual({ folder: '$data/a/b', open: false });
    expect(place('path.resolve("a", "b")', { chdir: true })).toBeUndefined();
    // path.join only joins: an absolute part stays below the first.
    expect(place('path.join(__dirname, os.homedir() + "/.config")')).toEqual({ folder: '/__plugin__/lib/~/.config', open: false });
  });

  it('places an unknown part of path.resolve only where it is shown relative', () => {
    // `name` may be `/home/u/.ssh/id_rsa#`: it discards all before it.
    expect(place('path.resolve(__dirname, "templates", name + ".txt")')).toBeUndefined();
    expect(place('path.resolve(__dirname, where())')).toBeUndefined();
    expect(place('path.resolve(__dirname, `${name}.txt`)')).toBeUndefined();
    expect(place('path.resolve(__dirname, ...parts)')).toBeUndefined();
    // A relative start keeps it below, where it may still climb; a listed name cannot.
    expect(place('path.resolve(__dirname, "templates", "t-" + name)')).toEqual({ folder: '/__plugin__/lib/templates', open: true, climbs: true });
    expect(place('path.resolve(__dirname, `tpl/${name}`)')).toEqual({ folder: '/__plugin__/lib', open: true, climbs: true });
    expect(place('path.resolve(__dirname, "t-" + name, "..", "..")')).toBeUndefined();
  });

  it('resolves new URL(input, base) as a URL does: home is absolute there too', () => {
    expect(place('new URL("./assets/a.svg", import.meta.url)')).toEqual({ folder: '/__plugin__/lib/assets/a.svg', open: false });
    expect(place('new URL(os.homedir() + "/.config/rclone/rclone.conf", import.meta.url)')).toBeUndefined();
    expect(place('new URL(name, import.meta.url)')).toBeUndefined();
  });

  it('proves a Buffer, typed array or URL held in a variable only while nothing writes into it', () => {
    const own = { folder: '$data/cache/state', open: false };
    expect(place('const b = Buffer.from("./cache/state"); const n = b.length + b.toString().length; b')).toEqual(own);
    for (const write of ['b.write("/srv/backup/db.txt", 0);', 'b.fill(47, 0, 1);', 'b[0] = 47;', 'b.set([47], 0);', 'b.slice(0, 4).write("/srv");', 'new Uint8Array(b.buffer).set([47]);', 'b.subarray(0).fill(47);', 'fs.readSync(fd, b);', 'b.copyWithin(0, 5);', 'Object.assign(b, [47]);']) {
      expect(place(`const b = Buffer.from("./cache/state"); ${write} b`), write).toBeUndefined();
    }
    expect(place('const b = new Uint8Array([46, 47, 97]); b[0] = 47; b')).toBeUndefined();
    expect(place('const u = new URL("file:///__plugin__/a.json"); u')).toEqual({ folder: '/__plugin__/a.json', open: false });
    expect(place('const u = new URL("file:///__plugin__/a.json"); u.pathname = "/srv/x"; u')).toBeUndefined();
    expect(place('const u = new URL("file:///__plugin__/a.json"); Object.assign(u, { href: "file:///srv/x" }); u')).toBeUndefined();
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

describe('PathProver on rebound variables, local helpers and local literals', () => {
  it('places a variable written more than once where every write is, each rewrite of it staying inside', () => {
    expect(place('let dir = __dirname;\ndir = path.join(dir, "templates");\ndir')).toEqual({ folder: '/__plugin__/lib', open: true });
    expect(place('let dir = path.join(__dirname, "a");\nif (x) dir = path.join(__dirname, "a");\ndir')).toEqual({ folder: '/__plugin__/lib/a', open: false });
    expect(place('var dir = path.join(__dirname, "a");\nif (x) dir = path.join(__dirname, "b");\ndir')).toEqual({ folder: '/__plugin__/lib', open: true });
    expect(place('let dir = __dirname;\nfor (const n of fs.readdirSync(dir)) dir = path.join(dir, n);\ndir')).toEqual({ folder: '/__plugin__/lib', open: true });
    expect(place('let dir = __dirname;\ndir = path.join(dir, name);\ndir')).toEqual({ folder: '/__plugin__/lib', open: true, climbs: true });
  });

  it('places nothing when one write leaves the folder or cannot be placed', () => {
    for (const code of [
      'let dir = __dirname;\ndir = path.join(dir, "..");\ndir',
      'let dir = __dirname;\nwhile (x) dir = path.dirname(dir);\ndir',
      'let dir = __dirname;\nif (x) dir = os.homedir();\ndir',
      'let dir = __dirname;\nif (x) dir = path.join(os.homedir(), ".ssh");\ndir',
      'let dir = __dirname;\ndir += "/../../.ssh";\ndir',
      'let dir = __dirname;\nfor (dir of list);\ndir',
      'let dir = __dirname;\n[dir] = [os.homedir()];\ndir',
      'let dir = __dirname;\ndir = dir.replace("/lib", "/../..");\ndir',
      'let dir = __dirname;\ndir = path.join(dir, x, "..", "..");\ndir',
    ]) expect(place(code), code).toBeUndefined();
  });

  it('places a local helper\'s call where every value it returns is', () => {
    expect(place('const file = (name) => path.join(__dirname, "assets", name);\nfile("a.svg")')).toEqual({ folder: '/__plugin__/lib/assets/a.svg', open: false });
    expect(place('function cache(k) { if (k) return path.join(__dirname, "cache", "a"); return path.join(__dirname, "cache", "b"); }\ncache(1)')).toEqual({ folder: '/__plugin__/lib/cache', open: true });
    expect(place('function where(k) { if (k) return path.join(__dirname, "a"); return os.homedir(); }\nwhere(1)')).toBeUndefined();
    expect(place('let file = () => path.join(__dirname, "a"); file = () => os.homedir();\nfile()')).toBeUndefined();
    // An async helper returns a promise, not the path.
    expect(place('async function file(name) { return path.join(__dirname, name); }\nfile(pick())')).toBeUndefined();
  });

  it('places a member of a literal the file keeps to itself as what the literal was given', () => {
    expect(place('const env = { dir: path.join(__dirname, "cache") };\nenv.dir')).toEqual({ folder: '/__plugin__/lib/cache', open: false });
    expect(place('const env = { dir: path.join(__dirname, "cache") }; env.dir = os.homedir();\nenv.dir')).toBeUndefined();
    expect(place('const env = { dir: path.join(__dirname, "cache") }; Object.assign(env, { dir: os.homedir() });\nenv.dir')).toBeUndefined();
    expect(place('const env = { dir: path.join(__dirname, "cache") }; tweak(env);\nenv.dir')).toBeUndefined();
  });
});
