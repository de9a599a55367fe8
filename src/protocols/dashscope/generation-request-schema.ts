// The bodies of the native text- and multimodal-generation endpoints as the DashScope SDKs and docs send them.
import { z } from 'zod';
import { choiceParameterShape } from '../choice-parameters.js';
import { assistantMessageSchema, toolMessageSchema, unsupportedRole } from '../message-schemas.js';
import { MAX_MODEL_NAME_LENGTH, MODEL_NAME_TOO_LONG, sharedParameterShape } from '../shared-parameters.js';
import { stopSchema } from './stop-schema.js';

const MAX_SEED = 9223372036854775807;
const MAX_TOP_LOGPROBS = 5;

export const MULTIMODAL_GENERATION_PATH = '/services/aigc/multimodal-generation/generation';

const textContent = z.string({
  error: (issue) => {
    if (issue.input === undefined) return 'The content field is a required field.';
    const holdsImages = Array.isArray(issue.input) && issue.input.some((item) => typeof item === 'object' && item !== null && 'image' in item);
    return holdsImages ? `input content must be a string; send images to POST /api/v1${MULTIMODAL_GENERATION_PATH}.` : 'input content must be a string.';
  },
});

/** One item of the multimodal endpoint's content list; which key it holds is checked by the decoder. */
const contentItem = z.looseObject({ text: z.string().optional(), image: z.string().optional(), video: z.unknown().optional() });

const multimodalContent = z.union([z.string(), z.array(contentItem)], {
  error: (issue) =>
    issue.input === undefined ? 'The content field is a required field.' : 'input content must be a string or a list of {"text": …} and {"image": …} items.',
});

/** Unknown parameters pass through untouched: Model Studio ignores them, and so does Studio. */
const parameters = z.looseObject({
  result_format: z.enum(['text', 'message'], { error: 'result_format must be "text" or "message".' }).nullish(),
  incremental_output: z.boolean().nullish(),
  stream: z.boolean().nullish(),
  temperature: z.number().min(0, 'Temperature should be in [0.0, 2.0)').lt(2, 'Temperature should be in [0.0, 2.0)').nullish(),
  top_p: z.number().gt(0, 'Range of top_p should be (0.0, 1.0]').max(1, 'Range of top_p should be (0.0, 1.0]').nullish(),
  top_k: z.number().int().min(0, 'Parameter top_k be greater than or equal to 0').nullish(),
  seed: z.number().int().min(0, `Range of seed should be [0, ${MAX_SEED}]`).max(MAX_SEED, `Range of seed should be [0, ${MAX_SEED}]`).nullish(),
  max_tokens: z.number().int().min(1, 'Range of max_tokens should be [1, ∞)').nullish(),
  /** The Java SDK's legacy name for max_tokens. */
  max_length: z.number().int().min(1, 'Range of max_length should be [1, ∞)').nullish(),
  stop: stopSchema.nullish(),
  ...choiceParameterShape(MAX_TOP_LOGPROBS),
  ...sharedParameterShape,
});

/** The envelope both native endpoints share; they differ only in what a message's `content` may be. */
function generationBodySchema<Content extends z.ZodType>(content: Content) {
  const message = z.discriminatedUnion(
    'role',
    [z.object({ role: z.enum(['system', 'user']), content }), assistantMessageSchema(content), toolMessageSchema(content)],
    { error: unsupportedRole('system, user, assistant or tool') },
  );
  const input = z
    .object({
      messages: z.array(message).min(1, "[] is too short - 'input.messages'").nullish(),
      prompt: z.string().nullish(),
      /** The deprecated multi-turn form used with `prompt`. */
      history: z.array(z.object({ user: z.string(), bot: z.string() })).nullish(),
    })
    .refine((value) => value.messages != null || value.prompt != null, {
      error: 'Either "prompt" or "messages" must exist and cannot both be none',
    });
  return z.object({
    model: z.string().min(1, 'Model can not be empty.').max(MAX_MODEL_NAME_LENGTH, MODEL_NAME_TOO_LONG),
    input,
    parameters: parameters.nullish(),
    /** Some hand-written clients put `stream` at the top level. */
    stream: z.boolean().nullish(),
  });
}

/** Text generation: `content` is a string. */
export const generationRequestSchema = generationBodySchema(textContent);

/** Multimodal generation: `content` is a string or a list of `{"text"}` and `{"image"}` items. */
export const multimodalRequestSchema = generationBodySchema(multimodalContent);

/** Either endpoint's body: a text endpoint's body is one whose contents are all strings. */
export type GenerationRequestBody = z.infer<typeof multimodalRequestSchema>;
