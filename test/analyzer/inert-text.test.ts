/**
 * The one escaping function for text a plugin supplied: every control that
 * can act on a terminal is shown, never executed — in any spelling (7-bit
 * ESC sequences, 8-bit C1 CSI, bare CR, separators, bidi overrides) — while
 * ordinary text in any script passes unchanged.
 */
import { describe, expect, it } from 'vitest';
import { formatStylish, type PluginAnalysis } from '../../analyzer/index.js';
import { inert, inertJson } from '../../analyzer/inert-text.js';

/** Anything that acts on a terminal: C0 and C1 controls, DEL, separators, bidi marks. */
const ACTIVE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('inert', () => {
  it('shows ESC, CSI, CR, LF, TAB, BEL, BS and DEL as escapes, so nothing moves the cursor, erases or recolours', () => {
    expect(inert('\x1b[2K\r\x1b[32m✔\x1b[0m hello.sayHello → done\n')).toBe('\\x1b[2K\\r\\x1b[32m✔\\x1b[0m hello.sayHello → done\\n');
    expect(inert('a\tb\x07c\x08d\x7fe\x00')).toBe('a\\tb\\x07c\\x08d\\x7fe\\x00');
  });

  it('catches the 8-bit forms too: C1 CSI (U+009B) and OSC (U+009D), which JSON.stringify leaves raw', () => {
    expect(inert('\u009b2K\u009d0;title\u0007')).toBe('\\x9b2K\\x9d0;title\\x07');
    expect(JSON.stringify('\u009b')).toBe('"\u009b"');
  });

  it('shows line and paragraph separators and the bidi overrides that reorder what is displayed', () => {
    expect(inert('ok\u2028forged\u2029')).toBe('ok\\u2028forged\\u2029');
    expect(inert('txt.\u202eexe\u2066x\u2069')).toBe('txt.\\u202eexe\\u2066x\\u2069');
  });

  it('leaves printable text in any script unchanged (a benign look-alike stays as it is)', () => {
    const text = 'Grüße, 漢字, emoji 🎉, ✔ ✖ → — “quotes” \\x1b as typed';
    expect(inert(text)).toBe(text);
  });
});

describe('inertJson', () => {
  it('is the same JSON value, with nothing left that acts on a terminal', () => {
    const value = { text: '\x1b]0;pwned\x07\u009b31m\u202e\r\n', nested: ['\u2028', 1, null] };
    const json = inertJson(value);
    expect(json).not.toMatch(ACTIVE);
    expect(JSON.parse(json)).toEqual(value);
  });

  it('prints a value nested deeper than JSON.stringify can go (an edited audit line) as a note, never throws', () => {
    const deep = JSON.parse(`{"seq":1,"x":${'['.repeat(200_000)}${']'.repeat(200_000)}}`) as unknown;
    expect(inertJson(deep)).toBe('"[nested too deeply to print]"');
  });
});

describe('the stylish report', () => {
  it('prints a finding message, file name and source line a plugin controls without any of their controls', () => {
    const line = "const s = '\x1b[2J\x1b[H✔ no findings\r';";
    const analysis = {
      source: '/plugins/evil\x1b[8m',
      plugin: { id: 'evil.plugin', name: 'plugin', publisher: 'evil', version: '1.0.0' },
      tier: 'unregistered',
      decision: { action: 'block', reasons: ['a reason with\nfake row\x1b[0m'] },
      findings: [
        {
          ruleId: 'no-obfuscation', category: 'obfuscation', severity: 'high', file: 'in\x1b[1mdex\n.js',
          line: 1, column: 11, endLine: 1, endColumn: 30, message: "String '\x1b[2J' hides\r something",
        },
      ],
      sourceLines: { 'in\x1b[1mdex\n.js': { 1: line } },
      stats: { files: 1, bytes: 1, durationMs: 1, cached: 0 },
    } as unknown as PluginAnalysis;
    const report = formatStylish([analysis], { color: false });
    expect(report).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/); // only the report's own newlines
    expect(report).toContain('\\x1b[2J\\x1b[H✔ no findings\\r');
    expect(report).toContain('in\\x1b[1mdex\\n.js');
    expect(report.split('\n').some((row) => row.startsWith('fake row'))).toBe(false);
  });
});
