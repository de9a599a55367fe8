// Every option of `studio serve`: names, environment variables, defaults and units, in one place.
import { availableParallelism, homedir, totalmem } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { defineOption } from './option-spec.js';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().min(1);
const nonNegativeInt = z.coerce.number().int().min(0);
/** An http(s) base URL; a bare host name (as MODELSCOPE_DOMAIN holds) means https. */
const endpointUrl = z
  .string()
  .trim()
  .min(1)
  .transform((text) => (/^[a-z][a-z\d+.-]*:\/\//i.test(text) ? text : `https://${text}`).replace(/\/+$/, ''))
  .pipe(z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://hf-mirror.com' }));

const GIB = 1024 ** 3;

export const serverOptions = {
  config: defineOption({
    flag: 'config',
    env: ['STUDIO_CONFIG'],
    description: 'a JSON or YAML file with a "models" list and any of these options (flags and env win over it)',
    schema: z.string().min(1).optional(),
    default: undefined,
    valueName: '<file>',
  }),
  host: defineOption({
    flag: 'host',
    env: ['STUDIO_HOST'],
    description: 'address to listen on; beyond loopback an API key is required',
    schema: z.string().min(1),
    default: '127.0.0.1',
    valueName: '<address>',
  }),
  port: defineOption({
    flag: 'port',
    env: ['STUDIO_PORT'],
    description: 'TCP port to listen on (0 picks a free one)',
    schema: port,
    default: 8000,
    valueName: '<port>',
  }),
  model: defineOption({
    flag: 'model',
    env: ['STUDIO_MODEL'],
    description:
      'serve just this model: a local GGUF file, a Hugging Face URI such as hf:Qwen/Qwen3-0.6B-GGUF:Q8_0 or a ModelScope URI such as modelscope:Qwen/Qwen3-0.6B-GGUF:Q8_0 (downloaded once); without it, the config file\'s models or the built-in catalog',
    schema: z.string().min(1).optional(),
    default: undefined,
    valueName: '<path|uri>',
  }),
  modelName: defineOption({
    flag: 'model-name',
    env: ['STUDIO_MODEL_NAME'],
    description: 'the name clients send as "model" (default: the file name without .gguf, lower-case)',
    schema: z.string().min(1).optional(),
    default: undefined,
    valueName: '<name>',
  }),
  pin: defineOption({
    flag: 'pin',
    env: ['STUDIO_PIN'],
    description: 'a model (name or alias) loaded at start-up and never unloaded; repeat for several (env: comma-separated)',
    schema: z.array(z.string().min(1)),
    default: [],
    repeatable: true,
    valueName: '<model>',
  }),
  maxModels: defineOption({
    flag: 'max-models',
    env: ['STUDIO_MAX_MODELS'],
    description: 'models kept loaded at once; loading one more unloads the least recently used',
    schema: positiveInt,
    default: 2,
    valueName: '<n>',
  }),
  memoryBudget: defineOption({
    flag: 'memory-budget',
    env: ['STUDIO_MEMORY_BUDGET'],
    description: 'GiB of memory the loaded models may take together, as estimated from their GGUF files',
    schema: z.coerce.number().positive(),
    default: Math.round((totalmem() / GIB) * 0.8 * 10) / 10,
    valueName: '<GiB>',
  }),
  idleUnload: defineOption({
    flag: 'idle-unload',
    env: ['STUDIO_IDLE_UNLOAD'],
    description: 'seconds without requests after which a model that is not pinned is unloaded (0: never)',
    schema: nonNegativeInt,
    default: 0,
    valueName: '<seconds>',
  }),
  loadTimeout: defineOption({
    flag: 'load-timeout',
    env: ['STUDIO_LOAD_TIMEOUT'],
    description: 'seconds a request waits for its model to download and load before it gets 503 (the load goes on)',
    schema: z.coerce.number().positive(),
    default: 300,
    valueName: '<seconds>',
  }),
  apiKeys: defineOption({
    flag: 'api-key',
    env: ['STUDIO_API_KEYS', 'DASHSCOPE_API_KEY'],
    description: 'accepted bearer key; repeat for several (env: comma-separated)',
    schema: z.array(z.string().min(1)),
    default: [],
    repeatable: true,
    secret: true,
    valueName: '<key>',
  }),
  ctx: defineOption({
    flag: 'ctx',
    env: ['STUDIO_CTX'],
    description: 'context size of each sequence, in tokens: prompt and output of one request together (a model\'s "context" wins)',
    schema: positiveInt,
    default: 4096,
    valueName: '<tokens>',
  }),
  parallel: defineOption({
    flag: 'parallel',
    env: ['STUDIO_PARALLEL'],
    description: 'requests generated at the same time per model (sequences in its context; a model\'s "parallel" wins)',
    schema: positiveInt,
    default: 4,
    valueName: '<n>',
  }),
  maxQueue: defineOption({
    flag: 'max-queue',
    env: ['STUDIO_MAX_QUEUE'],
    description: 'requests that may wait for a free sequence; more get 429 at once',
    schema: nonNegativeInt,
    default: 64,
    valueName: '<n>',
  }),
  queueTimeout: defineOption({
    flag: 'queue-timeout',
    env: ['STUDIO_QUEUE_TIMEOUT'],
    description: 'seconds a request may wait for a free sequence before it gets 429',
    schema: z.coerce.number().positive(),
    default: 30,
    valueName: '<seconds>',
  }),
  threads: defineOption({
    flag: 'threads',
    env: ['STUDIO_THREADS'],
    // llama.cpp's own guess can exceed the cores a container really has, and its threads spin.
    description: 'CPU threads for evaluation (0: chosen by llama.cpp)',
    schema: nonNegativeInt,
    default: availableParallelism(),
    valueName: '<n>',
  }),
  gpu: defineOption({
    flag: 'gpu',
    env: ['STUDIO_GPU'],
    description: '"auto" uses a GPU when one is found, "off" forces the CPU',
    schema: z.enum(['auto', 'off']),
    default: 'auto',
    valueName: '<auto|off>',
  }),
  modelsDir: defineOption({
    flag: 'models-dir',
    env: ['STUDIO_MODELS_DIR'],
    description: 'folder that downloaded models are kept in',
    schema: z.string().min(1),
    default: join(homedir(), '.cache', 'studio', 'models'),
    valueName: '<dir>',
  }),
  hubEndpoint: defineOption({
    flag: 'hub-endpoint',
    env: ['STUDIO_HUB_ENDPOINT', 'HF_ENDPOINT'],
    description: 'the Hugging Face Hub, or a mirror of it, that hf: models are looked up and downloaded from',
    schema: endpointUrl,
    default: 'https://huggingface.co',
    valueName: '<url>',
  }),
  modelscopeEndpoint: defineOption({
    flag: 'modelscope-endpoint',
    env: ['STUDIO_MODELSCOPE_ENDPOINT', 'MODELSCOPE_DOMAIN'],
    description: 'ModelScope, or a mirror of it, that modelscope: models are looked up and downloaded from (a bare host name means https)',
    schema: endpointUrl,
    default: 'https://www.modelscope.cn',
    valueName: '<url>',
  }),
  maxBodyBytes: defineOption({
    flag: 'max-body-bytes',
    env: ['STUDIO_MAX_BODY_BYTES'],
    description: 'largest request body accepted, in bytes; 16 MiB by default when a catalog model has vision: true',
    schema: positiveInt,
    default: 4 * 1024 * 1024,
    valueName: '<bytes>',
  }),
  headersTimeout: defineOption({
    flag: 'headers-timeout',
    env: ['STUDIO_HEADERS_TIMEOUT'],
    // Real clients send their headers in one packet; a client that trickles them holds a connection for nothing.
    description: 'seconds a client has to send a request\'s headers, from its first byte; past it, a 408',
    schema: z.coerce.number().positive(),
    default: 10,
    valueName: '<seconds>',
  }),
  requestTimeout: defineOption({
    flag: 'request-timeout',
    env: ['STUDIO_REQUEST_TIMEOUT'],
    // The default body limit (4 MiB) arrives in 30 s at about 1.1 Mbit/s; a chat request is a few KB.
    description: 'seconds a client has to send a request\'s body, from the end of its headers; past it, a 408 (the response is not limited)',
    schema: z.coerce.number().positive(),
    default: 30,
    valueName: '<seconds>',
  }),
  keepAliveTimeout: defineOption({
    flag: 'keep-alive-timeout',
    env: ['STUDIO_KEEP_ALIVE_TIMEOUT'],
    // Node's own default: long enough for a client's next request, short enough not to hoard idle sockets.
    description: 'seconds an idle keep-alive connection stays open between requests (raise it above a load balancer\'s idle timeout)',
    schema: z.coerce.number().positive(),
    default: 5,
    valueName: '<seconds>',
  }),
  writeTimeout: defineOption({
    flag: 'write-timeout',
    env: ['STUDIO_WRITE_TIMEOUT'],
    description: 'seconds a stream waits for a client that reads nothing before it cuts the connection and stops the generation',
    schema: z.coerce.number().positive(),
    default: 30,
    valueName: '<seconds>',
  }),
  shutdownTimeout: defineOption({
    flag: 'shutdown-timeout',
    env: ['STUDIO_SHUTDOWN_TIMEOUT'],
    description: 'seconds open requests may take to finish on SIGINT/SIGTERM',
    schema: nonNegativeInt,
    default: 30,
    valueName: '<seconds>',
  }),
  logLevel: defineOption({
    flag: 'log-level',
    env: ['STUDIO_LOG_LEVEL'],
    description: 'log level',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info',
    valueName: '<level>',
  }),
  logFormat: defineOption({
    flag: 'log-format',
    env: ['STUDIO_LOG_FORMAT'],
    description: 'log lines for people (pretty) or JSON lines for a collector (default: pretty on a terminal, json otherwise)',
    schema: z.enum(['pretty', 'json']).optional(),
    default: undefined,
    valueName: '<format>',
  }),
  dataDir: defineOption({
    flag: 'data-dir',
    env: ['STUDIO_DATA_DIR'],
    description: 'folder of the SQLite store (keys, usage ledger; not with --database-url) and of the memory estimates of model files, created on first start',
    schema: z.string().min(1),
    default: join(process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'studio'),
    valueName: '<dir>',
  }),
  filesDir: defineOption({
    flag: 'files-dir',
    env: ['STUDIO_FILES_DIR'],
    description: 'folder of the Batch API\'s files (uploads and results), created on first upload; replicas sharing --database-url must share it too (default: files in --data-dir)',
    schema: z.string().min(1).optional(),
    default: undefined,
    valueName: '<dir>',
  }),
  maxFileBytes: defineOption({
    flag: 'max-file-bytes',
    env: ['STUDIO_MAX_FILE_BYTES'],
    // Model Studio's limit for a batch input file; the upload is streamed to disk, so memory never holds it.
    description: 'largest file a Batch API upload may hold, in bytes (its body must also arrive within --request-timeout)',
    schema: positiveInt,
    default: 500 * 1024 * 1024,
    valueName: '<bytes>',
  }),
  databaseUrl: defineOption({
    flag: 'database-url',
    env: ['STUDIO_DATABASE_URL', 'DATABASE_URL'],
    description: 'a PostgreSQL store shared by several Studio replicas, e.g. postgres://user:password@host/studio (default: SQLite in --data-dir)',
    schema: z
      .string()
      .regex(/^(postgres(ql)?:\/\/|pglite:)/, 'expected a postgres:// or postgresql:// URL (or pglite:FOLDER for an embedded PostgreSQL)')
      .optional(),
    default: undefined,
    secret: true,
    valueName: '<url>',
  }),
  redisUrl: defineOption({
    flag: 'redis-url',
    env: ['STUDIO_REDIS_URL', 'REDIS_URL'],
    description: 'a Redis that several replicas count rate limits in, so together they hold each key\'s limits (default: counted in this process)',
    schema: z.url({ protocol: /^rediss?$/, error: 'expected a redis:// or rediss:// URL' }).optional(),
    default: undefined,
    secret: true,
    valueName: '<url>',
  }),
  adminKey: defineOption({
    flag: 'admin-key',
    env: ['STUDIO_ADMIN_KEY'],
    description: 'bearer key of the admin API (/admin/v1/*: keys and usage); without it the admin API is off',
    schema: z.string().min(1).optional(),
    default: undefined,
    secret: true,
    valueName: '<key>',
  }),
  metricsAuth: defineOption({
    flag: 'metrics-auth',
    env: ['STUDIO_METRICS_AUTH'],
    description: '"on": GET /metrics answers only the admin key (--admin-key) as a bearer token; "off": open, as vLLM\'s is',
    schema: z.enum(['on', 'off']),
    default: 'off',
    valueName: '<on|off>',
  }),
  instanceId: defineOption({
    flag: 'instance-id',
    env: ['STUDIO_INSTANCE_ID'],
    // Ledger rows left open by a crash are closed at the next start of the same instance, and only of it.
    description: 'the name of this replica in the ledger, stable across restarts (default: host name and port)',
    schema: z.string().min(1).max(200).optional(),
    default: undefined,
    valueName: '<id>',
  }),
} as const;
