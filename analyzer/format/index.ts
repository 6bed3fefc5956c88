/**
 * The report formats `warden analyze --format` offers. Each formatter is
 * loaded when it is asked for: a JSON report never loads the code frames
 * of the stylish one, nor the HTML page.
 */
import type { PluginAnalysis, Policy } from '../types.js';

export const FORMATS = ['stylish', 'json', 'sarif', 'html'] as const;
export type Format = (typeof FORMATS)[number];

export interface FormatOptions {
  color: boolean;
  policy?: Policy;
  /** Columns the stylish report fits (none: no wrapping). */
  width?: number;
  /** List only the findings that block. */
  quiet?: boolean;
}

export async function format(name: Format, analyses: PluginAnalysis[], options: FormatOptions): Promise<string> {
  if (name === 'json') return (await import('./json.js')).formatJson(analyses);
  if (name === 'sarif') return (await import('./sarif.js')).formatSarif(analyses);
  if (name === 'html') return (await import('./html.js')).formatHtml(analyses, options);
  return (await import('./stylish.js')).formatStylish(analyses, options);
}
