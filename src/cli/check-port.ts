// Finds out before a model loads whether Studio can listen where it was asked to, and says so in one line.
import { createServer } from 'node:net';
import { ConfigError } from '../config/load-options.js';

/** A listen error as one line for the person at the terminal, or the error itself when it is not about the address. */
export function listenError(error: unknown, host: string, port: number): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `${host}:${port}`;
  if (code === 'EADDRINUSE') {
    return new ConfigError(`Port ${port} on ${host} is already in use (is another Studio running?); choose another with --port <port> (or STUDIO_PORT).`, { cause: error });
  }
  if (code === 'EACCES') {
    return new ConfigError(`Not allowed to listen on ${where}: ports below 1024 need privileges; choose another with --port <port> (or STUDIO_PORT).`, { cause: error });
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new ConfigError(`Cannot listen on ${where}: ${host} is not an address of this machine; choose another with --host <address> (or STUDIO_HOST).`, { cause: error });
  }
  return error;
}

/** Binds the address for a moment and lets it go, so a taken port is reported before minutes of loading. */
export async function checkPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (error) => reject(listenError(error, host, port)));
    probe.listen({ host, port }, resolve);
  });
  await new Promise((resolve) => probe.close(resolve));
}
