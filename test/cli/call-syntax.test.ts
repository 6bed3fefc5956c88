import { describe, expect, it } from 'vitest';
import { callOf, parseCallLine, splitWords } from '../../cli/call-syntax.js';

describe('call syntax (--exec and the warden dev prompt)', () => {
  it('takes JSON arguments as values and anything else as the string it is', () => {
    expect(parseCallLine('hello.sayHello "Ada"')).toEqual({ command: 'hello.sayHello', args: ['Ada'] });
    expect(parseCallLine('hello.sayHello Ada')).toEqual({ command: 'hello.sayHello', args: ['Ada'] });
    expect(parseCallLine('notes.add "buy milk" 3 true null {"a": [1, 2]}')).toEqual({ command: 'notes.add', args: ['buy milk', 3, true, null, { a: [1, 2] }] });
    expect(parseCallLine('x.y "a \\" quote" [1, "]"]')).toEqual({ command: 'x.y', args: ['a " quote', [1, ']']] });
  });

  it('spreads a lone JSON array (the original --exec form); an array argument is wrapped once more', () => {
    expect(callOf('hello.sayHello', ['["Ada", 2]'], '--exec')).toEqual({ command: 'hello.sayHello', args: ['Ada', 2] });
    expect(callOf('sum.all', ['[[1, 2]]'], '--exec')).toEqual({ command: 'sum.all', args: [[1, 2]] });
    expect(callOf('sum.all', ['[1]', '[2]'], '--exec')).toEqual({ command: 'sum.all', args: [[1], [2]] });
  });

  it('refuses what is not a command id, and unbalanced input, in one line', () => {
    expect(() => callOf('[1]', [], '--exec')).toThrow('--exec: [1] is not a command id (give the command first, then its arguments)');
    expect(() => parseCallLine('')).toThrow(/\(nothing\) is not a command id/);
    expect(() => splitWords('x.y "open')).toThrow('unfinished string in: x.y "open');
    expect(() => splitWords('x.y {"a": 1')).toThrow(/unfinished bracket/);
  });

  it('refuses a number JSON cannot carry, wherever it is, instead of sending null; quoted, it is a string', () => {
    for (const value of ['1e400', '-1e400', '[1, 1e999]', '{"a": {"b": 1e400}}']) {
      expect(() => callOf('x.y', [value], '--exec'), value).toThrow(`--exec: ${value} holds a number too large for JSON (it would arrive as null)`);
    }
    expect(callOf('x.y', ['"1e400"'], '--exec')).toEqual({ command: 'x.y', args: ['1e400'] });
    expect(callOf('x.y', ['1e300'], '--exec')).toEqual({ command: 'x.y', args: [1e300] });
  });

  it('passes an argument that starts with -- as a JSON string', () => {
    expect(callOf('x.y', ['"--force"'], '--exec')).toEqual({ command: 'x.y', args: ['--force'] });
  });
});
