/**
 * The differential test that makes the gate's lean rule runner trustworthy:
 * on a real corpus — every rule test's code sample, every fixture and sample
 * plugin, and a few hundred installed packages' files that use eval,
 * require, process.env and friends — the runner must produce exactly the raw
 * reports (rule, message id, data, location, order) that ESLint's own Linter
 * produces with the gate's configuration, and fail to parse exactly where
 * ESLint does, with the same message.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { Linter } from 'eslint';
import * as espree from 'espree';
import { parse } from '@typescript-eslint/typescript-estree';
import { describe, expect, it } from 'vitest';
import { gateConfig, rules } from '../../rules/index.js';
import { captureReports, type RawReport } from '../../rules/utils/report.js';
import { ParseError, runRules, type SourceType } from '../../analyzer/rule-runner.js';
import { FIXTURES, REPO } from './helpers.js';

const JS = /\.(?:js|cjs|mjs|jsx)$/;
const linter = new Linter({ configType: 'flat' });

/** What the gate ran before the lean runner: the gate config with bundled node_modules un-ignored and espree for JavaScript. */
function eslintConfig(sourceType: SourceType): Linter.Config[] {
  return [{ ignores: ['!**/node_modules/'] }, ...gateConfig(sourceType), { files: ['**/*.js', '**/*.cjs', '**/*.mjs', '**/*.jsx'], languageOptions: { parser: espree } }];
}

type Outcome = { reports: RawReport[] } | { parseError: { message: string; line: number; column: number } };

function withEslint(code: string, filename: string, sourceType: SourceType): Outcome {
  const { result, reports } = captureReports(() => linter.verify(code, eslintConfig(sourceType), filename));
  const fatal = result.find((message) => message.fatal);
  return fatal ? { parseError: { message: fatal.message, line: fatal.line, column: fatal.column } } : { reports };
}

function withRunner(code: string, filename: string, sourceType: SourceType): Outcome {
  try {
    return { reports: runRules(code, { rules, sourceType, parser: JS.test(filename) ? 'espree' : 'typescript', filename }) };
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    return { parseError: { message: error.message, line: error.line, column: error.column } };
  }
}

interface Sample {
  name: string;
  code: string;
  filename: string;
}

function filesUnder(dir: string, keep: (path: string) => boolean): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && keep(join(entry.parentPath, entry.name)))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

const SOURCE = /\.(?:js|cjs|mjs|jsx|ts|cts|mts|tsx)$/;

/** Code samples of the rules' RuleTester suites: the disguised forms and the look-alikes each rule was written against. */
function ruleTestSamples(): Sample[] {
  const samples: Sample[] = [];
  for (const file of filesUnder(join(REPO, 'test/rules'), (path) => path.endsWith('.test.ts'))) {
    const ast = parse(readFileSync(file, 'utf8'), { range: true });
    const visit = (node: unknown, inCases: boolean): void => {
      if (!node || typeof node !== 'object') return;
      if (Array.isArray(node)) return node.forEach((child) => visit(child, inCases));
      const n = node as { type?: string; [key: string]: unknown };
      if (n.type === 'ObjectExpression') {
        const props = (n.properties as { type: string; key?: { name?: string }; value?: { type: string; value?: unknown } }[]).filter((p) => p.type === 'Property');
        const code = props.find((p) => p.key?.name === 'code')?.value;
        const filename = props.find((p) => p.key?.name === 'filename')?.value;
        const text = code ? literalText(code) : undefined;
        if (text !== undefined) {
          const name = typeof filename?.value === 'string' ? filename.value : 'sample.js';
          samples.push({ name: `${relative(REPO, file)}#${samples.length}`, code: text, filename: `samples/${name.split('/').pop()}` });
        }
      } else if (inCases) {
        const text = literalText(n);
        if (text !== undefined) samples.push({ name: `${relative(REPO, file)}#${samples.length}`, code: text, filename: 'samples/sample.js' });
      }
      const cases = n.type === 'Property' && ['valid', 'invalid'].includes((n.key as { name?: string })?.name ?? '');
      for (const [key, child] of Object.entries(n)) if (key !== 'parent' && key !== 'range') visit(child, cases || (inCases && n.type === 'ArrayExpression'));
    };
    visit(ast, false);
  }
  return samples;
}

function literalText(node: { type?: string; value?: unknown; quasis?: { value: { cooked: string } }[]; expressions?: unknown[] }): string | undefined {
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
  if (node.type === 'TemplateLiteral' && node.expressions?.length === 0) return node.quasis![0].value.cooked;
  return undefined;
}

function fileSamples(root: string): Sample[] {
  return filesUnder(root, (path) => SOURCE.test(path) && statSync(path).size < 512 * 1024).map((path) => ({
    name: relative(REPO, path),
    code: readFileSync(path, 'utf8'),
    filename: relative(root, path),
  }));
}

/** What the rules look for: files with these make the rules resolve, fold and report, not just traverse. */
const INTERESTING = /\beval\(|new Function|process\.env|child_process|require\(|\.constructor|Buffer\.from|fromCharCode|fetch\(|readFileSync|eslint-disable/;
const PER_PACKAGE = 6;
const NODE_MODULES_SAMPLES = 300;

/** Up to six interesting files from each installed package, in name order, until there are enough. */
function nodeModulesSamples(): Sample[] {
  const root = join(REPO, 'node_modules');
  const packages = readdirSync(root)
    .filter((name) => !name.startsWith('.'))
    .flatMap((name) => (name.startsWith('@') ? readdirSync(join(root, name)).map((inner) => `${name}/${inner}`) : [name]))
    .sort();
  const samples: Sample[] = [];
  for (const pkg of packages) {
    let taken = 0;
    for (const path of filesUnder(join(root, pkg), (file) => JS.test(file) && !file.includes('/node_modules/', root.length + pkg.length + 1) && statSync(file).size < 256 * 1024)) {
      const code = readFileSync(path, 'utf8');
      if (!INTERESTING.test(code)) continue;
      samples.push({ name: relative(REPO, path), code, filename: `node_modules/${relative(root, path)}` });
      if (++taken === PER_PACKAGE || samples.length === NODE_MODULES_SAMPLES) break;
    }
    if (samples.length === NODE_MODULES_SAMPLES) break;
  }
  return samples;
}

function sourceTypeOf(filename: string): SourceType {
  // As the gate would without a package.json "type": CommonJS unless the extension says module.
  return ['.mjs', '.mts', '.ts', '.tsx'].includes(extname(filename)) ? 'module' : 'commonjs';
}

function expectSameOutcomes(samples: Sample[], sourceTypes: (sample: Sample) => SourceType[]): { reports: number; parseErrors: number } {
  let reports = 0;
  let parseErrors = 0;
  for (const sample of samples) {
    for (const sourceType of sourceTypes(sample)) {
      const expected = withEslint(sample.code, sample.filename, sourceType);
      expect(withRunner(sample.code, sample.filename, sourceType), `${sample.name} as ${sourceType}`).toEqual(expected);
      if ('reports' in expected) reports += expected.reports.length;
      else parseErrors++;
    }
  }
  return { reports, parseErrors };
}

describe('the lean rule runner against ESLint', () => {
  it('reports exactly what ESLint reports on every rule-test sample, as a module and as CommonJS', () => {
    const samples = ruleTestSamples();
    expect(samples.length).toBeGreaterThan(300);
    const { reports } = expectSameOutcomes(samples, () => ['module', 'commonjs']);
    // The samples are written to make the rules report: a runner that dispatched nothing would fail here.
    expect(reports).toBeGreaterThan(500);
  }, 120_000);

  it('reports exactly what ESLint reports on every fixture and sample plugin', () => {
    const samples = [...fileSamples(FIXTURES), ...fileSamples(join(REPO, 'sample-plugins'))];
    expect(samples.length).toBeGreaterThan(20);
    const { reports } = expectSameOutcomes(samples, (sample) => [sourceTypeOf(sample.filename)]);
    expect(reports).toBeGreaterThan(20);
  }, 120_000);

  it('reports exactly what ESLint reports on installed packages that use eval, require and process.env', () => {
    const samples = nodeModulesSamples();
    expect(samples.length).toBe(NODE_MODULES_SAMPLES);
    const { reports } = expectSameOutcomes(samples, (sample) => [sourceTypeOf(sample.filename)]);
    expect(reports).toBeGreaterThan(250);
  }, 300_000);

  it('reports exactly what ESLint reports where scope analysis needs ESLint\'s own visitor keys', () => {
    // import() options, JSX and static blocks are where esrecurse's default keys and ESLint's differ.
    const samples = [
      'const opts = { with: { type: "json" } }; const m = "child_" + "process"; import(m, opts); import("./a.json", opts);',
      // A write hidden in import() options makes `run` ambiguous; missing it would let `run` resolve to the harmless arrow.
      'let run = (s) => s; import("./a.js", { with: (run = eval, {}) }); run(code); let req = () => 1; import("./b.js", (req = require)); req(name);',
      'const env = process.env; const el = <div a={env.SECRET}>{eval(env.CODE)}<b {...env} /></div>; const f = <>{require(env.X)}</>;',
      'class A { static { const e = eval; e(process.env.TOKEN); } }',
      'export { exec as run } from "child_process"; import * as cp from "child_process"; export * as fs from "fs"; cp.exec(x);',
    ].map((code, index) => ({ name: `scope sample ${index}`, code, filename: 'samples/scope.jsx' }));
    const { reports } = expectSameOutcomes(samples, () => ['module']);
    expect(reports).toBeGreaterThan(8);
  });

  it('refuses a listener it cannot dispatch instead of silently skipping it', () => {
    const selectorRule = { ...rules['no-eslint-disable'], create: () => ({ 'CallExpression > Identifier': () => undefined }) };
    expect(() => runRules('f(x)', { rules: { selector: selectorRule } as never, sourceType: 'module', parser: 'espree', filename: 'a.js' })).toThrow(
      /does not support the listener 'CallExpression > Identifier'/,
    );
  });

  it('honours no eslint-disable directive and still reports it', () => {
    const code = '/* eslint-disable */\neval(code); // eslint-disable-line\n';
    const reports = runRules(code, { rules, sourceType: 'commonjs', parser: 'espree', filename: 'a.js' });
    expect(reports.map((r) => `${r.ruleId}:${r.messageId}:${r.loc.line}`)).toEqual(
      expect.arrayContaining(['no-eslint-disable:directive:1', 'no-dynamic-code:nonConstant:2', 'no-eslint-disable:directive:2']),
    );
  });
});
