// Puts a generation on the native wire: numbered `event:result` frames with running usage, no [DONE].
import type { RenderableError } from '../../core/errors.js';
import type { FinishReason, GenerationEvent, Usage } from '../../core/generation-event.js';
import type { StreamEncoder } from '../../core/stream-encoder.js';
import { formatSseFrame } from '../../lib/sse-frame.js';
import type { IndexedToolCall } from '../encode-tool-call.js';
import type { ResultFormat } from './decode-generation-request.js';
import { encodeOutput, mapFinishReason, type AnswerParts } from './encode-output.js';
import { encodeUsage } from './encode-usage.js';
import { renderDashScopeError } from './render-error.js';

export interface GenerationStreamOptions {
  readonly resultFormat: ResultFormat;
  readonly incrementalOutput: boolean;
  readonly requestId: string;
}

/** What one event adds to the answer; an absent part adds nothing. */
interface Piece {
  readonly content?: string;
  readonly reasoning?: string;
  readonly toolCalls?: readonly IndexedToolCall[];
}

/**
 * Frames are `id:N`, `event:result`, `:HTTP_STATUS/200`, `data:{…}` with no space after the colon:
 * dashscope-py compares the raw text after `event:` with "error". The stream ends after the packet
 * whose finish_reason is not "null".
 */
export function createGenerationStreamEncoder(options: GenerationStreamOptions): StreamEncoder {
  let id = 0;
  let inputTokens: number | undefined;
  let finishReason: FinishReason | undefined;
  let content = '';
  let reasoning = '';
  const toolCalls: IndexedToolCall[] = [];

  const frame = (event: 'result' | 'error', status: number, payload: object): string =>
    formatSseFrame({ id: ++id, event, comment: `HTTP_STATUS/${status}`, data: JSON.stringify(payload) }, ':');
  /** Once the model has thought, every message keeps `reasoning_content`: `""` in pieces that bring none. */
  const answer = (piece: Piece): AnswerParts => {
    const thought = reasoning !== '';
    if (!options.incrementalOutput) return { content, reasoning: thought ? reasoning : undefined, toolCalls };
    return { content: piece.content ?? '', reasoning: thought ? (piece.reasoning ?? '') : undefined, toolCalls: piece.toolCalls ?? [] };
  };
  const packet = (piece: Piece, usage: Usage): string =>
    frame('result', 200, {
      output: encodeOutput(options.resultFormat, answer(piece), mapFinishReason(finishReason)),
      usage: encodeUsage(usage),
      request_id: options.requestId,
    });
  const running = (outputTokens: number): Usage => ({ inputTokens, outputTokens });

  return {
    event: (event: GenerationEvent) => {
      switch (event.type) {
        case 'start':
          inputTokens = event.inputTokens;
          return [];
        case 'reasoning-delta':
          reasoning += event.delta;
          // The text format has no place for thinking, so it gets no packet either.
          return options.resultFormat === 'text' ? [] : [packet({ reasoning: event.delta }, running(event.outputTokens))];
        case 'text-delta':
          content += event.delta;
          return [packet({ content: event.delta }, running(event.outputTokens))];
        case 'tool-call': {
          const call = { index: event.index, call: event.call };
          toolCalls.push(call);
          return [packet({ toolCalls: [call] }, running(event.outputTokens))];
        }
        case 'finish':
          // Sent with the final usage, which the next event brings.
          finishReason = event.finishReason;
          return [];
        case 'usage':
          return [packet({}, event.usage)];
      }
    },
    end: () => [],
    error: (error: RenderableError) => {
      const { status, body } = renderDashScopeError(error, options.requestId);
      return frame('error', status, body);
    },
  };
}
