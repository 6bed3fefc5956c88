#!/usr/bin/env node
/**
 * Compiles the shipped JSON Schemas into standalone validator modules with
 * ajv's own code generator, so the CLI never compiles a schema at start
 * (ajv and two compilations cost ~150 ms of every run). Run by `npm run build`
 * before tsc, and by vitest before the tests (vitest.config.ts), so the
 * validators are always those of the schemas as they are now. The output,
 * analyzer/generated/*.ts, is not committed.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(REPO, 'analyzer/generated');

/** Schema file → generated module; both validators stop at the first error (the CLI reports one line). */
const VALIDATORS = {
  'analyzer/manifest.schema.json': 'manifest-validator.ts',
  'analyzer/policy.schema.json': 'policy-validator.ts',
};

export default function compileValidators() {
  mkdirSync(OUT, { recursive: true });
  for (const [schemaFile, output] of Object.entries(VALIDATORS)) {
    const schema = JSON.parse(readFileSync(join(REPO, schemaFile), 'utf8'));
    // Checked against the 2020-12 meta-schema here, once, rather than at every start.
    const ajv = new Ajv2020({ allErrors: false, strict: true, code: { source: true, esm: true } });
    const code = standaloneCode(ajv, ajv.compile(schema)).replace(/^"use strict";/, '');
    // ajv's ES module output still require()s its small runtime helpers (ucs2length for maxLength).
    const requires = code.includes('require(') ? ["import { createRequire } from 'node:module';", 'const require = createRequire(import.meta.url);'] : [];
    const header = [`// Generated from ${schemaFile} by scripts/compile-validators.mjs (npm run build): do not edit.`, '// @ts-nocheck'];
    writeFileSync(join(OUT, output), [...header, ...requires, code, ''].join('\n'));
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) compileValidators();
