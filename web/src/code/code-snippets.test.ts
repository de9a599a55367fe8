import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { codeSnippets, type CodeSnippet } from './code-snippets.js';

const ORIGIN = 'http://127.0.0.1:8000';
const request = {
  model: 'qwen-tiny',
  messages: [
    { role: 'system', content: "You're \"careful\"." },
    { role: 'user', content: 'Line 1\nLine 2: $HOME `id` 客户 🙂' },
  ],
  temperature: 0.5,
  top_k: 20,
  max_tokens: 16,
  stop: ["'end'"],
  enable_thinking: false,
};
const body = { ...request, stream: true, stream_options: { include_usage: true } };
const snippets = codeSnippets(ORIGIN, body);
const code = (id: CodeSnippet['id']) => snippets.find((snippet) => snippet.id === id)?.code ?? '';
const scratch = mkdtempSync(join(tmpdir(), 'studio-snippets-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs a curl snippet with `curl` standing in as a shell function that prints its arguments, one per NUL. */
function curlArguments(snippet: string): string[] {
  const output = execFileSync('bash', ['-c', `curl() { printf '%s\\0' "$@"; }\n${snippet}`], { encoding: 'utf8', env: { DASHSCOPE_API_KEY: 'sk-test' } });
  return output.split('\0').slice(0, -1);
}

describe('codeSnippets', () => {
  it('curl posts the request, without streaming, to the compatible-mode URL with the key from the environment', () => {
    const args = curlArguments(code('curl'));
    expect(args.slice(0, 7)).toEqual(['-X', 'POST', `${ORIGIN}/compatible-mode/v1/chat/completions`, '-H', 'Authorization: Bearer sk-test', '-H', 'Content-Type: application/json']);
    expect(args[7]).toBe('-d');
    expect(JSON.parse(args[8] ?? '')).toEqual(request);
  });

  it('the native curl puts messages in input and the parameters, with result_format message, in parameters', () => {
    const args = curlArguments(code('curl-dashscope'));
    expect(args[1]).toBe(`${ORIGIN}/api/v1/services/aigc/text-generation/generation`);
    expect(args).toContain('Authorization: Bearer sk-test');
    const { model, messages, ...parameters } = request;
    expect(JSON.parse(args.at(-1) ?? '')).toEqual({ model, input: { messages }, parameters: { result_format: 'message', ...parameters } });
  });

  it('Python openai passes OpenAI arguments by name and Model Studio ones in extra_body', () => {
    const python = code('python-openai');
    expect(python).toContain(`base_url="${ORIGIN}/compatible-mode/v1"`);
    expect(python).toContain('api_key=os.getenv("DASHSCOPE_API_KEY")');
    expect(python).toContain('    temperature=0.5,');
    expect(python).toContain('    extra_body={\n        "top_k": 20,\n        "enable_thinking": False\n    },');
    expect(python).not.toContain('stream');
  });

  it('the DashScope SDK snippet calls Generation.call against this server with every parameter', () => {
    const python = code('python-dashscope');
    expect(python).toContain(`dashscope.base_http_api_url = "${ORIGIN}/api/v1"`);
    expect(python).toContain('response = dashscope.Generation.call(');
    for (const line of ['    top_k=20,', '    enable_thinking=False,', '    result_format="message",', '    stop=[\n        "\'end\'"\n    ],']) expect(python).toContain(line);
  });

  it('both Python snippets are valid Python', () => {
    for (const id of ['python-openai', 'python-dashscope'] as const) {
      expect(() => execFileSync('python3', ['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], { input: code(id) })).not.toThrow();
    }
  });

  it('the Node snippet is a valid ES module that sends the request as is', () => {
    const file = join(scratch, 'main.mjs');
    writeFileSync(file, code('node-openai'));
    expect(() => execFileSync(process.execPath, ['--check', file])).not.toThrow();
    expect(code('node-openai')).toContain(`baseURL: "${ORIGIN}/compatible-mode/v1"`);
    expect(code('node-openai')).toContain(`create(${JSON.stringify(request, null, 4)});`);
  });
});
