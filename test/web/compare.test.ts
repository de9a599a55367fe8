// The Playground's Compare page in Debian's chromium, against the real server serving the tiny model under two
// names at two prices: both columns answer with their own metrics, follow-ups go to both, the summary names the
// fastest and the cheapest, Stop stops both, and no console errors; screenshots go to test-artifacts/web/.
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSuiteTitle, chromiumInstalled, openBrowserPage, type BrowserPage } from '../support/browser-page.js';
import { eventually, startCatalogServer } from '../support/test-server.js';
import { tinyModelPath } from '../test-model.js';

describe.skipIf(!chromiumInstalled)(browserSuiteTitle('the Compare page'), () => {
  let server: Awaited<ReturnType<typeof startCatalogServer>>;
  let browser: BrowserPage;
  let page: BrowserPage['page'];

  beforeAll(async () => {
    // One model file under two names: the same speed, and the second at a quarter of the first's price.
    const source = await tinyModelPath();
    server = await startCatalogServer([
      { name: 'tiny-a', source, price: { currency: 'USD', input: 2, output: 8 } },
      { name: 'tiny-b', source, price: { currency: 'USD', input: 0.5, output: 2 } },
    ]);
    // Both models loaded before the page asks: the first answers then time generation, not loading.
    await Promise.all(
      ['tiny-a', 'tiny-b'].map(async (model) => {
        const response = await fetch(`${server.baseURL}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Hi' }], max_tokens: 1 }) });
        expect(response.status).toBe(200);
      }),
    );
    browser = await openBrowserPage();
    page = browser.page;
    await page.goto(`${server.url}/compare`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const column = (number: number): Locator => page.getByRole('region', { name: `Column ${number}`, exact: true });
  const replies = (number: number): Locator => column(number).locator('article.message.assistant');
  const summary = (): Locator => page.getByRole('region', { name: 'Summary of the latest answers' });

  /** Opens the column's parameters where they are folded away, and returns its field of that label. */
  async function field(number: number, label: string): Promise<Locator> {
    const settings = column(number).locator('details.settings');
    if ((await settings.getAttribute('open')) === null) await settings.locator('summary').click();
    return settings.getByLabel(label, { exact: true });
  }

  async function send(text: string): Promise<void> {
    const box = page.getByLabel('Message', { exact: true });
    await box.fill(text);
    await box.press('Enter');
  }

  it('opens from the navigation with two columns, each on its own model', async () => {
    expect(await page.getByRole('link', { name: 'Compare' }).getAttribute('aria-current')).toBe('page');
    await expect.poll(() => column(1).locator('h2').textContent()).toContain('tiny-a');
    await expect.poll(() => column(2).locator('h2').textContent()).toContain('tiny-b');
  });

  it('keeps parameters alike across columns while the toggle is on, and apart once it is off', async () => {
    await (await field(1, 'Max tokens')).fill('8');
    await (await field(1, 'Seed')).fill('7');
    expect(await (await field(2, 'Max tokens')).inputValue()).toBe('8');
    expect(await (await field(2, 'Seed')).inputValue()).toBe('7');
    expect(await column(2).locator('select[name="model"]').inputValue()).toBe('tiny-b');

    await page.getByLabel('Same parameters in every column (each keeps its model)').uncheck();
    await (await field(2, 'Temperature')).fill('0.5');
    expect(await (await field(1, 'Temperature')).inputValue()).toBe('');
    await (await field(2, 'Temperature')).fill('');
    await page.getByLabel('Same parameters in every column (each keeps its model)').check();
    for (const number of [1, 2]) await column(number).locator('details.settings > summary').click();
  });

  it('sends one message to both columns, which answer side by side with their own metrics', async () => {
    await send('Hello there');
    for (const number of [1, 2]) {
      const metrics = replies(number).last().locator('.metrics');
      await expect.poll(() => metrics.textContent(), { timeout: 30_000 }).toContain('completion 8 tokens');
      const shown = (await metrics.textContent()) ?? '';
      for (const part of ['first token', ' ms', 'tokens/s', 'prompt', 'cost', 'USD']) expect(shown).toContain(part);
      expect(await column(number).locator('article.message.user').textContent()).toContain('Hello there');
      expect(((await replies(number).last().locator('.markdown').textContent()) ?? '').length).toBeGreaterThan(0);
    }
    // Side by side at 1280 px: the second column starts to the right of the first, on the same row.
    const [first, second] = [await column(1).boundingBox(), await column(2).boundingBox()];
    expect(second?.x).toBeGreaterThan((first?.x ?? 0) + (first?.width ?? 0) - 1);
    expect(second?.y).toBe(first?.y);
  });

  it('shows which column was fastest and which was cheapest', async () => {
    const text = (await summary().textContent()) ?? '';
    expect(text).toMatch(/Fastest first token\s*Column [12] \(tiny-[ab]\): \d+ ms/);
    expect(text).toMatch(/Fastest output\s*Column [12] \(tiny-[ab]\): [\d.]+ tokens\/s/);
    // The same tokens at a quarter of the price.
    expect(text).toMatch(/Cheapest\s*Column 2 \(tiny-b\): [\d.]+ USD/);
    await browser.screenshot('compare-1280');
    await page.emulateMedia({ colorScheme: 'dark' });
    await browser.screenshot('compare-1280-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('sends a follow-up to every column, each with its own history', async () => {
    const firstPrompts = await Promise.all([1, 2].map(async (number) => promptTokens(replies(number).last())));
    await send('And once more?');
    for (const number of [1, 2]) {
      await expect.poll(() => replies(number).count()).toBe(2);
      await expect.poll(() => replies(number).last().locator('.metrics').textContent(), { timeout: 30_000 }).toContain('completion 8 tokens');
      expect(await column(number).locator('article.message.user').allTextContents()).toEqual([expect.stringContaining('Hello there'), expect.stringContaining('And once more?')]);
      // The second request carried the first message and that column's own answer.
      expect(await promptTokens(replies(number).last())).toBeGreaterThan((firstPrompts[number - 1] ?? 0) + 8);
    }
    await expect.poll(() => summary().textContent()).toContain('Cheapest');
  });

  it('at phone width, the columns scroll sideways one at a time', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const [first, second] = [await column(1).boundingBox(), await column(2).boundingBox()];
    expect(first?.width).toBeLessThan(390);
    expect(second?.x).toBeGreaterThan(300);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await browser.screenshot('compare-390');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('Stop stops the generation in every column, on the server too', async () => {
    const engines = () => ['tiny-a', 'tiny-b'].map((name) => server.pool.loadedEngine(name));
    const before = engines().map((engine) => engine?.stats.cancelled.decode ?? 0);
    await (await field(1, 'Max tokens')).fill('3000');
    await (await field(1, 'Temperature')).fill('0');
    await send('Write a very long essay.');
    for (const number of [1, 2]) await expect.poll(() => replies(number).last().locator('.markdown').textContent(), { timeout: 30_000 }).not.toBe('');
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await eventually(() => engines().every((engine, index) => engine !== undefined && engine.stats.cancelled.decode === (before[index] ?? 0) + 1), 10_000);
    await eventually(() => engines().every((engine) => engine?.stats.sequencesInUse === 0));
    for (const number of [1, 2]) await expect.poll(() => replies(number).last().locator('.metrics').textContent()).toContain('stopped');
    await expect.poll(() => page.getByRole('button', { name: 'Send', exact: true }).isVisible()).toBe(true);
  });

  it('adds a third column and removes it, and Clear empties every column', async () => {
    await page.getByRole('button', { name: 'Add column', exact: true }).click();
    await expect.poll(() => column(3).locator('h2').textContent()).toContain('tiny-a');
    await page.getByRole('button', { name: 'Remove column 3', exact: true }).click();
    await expect.poll(() => column(3).count()).toBe(0);
    await page.getByRole('button', { name: 'Clear', exact: true }).click();
    expect(await page.locator('article.message').count()).toBe(0);
  });

  it('logged no console errors', () => {
    expect(browser.consoleErrors).toEqual([]);
  });
});

/** The prompt tokens a reply's metrics line shows. */
async function promptTokens(reply: Locator): Promise<number> {
  const match = /prompt (\d+) tokens/.exec((await reply.locator('.metrics').textContent()) ?? '');
  return Number(match?.[1]);
}
