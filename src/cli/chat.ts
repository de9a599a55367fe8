// `studio chat`: talk to a Studio (or Model Studio itself) from a terminal, or ask one question from a script.
import { text } from 'node:stream/consumers';
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadServerClientOptions, serverClientOptions } from '../config/server-client-options.js';
import { clientErrorText } from './client-error-text.js';
import { runChatRepl } from './chat-repl.js';
import { ChatSession } from './chat-session.js';
import { addOptionFlags } from './option-flags.js';
import { studioClient } from './studio-client.js';

interface ChatFlags {
  readonly model?: string;
  readonly system?: string;
  readonly temperature?: number;
  readonly maxTokens?: number;
  readonly think?: 'on' | 'off';
}

function numberIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (value.trim() === '' || !Number.isFinite(number) || number < min || number > max) throw new InvalidArgumentError(`a number from ${min} to ${max}`);
    return number;
  };
}

/** The model to use: the named one, the only one served, or (for a person at a terminal) the ones to pick from. */
async function chooseModel(session: ChatSession, named: string | undefined, interactive: boolean): Promise<{ model: string; choices: string[] }> {
  if (named !== undefined) return { model: named, choices: [] };
  const names = await session.modelNames();
  if (names.length === 1) return { model: names[0] ?? '', choices: [] };
  if (names.length === 0) throw new Error('the server serves no models');
  if (!interactive) throw new Error(`the server serves ${names.length} models (${names.join(', ')}); name one with --model`);
  return { model: '', choices: names };
}

/** Asks one question and prints just the answer. */
async function answerOnce(session: ChatSession, prompt: string): Promise<void> {
  let last = '';
  await session.ask(prompt, {
    text: (delta) => {
      process.stdout.write(delta);
      last = delta;
    },
    reasoning: () => {},
  });
  if (!last.endsWith('\n')) process.stdout.write('\n');
}

export function chatCommand(): Command {
  const command = new Command('chat')
    .description('chat with a running Studio (or Model Studio) at a terminal; with a PROMPT, or a prompt on stdin, print one answer and exit')
    .argument('[prompt...]', 'ask this one question and print just the answer')
    .option('-m, --model <name>', 'the model to chat with (default: the only one served, or pick one from the list)')
    .option('--system <text>', 'the system prompt')
    .option('--temperature <x>', 'the sampling temperature, 0 to 2', numberIn(0, 2))
    .option('--max-tokens <n>', 'the most tokens an answer may have', numberIn(1, Number.MAX_SAFE_INTEGER))
    .addOption(new Option('--think <on|off>', "turn the model's thinking on or off (enable_thinking)").choices(['on', 'off']));
  const readClientFlags = addOptionFlags(command, serverClientOptions);
  command.action(async (words: string[]) => {
    const flags = command.opts<ChatFlags>();
    const { url, apiKey } = loadServerClientOptions(readClientFlags(command));
    const { client, base } = await studioClient(url, apiKey);
    const stdinPrompt = words.length === 0 && process.stdin.isTTY !== true;
    const interactive = words.length === 0 && !stdinPrompt;
    const session = new ChatSession(client, {
      model: '',
      system: flags.system,
      temperature: flags.temperature,
      maxTokens: flags.maxTokens,
      think: flags.think === undefined ? undefined : flags.think === 'on',
    });
    try {
      const { model, choices } = await chooseModel(session, flags.model, interactive);
      session.settings.model = model;
      if (interactive) return await runChatRepl(session, base, choices, { input: process.stdin, output: process.stdout });
      const prompt = stdinPrompt ? (await text(process.stdin)).trim() : words.join(' ');
      if (prompt === '') throw new Error('no prompt: pass one as an argument or on stdin');
      await answerOnce(session, prompt);
    } catch (error) {
      process.stderr.write(`studio chat: ${clientErrorText(error, base)}\n`);
      process.exitCode = 1;
    }
  });
  return command;
}
