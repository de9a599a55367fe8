// The Playground's Keys and Usage pages in Debian's chromium, against the real server on the tiny model with an admin key:
// a key made on the page works through the openai SDK, the usage page shows its tokens, revoking it on the page refuses it.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSuiteTitle, chromiumInstalled, openBrowserPage, type BrowserPage } from '../support/browser-page.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const ADMIN = 'sk-admin-playground-test';

describe.skipIf(!chromiumInstalled)(browserSuiteTitle('the Keys and Usage pages'), () => {
  let server: TestServer;
  let browser: BrowserPage;
  let page: BrowserPage['page'];
  /** The key made on the Keys page, read from the page. */
  let secret = '';

  beforeAll(async () => {
    server = await startTestServer({ 'admin-key': ADMIN });
    browser = await openBrowserPage();
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function enterKey(key: string): Promise<void> {
    const field = page.getByLabel('API key', { exact: true });
    await field.fill(key);
    await field.blur();
  }

  const keyRow = (name: string) => page.locator('.keys-table tbody tr', { has: page.getByRole('rowheader', { name, exact: true }) });
  const usageRow = (group: string) => page.locator('.usage-table tbody tr', { has: page.getByRole('rowheader', { name: group, exact: true }) });
  /** The "Total tokens" cell: the sixth after the row's heading. */
  const totalTokens = async (group: string) => Number(((await usageRow(group).locator('td').nth(5).textContent()) ?? '').replaceAll(',', ''));

  it('without a key, says that the Keys page needs the admin key', async () => {
    browser.expectErrors(/status of 401/);
    await page.goto(`${server.url}/keys`);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('needs the admin key');
    browser.expectErrors(undefined);
  });

  it('creates a key with limits for the admin and shows its secret once, which works through the openai SDK', async () => {
    await enterKey(ADMIN);
    await expect.poll(() => page.locator('.keys-table').textContent()).toContain('No keys yet');
    const form = page.getByRole('form', { name: 'Create a key' });
    await form.getByLabel('Name').fill('browser');
    await form.getByLabel('Requests per minute').fill('60');
    await form.getByLabel('Tokens per minute').fill('100000');
    await form.getByLabel('Concurrency').fill('2');
    await form.getByLabel('Budget', { exact: true }).fill('5');
    await form.getByLabel('Budget period').selectOption('week');
    await form.getByLabel('Models').fill(server.modelName);
    await form.getByRole('button', { name: 'Create key' }).click();

    const shown = page.getByLabel('New key secret');
    await expect.poll(() => shown.inputValue()).toMatch(/^sk-\w{43}$/);
    secret = await shown.inputValue();
    expect(await page.locator('.new-key').textContent()).toContain('only time Studio shows it');
    await expect.poll(() => keyRow('browser').textContent()).toContain(`60 rpm, 100,000 tpm, 2 at once, 5 per week, models ${server.modelName}`);
    expect(await keyRow('browser').textContent()).toContain(secret.slice(0, 11));

    const client = new OpenAI({ apiKey: secret, baseURL: server.baseURL, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: server.modelName, messages: [{ role: 'user', content: 'Hi' }], max_tokens: 4, seed: 1 });
    expect(completion.usage?.completion_tokens).toBe(4);

    await browser.screenshot('keys-1280');
    await page.setViewportSize({ width: 390, height: 844 });
    await browser.screenshot('keys-390');
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole('button', { name: 'Done, hide it' }).click();
    expect(await shown.count()).toBe(0);
  });

  it("changes a key's limits: a field emptied removes that limit", async () => {
    await page.getByRole('button', { name: 'Change the limits of browser' }).click();
    const form = page.getByRole('form', { name: 'Limits of browser' });
    await form.getByLabel('Requests per minute').fill('120');
    await form.getByLabel('Tokens per minute').fill('');
    await form.getByRole('button', { name: 'Save limits' }).click();
    await expect.poll(() => keyRow('browser').locator('.key-limits').textContent()).toBe(`120 rpm, 2 at once, 5 per week, models ${server.modelName}`);
    expect(await form.count()).toBe(0);
  });

  it("shows the admin every key's usage: the request made with the new key, by key and by model", async () => {
    await page.getByRole('link', { name: 'Usage' }).click();
    await expect.poll(() => page.locator('.usage-scope').textContent()).toContain("Every key's usage");
    await expect.poll(() => page.locator('svg[role="img"] title').first().textContent()).toContain('Tokens by day');
    await page.getByLabel('Group by').selectOption('key');
    await expect.poll(() => totalTokens('browser')).toBeGreaterThan(4);
    expect(await page.locator('.usage-table caption').textContent()).toContain('by key');
    await browser.screenshot('usage-1280');
    await page.setViewportSize({ width: 390, height: 844 });
    await browser.screenshot('usage-390');
    await page.setViewportSize({ width: 1280, height: 900 });

    await page.getByLabel('Group by').selectOption('model');
    await expect.poll(() => totalTokens(server.modelName)).toBeGreaterThan(4);
  });

  it("gives a key that is not the admin's a readable refusal on Keys, and its own usage on Usage", async () => {
    browser.expectErrors(/status of 403/);
    await enterKey(secret);
    await expect.poll(() => page.locator('.usage-scope').textContent()).toContain("This key's own usage");
    await expect.poll(() => totalTokens(server.modelName)).toBeGreaterThan(4);
    await page.getByRole('link', { name: 'Keys' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Managing keys needs the admin key');
    expect(await page.locator('.keys-table').count()).toBe(0);
    await browser.screenshot('keys-not-admin-1280', false);
    browser.expectErrors(undefined);
  });

  it('revokes the key after a confirmation, and Studio then refuses it with 401', async () => {
    await enterKey(ADMIN);
    await page.getByRole('button', { name: 'Revoke browser' }).click();
    await page.getByRole('button', { name: 'Yes, revoke browser' }).click();
    await expect.poll(() => keyRow('browser').locator('td').nth(1).textContent()).toBe('revoked');
    expect(await page.getByRole('button', { name: 'Revoke browser' }).count()).toBe(0);
    const client = new OpenAI({ apiKey: secret, baseURL: server.baseURL, maxRetries: 0 });
    await expect(client.chat.completions.create({ model: server.modelName, messages: [{ role: 'user', content: 'Hi' }], max_tokens: 4 })).rejects.toMatchObject({ status: 401 });
  });

  it('logged no console errors', () => {
    expect(browser.consoleErrors).toEqual([]);
  });
});
