// Renders a chat with the model's own chat template into the exact tokens the model will evaluate.
import type { ChatHistoryItem, ChatWrapper, LlamaModel, Token } from 'node-llama-cpp';
import type { ChatMessage } from '../../core/chat-request.js';

function toHistoryItem(message: ChatMessage): ChatHistoryItem {
  switch (message.role) {
    case 'system':
      return { type: 'system', text: message.content };
    case 'user':
      return { type: 'user', text: message.content };
    case 'assistant':
      return { type: 'model', response: [message.content] };
  }
}

/**
 * The history ends with an empty model turn so the template opens the assistant's reply. Message
 * text is tokenized as plain text: a user who types `<|im_start|>` cannot forge a turn.
 */
export function tokenizeChat(model: LlamaModel, chatWrapper: ChatWrapper, messages: readonly ChatMessage[]): Token[] {
  const chatHistory: ChatHistoryItem[] = [...messages.map(toHistoryItem), { type: 'model', response: [] }];
  const { contextText } = chatWrapper.generateContextState({ chatHistory });
  return contextText.tokenize(model.tokenizer);
}
