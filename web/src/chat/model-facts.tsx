// A model's catalog facts under the picker: context, longest output, images, status and price per million tokens.
import type { StudioModel } from '../api/models.js';

const count = new Intl.NumberFormat('en');

export function ModelFacts({ model }: { model: StudioModel | undefined }) {
  if (model === undefined) return null;
  const tier = model.pricing?.tiers[0];
  const tiers = model.pricing?.tiers.length ?? 0;
  return (
    <dl class="model-facts" aria-label="Model facts">
      {model.context_length !== undefined && (
        <>
          <dt>Context</dt>
          <dd>{count.format(model.context_length)} tokens</dd>
        </>
      )}
      <dt>Max output</dt>
      <dd>{model.max_output_tokens == null ? 'up to the context' : `${count.format(model.max_output_tokens)} tokens`}</dd>
      {model.capabilities?.vision === true && (
        <>
          <dt>Images</dt>
          <dd>takes images</dd>
        </>
      )}
      {model.status !== undefined && (
        <>
          <dt>Status</dt>
          <dd>{model.status}</dd>
        </>
      )}
      <dt>Price</dt>
      <dd>
        {tier === undefined || model.pricing == null
          ? 'none in the catalog'
          : `${tier.input} in / ${tier.output} out${tier.thinking_output === tier.output ? '' : ` (${tier.thinking_output} thinking)`} ${model.pricing.currency} per 1M tokens${tiers > 1 ? `, ${tiers} tiers by prompt length` : ''}`}
      </dd>
    </dl>
  );
}
