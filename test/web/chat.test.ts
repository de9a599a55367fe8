// The Playground's Chat page in Debian's chromium, against the real server on the tiny model: streaming,
// metrics, Stop reaching the engine, a wrong key, and no console errors; screenshots go to test-artifacts/web/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSuiteTitle, chromiumInstalled, openBrowserPage, type BrowserPage } from '../support/browser-page.js';
import { eventually, startTestServer, type TestServer } from '../support/test-server.js';

const KEY = 'sk-playground-test';

describe.skipIf(!chromiumInstalled)(browserSuiteTitle('the Chat page'), () => {
  let server: TestServer;
  let browser: BrowserPage;
  let page: BrowserPage['page'];

  beforeAll(async () => {
    server = await startTestServer({ 'api-key': [KEY] });
    browser = await openBrowserPage();
    page = browser.page;
    // Without a key yet, the page's first model list is refused.
    browser.expectErrors(/status of 401/);
    await page.goto(`${server.url}/`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const replies = () => page.locator('article.message.assistant');

  async function send(text: string): Promise<void> {
    const box = page.getByLabel('Message', { exact: true });
    await box.fill(text);
    await box.press('Enter');
  }

  it('lists the models once the key is entered, with their context', async () => {
    const key = page.getByLabel('API key', { exact: true });
    await key.fill(KEY);
    await key.blur();
    await expect.poll(() => page.locator('select[name="model"]').inputValue()).toBe(server.modelName);
    await expect.poll(() => page.locator('.model-facts').textContent()).toContain('tokens');
    browser.expectErrors(undefined);
  });

  it('streams a reply into the page and shows its metrics', async () => {
    await page.getByLabel('Max tokens', { exact: true }).fill('24');
    await page.getByLabel('Seed', { exact: true }).fill('7');
    await send('Hello there');
    const reply = replies().last();
    const metrics = reply.locator('.metrics');
    await expect.poll(() => metrics.textContent(), { timeout: 30_000 }).toContain('completion 24 tokens');
    const shown = (await metrics.textContent()) ?? '';
    for (const part of ['first token', ' ms', 'tokens/s', 'prompt', 'cost']) expect(shown).toContain(part);
    expect(((await reply.locator('.markdown').textContent()) ?? '').length).toBeGreaterThan(0);
    expect(await page.locator('article.message.user').last().textContent()).toContain('Hello there');

    await browser.screenshot('chat-1280');
    await page.emulateMedia({ colorScheme: 'dark' });
    await browser.screenshot('chat-1280-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    // On a phone the parameters fold away above the conversation.
    const parameters = page.getByText('Model and parameters', { exact: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await parameters.click();
    await browser.screenshot('chat-390', false);
    await parameters.click();
    await browser.screenshot('chat-390-parameters');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('Stop cancels the generation on the server, which counts it as cancelled while decoding', async () => {
    const before = server.engine.stats.cancelled.decode;
    await page.getByLabel('Max tokens', { exact: true }).fill('3000');
    await page.getByLabel('Temperature', { exact: true }).fill('0');
    await send('Write a very long essay.');
    const reply = replies().last();
    await expect.poll(() => reply.locator('.markdown').textContent(), { timeout: 30_000 }).not.toBe('');
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await eventually(() => server.engine.stats.cancelled.decode === before + 1, 10_000);
    await eventually(() => server.engine.stats.sequencesInUse === 0);
    await expect.poll(() => reply.locator('.metrics').textContent()).toContain('stopped');
    await expect.poll(() => page.getByRole('button', { name: 'Send', exact: true }).isVisible()).toBe(true);
  });

  it('regenerates the last reply, edits an earlier message, and clears the conversation', async () => {
    await page.getByLabel('Max tokens', { exact: true }).fill('4');
    await page.getByRole('button', { name: 'Regenerate this reply', exact: true }).click();
    await expect.poll(() => replies().last().locator('.metrics').textContent(), { timeout: 30_000 }).toContain('completion 4 tokens');
    expect(await replies().count()).toBe(2);

    await page.getByRole('button', { name: 'Edit this message' }).first().click();
    expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe('Hello there');
    await send('Hello again');
    await expect.poll(() => replies().last().locator('.metrics').textContent(), { timeout: 30_000 }).toContain('completion 4 tokens');
    expect(await replies().count()).toBe(1);
    expect(await page.locator('article.message.user').allTextContents()).toEqual([expect.stringContaining('Hello again')]);

    await page.getByRole('button', { name: 'Clear', exact: true }).click();
    expect(await page.locator('article.message').count()).toBe(0);
  });

  it('says in words that a wrong key was refused', async () => {
    browser.expectErrors(/status of 401/);
    const key = page.getByLabel('API key', { exact: true });
    await key.fill('sk-wrong');
    await key.blur();
    await expect.poll(() => page.locator('.settings .error').textContent()).toContain('did not accept the API key');
    await send('Hello');
    await expect.poll(() => replies().last().locator('.error').textContent()).toContain('Enter a valid key in the API key field');
    await browser.screenshot('chat-wrong-key-1280', false);
    await key.fill(KEY);
    await key.blur();
    await expect.poll(() => page.locator('.settings .error').count()).toBe(0);
    browser.expectErrors(undefined);
  });

  it('says when the server is gone, and when it is back on the same address', async () => {
    browser.expectErrors(/ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE/);
    const port = new URL(server.url).port;
    await server.close();
    const banner = page.getByRole('status');
    await expect.poll(() => banner.textContent(), { timeout: 15_000 }).toContain('cannot be reached');
    server = await startTestServer({ 'api-key': [KEY], port });
    await expect.poll(() => banner.textContent(), { timeout: 15_000 }).toContain('Reconnected');
    browser.expectErrors(undefined);
    await page.getByLabel('Max tokens', { exact: true }).fill('4');
    await send('Are you back?');
    await expect.poll(() => replies().last().locator('.metrics').textContent(), { timeout: 30_000 }).toContain('completion 4 tokens');
  });

  it('logged no console errors', () => {
    expect(browser.consoleErrors).toEqual([]);
  });
});
