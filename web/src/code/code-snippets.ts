// The Chat page's request as code a user can run: the shapes of Model Studio's documentation, aimed at this server.
import { pythonLiteral } from './python-literal.js';
import { shellQuote } from './shell-quote.js';

export interface CodeSnippet {
  readonly id: 'curl' | 'python-openai' | 'node-openai' | 'python-dashscope' | 'curl-dashscope';
  readonly label: string;
  readonly code: string;
}

/** Arguments the Python `openai` client takes by name; the rest are Model Studio's and go in `extra_body`. */
const OPENAI_PYTHON_ARGUMENTS = new Set(['temperature', 'top_p', 'max_tokens', 'seed', 'stop', 'presence_penalty', 'response_format', 'tools']);

/** Fields the snippets set themselves: the model and messages by name, and no streaming. */
const WHOLE_REQUEST = new Set(['model', 'messages', 'stream', 'stream_options']);

function json(value: unknown): string {
  return JSON.stringify(value, null, 4);
}

function keywordArguments(values: Readonly<Record<string, unknown>>): string[] {
  return Object.entries(values).map(([name, value]) => `    ${name}=${pythonLiteral(value, 1)},`);
}

/**
 * `body` is the Chat page's request to `/chat/completions` (see chat-body.ts); the snippets ask for the whole reply
 * at once, as the documentation's first examples do. `origin` is the server's address as the page sees it.
 */
export function codeSnippets(origin: string, body: Readonly<Record<string, unknown>>): CodeSnippet[] {
  const { model, messages } = body;
  const parameters = Object.fromEntries(Object.entries(body).filter(([name]) => !WHOLE_REQUEST.has(name)));
  const compatibleUrl = `${origin}/compatible-mode/v1`;
  const request = { model, messages, ...parameters };
  const named = Object.fromEntries(Object.entries(parameters).filter(([name]) => OPENAI_PYTHON_ARGUMENTS.has(name)));
  const extra = Object.fromEntries(Object.entries(parameters).filter(([name]) => !OPENAI_PYTHON_ARGUMENTS.has(name)));

  return [
    {
      id: 'curl',
      label: 'curl (OpenAI compatible)',
      code: [
        `curl -X POST "${compatibleUrl}/chat/completions" \\`,
        '-H "Authorization: Bearer $DASHSCOPE_API_KEY" \\',
        '-H "Content-Type: application/json" \\',
        `-d ${shellQuote(json(request))}`,
      ].join('\n'),
    },
    {
      id: 'python-openai',
      label: 'Python (openai)',
      code: [
        'import os',
        'from openai import OpenAI',
        '',
        'client = OpenAI(',
        '    api_key=os.getenv("DASHSCOPE_API_KEY"),',
        `    base_url=${JSON.stringify(compatibleUrl)},`,
        ')',
        '',
        'completion = client.chat.completions.create(',
        ...keywordArguments({ model, messages, ...named, ...(Object.keys(extra).length === 0 ? {} : { extra_body: extra }) }),
        ')',
        'print(completion.model_dump_json())',
      ].join('\n'),
    },
    {
      id: 'node-openai',
      label: 'Node.js (openai, an .mjs file)',
      code: [
        'import OpenAI from "openai";',
        '',
        'const openai = new OpenAI({',
        '    apiKey: process.env.DASHSCOPE_API_KEY,',
        `    baseURL: ${JSON.stringify(compatibleUrl)}`,
        '});',
        '',
        `const completion = await openai.chat.completions.create(${json(request)});`,
        'console.log(JSON.stringify(completion));',
      ].join('\n'),
    },
    {
      id: 'python-dashscope',
      label: 'Python (DashScope SDK)',
      code: [
        'import os',
        'import dashscope',
        '',
        `dashscope.base_http_api_url = ${JSON.stringify(`${origin}/api/v1`)}`,
        '',
        `messages = ${pythonLiteral(messages)}`,
        'response = dashscope.Generation.call(',
        '    api_key=os.getenv("DASHSCOPE_API_KEY"),',
        `    model=${pythonLiteral(model)},`,
        '    messages=messages,',
        '    result_format="message",',
        ...keywordArguments(parameters),
        ')',
        'print(response)',
      ].join('\n'),
    },
    {
      id: 'curl-dashscope',
      label: 'curl (DashScope)',
      code: [
        `curl --location "${origin}/api/v1/services/aigc/text-generation/generation" \\`,
        '--header "Authorization: Bearer $DASHSCOPE_API_KEY" \\',
        '--header "Content-Type: application/json" \\',
        `--data ${shellQuote(json({ model, input: { messages }, parameters: { result_format: 'message', ...parameters } }))}`,
      ].join('\n'),
    },
  ];
}
