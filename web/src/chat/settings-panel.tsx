// The model picker and every generation parameter of a chat, each with its label.
import { canThink } from '../api/can-think.js';
import type { StudioModel } from '../api/models.js';
import { ErrorNote } from '../error-note.js';
import type { ChatSettings } from './chat-body.js';
import { ModelFacts } from './model-facts.js';

interface Props {
  readonly settings: ChatSettings;
  readonly onChange: (settings: ChatSettings) => void;
  readonly models: readonly StudioModel[];
  readonly modelsError: string | undefined;
}

type TextKey = { [K in keyof ChatSettings]: ChatSettings[K] extends string ? K : never }[keyof ChatSettings];

const NUMBERS: readonly { key: TextKey; label: string; min?: number; max?: number; step: string; hint: string }[] = [
  { key: 'temperature', label: 'Temperature', min: 0, max: 2, step: '0.1', hint: '0–2' },
  { key: 'topP', label: 'Top P', min: 0, max: 1, step: '0.05', hint: '(0–1]' },
  { key: 'topK', label: 'Top K', min: 0, step: '1', hint: '≥ 0' },
  { key: 'maxTokens', label: 'Max tokens', min: 1, step: '1', hint: '≥ 1' },
  { key: 'seed', label: 'Seed', min: 0, step: '1', hint: 'same seed, same reply' },
  { key: 'presencePenalty', label: 'Presence penalty', min: -2, max: 2, step: '0.1', hint: '−2–2' },
  { key: 'repetitionPenalty', label: 'Repetition penalty', min: 0, step: '0.05', hint: '> 0' },
];

export function SettingsPanel({ settings, onChange, models, modelsError }: Props) {
  const set = <K extends keyof ChatSettings>(key: K, value: ChatSettings[K]) => onChange({ ...settings, [key]: value });
  const model = models.find((candidate) => candidate.id === settings.model);

  return (
    <div class="settings-body">
      <label class="field">
        <span>Model</span>
        <select name="model" value={settings.model} onChange={(event) => set('model', event.currentTarget.value)}>
          {models.length === 0 && <option value="">no models</option>}
          {models.map((candidate) => (
            <option key={candidate.id} value={candidate.id}>
              {candidate.id}
            </option>
          ))}
        </select>
      </label>
      <ErrorNote message={modelsError} />
      <ModelFacts model={model} />

      <label class="field">
        <span>System prompt</span>
        <textarea name="system-prompt" rows={3} placeholder="You are a helpful assistant." value={settings.systemPrompt} onInput={(event) => set('systemPrompt', event.currentTarget.value)} />
      </label>

      <div class="parameters">
        {NUMBERS.map(({ key, label, min, max, step, hint }) => (
          <label class="field" key={key}>
            <span>{label}</span>
            <input type="number" name={key} inputMode="decimal" min={min} max={max} step={step} placeholder={hint} value={settings[key]} onInput={(event) => set(key, event.currentTarget.value)} />
          </label>
        ))}
      </div>

      <label class="field">
        <span>Stop sequences (one a line)</span>
        <textarea name="stop" rows={2} value={settings.stop} onInput={(event) => set('stop', event.currentTarget.value)} />
      </label>

      {canThink(model) ? (
        <div class="parameters">
          <label class="field">
            <span>Thinking</span>
            <select name="thinking" value={settings.thinking} onChange={(event) => set('thinking', event.currentTarget.value as ChatSettings['thinking'])}>
              <option value="default">model default{model?.capabilities?.thinking_default == null ? '' : ` (${model.capabilities.thinking_default})`}</option>
              <option value="on">on</option>
              <option value="off">off</option>
            </select>
          </label>
          <label class="field">
            <span>Thinking budget</span>
            <input
              type="number"
              name="thinking-budget"
              min={1}
              step="1"
              placeholder="tokens"
              disabled={settings.thinking === 'off'}
              value={settings.thinkingBudget}
              onInput={(event) => set('thinkingBudget', event.currentTarget.value)}
            />
          </label>
        </div>
      ) : (
        <p class="hint thinking-note">This model does not think: no thinking or thinking budget is sent.</p>
      )}

      <label class="check">
        <input type="checkbox" name="json-mode" checked={settings.jsonMode} onChange={(event) => set('jsonMode', event.currentTarget.checked)} />
        <span>JSON mode (the reply is one JSON object; say “JSON” in the prompt)</span>
      </label>

      <label class="field">
        <span>Tools (JSON array of function definitions)</span>
        <textarea name="tools" rows={3} spellcheck={false} placeholder='[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]' value={settings.tools} onInput={(event) => set('tools', event.currentTarget.value)} />
      </label>
    </div>
  );
}
