// `studio serve`: the composition root that builds the engine and the HTTP server from the configuration.
import { basename } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve as serveHttp, type ServerType } from '@hono/node-server';
import { pino, type Logger } from 'pino';
import { ConfigError, redactOptions } from '../config/load-options.js';
import { serverOptions } from '../config/server-options.js';
import type { ServerConfig } from '../config/server-config.js';
import { LlamaEngine } from '../engines/llama/llama-engine.js';
import { resolveModelSource } from '../engines/llama/model-files.js';
import { EngineRouter } from '../engines/router.js';
import { createApp } from '../http/app.js';
import { downloadDisplay } from './download-progress.js';
import { isLoopbackHost } from './is-loopback.js';

export interface RunningServer {
  /** e.g. `http://127.0.0.1:8000`. */
  readonly url: string;
  readonly modelName: string;
  readonly engine: LlamaEngine;
  /** Stops taking requests, lets open ones finish within the shutdown timeout, then frees the model. */
  close(): Promise<void>;
}

export interface ServeOptions {
  readonly logger?: Logger;
  /** Where the start-up summary goes. */
  readonly print?: (line: string) => void;
  readonly showDownloadProgress?: boolean;
}

/** What Model Studio's Qwen models sample with when a request sets nothing. */
const MODEL_STUDIO_SAMPLING = { temperature: 0.7, topP: 0.8, topK: 20 } as const;

function modelNameFromPath(path: string): string {
  return basename(path).replace(/\.gguf$/i, '').toLowerCase();
}

function listen(server: ServerType): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => resolve(server.address() as AddressInfo));
  });
}

function closeServer(server: ServerType, deadlineMs: number): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => 'closeAllConnections' in server && server.closeAllConnections(), deadlineMs);
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    if ('closeIdleConnections' in server) server.closeIdleConnections();
  });
}

/** The file of a model source, downloaded the first time with the same display as `studio pull`. */
async function resolveShowingProgress(source: string, directory: string, showProgress: boolean): Promise<string> {
  const display = showProgress ? downloadDisplay(process.stdout) : undefined;
  try {
    return await resolveModelSource(source, { directory, onStart: display?.onStart, onProgress: display?.onProgress });
  } finally {
    display?.stop();
  }
}

export async function startServer(config: ServerConfig, options: ServeOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? pino({ level: config.logLevel });
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  logger.debug({ config: redactOptions(serverOptions, config) }, 'configuration');
  if (config.apiKeys.length === 0 && !isLoopbackHost(config.host)) {
    throw new ConfigError(
      `Refusing to listen on ${config.host} without an API key: anyone who can reach this address could use the model. ` +
        'Pass --api-key <key> (or set STUDIO_API_KEYS), or listen on 127.0.0.1.',
    );
  }
  const modelPath = await resolveShowingProgress(config.model, config.modelsDir, options.showDownloadProgress ?? process.stdout.isTTY === true);
  const modelName = config.modelName ?? modelNameFromPath(modelPath);
  const engine = await LlamaEngine.load({
    modelPath,
    modelName,
    contextSize: config.ctx,
    parallel: config.parallel,
    threads: config.threads,
    gpu: config.gpu === 'off' ? false : 'auto',
    defaultSampling: MODEL_STUDIO_SAMPLING,
    maxQueue: config.maxQueue,
    queueTimeoutMs: config.queueTimeout * 1000,
  });
  const app = createApp({ engine: new EngineRouter([engine]), apiKeys: config.apiKeys, maxBodyBytes: config.maxBodyBytes, logger });
  const server = serveHttp({ fetch: app.fetch, hostname: config.host, port: config.port });
  let address: AddressInfo;
  try {
    address = await listen(server);
  } catch (error) {
    await engine.dispose();
    throw error;
  }
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  const { contextSize } = engine.listModels()[0] ?? { contextSize: config.ctx };
  print(`Studio is listening on ${url}`);
  print(`  OpenAI-compatible base URL: ${url}/compatible-mode/v1 (also ${url}/v1)`);
  print(`  DashScope base URL: ${url}/api/v1`);
  print(`  model: ${modelName} (${modelPath}), context ${contextSize} tokens per request, ${config.parallel} at a time, chat template ${engine.chatTemplateName}`);
  print(`  auth: ${config.apiKeys.length > 0 ? `on (${config.apiKeys.length} key${config.apiKeys.length === 1 ? '' : 's'})` : 'off (loopback only)'}`);

  let closing: Promise<void> | undefined;
  return {
    url,
    modelName,
    engine,
    close: () => {
      closing ??= (async () => {
        app.drain();
        await closeServer(server, config.shutdownTimeout * 1000);
        await engine.dispose();
      })();
      return closing;
    },
  };
}
