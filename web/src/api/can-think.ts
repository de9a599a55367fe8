// Whether the Playground offers enable_thinking and thinking_budget for a model: not where `/models` says it cannot think.
import type { StudioModel } from './models.js';

/** A model the page knows nothing about yet (none picked, an older server) keeps the controls. */
export function canThink(model: StudioModel | undefined): boolean {
  return model?.capabilities?.thinking !== false;
}
