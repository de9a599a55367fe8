// The OpenAI wire's model list and model objects.
import type { ModelInfo } from '../../core/engine.js';

export function encodeModel(model: ModelInfo): object {
  return { id: model.id, object: 'model', created: model.created, owned_by: model.ownedBy, context_length: model.contextSize };
}

export function encodeModelList(models: readonly ModelInfo[]): object {
  return { object: 'list', data: models.map(encodeModel) };
}
