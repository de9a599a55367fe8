// Images for vision models, end to end: both wires' image parts reach a `vision: true` upstream as OpenAI image_url parts, and everything else gets a 400.
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/cli/serve.js';
import { parseSse } from './support/dashscope-client.js';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js';
import { startCatalogServer } from './support/test-server.js';
import { tinyModelPath } from './test-model.js';

const MULTIMODAL_PATH = '/api/v1/services/aigc/multimodal-generation/generation';
const DOG = 'https://help-static-aliyun-doc.aliyuncs.com/file-manage-files/zh-CN/20241022/emyrja/dog_and_girl.jpeg';
const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
/** Decodes to one byte more than an image may hold (10 MiB). */
const OVERSIZED = `data:image/jpeg;base64,${Buffer.alloc(10 * 1024 * 1024 + 1).toString('base64')}`;

let upstream: FakeUpstream;
let server: RunningServer;
let client: OpenAI;

function callMultimodal(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}${MULTIMODAL_PATH}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** The messages the upstream was sent by the one chat completion of this test. */
function upstreamMessages(): unknown {
  const [request] = upstream.completions();
  return request?.body?.messages;
}

beforeAll(async () => {
  upstream = await startFakeUpstream();
  const endpoint = { url: upstream.url, model: 'Qwen2.5-VL-7B-Instruct', metrics: false };
  server = await startCatalogServer(
    [
      { name: 'qwen-vl-plus', vision: true, upstream: { endpoints: [endpoint] } },
      { name: 'qwen-plus', upstream: { endpoints: [{ ...endpoint, model: 'Qwen2.5-7B-Instruct' }] } },
      { name: 'tiny', source: await tinyModelPath() },
    ],
    // No --max-body-bytes: with a vision model in the catalog the default is 16 MiB, above 4/3 of the 10 MiB
    // image limit, so an oversized image reaches the decoder rather than the body limit.
  );
  client = new OpenAI({ baseURL: `${server.url}/compatible-mode/v1`, apiKey: 'unused', maxRetries: 0 });
});
afterAll(async () => {
  await server?.close();
  await upstream?.close();
});
beforeEach(() => upstream.reset());

describe('images on the OpenAI-compatible wire', () => {
  it('passes image_url parts to a vision upstream in order with the text, and returns its reply', async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [
      { role: 'system', content: 'You are a helpful assistant.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Compare' },
          { type: 'image_url', image_url: { url: DOG } },
          { type: 'text', text: 'with' },
          { type: 'image_url', image_url: { url: PNG } },
        ],
      },
    ];
    const completion = await client.chat.completions.create({ model: 'qwen-vl-plus', messages });
    expect(completion.choices[0]?.message.content).toBe('Hello world');
    expect(upstreamMessages()).toMatchObject(messages);
  });

  it('answers 400 when images go to a local model, which cannot read them, and sends nothing upstream', async () => {
    const request = client.chat.completions.create({ model: 'tiny', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: DOG } }] }] });
    await expect(request).rejects.toMatchObject({ status: 400, message: expect.stringContaining('does not accept images') });
  });

  it('answers 400 when images go to an upstream model not marked vision', async () => {
    const request = client.chat.completions.create({ model: 'qwen-plus', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: DOG } }] }] });
    await expect(request).rejects.toMatchObject({ status: 400, message: expect.stringContaining('does not accept images') });
    expect(upstream.completions()).toHaveLength(0);
  });

  it('answers 400 for a data URL above 10 MiB, naming the part and the limit', async () => {
    const request = client.chat.completions.create({
      model: 'qwen-vl-plus',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: OVERSIZED } }] }],
    });
    await expect(request).rejects.toMatchObject({ status: 400, param: 'messages[0].content[1].image_url.url', message: expect.stringContaining('at most 10485760 bytes') });
    expect(upstream.completions()).toHaveLength(0);
  });
});

describe('the native multimodal endpoint', () => {
  const body = (parameters: object = {}): object => ({
    model: 'qwen-vl-plus',
    input: { messages: [{ role: 'user', content: [{ image: DOG }, { image: PNG }, { text: 'What is depicted?' }] }] },
    parameters,
  });
  // Before it, the model's default system prompt, which Studio adds as Model Studio does.
  const expectImagesUpstream = (): void => {
    expect((upstreamMessages() as unknown[]).at(-1)).toMatchObject(
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: DOG } },
          { type: 'image_url', image_url: { url: PNG } },
          { type: 'text', text: 'What is depicted?' },
        ],
      },
    );
  };

  it('passes {image} items upstream as image_url parts and answers with a content list', async () => {
    const response = await callMultimodal(body());
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      output: { choices: [{ message: { role: 'assistant', content: [{ text: 'Hello world' }] }, finish_reason: 'stop' }] },
      usage: { input_tokens: 7, output_tokens: 2 },
    });
    expectImagesUpstream();
  });

  it('streams content lists, piece by piece with incremental_output', async () => {
    const response = await callMultimodal(body({ incremental_output: true }), { 'X-DashScope-SSE': 'enable' });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const packets = parseSse(await response.text()).map((event) => JSON.parse(event.data) as { output: { choices: { message: { content: { text: string }[] }; finish_reason: string }[] } });
    const pieces = packets.flatMap((packet) => packet.output.choices[0]?.message.content ?? []);
    expect(pieces.map((item) => item.text).join('')).toBe('Hello world');
    expect(packets.at(-1)?.output.choices[0]?.finish_reason).toBe('stop');
    expectImagesUpstream();
  });

  it('answers 400 for video, for images to a model without vision, and for images on the text endpoint', async () => {
    const video = await callMultimodal({ model: 'qwen-vl-plus', input: { messages: [{ role: 'user', content: [{ video: [DOG, DOG] }, { text: 'What happens?' }] }] } });
    expect(video.status).toBe(400);
    expect(await video.json()).toMatchObject({ code: 'InvalidParameter', message: expect.stringContaining('video input is not supported') });

    const local = await callMultimodal({ ...body(), model: 'tiny' });
    expect(local.status).toBe(400);
    expect(await local.json()).toMatchObject({ message: expect.stringContaining('does not accept images') });

    const text = await fetch(`${server.url}/api/v1/services/aigc/text-generation/generation`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body()) });
    expect(text.status).toBe(400);
    expect(await text.json()).toMatchObject({ message: expect.stringContaining(MULTIMODAL_PATH) });
    expect(upstream.completions()).toHaveLength(0);
  });

  it('answers 400 for an oversized data URL, naming the item', async () => {
    const response = await callMultimodal({ model: 'qwen-vl-plus', input: { messages: [{ role: 'user', content: [{ text: 'x' }, { image: OVERSIZED }] }] } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'InvalidParameter', message: expect.stringMatching(/^input\.messages\[0\]\.content\[1\]\.image: .*at most 10485760 bytes/) });
  });
});
