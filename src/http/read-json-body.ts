// Reads a request body as JSON, turning a malformed one into the wire's 400.
import type { Context } from 'hono';
import { InvalidRequestError } from '../core/errors.js';
import type { AppEnv } from './app-env.js';

export async function readJsonBody(c: Context<AppEnv>): Promise<unknown> {
  const text = await (c.get('readBody')?.() ?? c.req.text());
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidRequestError('Required body invalid, please check the request body format.', undefined, { cause: error });
  }
}
