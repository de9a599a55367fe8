import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { pythonLiteral } from './python-literal.js';

const value = {
  messages: [
    { role: 'system', content: 'Say "hi"\\n, it\'s fine\n\ttab' },
    { role: 'user', content: '客户 🙂 \u2028 \u0000 end' },
  ],
  temperature: 0.7,
  max_tokens: 24,
  enable_thinking: false,
  stream: true,
  nothing: null,
  stop: [],
  response_format: {},
};

describe('pythonLiteral', () => {
  it('writes True, False, None and indented dicts and lists', () => {
    expect(pythonLiteral({ a: [true, false, null], b: {} })).toBe('{\n    "a": [\n        True,\n        False,\n        None\n    ],\n    "b": {}\n}');
  });

  it('is read by Python as the same value, quotes, new lines and unicode included', () => {
    const program = `import json, sys\nsys.stdout.write(json.dumps(${pythonLiteral(value)}))`;
    expect(JSON.parse(execFileSync('python3', ['-c', program], { encoding: 'utf8' }))).toEqual(value);
  });
});
