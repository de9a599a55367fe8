// The chat's slash commands: each changes the session or says something, and says whether the chat goes on.
import { writeFile } from 'node:fs/promises';
import type { ChatSession } from './chat-session.js';

export const chatHelp = `/system TEXT       set the system prompt (no TEXT: remove it)
/model NAME        answer with another model (no NAME: list the served models)
/temperature X     set the sampling temperature (no X: the server's default)
/max-tokens N      cap each answer at N tokens (no N: the server's default)
/think on|off      turn the model's thinking on or off
/reset             forget the conversation
/save FILE         write the conversation to FILE as JSON
/help              this list
/exit              leave (so do Ctrl-D and Ctrl-C at the prompt)
Ctrl-C while an answer streams stops it.`;

export interface SlashResult {
  /** What to tell the person; empty when there is nothing to say. */
  readonly say: string;
  readonly exit?: boolean;
}

/** Runs `line` (which starts with `/`) against `session`. */
export async function runSlashCommand(line: string, session: ChatSession): Promise<SlashResult> {
  const [, name = '', rest = ''] = /^\/(\S*)\s*(.*)$/s.exec(line.trim()) ?? [];
  const argument = rest.trim();
  const { settings } = session;
  switch (name) {
    case 'system':
      settings.system = argument === '' ? undefined : argument;
      return { say: argument === '' ? 'system prompt removed' : 'system prompt set' };
    case 'model': {
      if (argument === '') return { say: `model: ${settings.model}\nserved: ${(await session.modelNames()).join(', ')}` };
      settings.model = argument;
      return { say: `model: ${argument}` };
    }
    case 'temperature': {
      if (argument === '') {
        settings.temperature = undefined;
        return { say: "temperature: the server's default" };
      }
      const value = Number(argument);
      if (!Number.isFinite(value) || value < 0 || value > 2) return { say: 'the temperature is a number from 0 to 2' };
      settings.temperature = value;
      return { say: `temperature: ${value}` };
    }
    case 'max-tokens': {
      const value = Number(argument);
      if (argument !== '' && (!Number.isInteger(value) || value < 1)) return { say: 'the most tokens is a whole number above 0' };
      settings.maxTokens = argument === '' ? undefined : value;
      return { say: `max tokens: ${argument === '' ? "the server's default" : value}` };
    }
    case 'think':
      if (argument !== 'on' && argument !== 'off') return { say: 'usage: /think on|off' };
      settings.think = argument === 'on';
      return { say: `thinking ${argument}` };
    case 'reset':
      session.reset();
      return { say: 'conversation forgotten' };
    case 'save': {
      if (argument === '') return { say: 'usage: /save FILE' };
      const saved = { model: settings.model, temperature: settings.temperature, enable_thinking: settings.think, messages: session.messages };
      await writeFile(argument, `${JSON.stringify(saved, null, 2)}\n`);
      return { say: `saved to ${argument}` };
    }
    case 'help':
      return { say: chatHelp };
    case 'exit':
    case 'quit':
      return { say: '', exit: true };
    default:
      return { say: `unknown command /${name}; /help lists them` };
  }
}
