/**
 * The source lines around each finding, kept with the analysis so a report
 * can show code frames after a tarball's temporary folder is gone.
 */
import type { Finding } from './types.js';

/** Line number → text, only for lines near findings. */
export type SourceLines = Record<number, string>;

const CONTEXT = 2;
const MAX_SPAN = 6;

export function linesAround(text: string, findings: Finding[]): SourceLines {
  const lines = text.split(/\r\n|[\n\r\u2028\u2029]/);
  const kept: SourceLines = {};
  for (const finding of findings) {
    const last = Math.min(lines.length, finding.endLine + CONTEXT, finding.line + MAX_SPAN);
    for (let line = Math.max(1, finding.line - CONTEXT); line <= last; line++) kept[line] = lines[line - 1];
  }
  return kept;
}

/** The contiguous kept lines around a finding: up to CONTEXT before and after, the finding's own lines capped. */
export function contextRange(lines: SourceLines, finding: Finding): { first: number; last: number; text: string } {
  let first = finding.line;
  while (lines[first - 1] !== undefined && first > finding.line - CONTEXT) first--;
  let last = finding.line;
  while (lines[last + 1] !== undefined && last < Math.min(finding.endLine, finding.line + MAX_SPAN - CONTEXT) + CONTEXT) last++;
  return { first, last, text: Array.from({ length: last - first + 1 }, (_, i) => lines[first + i]).join('\n') };
}
