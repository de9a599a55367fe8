// One conversation with a Studio (or Model Studio) through the `openai` SDK: its settings, its turns, and one streamed answer at a time.
import OpenAI from 'openai';

export interface ChatSettings {
  model: string;
  system: string | undefined;
  temperature: number | undefined;
  /** Model Studio's `enable_thinking`; undefined leaves the model's default. */
  think: boolean | undefined;
  maxTokens: number | undefined;
}

/** Where an answer's pieces go as they arrive. */
export interface AnswerSink {
  text(delta: string): void;
  reasoning(delta: string): void;
}

export interface AnswerStats {
  /** Seconds from sending the request to its first streamed text or reasoning. */
  readonly firstTokenSeconds: number | undefined;
  /** Completion tokens over the seconds after the first one; undefined when the server sent no usage. */
  readonly tokensPerSecond: number | undefined;
  readonly completionTokens: number | undefined;
  readonly stopped: boolean;
}

type Message = OpenAI.ChatCompletionMessageParam;

export class ChatSession {
  readonly #client: OpenAI;
  readonly settings: ChatSettings;
  #turns: Message[] = [];

  constructor(client: OpenAI, settings: ChatSettings) {
    this.#client = client;
    this.settings = settings;
  }

  /** The conversation as sent: the system prompt first, when there is one. */
  get messages(): Message[] {
    const { system } = this.settings;
    return system === undefined ? [...this.#turns] : [{ role: 'system', content: system }, ...this.#turns];
  }

  reset(): void {
    this.#turns = [];
  }

  /**
   * Streams the answer to `prompt` into `sink`. An aborted `signal` stops the request (the server
   * cancels the generation); what had arrived stays in the conversation. A failed request leaves no turn.
   */
  async ask(prompt: string, sink: AnswerSink, signal?: AbortSignal): Promise<AnswerStats> {
    const { model, temperature, think, maxTokens } = this.settings;
    const question: Message = { role: 'user', content: prompt };
    const started = performance.now();
    let firstToken: number | undefined;
    let answer = '';
    let completionTokens: number | undefined;
    const body = {
      model,
      messages: [...this.messages, question],
      stream: true as const,
      stream_options: { include_usage: true },
      ...(temperature === undefined ? {} : { temperature }),
      ...(maxTokens === undefined ? {} : { max_tokens: maxTokens }),
      ...(think === undefined ? {} : { enable_thinking: think }),
    };
    try {
      const stream = await this.#client.chat.completions.create(body, { signal });
      for await (const chunk of stream) {
        const delta = chunk.choices[0]?.delta as (OpenAI.ChatCompletionChunk.Choice.Delta & { reasoning_content?: string | null }) | undefined;
        const reasoning = delta?.reasoning_content ?? '';
        const text = delta?.content ?? '';
        if ((reasoning !== '' || text !== '') && firstToken === undefined) firstToken = performance.now();
        if (reasoning !== '') sink.reasoning(reasoning);
        if (text !== '') {
          answer += text;
          sink.text(text);
        }
        if (chunk.usage) completionTokens = chunk.usage.completion_tokens;
      }
    } catch (error) {
      if (!(error instanceof OpenAI.APIUserAbortError)) throw error;
    }
    const ended = performance.now();
    this.#turns.push(question, { role: 'assistant', content: answer });
    const generating = firstToken === undefined ? 0 : (ended - firstToken) / 1000;
    return {
      firstTokenSeconds: firstToken === undefined ? undefined : (firstToken - started) / 1000,
      tokensPerSecond: completionTokens === undefined || generating <= 0 ? undefined : completionTokens / generating,
      completionTokens,
      stopped: signal?.aborted ?? false,
    };
  }

  /** The models the server serves, by name. */
  async modelNames(): Promise<string[]> {
    const names: string[] = [];
    for await (const model of this.#client.models.list()) names.push(model.id);
    return names;
  }
}
