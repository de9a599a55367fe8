// The interactive chat at a terminal: a prompt, streamed answers with the reasoning dimmed, slash commands, and Ctrl-C that stops an answer.
import { createInterface, type Interface } from 'node:readline';
import { clientErrorText } from './client-error-text.js';
import type { AnswerSink, ChatSession } from './chat-session.js';
import { runSlashCommand } from './chat-slash-command.js';
import { chatStatsLine } from './chat-stats-line.js';

interface Terminal {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream & { readonly isTTY?: boolean };
}

/** Asks which of `names` to chat with; undefined when the person left instead. */
function pickModel(rl: Interface, names: readonly string[], write: (text: string) => void): Promise<string | undefined> {
  write(`The server serves ${names.length} models:\n${names.map((name, index) => `  ${index + 1}. ${name}`).join('\n')}\n`);
  return new Promise((resolve) => {
    const leave = (): void => resolve(undefined);
    rl.once('close', leave);
    const ask = (): void =>
      rl.question('model (number or name): ', (answer) => {
        const chosen = names[Number(answer) - 1] ?? names.find((name) => name === answer.trim());
        if (chosen === undefined) return ask();
        rl.off('close', leave);
        resolve(chosen);
      });
    ask();
  });
}

/** Writes an answer's reasoning dimmed (plain when not on a terminal) and a line break where the answer proper starts. */
function answerSink(write: (text: string) => void, dim: (text: string) => string): AnswerSink & { end(): void } {
  let last: 'reasoning' | 'text' | undefined;
  let endsWithNewline = true;
  const put = (text: string, shown = text): void => {
    write(shown);
    endsWithNewline = text.endsWith('\n');
  };
  return {
    reasoning(delta) {
      put(delta, dim(delta));
      last = 'reasoning';
    },
    text(delta) {
      if (last === 'reasoning' && !endsWithNewline) put('\n');
      put(delta);
      last = 'text';
    },
    end() {
      if (!endsWithNewline) put('\n');
    },
  };
}

/** Runs the chat until /exit, Ctrl-D, or Ctrl-C at the prompt; `choices` are the models to pick from when none was named. */
export async function runChatRepl(session: ChatSession, url: string, choices: readonly string[], { input, output }: Terminal): Promise<void> {
  const rl = createInterface({ input, output, prompt: '> ', terminal: output.isTTY === true });
  const write = (text: string): void => void output.write(text);
  const dim = output.isTTY === true ? (text: string) => `\x1b[2m${text}\x1b[22m` : (text: string) => text;
  let answering: AbortController | undefined;
  // Readline turns Ctrl-C into this event once the terminal is raw: stop the answer, or leave at the prompt.
  rl.on('SIGINT', () => (answering === undefined ? rl.close() : answering.abort()));

  if (choices.length > 0) {
    const chosen = await pickModel(rl, choices, write);
    if (chosen === undefined) return;
    session.settings.model = chosen;
  }
  write(`Chatting with ${session.settings.model} at ${url}. /help lists the commands; Ctrl-C stops an answer.\n`);
  rl.prompt();
  for await (const line of rl) {
    if (line.trim().startsWith('/')) {
      const result = await runSlashCommand(line, session).catch((error: unknown) => ({ say: clientErrorText(error, url), exit: false }));
      if (result.exit === true) break;
      if (result.say !== '') write(`${result.say}\n`);
    } else if (line.trim() !== '') {
      answering = new AbortController();
      const sink = answerSink(write, dim);
      try {
        const stats = await session.ask(line, sink, answering.signal);
        sink.end();
        write(`${dim(chatStatsLine(stats))}\n`);
      } catch (error) {
        sink.end();
        write(`error: ${clientErrorText(error, url)}\n`);
      } finally {
        answering = undefined;
      }
    }
    rl.prompt();
  }
  rl.close();
}
