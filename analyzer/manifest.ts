/**
 * Reads and validates a plugin's package.json against the shipped JSON
 * Schema (`manifest.schema.json`, also what editors use). Anything wrong is a
 * UsageError whose one line names the field.
 */
import { readFile } from './fast-fs.js';
import { join } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import validSemver from 'semver/functions/valid.js';
import validRange from 'semver/ranges/valid.js';
import { UsageError } from '../cli/errors.js';
import validateManifest from './generated/manifest-validator.js';
import type { Manifest, PluginIdentity } from './types.js';

// Compiled from the schema at build time (scripts/compile-validators.mjs): no schema compilation at start.
const validate = validateManifest as unknown as ValidateFunction<Manifest>;

/** `display` is how messages name the package folder (the path the user typed). */
export async function loadManifest(root: string, display = root): Promise<Manifest> {
  const where = `${display.replace(/[/\\]$/, '')}/package.json`;
  const text = await readFile(join(root, 'package.json'), 'utf8').catch((error: NodeJS.ErrnoException) => {
    const why = error.code === 'ENOENT' ? 'no package.json' : error.code === 'EFTYPE' ? 'its package.json is not a regular file' : `cannot read its package.json (${error.code ?? error.message})`;
    throw new UsageError(`cannot analyze ${display}: ${why}`);
  });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`invalid manifest ${where}: not valid JSON (${(error as Error).message})`);
  }
  if (!validate(data)) throw new UsageError(`invalid manifest ${where}: ${explain(validate.errors![0])}`);
  if (!validSemver(data.version)) throw new UsageError(`invalid manifest ${where}: "version" must be a semantic version, not ${JSON.stringify(data.version)}`);
  if (!validRange(data.engines.warden)) throw new UsageError(`invalid manifest ${where}: "engines.warden" must be a semver range, not ${JSON.stringify(data.engines.warden)}`);
  return data;
}

export function identityOf(manifest: Manifest): PluginIdentity {
  return { id: `${manifest.publisher}.${manifest.name}`, name: manifest.name, publisher: manifest.publisher, version: manifest.version };
}

/** One sentence naming the field, e.g. `"engines.warden" is required`. */
function explain(error: ErrorObject): string {
  const field = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
  const join = (name: string) => (field ? `${field}.${name}` : name);
  // The schema's shared definitions say what they mean better than their regular expressions do.
  if (error.schemaPath === '#/$defs/text/pattern') return `"${field}" must not contain control characters, line separators or bidi marks`;
  if (error.keyword === 'not') return `"${field}" must not contain a ".." segment: name the folder it means`;
  switch (error.keyword) {
    case 'required':
      return `"${join(String(error.params.missingProperty))}" is required`;
    case 'additionalProperties':
      return `"${join(String(error.params.additionalProperty))}" is not a known field`;
    case 'type':
      return `"${field || '(root)'}" must be ${error.params.type === 'object' ? 'an object' : `a ${error.params.type}`}`;
    case 'pattern':
      return `"${field}" must match ${error.params.pattern}`;
    default:
      return `"${field || '(root)'}" ${error.message ?? 'is invalid'}`;
  }
}
