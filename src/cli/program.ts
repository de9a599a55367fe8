// The `studio` command line: parses commands and flags and runs the chosen command.
import { Command } from 'commander';
import { ConfigError } from '../config/load-options.js';
import { StudioError } from '../core/errors.js';
import { loadServerConfig } from '../config/server-config.js';
import { serverOptions } from '../config/server-options.js';
import { ModelSourceError } from '../engines/llama/model-source.js';
import { batchCommand } from './batch.js';
import { chatCommand } from './chat.js';
import { keysCommand } from './keys.js';
import { migrateCommand } from './migrate.js';
import { modelsCommand } from './models.js';
import { addOptionFlags } from './option-flags.js';
import { pullCommand } from './pull.js';
import { rmCommand } from './rm.js';
import { stopOnSignals } from './stop-on-signals.js';
import { studioVersion } from './studio-version.js';
import { usageCommand } from './usage.js';

/** Errors whose message is the whole story for the person at the terminal. */
function isUserFacing(error: unknown): error is Error {
  // The store's refusals (a key's name taken, no such key) are written for whoever asked.
  const refused = error instanceof StudioError && (error.code === 'invalid_request' || error.code === 'not_found');
  return refused || error instanceof ConfigError || error instanceof ModelSourceError;
}

function program(): Command {
  const studio = new Command('studio')
    .description('Self-hosted text generation with Alibaba Cloud Model Studio (DashScope) compatible APIs.')
    .version(studioVersion(), '-V, --version', 'print the version of Studio')
    .showHelpAfterError();

  const serve = studio.command('serve').description('load a model and serve the OpenAI-compatible API');
  const readFlags = addOptionFlags(serve, serverOptions);
  serve.action(async () => {
    const config = loadServerConfig(readFlags(serve));
    // llama.cpp first: its import and its binding's check take seconds, while serve's own modules load. Loaded here, not at
    // the top, so that the other commands start without it.
    const runtime = import('../engines/llama/llama-runtime.js').then(({ loadLlamaRuntime }) => loadLlamaRuntime(config.gpu === 'off'));
    // A failure is told by startServer, which waits for it.
    runtime.catch(() => undefined);
    const { startServer } = await import('./serve.js');
    stopOnSignals(await startServer(config, { runtime }), config.shutdownTimeout);
  });

  studio.addCommand(pullCommand());
  studio.addCommand(modelsCommand());
  studio.addCommand(rmCommand());
  studio.addCommand(keysCommand());
  studio.addCommand(migrateCommand());
  studio.addCommand(usageCommand());
  studio.addCommand(chatCommand());
  studio.addCommand(batchCommand());
  return studio;
}

try {
  await program().parseAsync(process.argv);
} catch (error) {
  if (!isUserFacing(error)) throw error;
  process.stderr.write(`studio: ${error.message}\n`);
  process.exitCode = 1;
}
