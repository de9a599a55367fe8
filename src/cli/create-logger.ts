// The server's logger: readable lines for a person at a terminal, JSON lines (one object a line) for a log collector.
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type LogFormat = 'pretty' | 'json';

/** Pretty unless told otherwise only where a person reads stdout: a pipe or a file gets JSON lines. */
export function createLogger(level: string, format: LogFormat = process.stdout.isTTY ? 'pretty' : 'json'): Logger {
  if (format === 'json') return pino({ level });
  // Synchronous, so the lines written just before process.exit are not lost; colours only for a terminal.
  return pino({ level }, pretty({ sync: true, colorize: process.stdout.isTTY === true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }));
}
