// Prompt templates and "View code" in Debian's chromium against the real server on the tiny model: a template's
// variables reach the sent prompt, and every code snippet, copied out of the page, runs against the server.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, browserSuiteTitle, chromiumInstalled, openBrowserPage, type BrowserPage } from '../support/browser-page.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const run = promisify(execFile);
const KEY = 'sk-templates-test';
const SYSTEM = 'You are a professional translator. Reply with the translation only.';
/** Quotes, a new line, a shell expansion and non-ASCII text: the snippets must carry them through as typed. */
const TEXT = 'It\'s "urgent": call $HOME at 9.\nDanke, 客户 🙂';
const FILLED = `Translate the following text from English into German, keeping its tone and formatting:\n\n${TEXT}`;

async function pythonHas(module: string): Promise<boolean> {
  return run('python3', ['-c', `import ${module}`]).then(
    () => true,
    () => false,
  );
}
const pythonOpenai = await pythonHas('openai');
const pythonDashscope = await pythonHas('dashscope');

describe.skipIf(!chromiumInstalled)(browserSuiteTitle('prompt templates and View code'), () => {
  let server: TestServer;
  let browser: BrowserPage;
  let page: BrowserPage['page'];
  const snippets = new Map<string, string>();

  beforeAll(async () => {
    server = await startTestServer({ 'api-key': [KEY] });
    browser = await openBrowserPage(async (context) => {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
      await context.addInitScript({ content: `localStorage.setItem('studio.apiKey', ${JSON.stringify(KEY)});` });
    });
    page = browser.page;
    await page.goto(`${server.url}/templates`);
  });

  /** What the store holds for KEY, read through the API the page uses. */
  async function storedTemplates(): Promise<{ name: string; user: string }[]> {
    const response = await fetch(`${server.url}/v1/playground/templates`, { headers: { authorization: `Bearer ${KEY}` } });
    return ((await response.json()) as { data: { name: string; user: string }[] }).data.map(({ name, user }) => ({ name, user }));
  }

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("shows Model Studio's customer-email example, filled with its sample email", async () => {
    await expect.poll(() => page.locator('.template-form h2').textContent()).toBe('Extract details from a customer email');
    const user = (await page.locator('pre[data-role="user"]').textContent()) ?? '';
    for (const part of ['software version', 'error code', 'operating system', 'ERR-2007', 'V3.1.8', 'Windows 10']) expect(user).toContain(part);
    await browser.screenshot('templates-1280');
    await page.setViewportSize({ width: 390, height: 844 });
    await browser.screenshot('templates-390');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('fills a template, flags an empty variable, and sends the filled prompt from Chat', async () => {
    await page.getByRole('button', { name: 'Translation', exact: true }).click();
    await page.getByLabel('source language', { exact: true }).fill('English');
    const target = page.getByLabel('target language', { exact: true });
    await target.fill('');
    await page.getByLabel('text', { exact: true }).fill(TEXT);
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Fill in target language first.');
    expect(await page.getByRole('button', { name: 'Open in Chat', exact: true }).isDisabled()).toBe(true);
    await target.fill('German');
    await expect.poll(() => page.locator('pre[data-role="user"]').textContent()).toBe(FILLED);

    await page.getByRole('button', { name: 'Open in Chat', exact: true }).click();
    await expect.poll(() => page.getByLabel('Message', { exact: true }).inputValue()).toBe(FILLED);
    expect(await page.getByLabel('System prompt', { exact: true }).inputValue()).toBe(SYSTEM);
    await expect.poll(() => page.locator('select[name="model"]').inputValue()).toBe(server.modelName);
    await page.getByLabel('Max tokens', { exact: true }).fill('4');
    await page.getByLabel('Seed', { exact: true }).fill('7');

    const sent = page.waitForRequest((request) => request.method() === 'POST' && request.url().endsWith('/compatible-mode/v1/chat/completions'));
    await page.getByLabel('Message', { exact: true }).press('Enter');
    expect((await sent).postDataJSON()).toMatchObject({
      model: server.modelName,
      messages: [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: FILLED },
      ],
      max_tokens: 4,
      seed: 7,
    });
    await expect.poll(() => page.locator('article.message.assistant .metrics').last().textContent(), { timeout: 30_000 }).toContain('completion 4 tokens');
  });

  it('shows the conversation as code in five shapes, each copied out through its button', async () => {
    await page.getByLabel('Message', { exact: true }).fill('And into French?');
    await page.getByRole('button', { name: 'View code', exact: true }).click();
    const blocks = page.locator('.code-view [data-snippet]');
    expect(await blocks.count()).toBe(5);
    for (const block of await blocks.all()) {
      const id = (await block.getAttribute('data-snippet')) ?? '';
      await block.getByRole('button', { name: /^Copy the / }).click();
      const copied = await page.evaluate<string>('navigator.clipboard.readText()');
      expect(copied).toBe(await block.locator('pre').textContent());
      snippets.set(id, copied);
    }
    expect([...snippets.keys()]).toEqual(['curl', 'python-openai', 'node-openai', 'python-dashscope', 'curl-dashscope']);
    for (const [id, code] of snippets) {
      expect(code).toContain(server.url);
      // JSON-escaped in every shape; the curl ones also shell-quote it, which running them checks.
      if (!id.startsWith('curl')) for (const text of [SYSTEM, FILLED, 'And into French?']) expect(code).toContain(JSON.stringify(text));
    }
    await browser.screenshot('code-1280');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('.code-view').scrollIntoViewIfNeeded();
    await browser.screenshot('code-390', false);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  /** Prompt tokens each executed snippet's request counted: the same conversation gives the same count. */
  const promptTokens = new Map<string, number>();
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', DASHSCOPE_API_KEY: KEY };

  it('the compatible-mode curl runs and gets a reply to the whole conversation', async () => {
    const { stdout } = await run('bash', ['-c', snippets.get('curl') ?? 'false'], { env });
    const reply = JSON.parse(stdout) as { choices: { message: { content: string } }[]; usage: { prompt_tokens: number; completion_tokens: number } };
    expect(reply.choices[0]?.message.content.length).toBeGreaterThan(0);
    expect(reply.usage.completion_tokens).toBe(4);
    promptTokens.set('curl', reply.usage.prompt_tokens);
  });

  it('the native DashScope curl runs and gets a message reply', async () => {
    const { stdout } = await run('bash', ['-c', snippets.get('curl-dashscope') ?? 'false'], { env });
    const reply = JSON.parse(stdout) as { output: { choices: { message: { content: string } }[] }; usage: { input_tokens: number; output_tokens: number } };
    expect(reply.output.choices[0]?.message.content.length).toBeGreaterThan(0);
    expect(reply.usage.output_tokens).toBe(4);
    promptTokens.set('curl-dashscope', reply.usage.input_tokens);
  });

  it('the Node.js openai snippet runs as an .mjs file that resolves openai from node_modules', async () => {
    // Inside the repository, so that `import "openai"` finds its node_modules (ES modules ignore NODE_PATH).
    const folder = await mkdtemp(join(ARTIFACTS, 'node-snippet-'));
    try {
      await writeFile(join(folder, 'main.mjs'), snippets.get('node-openai') ?? '');
      const { stdout } = await run(process.execPath, [join(folder, 'main.mjs')], { env });
      const reply = JSON.parse(stdout) as { choices: { message: { content: string } }[]; usage: { prompt_tokens: number; completion_tokens: number } };
      promptTokens.set('node-openai', reply.usage.prompt_tokens);
      expect(reply.choices[0]?.message.content.length).toBeGreaterThan(0);
      expect(reply.usage.completion_tokens).toBe(4);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it.skipIf(!pythonOpenai)(pythonOpenai ? 'the Python openai snippet runs' : 'the Python openai snippet runs (skipped: python3 cannot import openai)', async () => {
    const { stdout } = await run('python3', ['-c', snippets.get('python-openai') ?? ''], { env });
    expect((JSON.parse(stdout) as { usage: { completion_tokens: number } }).usage.completion_tokens).toBe(4);
  });

  it.skipIf(!pythonDashscope)(pythonDashscope ? 'the DashScope Python SDK snippet runs' : 'the DashScope Python SDK snippet runs (skipped: python3 cannot import dashscope)', async () => {
    const { stdout } = await run('python3', ['-c', snippets.get('python-dashscope') ?? ''], { env });
    expect(stdout).toContain('"status_code": 200');
  });

  it('the executed snippets all sent the same conversation', () => {
    expect(promptTokens.size).toBe(3);
    expect(new Set(promptTokens.values()).size).toBe(1);
  });

  it('keeps a template of the user\'s own in the store, across a reload, and opens it in Compare', async () => {
    await page.getByRole('link', { name: 'Templates', exact: true }).click();
    await page.getByRole('button', { name: 'New template', exact: true }).click();
    await page.getByLabel('Title', { exact: true }).fill('Haiku');
    await page.getByLabel('User message', { exact: true }).fill('Write a haiku about {{topic}}, not \\{{this}}.');
    await expect.poll(() => page.locator('.template-form').textContent()).toContain('Variables: topic');
    await page.getByRole('button', { name: 'Save template', exact: true }).click();
    await expect.poll(() => storedTemplates()).toEqual([{ name: 'Haiku', user: 'Write a haiku about {{topic}}, not \\{{this}}.' }]);
    await page.reload();
    await page.getByRole('button', { name: 'Haiku', exact: true }).click();
    await page.getByLabel('topic', { exact: true }).fill('rain');
    expect(await page.locator('pre[data-role="user"]').textContent()).toBe('Write a haiku about rain, not {{this}}.');
    await page.getByRole('button', { name: 'Open in Compare', exact: true }).click();
    await expect.poll(() => page.getByLabel('Message', { exact: true }).inputValue()).toBe('Write a haiku about rain, not {{this}}.');
    expect(new URL(page.url()).pathname).toBe('/compare');
    await page.goBack();
    await page.getByRole('button', { name: 'Haiku', exact: true }).click();
    await page.getByRole('button', { name: 'Delete this template', exact: true }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Haiku', exact: true }).count()).toBe(0);
    expect(await storedTemplates()).toEqual([]);
  });

  it('moves templates an earlier page kept in this browser into the store, once', async () => {
    const kept = [{ id: 'own-1', title: 'Old one', description: '', system: '', user: 'Kept {{here}}', examples: {} }];
    await page.evaluate(`localStorage.setItem('studio.promptTemplates', ${JSON.stringify(JSON.stringify(kept))})`);
    await page.reload();
    await page.getByRole('button', { name: 'Old one', exact: true }).click();
    expect(await storedTemplates()).toEqual([{ name: 'Old one', user: 'Kept {{here}}' }]);
    expect(await page.evaluate("localStorage.getItem('studio.promptTemplates')")).toBeNull();
  });

  it('logged no console errors', () => {
    expect(browser.consoleErrors).toEqual([]);
  });
});
