/**
 * ESLint's RuleTester wired to vitest and to the parser the gate uses, so each
 * rule test file only lists its cases.
 */
import { Linter, RuleTester, type Rule } from 'eslint';
import parser from '@typescript-eslint/parser';
import { captureReports, type RawReport } from '../../rules/utils/report.js';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

export const ruleTester = new RuleTester({ languageOptions: { parser, ecmaVersion: 'latest', sourceType: 'module' } });

/** For cases that need CommonJS scoping (`require`, `module`, top-level `this`). */
export const commonjs = { languageOptions: { sourceType: 'commonjs' as const } };

/** A browserify bundle whose module 1 does `var util = require("./util")` with the dependency map `deps`. */
export const browserifyBundle = (deps: string, before = '') => `${before}(function(){function r(e,n,t){function o(i,f){if(!n[i]){if(!e[i]){var c="function"==typeof require&&require;if(!f&&c)return c(i,!0);if(u)return u(i,!0);var a=new Error("Cannot find module '"+i+"'");throw a.code="MODULE_NOT_FOUND",a}var p=n[i]={exports:{}};e[i][0].call(p.exports,function(r){var n=e[i][1][r];return o(n||r)},p,p.exports,r,e,n,t)}return n[i].exports}for(var u="function"==typeof require&&require,i=0;i<t.length;i++)o(t[i]);return o}return r})()({1:[function(require,module,exports){\nvar util = require("./util");\n},${deps}]},{},[1]);`;

/** For cases tested below the default `minSeverity` of 'medium'. */
export const allSeverities = { options: [{ minSeverity: 'info' }] };

/** A file of a plugin whose package.json declares network hosts and env variables, as an author's editor would see it. */
export const inDeclaredPlugin = { filename: fileURLToPath(new URL('./fixtures/declared-plugin/index.js', import.meta.url)) };

/** The raw reports the gate would collect from one rule on `code`: message id, data and finding kind. */
export function gateReports(name: string, rule: Rule.RuleModule, code: string): RawReport[] {
  const config: Linter.Config[] = [
    { files: ['**/*.js'], languageOptions: { parser }, plugins: { warden: { rules: { [name]: rule } } }, rules: { [`warden/${name}`]: 'error' } },
  ];
  return captureReports(() => new Linter({ configType: 'flat' }).verify(code, config, 'plugin.js')).reports;
}
