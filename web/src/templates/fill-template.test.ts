import { describe, expect, it } from 'vitest';
import { fillTemplate, templateFields } from './fill-template.js';

describe('templateFields', () => {
  it('finds each variable once, in order, across system and user text', () => {
    expect(templateFields('You write for {{ audience }}.', 'About {{product}} for {{audience}}, in {{language}}.')).toEqual(['audience', 'product', 'language']);
  });

  it('takes names in any script, with spaces, dots and hyphens inside', () => {
    expect(templateFields('{{产品}} {{release date}} {{v1.2-notes}}')).toEqual(['产品', 'release date', 'v1.2-notes']);
  });

  it('ignores escaped braces, empty braces and braces that do not close', () => {
    expect(templateFields('\\{{literal}} {{}} {{ open', '{{ }}')).toEqual([]);
  });
});

describe('fillTemplate', () => {
  it('puts each value in every place its variable appears', () => {
    expect(fillTemplate('{{name}} said: "{{quote}}" — {{name}}', { name: 'Ada', quote: 'It\'s {{not}} a field' })).toEqual({
      text: 'Ada said: "It\'s {{not}} a field" — Ada',
      missing: [],
    });
  });

  it('flags variables left empty and keeps them in the text', () => {
    expect(fillTemplate('Translate into {{language}}: {{text}}', { language: ' ', text: 'Hallo' })).toEqual({
      text: 'Translate into {{language}}: Hallo',
      missing: ['language'],
    });
    expect(fillTemplate('{{a}} {{b}} {{a}}', {}).missing).toEqual(['a', 'b']);
  });

  it('turns an escaped \\{{ into plain braces', () => {
    expect(fillTemplate('JSON like \\{{"a": {{value}}}}', { value: '1' }).text).toBe('JSON like {{"a": 1}}');
  });

  it('keeps multi-line values and $ patterns as typed', () => {
    expect(fillTemplate('Email:\n{{email}}', { email: 'line 1\nline 2 costs $& and $1' }).text).toBe('Email:\nline 1\nline 2 costs $& and $1');
  });
});
