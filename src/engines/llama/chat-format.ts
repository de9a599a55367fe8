// What a loaded model's chat template can do: its wrappers with and without thinking, and its tags.
import { QwenChatWrapper, resolveChatWrapper, type ChatWrapper, type LlamaModel } from 'node-llama-cpp';
import { QWEN_TAGS, type ResponseTags } from './response-parser.js';

export interface ChatFormat {
  /** The template with the model free to think (when it can). */
  readonly wrapper: ChatWrapper;
  /** The template's no-think form: an empty thought already written at the start of the reply. */
  readonly noThinkWrapper: ChatWrapper;
  /** Tags of reasoning and tool calls; undefined when the format has neither. */
  readonly tags: ResponseTags | undefined;
  /** The template knows a thinking mode. */
  readonly canThink: boolean;
}

/** Resolving blocks the event loop for a while, so it is done once per loaded model. */
export function resolveChatFormat(model: LlamaModel): ChatFormat {
  const wrapper = resolveChatWrapper(model);
  if (!(wrapper instanceof QwenChatWrapper)) return { wrapper, noThinkWrapper: wrapper, tags: undefined, canThink: false };
  const template = model.fileInfo.metadata.tokenizer.chat_template ?? '';
  const canThink = template.includes(QWEN_TAGS.thinkOpen);
  return {
    wrapper,
    noThinkWrapper: canThink ? new QwenChatWrapper({ variation: wrapper.variation, thoughts: 'discourage' }) : wrapper,
    tags: QWEN_TAGS,
    canThink,
  };
}
