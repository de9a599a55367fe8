// How one option is described once and read from a flag, the environment or its default.
import type { z } from 'zod';

export interface OptionSpec<T> {
  /** Long flag without dashes, e.g. `port` for `--port`. */
  readonly flag: string;
  /** Environment variables, first match wins. */
  readonly env: readonly string[];
  readonly description: string;
  /** Parses the raw text (or texts, for repeatable options) of a flag or variable. */
  readonly schema: z.ZodType<T>;
  readonly default: T;
  /** A flag that may be given several times; its environment variable holds a comma-separated list. */
  readonly repeatable?: boolean;
  /** Redacted whenever the configuration is printed. */
  readonly secret?: boolean;
  /** The placeholder shown in --help, e.g. `<tokens>`. */
  readonly valueName: string;
}

export function defineOption<T>(spec: OptionSpec<T>): OptionSpec<T> {
  return spec;
}
