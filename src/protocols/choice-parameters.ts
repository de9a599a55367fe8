// How many answers a request asks for and what each reports besides its text: `n`, `logprobs`, `top_logprobs`.
import { z } from 'zod';
import type { ChatRequest } from '../core/chat-request.js';
import { InvalidRequestError } from '../core/errors.js';

/** Model Studio's documented range of `n`, on both wires. */
const MAX_N = 4;
const N_ERROR = `Range of n should be [1, ${MAX_N}]`;

/** The wires differ only in how many alternatives a token may list. */
export function choiceParameterShape(maxTopLogprobs: number) {
  const topLogprobsError = `Range of top_logprobs should be [0, ${maxTopLogprobs}]`;
  return {
    n: z.number().min(1, N_ERROR).max(MAX_N, N_ERROR).refine(Number.isInteger, N_ERROR).nullish(),
    logprobs: z.boolean().nullish(),
    top_logprobs: z.number().min(0, topLogprobsError).max(maxTopLogprobs, topLogprobsError).refine(Number.isInteger, topLogprobsError).nullish(),
  };
}

export interface ChoiceParameters {
  readonly n?: number | null | undefined;
  readonly logprobs?: boolean | null | undefined;
  readonly top_logprobs?: number | null | undefined;
}

export type ChoiceOptions = Pick<ChatRequest, 'n' | 'logprobs'>;

/**
 * Only what differs from the default: `n` above 1 (Model Studio answers once when tools are given,
 * whatever `n` says) and `logprobs` when asked. `topLogprobsParam` names the field in errors.
 */
export function decodeChoiceOptions(values: ChoiceParameters, hasTools: boolean, topLogprobsParam: string): ChoiceOptions {
  const n = hasTools ? 1 : (values.n ?? 1);
  const topLogprobs = values.top_logprobs ?? 0;
  if (values.logprobs !== true && topLogprobs > 0) {
    // OpenAI's wording; Model Studio documents the same rule ("only with logprobs: true").
    throw new InvalidRequestError('top_logprobs requires logprobs to be true', topLogprobsParam);
  }
  return {
    ...(n > 1 ? { n } : {}),
    ...(values.logprobs === true ? { logprobs: { topLogprobs } } : {}),
  };
}
