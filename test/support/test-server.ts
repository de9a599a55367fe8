// Starts the real Studio server on a loopback port with the tiny test model, as `studio serve` would.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { stringify as stringifyYaml } from 'yaml';
import type { RawFlags } from '../../src/config/load-options.js';
import { loadServerConfig } from '../../src/config/server-config.js';
import { startServer, type RunningServer } from '../../src/cli/serve.js';
import type { LlamaEngine } from '../../src/engines/llama/llama-engine.js';
import { tinyModelPath } from '../test-model.js';

export interface TestServer extends RunningServer {
  /** The OpenAI-compatible base URL, as a client's `baseURL`. */
  readonly baseURL: string;
  /** The first model of the catalog: with `--model`, the only one. */
  readonly modelName: string;
  /** The folder of its SQLite store: a temporary one unless the flags named one. */
  readonly dataDir: string;
  /** That model's engine, once loaded (a `--model` is loaded at start-up). */
  readonly engine: LlamaEngine;
}

/**
 * Flags as on the command line; the model defaults to the tiny test model, the port to a free one and
 * the store to SQLite in a new temporary folder, removed on close (tests never touch the user's data).
 * One thread: llama.cpp's threads spin while they wait, so on a busy two-core machine a second one
 * makes the tiny model many times slower rather than faster.
 */
export async function startTestServer(flags: RawFlags = {}, logger: Logger = pino({ level: 'silent' })): Promise<TestServer> {
  const dataDir = flags['data-dir'] === undefined && flags['database-url'] === undefined ? await mkdtemp(join(tmpdir(), 'studio-data-')) : undefined;
  const removeDataDir = (): Promise<void> => (dataDir === undefined ? Promise.resolve() : rm(dataDir, { recursive: true, force: true }));
  const config = loadServerConfig({ model: await tinyModelPath(), port: '0', threads: '1', ...(dataDir === undefined ? {} : { 'data-dir': dataDir }), ...flags }, {});
  const running = await startServer(config, { logger, print: () => {} }).catch(async (error: unknown) => {
    await removeDataDir();
    throw error;
  });
  const modelName = running.catalog[0]?.name ?? '';
  return {
    ...running,
    close: async () => {
      await running.close();
      await removeDataDir();
    },
    baseURL: `${running.url}/compatible-mode/v1`,
    modelName,
    dataDir: config.dataDir,
    get engine() {
      const engine = running.pool.loadedEngine(modelName);
      if (engine === undefined) throw new Error(`${modelName} is not loaded`);
      return engine;
    },
  };
}

/**
 * Starts the real server on a catalog, as a user does: `models` are written to a temporary YAML config
 * file that `--config` names (removed on close), with no `--model`. Port, threads and store default as
 * in startTestServer; `flags` win.
 */
export async function startCatalogServer(models: unknown[], flags: RawFlags = {}, logger: Logger = pino({ level: 'silent' })): Promise<RunningServer & { readonly baseURL: string; readonly dataDir: string }> {
  const folder = await mkdtemp(join(tmpdir(), 'studio-catalog-'));
  const configPath = join(folder, 'studio.yaml');
  await writeFile(configPath, stringifyYaml({ models }));
  const dataDir = flags['data-dir'] ?? (flags['database-url'] === undefined ? folder : undefined);
  const removeFolder = (): Promise<void> => rm(folder, { recursive: true, force: true });
  try {
    const config = loadServerConfig({ config: configPath, port: '0', threads: '1', ...(dataDir === undefined ? {} : { 'data-dir': dataDir }), ...flags }, {});
    const running = await startServer(config, { logger, print: () => {} });
    return {
      ...running,
      close: async () => {
        await running.close();
        await removeFolder();
      },
      baseURL: `${running.url}/compatible-mode/v1`,
      dataDir: config.dataDir,
    };
  } catch (error) {
    await removeFolder();
    throw error;
  }
}

/** A logger whose JSON lines are kept in memory, for tests that read what Studio logged. */
export function memoryLogger(level = 'info'): { logger: Logger; lines: () => Record<string, unknown>[]; text: () => string } {
  const chunks: string[] = [];
  const logger = pino({ level }, { write: (chunk: string) => void chunks.push(chunk) });
  return {
    logger,
    text: () => chunks.join(''),
    lines: () => chunks.map((chunk) => JSON.parse(chunk) as Record<string, unknown>),
  };
}

/** Resolves once `condition` holds, checking every 10 ms; fails once `timeoutMs` have passed, however busy the machine. */
export async function eventually(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`condition did not hold within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
