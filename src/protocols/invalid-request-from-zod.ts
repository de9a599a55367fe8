// Turns the first schema violation of a request body into an InvalidRequestError naming the field.
import type { z } from 'zod';
import { InvalidRequestError } from '../core/errors.js';

/** `messages[0].content` style, as the wires' own error messages name fields. */
export function formatParamPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text === '' ? String(key) : `${text}.${String(key)}`;
  }, '');
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let value = body;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function describeIssue(issue: z.core.$ZodIssue, param: string): string {
  // Messages written in a schema (ranges, Model Studio's own wording) are complete sentences already.
  if (issue.code === 'custom' || issue.code === 'too_small' || issue.code === 'too_big' || issue.message.includes(param)) return issue.message;
  return `Invalid value for '${param}': ${issue.message.replace(/\.$/, '')}.`;
}

export function invalidRequestFromZod(error: z.ZodError, body: unknown): InvalidRequestError {
  const issue = error.issues[0];
  if (issue === undefined) return new InvalidRequestError('The request body is invalid.');
  const param = formatParamPath(issue.path);
  if (param !== '' && valueAt(body, issue.path) === undefined) {
    return new InvalidRequestError(`Required parameter '${param}' is missing.`, param, { missing: true });
  }
  return new InvalidRequestError(describeIssue(issue, param), param || undefined);
}
