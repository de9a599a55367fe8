// Start-up of each server, side by side: spawn to the first chat reply (after /v1/models answers), a few starts each, taking turns.
import { median } from './stats.js';
import { startServerProcess, type ServerCommand } from './server-process.js';
import { chatClient } from './stream-timing.js';

export interface StartUpResult {
  /** Every start's time from spawning to the first chat reply, in order. */
  readonly runsMs: readonly number[];
  readonly medianMs: number;
}

/** One start: spawn, wait for `/v1/models`, send a one-token chat (which may wait for the model), stop. */
async function startOnce(command: ServerCommand): Promise<number> {
  const server = await startServerProcess({ ...command, readyPath: '/v1/models' });
  try {
    const client = chatClient(server.url);
    const [model] = (await client.models.list()).data;
    if (model === undefined) throw new Error(`${command.name} lists no model`);
    await client.chat.completions.create({ model: model.id, messages: [{ role: 'user', content: 'Hi' }], max_tokens: 1, temperature: 0 });
    return performance.now() - server.spawnedAt;
  } finally {
    await server.stop();
  }
}

type Commands = Readonly<Record<'studio' | 'llamaServer', () => Promise<ServerCommand>>>;

/** `runs` starts of each server (each command made anew, with a fresh port), alternating which goes first each round. */
export async function measureStartUp(commands: Commands, runs: number): Promise<{ readonly studio: StartUpResult; readonly llamaServer: StartUpResult }> {
  const times = { studio: [] as number[], llamaServer: [] as number[] };
  for (let round = 0; round < runs; round++) {
    const order = round % 2 === 0 ? (['studio', 'llamaServer'] as const) : (['llamaServer', 'studio'] as const);
    for (const name of order) times[name].push(await startOnce(await commands[name]()));
  }
  const result = (runsMs: number[]): StartUpResult => ({ runsMs, medianMs: median(runsMs) });
  return { studio: result(times.studio), llamaServer: result(times.llamaServer) };
}
