import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { dashscopeErrorTable, renderDashScopeError } from '../src/protocols/dashscope/render-error.js';
import { openaiErrorTable, renderOpenAIError } from '../src/protocols/openai/render-error.js';
import { QuotaExceededError, RateLimitedError, errorCodes } from '../src/core/errors.js';

const docs = await readFile(new URL('../docs/errors.md', import.meta.url), 'utf8');

function docRow(code: string): string[] {
  const row = docs.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
  return (row ?? '').split('|').map((cell) => cell.trim());
}

describe('the error registry', () => {
  it('documents every code', () => {
    for (const code of errorCodes) expect(docRow(code), code).not.toEqual(['']);
  });

  it('documents no code that does not exist', () => {
    const documented = [...docs.matchAll(/^\| `([a-z_]+)` \|/gm)].map((match) => match[1]);
    expect(documented.sort()).toEqual([...errorCodes].sort());
  });

  it('maps every rendered code on the OpenAI wire exactly as documented', () => {
    for (const [code, mapping] of Object.entries(openaiErrorTable)) {
      const [, , , status, openai] = docRow(code);
      expect(status, code).toBe(String(mapping.status));
      expect(openai, code).toBe(`\`${mapping.code}\` (\`${mapping.type}\`)`);
    }
    expect(Object.keys(openaiErrorTable).sort()).toEqual(errorCodes.filter((code) => code !== 'client_aborted').sort());
  });

  it('maps every rendered code on the native wire exactly as documented, with the same status', () => {
    for (const [code, mapping] of Object.entries(dashscopeErrorTable)) {
      const [, , , status, , native] = docRow(code);
      expect(status, code).toBe(String(mapping.status));
      expect(native, code).toBe(`\`${mapping.code}\``);
    }
    expect(Object.keys(dashscopeErrorTable).sort()).toEqual(Object.keys(openaiErrorTable).sort());
  });
});

describe('rate limits on the native wire', () => {
  it("answers a key's own limit with Throttling.RateQuota and a full queue with plain Throttling", () => {
    expect(renderDashScopeError(new RateLimitedError('over rpm', 3, 'key'), 'r1').body.code).toBe('Throttling.RateQuota');
    expect(renderDashScopeError(new RateLimitedError('queue full', 1), 'r2').body.code).toBe('Throttling');
    expect(renderOpenAIError(new RateLimitedError('over rpm', 3, 'key'), 'r3').body.error.code).toBe('limit_requests');
  });

  it('answers a spent budget as insufficient_quota / Throttling.AllocationQuota without Retry-After', () => {
    const error = new QuotaExceededError('budget spent');
    expect(error.retryAfterSeconds).toBeUndefined();
    expect(renderOpenAIError(error, 'r4')).toMatchObject({ status: 429, body: { error: { code: 'insufficient_quota', type: 'insufficient_quota' } } });
    expect(renderDashScopeError(error, 'r5')).toMatchObject({ status: 429, body: { code: 'Throttling.AllocationQuota' } });
  });
});
