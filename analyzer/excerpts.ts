/**
 * The source lines around each finding, kept with the analysis so a report
 * can show code frames after a tarball's temporary folder is gone. The cache
 * keeps an excerpt of each file with reports (the lines around all of them),
 * so a warm run shows the same frames without reading those files again.
 */

/** Line number → text, only for lines near findings. */
export type SourceLines = Record<number, string>;

/** Where a finding or report sits: its first and last line. */
export interface LineSpan {
  line: number;
  endLine: number;
}

/** The lines kept around some spans of a file, and how many lines the file has (where the kept lines stop). */
export interface Excerpt {
  lineCount: number;
  lines: SourceLines;
}

const CONTEXT = 2;
const MAX_SPAN = 6;

function splitLines(text: string): string[] {
  return text.split(/\r\n|[\n\r\u2028\u2029]/);
}

/** Each line shown around the spans: up to CONTEXT before and after, a span's own lines capped at MAX_SPAN. */
function keptLineNumbers(spans: LineSpan[], lineCount: number): number[] {
  const kept = new Set<number>();
  for (const span of spans) {
    const last = Math.min(lineCount, span.endLine + CONTEXT, span.line + MAX_SPAN);
    for (let line = Math.max(1, span.line - CONTEXT); line <= last; line++) kept.add(line);
  }
  return [...kept];
}

function pick(lineOf: (line: number) => string, numbers: number[]): SourceLines {
  const kept: SourceLines = {};
  for (const line of numbers) kept[line] = lineOf(line);
  return kept;
}

export function linesAround(text: string, spans: LineSpan[]): SourceLines {
  return excerptOf(text, spans).lines;
}

export function excerptOf(text: string, spans: LineSpan[]): Excerpt {
  const lines = splitLines(text);
  return { lineCount: lines.length, lines: pick((line) => lines[line - 1], keptLineNumbers(spans, lines.length)) };
}

/** The lines around `spans` from an excerpt, the same as linesAround on the whole text; undefined if the excerpt lacks one. */
export function linesFromExcerpt(excerpt: Excerpt, spans: LineSpan[]): SourceLines | undefined {
  const numbers = keptLineNumbers(spans, excerpt.lineCount);
  return numbers.every((line) => excerpt.lines[line] !== undefined) ? pick((line) => excerpt.lines[line], numbers) : undefined;
}

/** The contiguous kept lines around a finding: up to CONTEXT before and after, the finding's own lines capped. */
export function contextRange(lines: SourceLines, finding: LineSpan): { first: number; last: number; text: string } {
  let first = finding.line;
  while (lines[first - 1] !== undefined && first > finding.line - CONTEXT) first--;
  let last = finding.line;
  while (lines[last + 1] !== undefined && last < Math.min(finding.endLine, finding.line + MAX_SPAN - CONTEXT) + CONTEXT) last++;
  return { first, last, text: Array.from({ length: last - first + 1 }, (_, i) => lines[first + i]).join('\n') };
}
