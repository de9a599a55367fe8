// The body of POST /api/v1/services/aigc/text-generation/generation as the DashScope SDKs and docs send it.
import { z } from 'zod';
import { choiceParameterShape } from '../choice-parameters.js';
import { assistantMessageSchema, toolMessageSchema, unsupportedRole } from '../message-schemas.js';
import { MAX_MODEL_NAME_LENGTH, MODEL_NAME_TOO_LONG, sharedParameterShape } from '../shared-parameters.js';
import { stopSchema } from './stop-schema.js';

const MAX_SEED = 9223372036854775807;
const MAX_TOP_LOGPROBS = 5;

const content = z.string({ error: (issue) => (issue.input === undefined ? 'The content field is a required field.' : 'input content must be a string.') });

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

export const generationRequestSchema = z.object({
  model: z.string().min(1, 'Model can not be empty.').max(MAX_MODEL_NAME_LENGTH, MODEL_NAME_TOO_LONG),
  input,
  parameters: parameters.nullish(),
  /** Some hand-written clients put `stream` at the top level. */
  stream: z.boolean().nullish(),
});

export type GenerationRequestBody = z.infer<typeof generationRequestSchema>;
