/** The report formats `warden analyze --format` offers. */
import type { PluginAnalysis, Policy } from '../types.js';
import { formatHtml } from './html.js';
import { formatJson } from './json.js';
import { formatSarif } from './sarif.js';
import { formatStylish } from './stylish.js';

export { formatHtml } from './html.js';
export { formatJson, toReport } from './json.js';
export { formatSarif } from './sarif.js';
export { formatStylish, summaryLines } from './stylish.js';

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
  if (name === 'json') return formatJson(analyses);
  if (name === 'sarif') return formatSarif(analyses);
  if (name === 'html') return formatHtml(analyses, options);
  return formatStylish(analyses, options);
}
