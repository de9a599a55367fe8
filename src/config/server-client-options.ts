// Options of the commands that ask a running Studio server something (`studio models`): where it is and the key to use.
import { z } from 'zod';
import { loadOptions, type OptionValues, type RawFlags } from './load-options.js';
import { defineOption } from './option-spec.js';

export const serverClientOptions = {
  url: defineOption({
    flag: 'url',
    env: ['STUDIO_URL'],
    description: 'the Studio server (or Model Studio) to talk to',
    schema: z.url({ protocol: /^https?$/ }),
    default: 'http://127.0.0.1:8000',
    valueName: '<url>',
  }),
  apiKey: defineOption({
    flag: 'api-key',
    env: ['DASHSCOPE_API_KEY'],
    description: 'the key to send to that server, when it requires one',
    schema: z.string().min(1).optional(),
    default: undefined,
    secret: true,
    valueName: '<key>',
  }),
} as const;

export type ServerClientOptions = OptionValues<typeof serverClientOptions>;

export function loadServerClientOptions(flags: RawFlags, env: NodeJS.ProcessEnv = process.env): ServerClientOptions {
  return loadOptions(serverClientOptions, flags, env);
}
