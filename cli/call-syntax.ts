/**
 * How a command call is written, the same for `warden run --exec COMMAND
 * [ARG]...` and for `warden dev`'s prompt (`> hello.sayHello "Ada" 3`): a
 * command id, then arguments. An argument that parses as JSON is that value
 * (`"Ada"`, `3`, `{"a":1}`, `true`); anything else is taken as the string it
 * is (`Ada`). A lone JSON array is the whole argument list (`'["Ada", 3]'`,
 * the original `--exec` form), so one array argument is written `'[[1, 2]]'`.
 * An argument that starts with `--` is written as a JSON string (`'"--x"'`),
 * so it is never taken for an option. A number JSON cannot carry (`1e400`)
 * is refused rather than sent as null.
 */
import { UsageError } from './errors.js';

export interface CommandCall {
  command: string;
  args: unknown[];
}

export function callOf(command: string, values: readonly string[], where: string): CommandCall {
  if (command === '' || isJson(command)) throw new UsageError(`${where}: ${command || '(nothing)'} is not a command id (give the command first, then its arguments)`);
  const args = values.map((value) => argumentOf(value, where));
  return { command, args: args.length === 1 && Array.isArray(args[0]) && isJson(values[0]) ? args[0] : args };
}

function argumentOf(value: string, where: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value) as unknown;
  } catch {
    return value;
  }
  // JSON.parse reads 1e400 as Infinity, which the channel's JSON sends as null: the plugin would get another value.
  if (holdsNonFinite(parsed)) throw new UsageError(`${where}: ${value} holds a number too large for JSON (it would arrive as null); quote it ('"${value}"') to pass it as a string`);
  return parsed;
}

function holdsNonFinite(value: unknown): boolean {
  if (typeof value === 'number') return !Number.isFinite(value);
  if (value !== null && typeof value === 'object') return Object.values(value).some(holdsNonFinite);
  return false;
}

function isJson(value: string): boolean {
  try {
    JSON.parse(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * Splits a prompt line into words: whitespace separates them, except inside
 * a JSON string or between matching brackets, so `{"a": [1, 2]}` and
 * `"buy milk"` are one word each. Unbalanced input is one clear error.
 */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let current = '';
  let depth = 0;
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (inString) {
      current += char;
      if (char === '\\') current += line[++i] ?? '';
      else if (char === '"') inString = false;
      continue;
    }
    if (/\s/.test(char) && depth === 0) {
      if (current !== '') words.push(current);
      current = '';
      continue;
    }
    current += char;
    if (char === '"') inString = true;
    else if (char === '[' || char === '{') depth++;
    else if ((char === ']' || char === '}') && depth > 0) depth--;
  }
  if (inString || depth > 0) throw new UsageError(`unfinished ${inString ? 'string' : 'bracket'} in: ${line}`);
  if (current !== '') words.push(current);
  return words;
}

/** A prompt line as a call: `hello.sayHello "Ada"`. */
export function parseCallLine(line: string): CommandCall {
  const [command = '', ...values] = splitWords(line.trim());
  return callOf(command, values, 'call');
}
