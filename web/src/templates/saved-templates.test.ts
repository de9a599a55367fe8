import { describe, expect, it } from 'vitest';
import { BUILTIN_TEMPLATES } from './prompt-template.js';
import { parseSavedTemplates } from './saved-templates.js';

describe('parseSavedTemplates', () => {
  it('reads back what was stored', () => {
    expect(parseSavedTemplates(JSON.stringify(BUILTIN_TEMPLATES))).toEqual(BUILTIN_TEMPLATES);
  });

  it('drops entries of the wrong shape and survives text that is not JSON', () => {
    const good = BUILTIN_TEMPLATES[0];
    expect(parseSavedTemplates(JSON.stringify([good, { id: 'x', title: 1 }, { ...good, examples: { a: 2 } }, null]))).toEqual([good]);
    expect(parseSavedTemplates('{not json')).toEqual([]);
    expect(parseSavedTemplates('{"id":"x"}')).toEqual([]);
    expect(parseSavedTemplates(null)).toEqual([]);
  });
});
