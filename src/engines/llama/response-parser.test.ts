import { describe, expect, it } from 'vitest';
import { QWEN_TAGS, ResponseParser, type ResponseParserOptions, type ResponsePart } from './response-parser.js';

const everything: ResponseParserOptions = { initialState: 'answer', thinking: true, tools: true };

function parse(pieces: string[], options: ResponseParserOptions = everything): ResponsePart[] {
  const parser = new ResponseParser(QWEN_TAGS, options);
  return [...pieces.flatMap((piece) => parser.push(piece)), ...parser.end()];
}

const joined = (parts: ResponsePart[], type: 'reasoning' | 'text'): string =>
  parts.flatMap((part) => (part.type === type ? [part.text] : [])).join('');

describe('ResponseParser', () => {
  it('separates a thought from the answer, without the whitespace around the tags', () => {
    const parts = parse(['<th', 'ink>\nLet me ', 'think.\n</think>\n\nThe answer', ' is 4.']);
    expect(joined(parts, 'reasoning')).toBe('Let me think.');
    expect(joined(parts, 'text')).toBe('The answer is 4.');
  });

  it('keeps whitespace inside a segment', () => {
    const parts = parse(['<think>a \n', ' b\n</think>x \n', 'y']);
    expect(joined(parts, 'reasoning')).toBe('a \n b');
    expect(joined(parts, 'text')).toBe('x \ny');
  });

  it('treats <think> after the answer began as text', () => {
    expect(joined(parse(['Hi <think>no</think>']), 'text')).toBe('Hi <think>no</think>');
  });

  it('ignores think tags when the model cannot think', () => {
    expect(joined(parse(['<think>x</think>'], { ...everything, thinking: false }), 'text')).toBe('<think>x</think>');
  });

  it('parses tool calls, one part each', () => {
    const parts = parse(['<tool_call>\n{"name": "get_weather", "arguments": {"city": ', '"Hangzhou"}}\n</tool_call>\n<tool_call>\n{"name": "now", "arguments": {}}\n</tool_call>']);
    expect(parts).toEqual([
      { type: 'tool-call', call: { name: 'get_weather', arguments: '{"city":"Hangzhou"}' } },
      { type: 'tool-call', call: { name: 'now', arguments: '{}' } },
    ]);
  });

  it('starts inside a tool call that the prompt opened', () => {
    const parser = new ResponseParser(QWEN_TAGS, { ...everything, initialState: 'tool-call' });
    expect([...parser.push('{"name": "f", "arguments": {"a": 1}}'), ...parser.push('\n</tool_call>')]).toEqual([
      { type: 'tool-call', call: { name: 'f', arguments: '{"a":1}' } },
    ]);
  });

  it('returns a malformed or unfinished call as text', () => {
    expect(joined(parse(['<tool_call>not json</tool_call>']), 'text')).toBe('<tool_call>not json</tool_call>');
    expect(joined(parse(['<tool_call>{"name": "f"']), 'text')).toBe('<tool_call>{"name": "f"');
  });

  it('leaves tool tags as text when no tools were offered', () => {
    expect(joined(parse(['<tool_call>{"name":"f"}</tool_call>'], { ...everything, tools: false }), 'text')).toBe('<tool_call>{"name":"f"}</tool_call>');
  });
});
