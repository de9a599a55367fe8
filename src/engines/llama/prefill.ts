// Evaluates a prompt in short steps, so a request that goes away stops within one step and other streams keep moving.
import type { LlamaContextSequence, Token } from 'node-llama-cpp';
import { ClientAbortedError } from '../../core/errors.js';

/** How long one step should take: the bound on how late a cancelled prefill stops. */
const STEP_TARGET_MS = 100;
const MIN_STEP_TOKENS = 64;
const MAX_STEP_TOKENS = 512;

/** Sizes steps from the speed measured so far, shared by every prefill of one context. */
export class PrefillPacer {
  #tokensPerMs = 0.5;

  get stepTokens(): number {
    return Math.max(MIN_STEP_TOKENS, Math.min(MAX_STEP_TOKENS, Math.floor(this.#tokensPerMs * STEP_TARGET_MS)));
  }

  record(tokens: number, ms: number): void {
    if (ms <= 0) return;
    // A moving average: one slow step (another stream's batch joined it) does not halve the next.
    this.#tokensPerMs = 0.7 * this.#tokensPerMs + 0.3 * (tokens / ms);
  }
}

/**
 * A short rest joins the step before it. On its own it would cost a pass over all the weights (on a 2-core CPU, 8
 * tokens take a quarter of the time of 64), while a step half as long again is only that much later to notice a cancel.
 */
function stepSize(remaining: number, stepTokens: number): number {
  return remaining < stepTokens * 1.5 ? Math.min(remaining, MAX_STEP_TOKENS) : stepTokens;
}

/** Evaluates `tokens` into the sequence without sampling, checking `signal` between steps; `onStep` hears each step's size, and is awaited. */
export async function prefill(
  sequence: LlamaContextSequence,
  tokens: readonly Token[],
  pacer: PrefillPacer,
  signal: AbortSignal,
  onStep: (evaluated: number) => void | Promise<void>,
): Promise<void> {
  for (let start = 0; start < tokens.length; ) {
    if (signal.aborted) throw new ClientAbortedError();
    const step = tokens.slice(start, start + stepSize(tokens.length - start, pacer.stepTokens));
    const began = performance.now();
    await sequence.evaluateWithoutGeneratingNewTokens(step);
    pacer.record(step.length, performance.now() - began);
    await onStep(step.length);
    start += step.length;
  }
  if (signal.aborted) throw new ClientAbortedError();
}
