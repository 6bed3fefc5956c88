/**
 * Text a plugin supplied — its messages, log lines, errors, file names,
 * source lines — made inert for a terminal, the one function every printer
 * uses (`warden run`, `warden audit`, the stylish report). Every C0 and C1
 * control character (ESC, CSI, CR, LF, TAB, BEL, BS, DEL…), the line and
 * paragraph separators and the bidirectional override and isolate marks
 * become visible escapes (`\x1b`, `\n`, `\u202e`), so the text can neither
 * move the cursor, recolour, erase or rewrite a line, start a new one, nor
 * reorder what is shown around it. Everything printable, in any script, is
 * left as it is. It lives here, below both the analyzer's formatters and the
 * CLI, so both use the same one.
 */

const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function visible(character: string): string {
  const named = NAMED[character];
  if (named) return named;
  const code = character.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with every control, separator and bidi mark shown as an escape instead of acting on the terminal. */
export function inert(text: string): string {
  return text.replace(UNSAFE, visible);
}

/**
 * JSON for a terminal: `JSON.stringify` escapes C0 controls but leaves C1 controls, separators and bidi marks raw;
 * here they are `\u` escapes too, so the line is still the same JSON value and inert when printed (`indent` as
 * JSON.stringify's).
 */
export function inertJson(value: unknown, indent?: number): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value, null, indent);
  } catch (error) {
    // Nesting deeper than the stack (JSON.parse takes what JSON.stringify cannot give back): printed as what it is.
    if (error instanceof RangeError) return '"[nested too deeply to print]"';
    throw error;
  }
  // JSON.stringify escapes a newline inside a string, so a raw one in its output is the indentation's own.
  return (json ?? 'undefined').replace(UNSAFE, (character) =>
    character === '\n' && indent !== undefined ? character : `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
