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

/**
 * What Model Studio's Qwen models sample with when neither a request nor the catalog sets anything;
 * local models only, since an upstream server applies its own.
 */
export const MODEL_STUDIO_SAMPLING = { temperature: 0.7, topP: 0.8, topK: 20 } as const;

/** A request's defaults; `systemPrompt` is what a request with none gets, unless the entry says otherwise. */
const defaultsWith = (systemPrompt: string | null) =>
  z
    .object({
      temperature: z.number().min(0).max(2).optional(),
      topP: z.number().gt(0).max(1).optional(),
      topK: z.number().int().min(0).optional(),
      repetitionPenalty: z.number().gt(0).optional(),
      presencePenalty: z.number().min(-2).max(2).optional(),
      frequencyPenalty: z.number().min(-2).max(2).optional(),
      /** Put before the messages of a request that has no system message; `null` for none. */
      systemPrompt: z.string().min(1).nullable().default(systemPrompt),
    })
    .strict()
    .default({ systemPrompt });

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

/** An http(s) URL, as an endpoint's base URL or its metrics page. */
const httpUrl = z.string().refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), 'an http:// or https:// URL');
const seconds = z.number().gt(0);

const endpointSchema = z
  .object({
    /** The OpenAI-compatible base URL, e.g. `http://10.0.0.11:8000/v1`. */
    url: httpUrl,
    /** The model name sent upstream (default: the entry's name). */
    model: z.string().min(1).optional(),
    apiKey: z.string().min(1).optional(),
    /** The environment variable that holds the key, read when the config loads. */
    apiKeyEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'the name of an environment variable, such as VLLM_API_KEY')
      .optional(),
    weight: z.number().gt(0).default(1),
    /** `true`: its origin's `/metrics`; a URL; `false`: none read. */
    metrics: z.union([z.boolean(), httpUrl]).default(true),
  })
  .strict()
  .refine((endpoint) => endpoint.apiKey === undefined || endpoint.apiKeyEnv === undefined, 'give "apiKey" or "apiKeyEnv", not both');

const upstreamSchema = z
  .object({
    endpoints: z.array(endpointSchema).min(1, 'an upstream needs at least one endpoint'),
    affinity: z.boolean().default(false),
    connectTimeout: seconds.default(10),
    firstTokenTimeout: seconds.default(120),
    healthCheckInterval: seconds.default(15),
    cooldown: z.number().min(0).default(30),
    maxAttempts: z.number().int().min(1).default(3),
  })
  .strict();

/** What both kinds of model have: names, limits, price, defaults and fallbacks. */
const commonFields = {
  name: modelName,
  aliases: z.array(modelName).default([]),
  /** Tokens of one request, prompt and output together (default: --ctx). */
  context: tokens.optional(),
  maxOutputTokens: tokens.optional(),
  maxInputTokens: tokens.optional(),
  price: price.optional(),
  thinking: thinking.default({ supported: true }),
  /** Catalog models, in order, that serve a request this one has no capacity for. */
  fallbacks: z.array(modelName).default([]),
};

function checkInputRoom(entry: { context?: number; maxInputTokens?: number }, context: z.RefinementCtx): void {
  if (entry.context !== undefined && entry.maxInputTokens !== undefined && entry.maxInputTokens >= entry.context) {
    context.addIssue({ code: 'custom', path: ['maxInputTokens'], message: `must be below context (${entry.context}) to leave room for the reply` });
  }
}

const localFields = {
  ...commonFields,
  /** Model Studio's own default system prompt, as its Qwen models get it. */
  defaults: defaultsWith(DEFAULT_SYSTEM_PROMPT),
  /** A local GGUF path or a Hugging Face / ModelScope URI (`hf:owner/repo:QUANT`). */
  source: z.string().min(1),
  /** Requests generated at the same time (default: --parallel). */
  parallel: tokens.optional(),
  /** Layers offloaded to a GPU: a count, "max" or "auto" (default). */
  gpuLayers: z.union([z.number().int().min(0), z.enum(['auto', 'max'])]).default('auto'),
  /** Loaded at start-up and never unloaded. */
  pinned: z.boolean().default(false),
  vision: z
    .literal(false, { error: 'a local model cannot take images (node-llama-cpp has no vision support); serve a vision model through "upstream"' })
    .default(false),
};

const upstreamFields = {
  ...commonFields,
  /** None by default: the upstream (Model Studio, another Studio) applies its own, and two would stack. */
  defaults: defaultsWith(null),
  upstream: upstreamSchema,
  /** Accepts images in user messages. */
  vision: z.boolean().default(false),
};

const localEntrySchema = z
  .object(localFields)
  .strict()
  .superRefine(checkInputRoom)
  .transform((entry) => ({ kind: 'local' as const, ...entry }));

const upstreamEntrySchema = z
  .object(upstreamFields)
  .strict()
  .superRefine(checkInputRoom)
  .transform((entry) => ({ kind: 'upstream' as const, ...entry }));

const LOCAL_ONLY = ['gpuLayers', 'parallel', 'pinned'] as const;

export type LocalModelEntry = z.output<typeof localEntrySchema>;
export type UpstreamModelEntry = z.output<typeof upstreamEntrySchema>;
export type ModelEntryConfig = LocalModelEntry | UpstreamModelEntry;
/** An entry as written in a config file. */
export type ModelEntryInput = z.input<typeof localEntrySchema> | z.input<typeof upstreamEntrySchema>;

/**
 * One entry, of the kind its `source` or `upstream` says: each kind's schema then speaks for itself,
 * and a local-only field on an upstream model gets one message rather than a union's every mismatch.
 */
export const modelEntrySchema = z.unknown().transform((value, context): ModelEntryConfig => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    context.addIssue({ code: 'custom', message: 'a model is an object with a "name" and either "source" or "upstream"' });
    return z.NEVER;
  }
  const fields = value as Record<string, unknown>;
  const hasSource = fields.source !== undefined;
  if (hasSource === (fields.upstream !== undefined)) {
    context.addIssue({
      code: 'custom',
      message: hasSource
        ? 'give either "source" (a local GGUF) or "upstream" (OpenAI-compatible endpoints), not both'
        : 'needs either "source" (a GGUF path or an hf: or modelscope: URI) or "upstream" (OpenAI-compatible endpoints)',
    });
    // A misspelt "source" is the likely reason: name it.
    for (const key of Object.keys(fields).filter((name) => !(name in localFields) && !(name in upstreamFields))) {
      context.addIssue({ code: 'custom', message: `Unrecognized key: "${key}"` });
    }
    return z.NEVER;
  }
  let entry = fields;
  if (!hasSource) {
    const misplaced = LOCAL_ONLY.filter((key) => fields[key] !== undefined);
    for (const key of misplaced) {
      context.addIssue({ code: 'custom', path: [key], message: `only a local model (one with "source") has ${key}; this one is served by an upstream` });
    }
    entry = Object.fromEntries(Object.entries(fields).filter(([key]) => !(misplaced as string[]).includes(key)));
  }
  const parsed = (hasSource ? localEntrySchema : upstreamEntrySchema).safeParse(entry);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) context.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  return z.NEVER;
});

/** Every name and alias names one model only; fallbacks name other models of the list, without cycles. */
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
  checkFallbacks(entries, owners, context);
});

function checkFallbacks(entries: readonly ModelEntryConfig[], owners: ReadonlyMap<string, number>, context: z.RefinementCtx): void {
  entries.forEach((entry, index) => {
    entry.fallbacks.forEach((name, position) => {
      const owner = owners.get(name);
      const path = [index, 'fallbacks', position];
      if (owner === undefined) context.addIssue({ code: 'custom', path, message: `"${name}" is not a name or alias of a model in the catalog` });
      else if (owner === index) context.addIssue({ code: 'custom', path, message: `"${name}" is this model itself` });
    });
  });
  const cycle = fallbackCycle(entries, owners);
  if (cycle !== undefined) {
    const first = cycle[0] ?? 0;
    context.addIssue({ code: 'custom', path: [first, 'fallbacks'], message: `the fallbacks go round in a cycle: ${[...cycle, first].map((index) => entries[index]?.name).join(' → ')}` });
  }
}

/** The models of one fallback cycle, by index, if there is one (a model naming itself is reported apart). */
function fallbackCycle(entries: readonly ModelEntryConfig[], owners: ReadonlyMap<string, number>): number[] | undefined {
  const done = new Set<number>();
  const visit = (index: number, path: number[]): number[] | undefined => {
    const at = path.indexOf(index);
    if (at >= 0) return path.slice(at);
    if (done.has(index)) return undefined;
    for (const name of entries[index]?.fallbacks ?? []) {
      const next = owners.get(name);
      if (next === undefined || next === index) continue;
      const cycle = visit(next, [...path, index]);
      if (cycle !== undefined) return cycle;
    }
    done.add(index);
    return undefined;
  };
  for (const index of entries.keys()) {
    const cycle = visit(index, []);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}
