// Puts a generation on the native wire: numbered `event:result` frames with running usage, no [DONE].
import type { RenderableError } from '../../core/errors.js';
import type { FinishReason, GenerationEvent, Usage } from '../../core/generation-event.js';
import type { StreamEncoder } from '../../core/stream-encoder.js';
import { formatSseFrame } from '../../lib/sse-frame.js';
import type { ResultFormat } from './decode-generation-request.js';
import { encodeOutput, mapFinishReason } from './encode-output.js';
import { encodeUsage } from './encode-usage.js';
import { renderDashScopeError } from './render-error.js';

export interface GenerationStreamOptions {
  readonly resultFormat: ResultFormat;
  readonly incrementalOutput: boolean;
  readonly requestId: string;
}

/**
 * Frames are `id:N`, `event:result`, `:HTTP_STATUS/200`, `data:{…}` with no space after the colon:
 * dashscope-py compares the raw text after `event:` with "error". The stream ends after the packet
 * whose finish_reason is not "null".
 */
export function createGenerationStreamEncoder(options: GenerationStreamOptions): StreamEncoder {
  let id = 0;
  let text = '';
  let inputTokens: number | undefined;
  let finishReason: FinishReason | undefined;

  const frame = (event: 'result' | 'error', status: number, payload: object): string =>
    formatSseFrame({ id: ++id, event, comment: `HTTP_STATUS/${status}`, data: JSON.stringify(payload) }, ':');
  const packet = (content: string, usage: Usage): string =>
    frame('result', 200, {
      output: encodeOutput(options.resultFormat, options.incrementalOutput ? content : text, mapFinishReason(finishReason)),
      usage: encodeUsage(usage),
      request_id: options.requestId,
    });

  return {
    event: (event: GenerationEvent) => {
      switch (event.type) {
        case 'start':
          inputTokens = event.inputTokens;
          return [];
        case 'text-delta':
          text += event.delta;
          return [packet(event.delta, { inputTokens, outputTokens: event.outputTokens })];
        case 'finish':
          // Sent with the final usage, which the next event brings.
          finishReason = event.finishReason;
          return [];
        case 'usage':
          return [packet('', event.usage)];
      }
    },
    end: () => [],
    error: (error: RenderableError) => {
      const { status, body } = renderDashScopeError(error, options.requestId);
      return frame('error', status, body);
    },
  };
}
