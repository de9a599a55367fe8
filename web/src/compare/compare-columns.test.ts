import { describe, expect, it } from 'vitest';
import type { StudioModel } from '../api/models.js';
import { DEFAULT_SETTINGS } from '../chat/chat-body.js';
import { addColumn, assignModels, changeSettings, lastReplies, MAX_COLUMNS, type CompareColumn } from './compare-columns.js';

const models: StudioModel[] = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
const column = (id: number, model: string): CompareColumn => ({ id, settings: { ...DEFAULT_SETTINGS, model }, entries: [] });

describe('the Compare columns', () => {
  it('with sync on, copy one column’s parameters to all and keep each model; with it off, change only that column', () => {
    const columns = [column(0, 'a'), column(1, 'b')];
    const changed = { ...DEFAULT_SETTINGS, model: 'a', temperature: '0.3', systemPrompt: 'Be brief.' };
    expect(changeSettings(columns, 0, changed, true).map((one) => one.settings)).toEqual([changed, { ...changed, model: 'b' }]);
    expect(changeSettings(columns, 0, changed, false).map((one) => one.settings)).toEqual([changed, columns[1]?.settings]);
  });

  it('add a column on a model no column has yet, up to four', () => {
    let columns = [column(0, 'a'), { ...column(1, 'b'), settings: { ...DEFAULT_SETTINGS, model: 'b', seed: '7' } }];
    columns = addColumn(columns, 2, models);
    expect(columns[2]).toEqual({ id: 2, settings: { ...DEFAULT_SETTINGS, model: 'c', seed: '7' }, entries: [] });
    columns = addColumn(columns, 3, models);
    expect(columns[3]?.settings.model).toBe('a');
    expect(addColumn(columns, 4, models)).toHaveLength(MAX_COLUMNS);
  });

  it('give columns with an unknown or repeated model the next free one', () => {
    expect(assignModels([column(0, ''), column(1, '')], models).map((one) => one.settings.model)).toEqual(['a', 'b']);
    expect(assignModels([column(0, 'b'), column(1, 'b')], models).map((one) => one.settings.model)).toEqual(['b', 'a']);
    expect(assignModels([column(0, 'a'), column(1, 'gone')], [{ id: 'a' }]).map((one) => one.settings.model)).toEqual(['a', 'a']);
  });

  it('find each column’s reply to the latest message', () => {
    const reply = { id: 2, role: 'assistant', model: 'a', pricing: null, thinking: false, reply: { content: '', reasoning: '', toolCalls: [] }, timing: { sentAt: 0 }, status: 'done' } as const;
    expect(lastReplies([{ ...column(0, 'a'), entries: [{ id: 1, role: 'user', content: 'Hi' }, reply] }, { ...column(1, 'b'), entries: [{ id: 3, role: 'user', content: 'Hi' }] }])).toEqual([reply, undefined]);
  });
});
