// The OpenAI wire's model list and model objects, with Studio's catalog facts in extra fields the SDKs pass through.
import type { ModelInfo } from '../../core/engine.js';
import type { ModelPrice } from '../../core/model-catalog.js';

function encodePrice(price: ModelPrice): object {
  return {
    currency: price.currency,
    unit: 'per_million_tokens',
    tiers: price.tiers.map((tier) => ({
      max_input_tokens: tier.maxInputTokens ?? null,
      input: tier.input,
      output: tier.output,
      thinking_output: tier.thinkingOutput ?? tier.output,
    })),
  };
}

export function encodeModel(model: ModelInfo): object {
  return {
    id: model.id,
    object: 'model',
    created: model.created,
    owned_by: model.ownedBy,
    aliases: model.aliases ?? [],
    context_length: model.contextSize,
    max_output_tokens: model.maxOutputTokens ?? null,
    max_input_tokens: model.maxInputTokens ?? model.contextSize - 1,
    pricing: model.price === undefined ? null : encodePrice(model.price),
    capabilities: { thinking: model.thinking?.supported ?? false, thinking_default: model.thinking?.default ?? null, vision: model.vision ?? false },
    ...(model.state === undefined ? {} : { status: model.state, loaded: model.state === 'loaded' }),
  };
}

export function encodeModelList(models: readonly ModelInfo[]): object {
  return { object: 'list', data: models.map(encodeModel) };
}
