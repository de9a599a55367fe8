// The request body of POST /chat/completions as the openai SDKs and Model Studio's compatible mode send it.
import { z } from 'zod';
import { choiceParameterShape } from '../choice-parameters.js';
import { assistantMessageSchema, toolMessageSchema, unsupportedRole } from '../message-schemas.js';
import { MAX_MODEL_NAME_LENGTH, MODEL_NAME_TOO_LONG, sharedParameterShape } from '../shared-parameters.js';

const MAX_SEED = 2 ** 31 - 1;
/** Model Studio's limit, on both of its wires (OpenAI itself allows 20). */
const MAX_TOP_LOGPROBS = 5;

const textPart = z.object({ type: z.literal('text'), text: z.string() });

/** `image_url` is an object on OpenAI's wire; some clients send the URL as a plain string. */
const imagePart = z.object({
  type: z.literal('image_url'),
  image_url: z.union([z.string(), z.object({ url: z.string(), detail: z.string().nullish() })]),
});

/** Image parts are accepted in every role here; the decoder answers that only user messages may hold them. */
const content = z.union([z.string(), z.array(z.discriminatedUnion('type', [textPart, imagePart]))], {
  error: 'content must be a string or an array of text and image_url parts ({"type":"text","text":"…"}, {"type":"image_url","image_url":{"url":"…"}}).',
});

const message = z.discriminatedUnion(
  'role',
  [z.object({ role: z.enum(['system', 'developer', 'user']), content }), assistantMessageSchema(content), toolMessageSchema(content)],
  { error: unsupportedRole('system, user, assistant or tool') },
);

const MAX_STOP_STRINGS = 16;
const stop = z.union([z.string(), z.array(z.string()).max(MAX_STOP_STRINGS)], {
  error: `stop must be a string or a list of at most ${MAX_STOP_STRINGS} strings.`,
});

export const chatRequestSchema = z.object({
  model: z.string({ error: 'you must provide a model parameter.' }).min(1, 'you must provide a model parameter.').max(MAX_MODEL_NAME_LENGTH, MODEL_NAME_TOO_LONG),
  messages: z.array(message, { error: "'messages' must be an array of messages." }).min(1, "[] is too short - 'messages'"),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  temperature: z.number().min(0, 'Temperature should be in [0.0, 2.0]').max(2, 'Temperature should be in [0.0, 2.0]').nullish(),
  top_p: z.number().gt(0, 'Range of top_p should be (0.0, 1.0]').max(1, 'Range of top_p should be (0.0, 1.0]').nullish(),
  top_k: z.number().int().min(0, 'Parameter top_k be greater than or equal to 0').nullish(),
  seed: z
    .number()
    .int()
    .min(0, { error: (issue) => `${String(issue.input)} is lesser than the minimum of 0 - 'seed'` })
    .max(MAX_SEED, `Range of seed should be [0, ${MAX_SEED}]`)
    .nullish(),
  max_tokens: z.number().int().min(1, 'Range of max_tokens should be [1, ∞)').nullish(),
  max_completion_tokens: z.number().int().min(1, 'Range of max_completion_tokens should be [1, ∞)').nullish(),
  stop: stop.nullish(),
  ...choiceParameterShape(MAX_TOP_LOGPROBS),
  /** Model Studio's extensions (`enable_thinking`, `repetition_penalty`, …) arrive at the top level too. */
  ...sharedParameterShape,
});

export type ChatRequestBody = z.infer<typeof chatRequestSchema>;
