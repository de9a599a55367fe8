// Validates a benchmark script's numeric flag.
import { z } from 'zod';

export function positiveInteger(flag: string, value: string): number {
  const parsed = z.coerce.number().int().min(1).safeParse(value);
  if (!parsed.success) throw new Error(`--${flag} must be a positive integer, not "${value}"`);
  return parsed.data;
}
