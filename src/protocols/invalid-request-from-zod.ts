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

function describeIssue(issue: z.core.$ZodIssue, param: string): string {
  // Messages set in a schema are already worded for users; zod's defaults need the field named.
  if (issue.code === 'custom' || issue.message.startsWith('Range') || issue.message.includes(param)) return issue.message;
  if (issue.code === 'invalid_type' && issue.input === undefined) return `Required parameter '${param}' is missing.`;
  return `Invalid value for '${param}': ${issue.message}.`;
}

export function invalidRequestFromZod(error: z.ZodError): InvalidRequestError {
  const issue = error.issues[0];
  if (issue === undefined) return new InvalidRequestError('The request body is invalid.');
  const param = formatParamPath(issue.path);
  return new InvalidRequestError(describeIssue(issue, param), param || undefined);
}
