// The OpenAI chat-completion body a core request becomes upstream (less `model`, which differs by endpoint): always streamed, only the fields the request sets.
import type { ChatMessage, ChatRequest, ToolChoice } from '../../core/chat-request.js';
import { InvalidRequestError } from '../../core/errors.js';

type Json = Record<string, unknown>;

function messageBody(message: ChatMessage): Json {
  switch (message.role) {
    case 'system':
    case 'user':
      if (message.parts === undefined) return { role: message.role, content: message.content };
      return {
        role: message.role,
        content: message.parts.map((part) => (part.type === 'text' ? { type: 'text', text: part.text } : { type: 'image_url', image_url: { url: part.url } })),
      };
    case 'assistant': {
      const calls = message.toolCalls ?? [];
      return {
        role: 'assistant',
        // OpenAI's own shape for a turn that only calls tools.
        content: calls.length > 0 && message.content === '' ? null : message.content,
        ...(calls.length > 0 ? { tool_calls: calls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } })) } : {}),
        // Model Studio's partial mode; servers that do not know it continue the turn through their own prefill options or ignore it.
        ...(message.partial === true ? { partial: true } : {}),
      };
    }
    case 'tool':
      return { role: 'tool', content: message.content, tool_call_id: message.toolCallId };
  }
}

function toolChoiceBody(choice: ToolChoice): unknown {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

/** Drops the fields whose value is undefined, so the upstream sees only what the client set. */
function defined(fields: Json): Json {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

export function chatCompletionBody(request: ChatRequest): Json {
  if (request.stopTokens !== undefined && request.stopTokens.length > 0) {
    throw new InvalidRequestError('Stop sequences given as token ids cannot be passed to this model: its upstream counts tokens its own way. Give stop sequences as text.', 'stop');
  }
  const { sampling, thinking, responseFormat } = request;
  return defined({
    messages: request.messages.map(messageBody),
    stream: true,
    stream_options: { include_usage: true },
    temperature: sampling.temperature,
    top_p: sampling.topP,
    top_k: sampling.topK,
    seed: sampling.seed,
    repetition_penalty: sampling.repetitionPenalty,
    presence_penalty: sampling.presencePenalty,
    frequency_penalty: sampling.frequencyPenalty,
    max_tokens: request.maxTokens,
    stop: request.stop.length > 0 ? request.stop : undefined,
    n: request.n,
    logprobs: request.logprobs === undefined ? undefined : true,
    top_logprobs: request.logprobs?.topLogprobs,
    response_format:
      responseFormat === undefined
        ? undefined
        : responseFormat.type === 'json_schema'
          ? { type: 'json_schema', json_schema: { name: 'response', schema: responseFormat.schema } }
          : { type: responseFormat.type },
    tools: request.tools?.map((tool) => ({ type: 'function', function: defined({ name: tool.name, description: tool.description, parameters: tool.parameters }) })),
    tool_choice: request.toolChoice === undefined ? undefined : toolChoiceBody(request.toolChoice),
    parallel_tool_calls: request.parallelToolCalls,
    // Model Studio reads the top-level field; vLLM, SGLang and llama-server pass chat_template_kwargs to Qwen's template.
    enable_thinking: thinking?.enabled,
    chat_template_kwargs: thinking === undefined ? undefined : { enable_thinking: thinking.enabled },
    thinking_budget: thinking?.budgetTokens,
  });
}
