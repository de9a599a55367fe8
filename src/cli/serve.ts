// `studio serve`: the composition root that builds the engines and the HTTP server from the configuration.
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ServerType } from '@hono/node-server';
import type { Logger } from 'pino';
import { BatchRunner } from '../batch/batch-runner.js';
import { ownerGate } from '../batch/owner-gate.js';
import { StudioError } from '../core/errors.js';
import { keyState } from '../core/key-state.js';
import { answersTo } from '../core/model-catalog.js';
import type { RateLimiter } from '../core/rate-limiter.js';
import type { Store } from '../core/store.js';
import { ConfigError } from '../config/load-options.js';
import type { CatalogModel, LocalCatalogModel, UpstreamCatalogModel } from '../config/model-catalog.js';
import { MODEL_STUDIO_SAMPLING } from '../config/model-entry-schema.js';
import { decodeBatchBody, encodeBatchFailure, encodeBatchSuccess } from '../protocols/openai/batch-line-codec.js';
import { redactServerConfig, type ServerConfig } from '../config/server-config.js';
import { batchingPatchWarning } from '../engines/llama/batching-patch-warning.js';
import { describeLlamaAddon, llamaAddon } from '../engines/llama/llama-addon.js';
import { LlamaModelPool, type PoolChange } from '../engines/llama/llama-model-pool.js';
import { loadLlamaRuntime, type LlamaRuntime } from '../engines/llama/llama-runtime.js';
import { resolveModelSource } from '../engines/llama/model-files.js';
import { ModelSourceError } from '../engines/llama/model-source.js';
import { EngineRouter } from '../engines/router.js';
import type { EndpointChange } from '../engines/upstream/endpoint-pool.js';
import { UpstreamEngine } from '../engines/upstream/upstream-engine.js';
import { createApp } from '../http/app.js';
import { createHttpServer } from '../http/create-http-server.js';
import { MemoryRateLimiter } from '../store/memory-rate-limiter.js';
import { openStore } from '../store/open-store.js';
import { generationLog } from '../http/generation-log.js';
import { ledgerObserver } from '../http/ledger-observer.js';
import { StudioMetrics } from '../http/studio-metrics.js';
import { timedObserver } from '../http/timed-observer.js';
import { checkPortFree, listenError } from './check-port.js';
import { createLogger } from './create-logger.js';
import { authSummary } from './auth-summary.js';
import { downloadDisplay } from './download-progress.js';
import { isLoopbackHost } from './is-loopback.js';
import { openResponses } from './open-responses.js';
import { pinnedModelStates } from './pinned-model-states.js';
import { redisLocation, storeLocation } from './store-location.js';
import { toUpstreamOptions } from './to-upstream-options.js';

export interface RunningServer {
  /** e.g. `http://127.0.0.1:8000`. */
  readonly url: string;
  /** The catalog being served, in its configured order. */
  readonly catalog: readonly CatalogModel[];
  /** The local models: which are loaded, and their engines. */
  readonly pool: LlamaModelPool;
  /**
   * Answers new requests 503 while open ones finish within the shutdown timeout, ends those still
   * running then with the wire's error, stops listening and frees the models.
   */
  close(): Promise<void>;
}

export interface ServeOptions {
  readonly logger?: Logger;
  /** Where the start-up summary goes. */
  readonly print?: (line: string) => void;
  readonly showDownloadProgress?: boolean;
  /** llama.cpp as the caller started loading it (`loadLlamaRuntime`) before it imported this module; started here otherwise. */
  readonly runtime?: Promise<LlamaRuntime>;
}

const GIB = 1024 ** 3;

function listen(server: ServerType): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => resolve(server.address() as AddressInfo));
  });
}

/** How long the streams ended at the shutdown deadline get to send their error frame before connections are cut. */
const STOP_GRACE_MS = 2000;

/** Stops listening and closes every connection: by now none has a response that is worth waiting for. */
function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    if ('closeAllConnections' in server) server.closeAllConnections();
  });
}

function logPoolChange(logger: Logger, change: PoolChange): void {
  if (change.type !== 'load-failed') {
    logger.info(change, `model ${change.type}`);
  } else if (change.error instanceof StudioError) {
    // A missing file or an unreachable hub is expected, and its message says it all; the stack helps only to debug.
    logger.warn({ model: change.model, reason: change.error.message }, 'model failed to load');
    logger.debug({ model: change.model, err: change.error }, 'model failed to load');
  } else {
    logger.warn({ model: change.model, err: change.error }, 'model failed to load');
  }
}

function countPoolChange(metrics: StudioMetrics, change: PoolChange): void {
  if (change.type === 'loaded') metrics.modelLoaded(change.model, change.ms);
  else if (change.type === 'unloaded') metrics.modelUnloaded(change.model, change.reason);
}

/** An upstream endpoint named by its host:port only (never its key): down is a warning, back up news, busy (429/503) routine. */
function logEndpointChange(logger: Logger, model: string, change: EndpointChange): void {
  const fields = { model, endpoint: change.endpoint, ...(change.reason === undefined ? {} : { reason: change.reason }) };
  if (change.state === 'down') logger.warn(fields, 'upstream endpoint down');
  else if (change.state === 'up') logger.info(fields, 'upstream endpoint up');
  else logger.debug(fields, 'upstream endpoint busy');
}

/** The file of a model source, downloaded the first time with the same display as `studio pull`. */
async function resolveShowingProgress(source: string, config: ServerConfig, showProgress: boolean): Promise<string> {
  const display = showProgress ? downloadDisplay(process.stdout) : undefined;
  try {
    return await resolveModelSource(source, {
      directory: config.modelsDir,
      huggingFaceEndpoint: config.hubEndpoint,
      modelScopeEndpoint: config.modelscopeEndpoint,
      onStart: display?.onStart,
      onProgress: display?.onProgress,
    });
  } finally {
    display?.stop();
  }
}

function createPool(config: ServerConfig, runtime: Promise<LlamaRuntime>, logger: Logger, showProgress: boolean, metrics: StudioMetrics): LlamaModelPool {
  try {
    return LlamaModelPool.create({
      models: config.models.filter((model): model is LocalCatalogModel => model.kind === 'local').map((model) => ({
        name: model.name,
        source: model.source,
        contextSize: model.context,
        maxInputTokens: model.maxInputTokens,
        parallel: model.parallel,
        gpuLayers: model.gpuLayers,
        pinned: model.pinned,
      })),
      maxLoadedModels: config.maxModels,
      memoryBudgetBytes: config.memoryBudget * GIB,
      idleUnloadMs: config.idleUnload * 1000,
      loadTimeoutMs: config.loadTimeout * 1000,
      runtime,
      threads: config.threads,
      defaultSampling: MODEL_STUDIO_SAMPLING,
      maxQueue: config.maxQueue,
      queueTimeoutMs: config.queueTimeout * 1000,
      resolveSource: (source) => resolveShowingProgress(source, config, showProgress),
      onChange: (change) => {
        logPoolChange(logger, change);
        countPoolChange(metrics, change);
      },
      memoryEstimatesFile: join(config.dataDir, 'memory-estimates.json'),
    });
  } catch (error) {
    // The pool never owned llama.cpp: nothing else will free it.
    void runtime.then((loaded) => loaded.llama.dispose(), () => undefined);
    throw error instanceof RangeError ? new ConfigError(`${error.message}: raise --max-models or pin fewer models.`) : error;
  }
}

/** Loads llama.cpp and the pinned models; a failure is told in a sentence for the person at the terminal. */
async function loadPinned(pool: LlamaModelPool, logger: Logger): Promise<void> {
  try {
    await pool.loadPinned();
  } catch (error) {
    logger.debug({ err: error }, 'a pinned model failed to load');
    // At start-up the person at the terminal reads the reason; a download's own paragraph says it best.
    if (error instanceof StudioError && error.cause instanceof ModelSourceError) throw error.cause;
    if (error instanceof StudioError) throw new ConfigError(error.message, { cause: error });
    throw error;
  }
}

/** Where an upstream model is served, by host and port only: a URL may carry a key. */
function describeUpstream(model: UpstreamCatalogModel, aliases: string): string {
  const { endpoints } = model.upstream;
  const hosts = endpoints.map((endpoint) => new URL(endpoint.url).host);
  return `  model: ${model.name}${aliases} on ${endpoints.length} upstream endpoint${endpoints.length === 1 ? '' : 's'}: ${hosts.join(', ')}`;
}

function describeModel(model: CatalogModel, pool: LlamaModelPool): string {
  const aliases = model.aliases.length > 0 ? ` (also ${model.aliases.join(', ')})` : '';
  if (model.kind === 'upstream') return describeUpstream(model, aliases);
  const engine = pool.loadedEngine(model.name);
  if (engine === undefined) return `  model: ${model.name}${aliases} from ${model.source}, loaded on its first request`;
  return `  model: ${model.name}${aliases} (${engine.modelPath}), context ${model.context} tokens per request, ${model.parallel} at a time, chat template ${engine.chatTemplateName}`;
}

/** Stable across restarts of one replica, so that it closes the ledger rows it left open; a free port changes, the process does not repeat. */
function instanceId(config: ServerConfig): string {
  return config.instanceId ?? `${hostname()}:${config.port === 0 ? `pid-${process.pid}` : config.port}`;
}

interface Accounts {
  readonly store: Store;
  readonly limiter: RateLimiter;
  /** Stored keys neither revoked nor expired. */
  readonly liveKeys: number;
  close(): Promise<void>;
}

/** The store (migrated, its crashed rows closed) and the rate limiter. */
async function openAccounts(config: ServerConfig, logger: Logger): Promise<Accounts> {
  const location = { databaseUrl: config.databaseUrl, dataDir: config.dataDir, ...(config.filesDir === undefined ? {} : { filesDir: config.filesDir }) };
  const store = await openStore({ ...location, instance: instanceId(config) }).catch((error: unknown) => {
    logger.debug({ err: error }, 'the store could not be opened');
    throw new ConfigError(`Could not open the store (${storeLocation(config)}): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  });
  try {
    const interrupted = await store.ledger.closeInterrupted();
    if (interrupted > 0) logger.warn({ rows: interrupted }, 'requests left open in the ledger by an earlier run closed as interrupted');
    const liveKeys = (await store.keys.list()).filter((record) => keyState(record) === 'active').length;
    // Redis's client is imported only when named: a start-up without it need not parse it.
    const limiter =
      config.redisUrl === undefined ? new MemoryRateLimiter() : new (await import('../store/redis-rate-limiter.js')).RedisRateLimiter({ url: config.redisUrl });
    return {
      store,
      limiter,
      liveKeys,
      close: async () => {
        await limiter.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

export async function startServer(config: ServerConfig, options: ServeOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel, config.logFormat);
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  logger.debug({ config: redactServerConfig(config) }, 'configuration');
  await checkPortFree(config.host, config.port);
  const metrics = new StudioMetrics();
  const runtime = options.runtime ?? loadLlamaRuntime(config.gpu === 'off');
  const addon = runtime.then(({ llama }) => llamaAddon(llama));
  void addon.then((built) => metrics.llamaAddonLoaded(built), () => undefined);
  const pool = createPool(config, runtime, logger, options.showDownloadProgress ?? process.stdout.isTTY === true, metrics);
  // llama.cpp and the pinned models load (on llama.cpp's threads) while the store opens and migrates, and go on loading
  // while Studio listens: /ready says which are still loading, and requests wait for their model.
  const pinned = loadPinned(pool, logger);
  // Told once the port is open, or once the start-up has failed otherwise.
  pinned.catch(() => undefined);
  let accounts: Accounts;
  try {
    accounts = await openAccounts(config, logger);
  } catch (error) {
    await pool.dispose();
    throw error;
  }
  if (config.apiKeys.length === 0 && config.adminKey === undefined && accounts.liveKeys === 0 && !isLoopbackHost(config.host)) {
    await pool.dispose();
    await accounts.close();
    throw new ConfigError(
      `Refusing to listen on ${config.host} without an API key: anyone who can reach this address could use the model. ` +
        'Pass --api-key <key> (or set STUDIO_API_KEYS), create a key with `studio keys create --name NAME`, or listen on 127.0.0.1.',
    );
  }
  // Each model by its kind: local ones share the pool, each upstream one has an engine of its own.
  const router = new EngineRouter(
    config.models.map((entry) => ({
      entry,
      engine: entry.kind === 'local' ? pool : new UpstreamEngine(toUpstreamOptions(entry), { onChange: (change) => logEndpointChange(logger, entry.name, change) }),
    })),
  );
  const batchRunner = new BatchRunner({
    engine: router,
    codec: { decode: decodeBatchBody, success: encodeBatchSuccess, failure: encodeBatchFailure },
    batches: accounts.store.batches,
    files: accounts.store.files,
    ledger: accounts.store.ledger,
    gate: ownerGate(accounts.store.keys, accounts.limiter),
    parallel: (model) => {
      const entry = config.models.find((candidate) => answersTo(candidate, model));
      return entry?.kind === 'local' ? entry.parallel : config.parallel;
    },
    logger,
  });
  const requiredModels = pinnedModelStates(pool, config.models);
  const app = createApp({
    engine: router,
    apiKeys: config.apiKeys,
    store: accounts.store,
    limiter: accounts.limiter,
    adminKey: config.adminKey,
    maxBodyBytes: config.maxBodyBytes,
    maxFileBytes: config.maxFileBytes,
    requestTimeoutMs: config.requestTimeout * 1000,
    writeTimeoutMs: config.writeTimeout * 1000,
    logger,
    observers: [generationLog(logger), timedObserver(ledgerObserver(accounts.store.ledger, logger), (seconds) => metrics.ledgerWrite.observe(seconds))],
    metrics,
    requiredModels,
    metricsAuth: config.metricsAuth === 'on',
    onBatchChange: () => batchRunner.nudge(),
  });
  const server = createHttpServer(app, {
    hostname: config.host,
    port: config.port,
    timeouts: { headersMs: config.headersTimeout * 1000, requestMs: config.requestTimeout * 1000, keepAliveMs: config.keepAliveTimeout * 1000 },
    logger,
  });
  const responses = openResponses(server);
  let address: AddressInfo;
  try {
    address = await listen(server);
  } catch (error) {
    await router.dispose();
    await accounts.close();
    throw listenError(error, config.host, config.port);
  }
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  const loading = Object.entries(requiredModels()).filter(([, state]) => state === 'loading');
  // Debug only: stdout stays the summary's, or empty when a pinned model then fails to load.
  if (loading.length > 0) logger.debug({ url, models: loading.map(([name]) => name) }, 'listening while the pinned models load');
  try {
    await pinned;
  } catch (error) {
    await closeServer(server);
    await router.dispose();
    await accounts.close();
    throw error;
  }
  // The summary once every pinned model is in: each one's template and context are known then.
  print(`Studio is listening on ${url}`);
  print(`  OpenAI-compatible base URL: ${url}/compatible-mode/v1 (also ${url}/v1)`);
  print(`  DashScope base URL: ${url}/api/v1`);
  for (const model of config.models) print(describeModel(model, pool));
  print(`  store: ${storeLocation(config)}`);
  print(`  limits: ${config.redisUrl === undefined ? 'counted in this process' : `shared with other replicas through Redis at ${redisLocation(config.redisUrl)}`}`);
  print(`  ${authSummary(config, accounts.liveKeys)}`);
  const patchWarning = batchingPatchWarning();
  if (patchWarning !== undefined) print(patchWarning);
  // Told once start-up has succeeded: a failed start says its one reason and nothing else.
  void addon.then((built) => logger.info({ addon: built }, describeLlamaAddon(built)), () => undefined);
  batchRunner.start();

  let closing: Promise<void> | undefined;
  return {
    url,
    catalog: config.models,
    pool,
    close: () => {
      closing ??= (async () => {
        // Still listening, so that new requests are answered 503 rather than refused.
        app.drain();
        if (!(await responses.settled(config.shutdownTimeout * 1000))) {
          app.stop();
          await responses.settled(STOP_GRACE_MS);
        }
        await closeServer(server);
        // The lines running now are left pending: the next start runs them again.
        await batchRunner.stop();
        await router.dispose();
        // Last: the ledger commits the rows of the requests just ended.
        await accounts.close();
      })();
      return closing;
    },
  };
}
