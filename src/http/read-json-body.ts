// Reads a request body as JSON, turning a malformed one, or one its schema refuses, into the wire's 400.
import type { Context } from 'hono';
import type { z } from 'zod';
import { InvalidRequestError } from '../core/errors.js';
import { invalidRequestFromZod } from '../protocols/invalid-request-from-zod.js';
import type { AppEnv } from './app-env.js';

export async function readJsonBody(c: Context<AppEnv>): Promise<unknown> {
  const text = await (c.get('readBody')?.() ?? c.req.text());
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidRequestError('Required body invalid, please check the request body format.', undefined, { cause: error });
  }
}

export async function parseJsonBody<T>(c: Context<AppEnv>, schema: z.ZodType<T>): Promise<T> {
  const body = await readJsonBody(c);
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw invalidRequestFromZod(parsed.error, body);
  return parsed.data;
}
