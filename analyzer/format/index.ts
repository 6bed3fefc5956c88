/** The report formats `warden analyze --format` offers. */
import type { PluginAnalysis, Policy } from '../types.js';
import { formatJson } from './json.js';
import { formatSarif } from './sarif.js';
import { formatStylish } from './stylish.js';

export { formatJson, toReport } from './json.js';
export { formatSarif } from './sarif.js';
export { formatStylish, summaryLines } from './stylish.js';

export const FORMATS = ['stylish', 'json', 'sarif'] as const;
export type Format = (typeof FORMATS)[number];

export async function format(name: Format, analyses: PluginAnalysis[], options: { color: boolean; policy?: Policy }): Promise<string> {
  if (name === 'json') return formatJson(analyses);
  if (name === 'sarif') return formatSarif(analyses);
  return formatStylish(analyses, options);
}
