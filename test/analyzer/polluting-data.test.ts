import { describe, expect, it } from 'vitest';
import { analyzePlugin } from '../../analyzer/index.js';
import { pollutingKeyPath, pollutingTextKey } from '../../analyzer/polluting-data.js';
import { MANIFEST, writePlugin } from './helpers.js';

describe('pollutingTextKey', () => {
  it.each([
    ['defaults.ini', '[ui]\ntheme=dark\n[__proto__]\nshell=/bin/sh', '__proto__'],
    ['app.toml', '[a.__proto__.b]\nx = 1', '__proto__'],
    ['app.toml', '["__proto__"]\nx = 1', '__proto__'],
    ['config.yml', 'ui:\n  theme: dark\n__proto__:\n  isAdmin: true', '__proto__'],
    ['settings.yaml', 'a:\n  constructor:\n    prototype:\n      isAdmin: true', 'constructor.prototype'],
    ['app.properties', 'constructor.prototype.isAdmin=true', 'constructor.prototype'],
    ['app.cfg', 'a.__proto__.isAdmin = true', '__proto__'],
    // A flow mapping, an inline table, YAML's explicit key, escapes spelling the key, a section then a nested key.
    ['config.yml', 'x: {theme: dark, __proto__: {isAdmin: true}}', '__proto__'],
    ['app.toml', 'a = { "__proto__" = { isAdmin = true } }', '__proto__'],
    ['config.yaml', '? __proto__\n: isAdmin: true', '__proto__'],
    ['config.yaml', '"\\x5f_proto\\u005f_":\n  isAdmin: true', '__proto__'],
    ['app.toml', '"constructor" = { prototype = { isAdmin = true } }', 'constructor.prototype'],
    ['settings.yml', 'a: {constructor: {prototype: {isAdmin: true}}}', 'constructor.prototype'],
    ['defaults.ini', '[ui]\ntheme=dark\n[constructor]\nname=x\nprototype.isAdmin = true', 'constructor.prototype'],
  ])('finds the polluting key of %s in %j', (path, text, key) => {
    expect(pollutingTextKey(path, text)).toBe(key);
  });

  it.each([
    ['README.md', '__proto__: what a merge must never copy'],
    ['notes.ini', '; about __proto__ pollution\nname=proto'],
    ['config.yml', 'description: avoid __proto__ keys\nprototype: true\nconstructor: Widget'],
    ['app.toml', 'title = "constructor.prototype is documented here"'],
    // A comment line naming the key, an OpenAPI schema with `prototype` and `constructor` properties, sibling keys.
    ['guide.yaml', '# never write obj.__proto__ = x\nname: guide'],
    ['openapi.yaml', 'components:\n  schemas:\n    Shape:\n      properties:\n        prototype:\n          type: string\n        constructor:\n          type: string'],
    ['class.yaml', 'class:\n  constructor: init\n  prototype: Base'],
    ['defaults.ini', '[constructor]\nname=x\n[prototype]\ny=1'],
    ['notes.toml', 'tip = "use Object.create(null), not __proto__ or prototype"'],
    ['docs.yaml', 'description: never merge __proto__\nnote: a key named __proto__. is dropped'],
  ])('stays quiet for %s: %j', (path, text) => {
    expect(pollutingTextKey(path, text)).toBeUndefined();
  });
});

describe('pollutingKeyPath', () => {
  it.each([
    ['{"theme":"dark","__proto__":{"isAdmin":true}}', '__proto__'],
    ['{"ui":{"panels":[{"__proto__":{"x":1}}]}}', 'ui.panels.0.__proto__'],
    // JSON's escapes spell the same key.
    ['{"\\u005f_proto\\u005f_":{"isAdmin":true}}', '__proto__'],
    ['{"a":{"constructor":{"prototype":{"isAdmin":true}}}}', 'a.constructor.prototype'],
    ['{"\\u0063onstructor":{"protot\\u0079pe":{}}}', 'constructor.prototype'],
    // A byte-order mark, which Node's require strips before parsing.
    ['\uFEFF{"theme":{"__proto__":{"isAdmin":true}}}', 'theme.__proto__'],
  ])('finds the polluting key in %s', (text, path) => {
    expect(pollutingKeyPath(text)).toBe(path);
  });

  it('finds a key deeper than any recursion limit, as a recursive merge goes as deep as the data', () => {
    expect(pollutingKeyPath(`${'{"a":'.repeat(5000)}{"__proto__":{"x":1}}${'}'.repeat(5000)}`)).toBe(`${'a.'.repeat(5000)}__proto__`);
    expect(pollutingKeyPath(`${'['.repeat(3000)}"prototype"${']'.repeat(3000)}`)).toBeUndefined();
  });

  it.each([
    '{"keywords":["__proto__","prototype","pollution"]}',
    '{"description":"guards against __proto__ keys","constructor":"Widget"}',
    '{"constructor":{"name":"Widget","prototypeUrl":"https://docs.example/"}}',
    '{"prototype":{"enabled":true}}',
    'not json, __proto__',
    '\uFEFF{"keywords":["__proto__"]}',
    '{"plain":"\\u00e9t\\u00e9"}',
  ])('is quiet on %s', (text) => {
    expect(pollutingKeyPath(text)).toBeUndefined();
  });
});

describe('polluting data in a plugin', () => {
  const merge = "function merge(t, s) { for (const k in s) { if (s[k] && typeof s[k] === 'object') { if (!t[k]) t[k] = {}; merge(t[k], s[k]); } else t[k] = s[k]; } return t; }\n";
  const findingsOf = async (files: Record<string, unknown>) =>
    (await analyzePlugin(writePlugin({ 'package.json': MANIFEST, ...files }), { cache: false })).findings
      .filter((f) => f.ruleId === 'polluting-data')
      .map((f) => `${f.file}:${f.line} ${f.category} ${f.severity}${f.reachable ? '' : ' unreachable'}`);

  it('reports shipped JSON read through fs as high, reachable: the graph does not follow data reads', async () => {
    expect(await findingsOf({
      'index.js': `${merge}const d = JSON.parse(require('fs').readFileSync(require('path').join(__dirname, 'config/defaults.json'), 'utf8'));\nexports.activate = () => merge({}, d);\n`,
      'config/defaults.json': '{\n  "theme": "dark",\n  "__proto__": { "isAdmin": true }\n}\n',
    })).toEqual(['config/defaults.json:3 runtime-tampering high']);
  });

  it('reports shipped data under any extension: JSON.parse reads a .cfg as readily as a .json', async () => {
    expect(await findingsOf({
      'index.js': `${merge}const d = JSON.parse(require('fs').readFileSync(__dirname + '/defaults.cfg', 'utf8'));\nexports.activate = () => merge({}, d);\n`,
      'defaults.cfg': '{"ui":{"__proto__":{"isAdmin":true}}}',
      'README.md': 'Keys such as "__proto__" are refused by the merge.',
      'notes.txt': '{"keywords":["__proto__"]}',
    })).toEqual(['defaults.cfg:1 runtime-tampering high']);
  });

  it('reports JSON a bundled dependency loads, and stays quiet on ordinary data', async () => {
    expect(await findingsOf({
      'index.js': "const cfg = require('settings');\nexports.activate = () => cfg;\n",
      'node_modules/settings/package.json': JSON.stringify({ name: 'settings', version: '1.0.0', main: 'index.js' }),
      'node_modules/settings/index.js': "module.exports = Object.assign({}, require('./base.json'));\n",
      'node_modules/settings/base.json': '{"constructor":{"prototype":{"polluted":true}}}',
    })).toEqual(['node_modules/settings/base.json:1 runtime-tampering high']);
    expect(await findingsOf({
      'index.js': "exports.activate = () => require('./data.json');\n",
      'data.json': '{"keywords":["__proto__"],"constructor":"Widget","prototype":{"a":1}}',
    })).toEqual([]);
  });
});
