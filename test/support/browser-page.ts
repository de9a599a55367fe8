// One page of the built Playground in Debian's headless chromium for a browser test: the console errors it logs
// (less those the test says to expect), screenshots under test-artifacts/web/, and a close that removes its profile.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const chromiumInstalled = existsSync(CHROMIUM);
export const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'web');
const BUILT_PAGE = join(import.meta.dirname, '..', '..', 'web', 'dist', 'index.html');

/** A describe title that says why the suite is skipped where chromium is missing. */
export function browserSuiteTitle(title: string): string {
  return chromiumInstalled ? title : `${title} (skipped: ${CHROMIUM} is missing; apt-get install chromium)`;
}

export interface BrowserPage {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors and uncaught page errors so far, less the expected ones. */
  readonly consoleErrors: string[];
  /** Errors the browser logs on its own for an answer the test asked for, such as a 401; undefined expects none. */
  expectErrors(pattern: RegExp | undefined): void;
  /** Saves test-artifacts/web/<name>.png, the whole page unless `fullPage` is false. */
  screenshot(name: string, fullPage?: boolean): Promise<void>;
  close(): Promise<void>;
}

/** Opens chromium at 1280×900 on a fresh profile; `prepare` runs on the context before its page is taken. */
export async function openBrowserPage(prepare?: (context: BrowserContext) => Promise<void>): Promise<BrowserPage> {
  if (!existsSync(BUILT_PAGE)) throw new Error(`${BUILT_PAGE} is missing: run npm run build first`);
  const profile = await mkdtemp(join(tmpdir(), 'studio-chromium-'));
  await mkdir(ARTIFACTS, { recursive: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  await prepare?.(context);
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleErrors: string[] = [];
  let expected: RegExp | undefined;
  page.on('console', (message) => {
    if (message.type() === 'error' && !(expected?.test(message.text()) ?? false)) consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  return {
    context,
    page,
    consoleErrors,
    expectErrors: (pattern) => {
      expected = pattern;
    },
    screenshot: async (name, fullPage = true) => {
      await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage });
    },
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
