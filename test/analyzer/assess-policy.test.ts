import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { rules } from '../../rules/all.js';
import { assess, EVALUATED_PREFIX } from '../../analyzer/assess.js';
import { decide, defaultPolicy, loadPolicy } from '../../analyzer/policy.js';
import { TIERS, type Finding } from '../../analyzer/types.js';
import { SEVERITIES, type FindingKind, type Severity } from '../../rules/meta.js';
import type { RawReport } from '../../rules/utils/report.js';
import { REPO, tempDir } from './helpers.js';

function raw(kind: FindingKind, line = 1, data: Record<string, string> = {}, inner?: RawReport): RawReport {
  return { ruleId: 'some-rule', messageId: 'm', data, kind, message: `${kind.category} use`, loc: { line, column: 3, endLine: line, endColumn: 9 }, inner };
}

const severityOf = (reports: RawReport[], declared = {}, where: { reachable?: boolean; atInstall?: boolean } = {}) =>
  assess([{ file: 'a.js', reports, reachable: where.reachable ?? true, atInstall: where.atInstall }], declared).map((finding) => finding.severity);

describe('assess', () => {
  it("lowers a declared capability to low and keeps the rule's severity otherwise", () => {
    const child = raw({ category: 'child-process', severity: 'high', capability: 'childProcess' });
    expect(severityOf([child], { childProcess: true })).toEqual(['low']);
    expect(severityOf([child], { childProcess: false })).toEqual(['high']);
    const env = raw({ category: 'env', severity: 'high', capability: 'env' }, 1, { variable: 'MUSIC_DIR' });
    expect(severityOf([env], { env: ['MUSIC_DIR'] })).toEqual(['low']);
    expect(severityOf([env], { env: ['OTHER'] })).toEqual(['high']);
    // A use no declaration can grant stays as it is: declared hosts are the broker's, the sandbox has no sockets.
    const socket = raw({ category: 'network', severity: 'high', capability: 'network', grantable: false }, 1, { host: 'api.example.com' });
    expect(severityOf([socket], { network: { hosts: ['api.example.com'] } })).toEqual(['high']);
    // And every network finding any rule can make is such a use.
    const networkKinds = Object.values(rules).flatMap((rule) => Object.values(rule.meta.warden.findings)).filter((kind) => kind.category === 'network');
    expect(networkKinds.length).toBeGreaterThan(3);
    expect(networkKinds.filter((kind) => kind.grantable !== false)).toEqual([]);
    // A rule that judges a use milder (an environment variable whose name is not secret-looking) is not raised.
    expect(severityOf([raw({ category: 'env', severity: 'medium', capability: 'env' }, 1, { variable: 'TERM_PROGRAM' })])).toEqual(['medium']);
  });

  it('lowers a finding no entry point reaches by one step, never below medium for dynamic code, and raises high at install to critical', () => {
    const kinds: FindingKind[] = [
      { category: 'child-process', severity: 'critical' },
      { category: 'network', severity: 'high' },
      { category: 'obfuscation', severity: 'medium' },
      { category: 'dynamic-code', severity: 'high' },
      { category: 'dynamic-code', severity: 'medium' },
      { category: 'dynamic-code', severity: 'low' },
    ];
    expect(severityOf(kinds.map((kind, i) => raw(kind, i + 1)), {}, { reachable: false })).toEqual(['high', 'medium', 'low', 'medium', 'medium', 'info']);
    expect(severityOf([raw({ category: 'network', severity: 'high' })], {}, { atInstall: true })).toEqual(['critical']);
    expect(assess([{ file: 'a.js', reports: [raw(kinds[1])], reachable: false }], undefined)[0].reachable).toBe(false);
  });

  it('keeps critical and info whatever is declared', () => {
    const critical = raw({ category: 'filesystem', severity: 'critical', capability: 'filesystem' });
    const info = raw({ category: 'env', severity: 'info', capability: 'env' }, 1, { variable: 'NODE_ENV' });
    expect(severityOf([critical, info], { filesystem: { read: ['$home'] } })).toEqual(['critical', 'info']);
  });

  it('gives a finding inside evaluated code the inner rule, kind and message at the outer place', () => {
    const inner = { ...raw({ category: 'child-process', severity: 'high', capability: 'childProcess' }, 1), ruleId: 'no-child-process', message: 'Loads child_process' };
    const [finding] = assess([{ file: 'a.js', reports: [raw({ category: 'dynamic-code', severity: 'low' }, 7, {}, inner)], reachable: true }], { childProcess: true });
    expect(finding).toMatchObject({ ruleId: 'no-child-process', category: 'child-process', severity: 'low', capability: 'childProcess', line: 7, message: `${EVALUATED_PREFIX}Loads child_process` });
  });

  it('sorts by file, line and column', () => {
    const k: FindingKind = { category: 'obfuscation', severity: 'medium' };
    const findings = assess(
      [
        { file: 'b.js', reports: [raw(k, 2)], reachable: true },
        { file: 'a.js', reports: [raw(k, 9), raw(k, 3)], reachable: true },
      ],
      undefined,
    );
    expect(findings.map((f) => `${f.file}:${f.line}`)).toEqual(['a.js:3', 'a.js:9', 'b.js:2']);
  });
});

function findings(...severities: Severity[]): Finding[] {
  return severities.map((severity) => ({ ruleId: 'r', category: 'network', severity, capability: null, file: 'a.js', line: 1, column: 1, endLine: 1, endColumn: 2, message: 'm', reachable: true }));
}

describe('decide', () => {
  it('follows the design table for each tier', () => {
    const found = findings('critical', 'critical', 'high');
    expect(decide(found, 'community')).toEqual({
      action: 'block',
      reasons: ['2 critical findings block loading for community plugins: m (r at a.js:1:1); m (r at a.js:1:1)', '1 high finding blocks loading for community plugins: m (r at a.js:1:1)'],
    });
    expect(decide(found, 'trusted').action).toBe('block');
    expect(decide(found, 'official')).toEqual({
      action: 'warn',
      reasons: ['2 critical findings need a warning before loading for official plugins: m (r at a.js:1:1); m (r at a.js:1:1)', '1 high finding needs a warning before loading for official plugins: m (r at a.js:1:1)'],
    });
    expect(decide(findings('high'), 'trusted').action).toBe('warn');
    expect(decide(findings('medium'), 'community').action).toBe('warn');
    expect(decide(findings('medium', 'low', 'info'), 'trusted')).toEqual({ action: 'allow', reasons: ['no finding blocks or warns for trusted plugins'] });
  });

  it('applies a policy file over the defaults and rejects a bad one in one line', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'policy.json'), JSON.stringify({ tiers: { community: { high: 'warn' }, official: { critical: 'block' } } }));
    const policy = await loadPolicy(join(dir, 'policy.json'));
    expect(policy.tiers.community).toEqual({ ...defaultPolicy.tiers.community, high: 'warn' });
    expect(decide(findings('high'), 'community', policy).action).toBe('warn');
    expect(decide(findings('critical'), 'official', policy).action).toBe('block');

    const bad = async (content: string): Promise<Error> => {
      writeFileSync(join(dir, 'bad.json'), content);
      return loadPolicy(join(dir, 'bad.json')).then(() => new Error('accepted'), (e: Error) => e);
    };
    expect((await bad('{"tiers":{"community":{"high":"ignore"}}}')).message).toBe(`invalid policy ${join(dir, 'bad.json')}: "tiers.community.high" must be one of block, warn, show, hidden`);
    expect((await bad('{"tiers":{"communty":{}}}')).message).toBe(`invalid policy ${join(dir, 'bad.json')}: "tiers" has unknown key "communty"`);
    expect((await bad('{oops')).message).toMatch(/^invalid policy .*bad.json: not valid JSON/);
    expect(await loadPolicy(join(dir, 'missing.json')).then(() => 'accepted', (e: Error) => e.name)).toBe('UsageError');
    // A device would never end: refused before reading.
    await expect(loadPolicy('/dev/zero')).rejects.toThrow('cannot read policy /dev/zero: not a regular file');
  });

  it('ships a policy schema, valid draft 2020-12, whose cells are exactly the tiers and severities the code knows', () => {
    const schema = JSON.parse(readFileSync(join(REPO, 'analyzer/policy.schema.json'), 'utf8'));
    expect(new Ajv2020({ strict: true }).validateSchema(schema)).toBe(true);
    expect(Object.keys(schema.properties.tiers.properties)).toEqual([...TIERS]);
    expect(Object.keys(schema.$defs.severities.properties)).toEqual([...SEVERITIES]);
    expect(schema.$defs.action.enum).toEqual(['block', 'warn', 'show', 'hidden']);
    // The compiled validator is the schema's: every cell of the default table passes it, one unknown action fails it.
    expect(Object.values(defaultPolicy.tiers).flatMap((cells) => Object.values(cells)).every((action) => schema.$defs.action.enum.includes(action))).toBe(true);
  });

  it('names in each reason the findings it rests on: message, rule and place, the first three then a count', () => {
    const at = (line: number, severity: Severity, ruleId: string, message: string): Finding => ({ ruleId, category: 'network', severity, capability: 'network', file: 'lib/x.js', line, column: 5, endLine: line, endColumn: 9, message, reachable: true });
    const { reasons } = decide([at(3, 'medium', 'no-network', 'Loads undici.'), at(9, 'high', 'no-network', 'Opens a socket'), ...[10, 11, 12, 13].map((line) => at(line, 'high', 'no-child-process', 'Spawns a shell'))], 'community');
    expect(reasons).toEqual([
      '5 high findings block loading for community plugins: Opens a socket (no-network at lib/x.js:9:5); Spawns a shell (no-child-process at lib/x.js:10:5); Spawns a shell (no-child-process at lib/x.js:11:5); and 2 more',
      '1 medium finding needs a warning before loading for community plugins: Loads undici (no-network at lib/x.js:3:5)',
    ]);
  });

  it('blocks a plugin the host cannot load (a manifest finding) for every tier, whatever a policy says', () => {
    const manifest: Finding = { ruleId: 'manifest', category: 'manifest', severity: 'critical', capability: null, file: 'package.json', line: 5, column: 3, endLine: 5, endColumn: 9, message: 'The entry module "lib/main.js" is not in the package, so the host cannot load it', reachable: true };
    const lenient = { tiers: Object.fromEntries(Object.entries(defaultPolicy.tiers).map(([tier, cells]) => [tier, Object.fromEntries(Object.keys(cells).map((severity) => [severity, 'hidden']))])) } as typeof defaultPolicy;
    for (const tier of ['official', 'trusted', 'community', 'unregistered'] as const) {
      for (const policy of [defaultPolicy, lenient]) {
        expect(decide([manifest], tier, policy)).toEqual({
          action: 'block',
          reasons: ['the host cannot load it, whatever its tier: The entry module "lib/main.js" is not in the package, so the host cannot load it (manifest at package.json:5:3)'],
        });
      }
    }
    // A look-alike that is no manifest finding keeps the table's answer.
    expect(decide([{ ...manifest, ruleId: 'no-network', category: 'network' }], 'official').action).toBe('warn');
  });
});
