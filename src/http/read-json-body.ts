// Reads a request body as JSON, turning a malformed one into the wire's 400.
import type { Context } from 'hono';
import { InvalidRequestError } from '../core/errors.js';

export async function readJsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidRequestError('Required body invalid, please check the request body format.', undefined, { cause: error });
  }
}
