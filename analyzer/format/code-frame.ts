/**
 * The code frame under a finding (@babel/code-frame), from the source lines
 * the analysis kept. A line wider than the room there is shown as a window
 * around the finding's column, the same window on every line of the frame,
 * with `…` where it cuts, so a minified bundle or a narrow terminal still
 * gets a frame that fits.
 */
import { codeFrameColumns } from '@babel/code-frame';
import { contextRange } from '../excerpts.js';
import { inert } from '../inert-text.js';
import type { Finding } from '../types.js';

export const DEFAULT_FRAME_WIDTH = 160;
const ELLIPSIS = '…';
const MINIFIED_LINE = 1000;

export function codeFrame(raw: Record<number, string> | undefined, finding: Finding, options: { color: boolean; width?: number }): string | undefined {
  if (raw?.[finding.line] === undefined) return undefined;
  // Source lines are the plugin's own text: inert, like everything else it wrote (a control shown as `\x1b` moves later columns by a few).
  const lines: Record<number, string> = Object.fromEntries(Object.entries(raw).map(([number, text]) => [number, inert(text)]));
  const { first, last } = contextRange(lines, finding);
  // Room for the source after the gutter (`> 123 | `) and an ellipsis at either end.
  const room = options.width === undefined ? DEFAULT_FRAME_WIDTH : Math.max(20, options.width - (5 + String(last).length) - 2 * ELLIPSIS.length);
  const offset = finding.column - 1 > room - 10 ? finding.column - 1 - Math.floor(room / 2) : 0;
  const lead = offset > 0 ? ELLIPSIS.length : 0;
  const cut = (line: string) => (offset > 0 ? ELLIPSIS : '') + line.slice(offset, offset + room) + (line.length > offset + room ? ELLIPSIS : '');
  const text = Array.from({ length: last - first + 1 }, (_, i) => cut(lines[first + i] ?? '')).join('\n');
  const column = (value: number, lineLength: number) => Math.min(Math.max(1, value - offset + lead), lineLength + 1);
  const startLength = cut(lines[finding.line]).length;
  const start = { line: finding.line, column: column(finding.column, startLength) };
  const end = finding.endLine <= last ? { line: finding.endLine, column: column(finding.endColumn, cut(lines[finding.endLine] ?? '').length) } : undefined;
  // `startLine` (absolute line numbers for a slice of a file) is in @babel/code-frame 7.25+, not yet in its type definitions.
  const frame = codeFrameColumns(text, { start, end }, { highlightCode: options.color, forceColor: options.color, startLine: first } as Parameters<typeof codeFrameColumns>[2]);
  const long = lines[finding.line].length;
  // In a minified line the column is the only way to find the place again.
  return long > MINIFIED_LINE ? `${frame}\n  (column ${finding.column} of a ${long}-character line)` : frame;
}
