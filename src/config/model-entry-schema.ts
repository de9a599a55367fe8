// The schema of one model in a config file's `models` list, with the defaults a bare entry gets.
import { z } from 'zod';

const tokens = z.number().int().min(1);
const perMillion = z.number().min(0);

const tier = z
  .object({
    /** The tier prices prompts of up to this many tokens; the last tier may leave it out (any longer prompt). */
    maxInputTokens: tokens.optional(),
    input: perMillion,
    output: perMillion,
    /** Output price when the reply was generated with thinking on, as Model Studio prices thinking mode. */
    thinkingOutput: perMillion.optional(),
  })
  .strict();

type Tier = z.infer<typeof tier>;

function checkTiers(tiers: readonly Tier[], context: z.RefinementCtx): void {
  tiers.forEach((current, index) => {
    const last = index === tiers.length - 1;
    if (!last && current.maxInputTokens === undefined) {
      context.addIssue({ code: 'custom', path: ['tiers', index, 'maxInputTokens'], message: 'every tier but the last needs maxInputTokens' });
    }
    const previous = tiers[index - 1]?.maxInputTokens;
    if (previous !== undefined && current.maxInputTokens !== undefined && current.maxInputTokens <= previous) {
      context.addIssue({ code: 'custom', path: ['tiers', index, 'maxInputTokens'], message: 'tiers go from short prompts to long ones: maxInputTokens must grow' });
    }
  });
}

/** Either one flat price (`input`, `output`, `thinkingOutput`) or `tiers` by prompt length; both become tiers. */
const price = z
  .object({
    currency: z.string().regex(/^[A-Z]{3}$/, 'a three-letter currency code such as "USD" or "CNY"').default('USD'),
    input: perMillion.optional(),
    output: perMillion.optional(),
    thinkingOutput: perMillion.optional(),
    tiers: z.array(tier).min(1).optional(),
  })
  .strict()
  .superRefine((value, context) => {
    const flat = value.input !== undefined || value.output !== undefined;
    if (flat === (value.tiers !== undefined)) {
      context.addIssue({ code: 'custom', message: 'give either "input" and "output" (prices per million tokens) or "tiers", not both and not neither' });
    } else if (flat && (value.input === undefined || value.output === undefined)) {
      context.addIssue({ code: 'custom', message: 'a flat price needs both "input" and "output" (per million tokens)' });
    }
    if (value.tiers !== undefined) checkTiers(value.tiers, context);
  })
  .transform(({ currency, input, output, thinkingOutput, tiers }) => ({
    currency,
    tiers: tiers ?? [{ input: input ?? 0, output: output ?? 0, ...(thinkingOutput === undefined ? {} : { thinkingOutput }) }],
  }));

export const DEFAULT_SYSTEM_PROMPT = 'You are a helpful assistant.';

const defaults = z
  .object({
    temperature: z.number().min(0).max(2).optional(),
    topP: z.number().gt(0).max(1).optional(),
    topK: z.number().int().min(0).optional(),
    repetitionPenalty: z.number().gt(0).optional(),
    presencePenalty: z.number().min(-2).max(2).optional(),
    frequencyPenalty: z.number().min(-2).max(2).optional(),
    /** Put before the messages of a request that has no system message; `null` for none. */
    systemPrompt: z.string().min(1).nullable().default(DEFAULT_SYSTEM_PROMPT),
  })
  .strict();

const thinking = z
  .object({
    supported: z.boolean().default(true),
    /** What a request that does not say gets; absent: the model's own chat template decides. */
    default: z.enum(['on', 'off']).optional(),
  })
  .strict()
  .refine((value) => value.supported || value.default !== 'on', 'a model cannot think by default when thinking is not supported');

const modelName = z
  .string()
  .min(1)
  .regex(/^\S+$/, 'a model name has no spaces');

export const modelEntrySchema = z
  .object({
    name: modelName,
    aliases: z.array(modelName).default([]),
    /** A local GGUF path or a Hugging Face URI (`hf:owner/repo:QUANT`); upstream servers will be objects here. */
    source: z.string().min(1),
    /** Tokens of one request, prompt and output together (default: --ctx). */
    context: tokens.optional(),
    maxOutputTokens: tokens.optional(),
    maxInputTokens: tokens.optional(),
    price: price.optional(),
    defaults: defaults.default({ systemPrompt: DEFAULT_SYSTEM_PROMPT }),
    /** Requests generated at the same time (default: --parallel). */
    parallel: tokens.optional(),
    /** Layers offloaded to a GPU: a count, "max" or "auto" (default). */
    gpuLayers: z.union([z.number().int().min(0), z.enum(['auto', 'max'])]).default('auto'),
    thinking: thinking.default({ supported: true }),
    /** Loaded at start-up and never unloaded. */
    pinned: z.boolean().default(false),
    vision: z.boolean().default(false),
    fallbacks: z.array(modelName).default([]),
  })
  .strict()
  .superRefine((entry, context) => {
    if (entry.context !== undefined && entry.maxInputTokens !== undefined && entry.maxInputTokens >= entry.context) {
      context.addIssue({ code: 'custom', path: ['maxInputTokens'], message: `must be below context (${entry.context}) to leave room for the reply` });
    }
  });

export type ModelEntryConfig = z.output<typeof modelEntrySchema>;

/** Every name and alias names one model only. */
export const modelListSchema = z.array(modelEntrySchema).superRefine((entries, context) => {
  const owners = new Map<string, number>();
  entries.forEach((entry, index) => {
    for (const [position, name] of [entry.name, ...entry.aliases].entries()) {
      const owner = owners.get(name);
      if (owner !== undefined) {
        context.addIssue({
          code: 'custom',
          path: position === 0 ? [index, 'name'] : [index, 'aliases', position - 1],
          message: `"${name}" already names models[${owner}]; every name and alias must be unique`,
        });
      }
      owners.set(name, index);
    }
  });
});
