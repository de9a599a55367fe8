import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellQuote } from './shell-quote.js';

describe('shellQuote', () => {
  it.each([
    ['plain', 'hello'],
    ['single quotes', "it's 'quoted' ''"],
    ['double quotes and expansions', '"$HOME" `id` $(id) \\n \\ !x *'],
    ['new lines and tabs', 'line 1\nline 2\n\tindented\n'],
    ['unicode', '客户邮件 — café 🙂'],
    ['empty', ''],
  ])('bash reads %s back as one word, unchanged', (_name, text) => {
    expect(execFileSync('bash', ['-c', `printf '%s' ${shellQuote(text)}`], { encoding: 'utf8', env: {} })).toBe(text);
  });
});
