#!/usr/bin/env node
// The `studio` command line: parses commands and flags and runs the chosen command.
import { constants } from 'node:os';
import { Command } from 'commander';
import { ConfigError } from '../config/load-options.js';
import { loadServerConfig } from '../config/server-config.js';
import { serverOptions } from '../config/server-options.js';
import { ModelSourceError } from '../engines/llama/model-source.js';
import { modelsCommand } from './models.js';
import { addOptionFlags } from './option-flags.js';
import { pullCommand } from './pull.js';
import { rmCommand } from './rm.js';
import { studioVersion } from './studio-version.js';

/** Errors whose message is the whole story for the person at the terminal. */
function isUserFacing(error: unknown): error is Error {
  return error instanceof ConfigError || error instanceof ModelSourceError;
}

function program(): Command {
  const studio = new Command('studio')
    .description('Self-hosted text generation with Alibaba Cloud Model Studio (DashScope) compatible APIs.')
    .version(studioVersion(), '-V, --version', 'print the version of Studio')
    .showHelpAfterError();

  const serve = studio.command('serve').description('load a model and serve the OpenAI-compatible API');
  const readFlags = addOptionFlags(serve, serverOptions);
  serve.action(async () => {
    // Loaded here so that the other commands start without loading llama.cpp.
    const { startServer } = await import('./serve.js');
    const config = loadServerConfig(readFlags(serve));
    const running = await startServer(config);
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      // Whoever signals a second time will not wait for the drain.
      if (stopping) process.exit(128 + constants.signals[signal]);
      stopping = true;
      process.stdout.write(
        `Received ${signal}: new requests get 503 while open ones finish (up to ${config.shutdownTimeout} s); press Ctrl-C again to stop now.\n`,
      );
      void running.close().then(() => process.exit(0));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });

  studio.addCommand(pullCommand());
  studio.addCommand(modelsCommand());
  studio.addCommand(rmCommand());
  return studio;
}

try {
  await program().parseAsync(process.argv);
} catch (error) {
  if (!isUserFacing(error)) throw error;
  process.stderr.write(`studio: ${error.message}\n`);
  process.exitCode = 1;
}
