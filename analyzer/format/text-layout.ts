/**
 * Plain-text layout for the terminal reports: word wrapping to a width and
 * the visible length of text that may hold colour codes.
 */
import { stripVTControlCharacters } from 'node:util';

export function visibleLength(text: string): number {
  return text.includes('\u001b') || text.includes('\u009b') ? stripVTControlCharacters(text).length : text.length;
}

/**
 * `text` as lines of at most `width` characters, broken at spaces; a word
 * longer than the width (a long path, a minified identifier) is cut.
 */
export function wrap(text: string, width: number): string[] {
  if (text.length <= width) return [text];
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    let rest = word;
    while (rest.length > width) {
      if (line !== '') {
        lines.push(line);
        line = '';
      }
      lines.push(rest.slice(0, width));
      rest = rest.slice(width);
    }
    if (line === '') line = rest;
    else if (line.length + 1 + rest.length <= width) line += ` ${rest}`;
    else {
      lines.push(line);
      line = rest;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** Wrapped to `width` (none: one line), every line after the first indented by `hang`. */
export function hangingWrap(text: string, width: number | undefined, indent: number, hang: number): string {
  const lines = width === undefined ? [text] : wrap(text, Math.max(20, width - hang));
  return lines.map((line, i) => ' '.repeat(i === 0 ? indent : hang) + line).join('\n');
}
