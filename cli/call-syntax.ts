/**
 * How a command call is written, the same for `warden run --exec COMMAND
 * [ARG]...` and for `warden dev`'s prompt (`> hello.sayHello "Ada" 3`): a
 * command id, then arguments. An argument that parses as JSON is that value
 * (`"Ada"`, `3`, `{"a":1}`, `true`); anything else is taken as the string it
 * is (`Ada`). A lone JSON array is the whole argument list (`'["Ada", 3]'`,
 * the original `--exec` form), so one array argument is written `'[[1, 2]]'`.
 */
import { UsageError } from './errors.js';

export interface CommandCall {
  command: string;
  args: unknown[];
}

export function callOf(command: string, values: readonly string[], where: string): CommandCall {
  if (command === '' || isJson(command)) throw new UsageError(`${where}: ${command || '(nothing)'} is not a command id (give the command first, then its arguments)`);
  const args = values.map(argumentOf);
  return { command, args: args.length === 1 && Array.isArray(args[0]) && isJson(values[0]) ? args[0] : args };
}

function argumentOf(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
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
