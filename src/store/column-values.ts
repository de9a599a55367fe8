// Column values to and from what every dialect stores: ISO text or timestamptz, int8 as strings, money in millionths.

export function toIso(date: Date): string {
  return date.toISOString();
}

export function fromTimestamp(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

export function fromOptionalTimestamp(value: Date | string | null): Date | undefined {
  return value === null ? undefined : fromTimestamp(value);
}

export function fromCount(value: number | string | bigint | null): number {
  return value === null ? 0 : Number(value);
}

/** Money is kept as an integer count of millionths of the currency unit, so sums are exact. */
export function toMicros(amount: number): number {
  return Math.round(amount * 1_000_000);
}

export function fromMicros(micros: number | string | bigint | null): number {
  return fromCount(micros) / 1_000_000;
}

/** The UTC day of a moment, as daily totals are keyed. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
