// The Playground's settings and conversation as the request body of `POST /chat/completions`, streamed with usage.
import { canThink } from '../api/can-think.js';
import type { StudioModel } from '../api/models.js';

/** As typed into the page: an empty field is left out of the request, so the model's default applies. */
export interface ChatSettings {
  readonly model: string;
  readonly systemPrompt: string;
  readonly temperature: string;
  readonly topP: string;
  readonly topK: string;
  readonly maxTokens: string;
  readonly seed: string;
  /** One stop string a line. */
  readonly stop: string;
  readonly presencePenalty: string;
  readonly repetitionPenalty: string;
  readonly thinking: 'default' | 'on' | 'off';
  readonly thinkingBudget: string;
  readonly jsonMode: boolean;
  /** A JSON array of tool definitions, as the API takes them. */
  readonly tools: string;
}

export const DEFAULT_SETTINGS: ChatSettings = {
  model: '',
  systemPrompt: '',
  temperature: '',
  topP: '',
  topK: '',
  maxTokens: '',
  seed: '',
  stop: '',
  presencePenalty: '',
  repetitionPenalty: '',
  thinking: 'default',
  thinkingBudget: '',
  jsonMode: false,
  tools: '',
};

export interface ChatTurn {
  readonly role: 'user' | 'assistant';
  readonly content: string;
}

/** A setting the page cannot send as typed; the message names the field as the page labels it. */
export class InvalidSetting extends Error {
  override name = 'InvalidSetting';
}

function number(label: string, text: string, integer: boolean): number | undefined {
  if (text.trim() === '') return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value))) throw new InvalidSetting(`${label} must be ${integer ? 'a whole number' : 'a number'}; it is "${text}".`);
  return value;
}

function tools(text: string): unknown[] | undefined {
  if (text.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InvalidSetting(`Tools must be a JSON array of tool definitions: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new InvalidSetting('Tools must be a JSON array of tool definitions.');
  return parsed;
}

/** `models` is the list the settings' model is picked from: a model that cannot think gets no thinking parameters (they would be a 400). */
export function buildChatBody(settings: ChatSettings, turns: readonly ChatTurn[], models: readonly StudioModel[] = []): Record<string, unknown> {
  const thinks = canThink(models.find((model) => model.id === settings.model));
  const system = settings.systemPrompt.trim() === '' ? [] : [{ role: 'system', content: settings.systemPrompt }];
  const stop = settings.stop.split('\n').filter((line) => line !== '');
  const values: Record<string, unknown> = {
    temperature: number('Temperature', settings.temperature, false),
    top_p: number('Top P', settings.topP, false),
    top_k: number('Top K', settings.topK, true),
    max_tokens: number('Max tokens', settings.maxTokens, true),
    seed: number('Seed', settings.seed, true),
    presence_penalty: number('Presence penalty', settings.presencePenalty, false),
    repetition_penalty: number('Repetition penalty', settings.repetitionPenalty, false),
    stop: stop.length === 0 ? undefined : stop,
    enable_thinking: !thinks || settings.thinking === 'default' ? undefined : settings.thinking === 'on',
    thinking_budget: !thinks || settings.thinking === 'off' ? undefined : number('Thinking budget', settings.thinkingBudget, true),
    response_format: settings.jsonMode ? { type: 'json_object' } : undefined,
    tools: tools(settings.tools),
  };
  return {
    model: settings.model,
    messages: [...system, ...turns.map(({ role, content }) => ({ role, content }))],
    stream: true,
    stream_options: { include_usage: true },
    ...Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)),
  };
}
