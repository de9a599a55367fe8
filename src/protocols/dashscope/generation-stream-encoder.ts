// Puts a generation on the native wire: numbered `event:result` frames with running usage, no [DONE].
import type { RenderableError } from '../../core/errors.js';
import type { FinishReason, GenerationEvent, TokenLogprob, Usage } from '../../core/generation-event.js';
import type { StreamEncoder } from '../../core/stream-encoder.js';
import { formatSseFrame } from '../../lib/sse-frame.js';
import type { IndexedToolCall } from '../encode-tool-call.js';
import { pendingLogprobs } from '../pending-logprobs.js';
import type { OutputFormat } from './decode-generation-request.js';
import { encodeOutput, mapFinishReason, type AnswerParts } from './encode-output.js';
import { encodeUsage } from './encode-usage.js';
import { renderDashScopeError } from './render-error.js';

export interface GenerationStreamOptions {
  readonly resultFormat: OutputFormat;
  readonly incrementalOutput: boolean;
  readonly requestId: string;
  /**
   * The answers the request asked for (`n`). Packets name their choice's `index` when this is above
   * 1, and always when it is not given: the first packets cannot wait to learn whether more follow.
   */
  readonly choices?: number;
}

/** What one event adds to its choice; an absent part adds nothing. */
interface Piece {
  readonly content?: string;
  readonly reasoning?: string;
  readonly toolCalls?: readonly IndexedToolCall[];
  /** Log-probabilities this packet hands over. */
  readonly logprobs?: readonly TokenLogprob[] | undefined;
}

/** One choice's answer so far, for cumulative packets. */
interface ChoiceState {
  content: string;
  reasoning: string;
  readonly toolCalls: IndexedToolCall[];
  readonly logprobs: TokenLogprob[];
  finishReason: FinishReason | undefined;
}

/**
 * Frames are `id:N`, `event:result`, `:HTTP_STATUS/200`, `data:{…}` with no space after the colon:
 * dashscope-py compares the raw text after `event:` with "error". Each packet holds the one choice
 * its event belongs to, with running usage totals of all choices. A finish waits for the next
 * packet-making event, so the last choice to finish rides on the final usage packet, which ends the
 * stream; a choice that finished earlier gets a packet of its own, with the totals of that moment.
 */
export function createGenerationStreamEncoder(options: GenerationStreamOptions): StreamEncoder {
  let id = 0;
  let inputTokens: number | undefined;
  /** Unknown until an event counts it: an upstream engine counts only in its final usage. */
  let outputTokens: number | undefined;
  let held: number | undefined;
  const choices = new Map<number, ChoiceState>();
  const logprobs = pendingLogprobs();
  const named = options.choices === undefined || options.choices > 1;

  const choiceState = (choice: number): ChoiceState => {
    let state = choices.get(choice);
    if (state === undefined) {
      state = { content: '', reasoning: '', toolCalls: [], logprobs: [], finishReason: undefined };
      choices.set(choice, state);
    }
    return state;
  };
  const frame = (event: 'result' | 'error', status: number, payload: object): string =>
    formatSseFrame({ id: ++id, event, comment: `HTTP_STATUS/${status}`, data: JSON.stringify(payload) }, ':');
  /** Once a choice has thought, every message of it keeps `reasoning_content`: `""` in pieces that bring none. */
  const answer = (state: ChoiceState, piece: Piece): AnswerParts => {
    const thought = state.reasoning !== '';
    if (!options.incrementalOutput) return { content: state.content, reasoning: thought ? state.reasoning : undefined, toolCalls: state.toolCalls };
    return { content: piece.content ?? '', reasoning: thought ? (piece.reasoning ?? '') : undefined, toolCalls: piece.toolCalls ?? [] };
  };
  /** Incremental packets carry what they hand over; cumulative ones everything handed over so far. */
  const entries = (state: ChoiceState, piece: Piece): readonly TokenLogprob[] | undefined => {
    if (piece.logprobs !== undefined) state.logprobs.push(...piece.logprobs);
    if (options.incrementalOutput) return piece.logprobs;
    return state.logprobs.length === 0 ? undefined : state.logprobs;
  };
  const packet = (choice: number, piece: Piece, usage: Usage): string => {
    const state = choiceState(choice);
    const output = encodeOutput(options.resultFormat, [
      { index: named ? choice : undefined, answer: answer(state, piece), logprobs: entries(state, piece), finishReason: mapFinishReason(state.finishReason) },
    ]);
    return frame('result', 200, { output, usage: encodeUsage(usage), request_id: options.requestId });
  };
  /** The finish of `choice`, with what log-probabilities still wait for it. */
  const finishPacket = (choice: number, usage: Usage): string => packet(choice, { logprobs: logprobs.take(choice) }, usage);
  /** A held finish goes out on its own before the next packet, with the totals before that packet's tokens. */
  const release = (): string[] => {
    if (held === undefined) return [];
    const choice = held;
    held = undefined;
    return [finishPacket(choice, { inputTokens, outputTokens })];
  };
  /** The packets of a piece of `choice` that brings the totals to `tokens` (absent: the engine cannot count per piece; the totals stay). */
  const piecePackets = (choice: number, piece: Piece, tokens: number | undefined): string[] => {
    const released = release();
    outputTokens = tokens ?? outputTokens;
    return [...released, packet(choice, piece, { inputTokens, outputTokens })];
  };

  return {
    event: (event: GenerationEvent) => {
      switch (event.type) {
        case 'start':
          inputTokens = event.inputTokens;
          return [];
        case 'reasoning-delta':
          choiceState(event.choice).reasoning += event.delta;
          // The text format has no place for thinking, so it gets no packet either.
          if (options.resultFormat === 'text') {
            outputTokens = event.outputTokens ?? outputTokens;
            return [];
          }
          return piecePackets(event.choice, { reasoning: event.delta }, event.outputTokens);
        case 'text-delta':
          choiceState(event.choice).content += event.delta;
          return piecePackets(event.choice, { content: event.delta, logprobs: logprobs.take(event.choice) }, event.outputTokens);
        case 'tool-call': {
          const call = { index: event.index, call: event.call };
          choiceState(event.choice).toolCalls.push(call);
          return piecePackets(event.choice, { toolCalls: [call] }, event.outputTokens);
        }
        case 'logprobs':
          logprobs.add(event.choice, event.content);
          return [];
        case 'finish': {
          const released = release();
          choiceState(event.choice).finishReason = event.finishReason;
          held = event.choice;
          return released;
        }
        case 'usage': {
          // The last finish, or, should an engine have sent none, choice 0 as it stands.
          const choice = held ?? 0;
          held = undefined;
          return [finishPacket(choice, event.usage)];
        }
      }
    },
    end: () => [],
    error: (error: RenderableError) => {
      const { status, body } = renderDashScopeError(error, options.requestId);
      return frame('error', status, body);
    },
  };
}
