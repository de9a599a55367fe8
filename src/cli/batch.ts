// `studio batch`: run a JSONL file of requests as a batch on a running Studio (or Model Studio), list batches, and fetch one's results.
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { setTimeout as sleep } from 'node:timers/promises';
import Table from 'cli-table3';
import { Command, InvalidArgumentError } from 'commander';
import type OpenAI from 'openai';
import type { Batch } from 'openai/resources/batches';
import { loadServerClientOptions, serverClientOptions } from '../config/server-client-options.js';
import { batchInput } from './batch-input.js';
import { batchDisplay } from './batch-progress.js';
import { clientErrorText } from './client-error-text.js';
import { addOptionFlags } from './option-flags.js';
import { studioClient } from './studio-client.js';

/** The endpoint and window every Model Studio batch has. */
const ENDPOINT = '/v1/chat/completions';
const COMPLETION_WINDOW = '24h';
const POLL_MS = 1000;
const ENDED = new Set<Batch['status']>(['completed', 'failed', 'expired', 'cancelled']);

function time(seconds: number | null | undefined): string {
  return seconds == null ? '-' : `${new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

function linesText(batch: Batch): string {
  const { completed = 0, failed = 0, total = 0 } = batch.request_counts ?? {};
  return `${total} (${completed} succeeded, ${failed} failed)`;
}

/** The input's problems, one a line, as the server found them. */
function inputErrors(batch: Batch): string[] {
  return (batch.errors?.data ?? []).map((error) => `  ${error.line == null ? '' : `line ${error.line}: `}${error.message ?? error.code ?? 'invalid'}`);
}

function summary(batch: Batch): string {
  const lines = [`Batch ${batch.id} ${batch.status}, lines: ${linesText(batch)}.`, ...inputErrors(batch)];
  if (batch.output_file_id) lines.push(`Output: ${batch.output_file_id}; save it with: studio batch get ${batch.id} --out results.jsonl`);
  if (batch.error_file_id) lines.push(`Errors: ${batch.error_file_id}; save them with: studio batch get ${batch.id} --errors errors.jsonl`);
  return `${lines.join('\n')}\n`;
}

function details(batch: Batch): string {
  const rows: [string, string][] = [
    ['id', batch.id],
    ['status', batch.status],
    ['lines', linesText(batch)],
    ['input file', batch.input_file_id],
    ['output file', batch.output_file_id ?? '-'],
    ['error file', batch.error_file_id ?? '-'],
    ['created', time(batch.created_at)],
    ['ended', time(batch.completed_at ?? batch.failed_at ?? batch.expired_at ?? batch.cancelled_at)],
    ['expires', time(batch.expires_at)],
  ];
  const errors = inputErrors(batch);
  return `${rows.map(([name, value]) => `${name.padEnd(12)}${value}`).join('\n')}\n${errors.length === 0 ? '' : `input errors:\n${errors.join('\n')}\n`}`;
}

/** Polls until the batch ends, showing its progress; Ctrl-C stops the wait, not the batch. */
async function waitFor(client: OpenAI, created: Batch): Promise<Batch> {
  const display = batchDisplay(process.stderr);
  const interrupted = (): void => {
    display.stop();
    process.stderr.write(`\nThe batch goes on without you: studio batch get ${created.id}\n`);
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  let batch = created;
  try {
    while (!ENDED.has(batch.status)) {
      display.show(batch);
      await sleep(POLL_MS);
      batch = await client.batches.retrieve(batch.id);
    }
    display.show(batch);
    return batch;
  } finally {
    display.stop();
    process.off('SIGINT', interrupted);
  }
}

async function download(client: OpenAI, fileId: string, path: string): Promise<void> {
  const response = await client.files.content(fileId);
  if (response.body === null) throw new Error(`the server sent no content for ${fileId}`);
  await pipeline(Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>), createWriteStream(path));
}

function positiveInt(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > 100) throw new InvalidArgumentError('an integer from 1 to 100');
  return number;
}

/** A subcommand that talks to the server: --url and --api-key, its failures told in one line. */
function clientCommand(name: string, run: (client: OpenAI, command: Command, ...args: string[]) => Promise<void>): Command {
  const command = new Command(name);
  const readFlags = addOptionFlags(command, serverClientOptions);
  command.action(async (...args: unknown[]) => {
    const { url, apiKey } = loadServerClientOptions(readFlags(command));
    const { client, base } = await studioClient(url, apiKey);
    try {
      await run(client, command, ...args.filter((arg): arg is string => typeof arg === 'string'));
    } catch (error) {
      process.stderr.write(`studio batch ${name}: ${clientErrorText(error, base)}\n`);
      process.exitCode = 1;
    }
  });
  return command;
}

function createCommand(): Command {
  return clientCommand('create', async (client, command, path = '') => {
    const flags = command.opts<{ model?: string; wait: boolean }>();
    const input = await batchInput(path, flags.model);
    const uploaded = await client.files.create({ file: input.file, purpose: 'batch' }).finally(() => input.dispose());
    const created = await client.batches.create({ input_file_id: uploaded.id, endpoint: ENDPOINT, completion_window: COMPLETION_WINDOW }).catch(async (error: unknown) => {
      // Refused (a key not allowed the model, a spent budget): the upload would only sit there.
      await client.files.delete(uploaded.id).catch(() => undefined);
      throw error;
    });
    process.stdout.write(`Batch ${created.id} created from ${path} (uploaded as ${uploaded.id}).\n`);
    if (!flags.wait) return void process.stdout.write(`Follow it with: studio batch get ${created.id}\n`);
    const ended = await waitFor(client, created);
    process.stdout.write(summary(ended));
    if (ended.status !== 'completed') process.exitCode = 1;
  })
    .description('upload a JSONL file of chat requests, run it as a batch and wait for it with a progress bar')
    .argument('<file>', 'one request a line: {"custom_id":"1","method":"POST","url":"/v1/chat/completions","body":{"model":…,"messages":[…]}}')
    .option('-m, --model <name>', "run every line on this model (sets each line's body.model)")
    .option('--no-wait', 'print the batch id and return at once');
}

function listCommand(): Command {
  return clientCommand('list', async (client, command) => {
    const { limit } = command.opts<{ limit: number }>();
    const page = await client.batches.list({ limit });
    const table = new Table({ head: ['id', 'status', 'lines', 'failed', 'created', 'output file'], style: { head: [], border: [] } });
    for (const batch of page.data) {
      const { completed = 0, failed = 0, total = 0 } = batch.request_counts ?? {};
      table.push([batch.id, batch.status, `${completed + failed}/${total}`, String(failed), time(batch.created_at), batch.output_file_id ?? '-']);
    }
    process.stdout.write(page.data.length === 0 ? 'No batches.\n' : `${table.toString()}\n`);
  })
    .description('list the batches, newest first')
    .option('--limit <n>', 'how many to show, 1 to 100', positiveInt, 20);
}

function getCommand(): Command {
  return clientCommand('get', async (client, command, id = '') => {
    const flags = command.opts<{ out?: string; errors?: string }>();
    const batch = await client.batches.retrieve(id);
    process.stdout.write(details(batch));
    for (const [path, fileId, what] of [[flags.out, batch.output_file_id, 'output'], [flags.errors, batch.error_file_id, 'error']] as const) {
      if (path === undefined) continue;
      if (!ENDED.has(batch.status)) throw new Error(`the batch is ${batch.status}: its files are written once it ends`);
      // An ended batch without the file had no line of that kind: nothing to save, and nothing wrong.
      if (!fileId) {
        process.stdout.write(`No ${what} file: ${what === 'output' ? 'no line succeeded' : 'no line failed'}.\n`);
        continue;
      }
      await download(client, fileId, path);
      process.stdout.write(`Saved the ${what} file ${fileId} to ${path}.\n`);
    }
  })
    .description("show a batch's status and lines; with --out, save its results")
    .argument('<id>', 'the batch id, batch_…')
    .option('--out <file>', "save the batch's output file (one result a line) here")
    .option('--errors <file>', "save the batch's error file (its failed lines) here");
}

export function batchCommand(): Command {
  return new Command('batch')
    .description('run a file of requests in the background at the batch price (the Batch API), and fetch the results')
    .addCommand(createCommand())
    .addCommand(listCommand())
    .addCommand(getCommand());
}
