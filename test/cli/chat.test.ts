import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort } from '../support/closed-port.js';
import { startFakeUpstream } from '../support/fake-upstream.js';
import { finished, isolatedEnvironment, studio } from '../support/studio-process.js';
import { eventually, startCatalogServer, startTestServer, type TestServer } from '../support/test-server.js';
import { endpointOf, upstreamModel } from '../support/upstream-catalog.js';
import { tinyModelPath } from '../test-model.js';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const key = 'sk-chat-test';

/** `studio chat` on a pseudo-terminal (util-linux `script`), with everything it printed so far. */
function chatInPty(args: string[]): { child: ChildProcessWithoutNullStreams; output: () => string; type(text: string): void; until(pattern: RegExp, from?: number): Promise<string> } {
  const isolated = isolatedEnvironment({ TERM: 'xterm' });
  const command = [process.execPath, '--import', 'tsx', main, 'chat', ...args].map((word) => `'${word}'`).join(' ');
  const child = spawn('script', ['-qfc', command, '/dev/null'], { env: isolated.env });
  child.on('close', isolated.removeDataDir);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return {
    child,
    output: () => output,
    type: (text) => void child.stdin.write(text),
    until: async (pattern, from = 0) => {
      await eventually(() => pattern.test(output.slice(from)), 60_000).catch(() => {
        throw new Error(`no ${pattern} in: ${JSON.stringify(output.slice(from))}`);
      });
      return output.slice(from);
    },
  };
}

describe('studio chat', () => {
  let server: TestServer;
  let url: string;
  const directory = mkdtempSync(join(tmpdir(), 'studio-chat-'));

  beforeAll(async () => {
    server = await startTestServer({ 'api-key': [key], parallel: '1', ctx: '4096' });
    url = server.url;
  });
  afterAll(async () => {
    await server?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('prints just the answer to a question on the command line', async () => {
    const result = await finished(studio(['chat', '--url', url, '--api-key', key, '-m', server.modelName, '--max-tokens', '8', 'Say hello']));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).not.toBe('');
    expect(result.stdout).not.toContain('tokens/s');
  });

  it('reads the question from stdin, with the key from DASHSCOPE_API_KEY and the only model served', async () => {
    const child = studio(['chat', '--url', url, '--max-tokens', '8'], { DASHSCOPE_API_KEY: key });
    child.stdin.end('Say hello\n');
    const result = await finished(child);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).not.toBe('');
  });

  it('says in one line why a request failed, and exits non-zero', async () => {
    const refused = await finished(studio(['chat', '--url', url, '--api-key', 'sk-wrong', '-m', server.modelName, 'hi']));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`studio chat: the server at ${url} refused the key (401); pass its key with --api-key or DASHSCOPE_API_KEY\n`);

    const unknown = await finished(studio(['chat', '--url', url, '--api-key', key, '-m', 'no-such-model', 'hi']));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^studio chat: 404: .*no-such-model.*\n$/);

    const down = `http://127.0.0.1:${await closedPort()}`;
    const nobody = await finished(studio(['chat', '--url', down, '-m', 'x', 'hi']));
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toBe(`studio chat: no server answers at ${down} (start one with \`studio serve\`, or name another with --url)\n`);
  });

  it('chats at a terminal: streams answers with their timing, takes slash commands, stops an answer on Ctrl-C and leaves on /exit', async () => {
    const chat = chatInPty(['--url', url, '--api-key', key, '-m', server.modelName, '--max-tokens', '12']);
    const done = finished(chat.child);
    await chat.until(/Chatting with [^\n]*\n[\s\S]*> /);

    let mark = chat.output().length;
    chat.type('Tell me a story\r');
    await chat.until(/\[12 tokens · first token \d+\.\d\d s · \d+\.\d tokens\/s\][\s\S]*> /, mark);

    mark = chat.output().length;
    chat.type('/think off\r');
    await chat.until(/thinking off[\s\S]*> /, mark);

    mark = chat.output().length;
    chat.type('/model\r');
    await chat.until(new RegExp(`served: ${server.modelName}[\\s\\S]*> `), mark);

    mark = chat.output().length;
    chat.type('And then?\r');
    await chat.until(/tokens\/s\][\s\S]*> /, mark);

    const file = join(directory, 'conversation.json');
    mark = chat.output().length;
    chat.type(`/save ${file}\r`);
    await chat.until(/saved to [\s\S]*> /, mark);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { model: string; enable_thinking: boolean; messages: { role: string; content: string }[] };
    expect(saved.model).toBe(server.modelName);
    expect(saved.enable_thinking).toBe(false);
    expect(saved.messages.map(({ role }) => role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(saved.messages[0]?.content).toBe('Tell me a story');
    expect(saved.messages[2]?.content).toBe('And then?');
    // The answers kept are the ones streamed to the terminal (whose line discipline turns \n into \r\n).
    for (const answer of [saved.messages[1], saved.messages[3]]) for (const line of answer?.content.split('\n') ?? []) expect(chat.output()).toContain(line);
    expect(saved.messages[1]?.content.trim()).not.toBe('');

    // A long answer, stopped mid-stream: the server cancels the generation and the prompt comes back.
    const cancelledBefore = Object.values(server.engine.stats.cancelled).reduce((sum, count) => sum + count, 0);
    chat.type('/max-tokens 3000\r');
    mark = chat.output().length;
    chat.type('Write a very long essay\r');
    await eventually(() => server.engine.stats.phases.decode === 1, 30_000);
    chat.type('\x03');
    await chat.until(/stopped\][\s\S]*> /, mark);
    await eventually(() => Object.values(server.engine.stats.cancelled).reduce((sum, count) => sum + count, 0) === cancelledBefore + 1);
    await eventually(() => server.engine.stats.sequencesInUse === 0);

    chat.type('/exit\r');
    const result = await done;
    expect(result.code).toBe(0);
  }, 120_000);

  it('lists the models to pick from when several are served and none was named', async () => {
    const source = await tinyModelPath();
    const catalog = await startCatalogServer([
      { name: 'tiny-a', source },
      { name: 'tiny-b', source },
    ]);
    try {
      const script = await finished(studio(['chat', '--url', catalog.url, 'hi']));
      expect(script.code).toBe(1);
      expect(script.stderr).toBe('studio chat: the server serves 2 models (tiny-a, tiny-b); name one with --model\n');

      const chat = chatInPty(['--url', catalog.url]);
      const done = finished(chat.child);
      await chat.until(/1\. tiny-a\r\n  2\. tiny-b[\s\S]*model \(number or name\): /);
      chat.type('2\r');
      await chat.until(/Chatting with tiny-b at /);
      chat.type('\x04');
      expect((await done).code).toBe(0);
    } finally {
      await catalog.close();
    }
  }, 60_000);

  it('shows the reasoning dimmed at a terminal, and prints just the answer to a script', async () => {
    const fake = await startFakeUpstream();
    const catalog = await startCatalogServer([upstreamModel('thinker', [endpointOf(fake)])]);
    try {
      const thought = { kind: 'reply' as const, reasoning: ['Six times', ' seven.'], text: ['Forty', '-two.'] };
      fake.script(thought, thought);
      const chat = chatInPty(['--url', catalog.url]);
      const done = finished(chat.child);
      await chat.until(/Chatting with thinker at [^\n]*\n[\s\S]*> /);
      chat.type('What is six times seven?\r');
      const answer = await chat.until(/tokens\/s\]/);
      expect(answer).toContain('\x1b[2mSix times\x1b[22m\x1b[2m seven.\x1b[22m\r\nForty-two.\r\n\x1b[2m[4 tokens · first token ');
      chat.type('/exit\r');
      expect((await done).code).toBe(0);

      const child = studio(['chat', '--url', catalog.url, '--think', 'off']);
      child.stdin.end('What is six times seven?');
      const script = await finished(child);
      expect(script).toMatchObject({ code: 0, stdout: 'Forty-two.\n', stderr: '' });
      expect(fake.completions()[1]?.body).toMatchObject({ messages: [{ role: 'user', content: 'What is six times seven?' }] });
    } finally {
      await catalog.close();
      await fake.close();
    }
  }, 60_000);
});
