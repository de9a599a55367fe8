// Resolves options by precedence (flag, then environment, then config file, then default), validated and frozen.
import type { OptionSpec } from './option-spec.js';

type Specs = Readonly<Record<string, OptionSpec<unknown>>>;
export type OptionValues<S extends Specs> = { readonly [K in keyof S]: S[K] extends OptionSpec<infer T> ? T : never };

/** Raw values as the CLI parser hands them over: a string, or strings for repeatable flags. */
export type RawFlags = Readonly<Record<string, string | readonly string[] | undefined>>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** Option values read from a config file, keyed as the option specs are. */
export interface FileValues {
  readonly path: string;
  readonly values: Readonly<Record<string, unknown>>;
}

function rawValue(key: string, spec: OptionSpec<unknown>, flags: RawFlags, env: NodeJS.ProcessEnv, file: FileValues | undefined): { value: unknown; from: string } | undefined {
  const flagValue = flags[spec.flag];
  if (flagValue !== undefined) return { value: flagValue, from: `--${spec.flag}` };
  for (const name of spec.env) {
    const text = env[name];
    if (text !== undefined && text !== '') return { value: spec.repeatable ? splitList(text) : text, from: name };
  }
  const fileValue = file?.values[key];
  if (fileValue !== undefined) return { value: fileValue, from: `"${key}" in ${file?.path}` };
  return undefined;
}

/** Options hold scalars and lists of scalars, so freezing lists makes the whole configuration immutable. */
function frozen<T>(value: T): T {
  return Array.isArray(value) ? (Object.freeze([...value]) as T) : value;
}

function naming(spec: OptionSpec<unknown>): string {
  return [`--${spec.flag}`, ...spec.env].join(' / ');
}

/** Where each option's value came from: its flag (`--port`), an environment variable, `"port" in FILE`, or `default`. */
export type OptionSources<S extends Specs> = { readonly [K in keyof S]: string };

/** The values, and where each came from (for messages such as the start-up banner; never the value itself). */
export function resolveOptions<S extends Specs>(
  specs: S,
  flags: RawFlags,
  env: NodeJS.ProcessEnv,
  file?: FileValues,
): { readonly values: OptionValues<S>; readonly sources: OptionSources<S> } {
  const values: Record<string, unknown> = {};
  const sources: Record<string, string> = {};
  for (const [key, spec] of Object.entries(specs)) {
    const raw = rawValue(key, spec, flags, env, file);
    sources[key] = raw?.from ?? 'default';
    if (raw === undefined) {
      values[key] = frozen(spec.default);
      continue;
    }
    const parsed = spec.schema.safeParse(raw.value);
    if (!parsed.success) {
      const reason = parsed.error.issues[0]?.message ?? 'invalid value';
      // A secret's value (a key, a database URL with its password) never reaches the terminal or a log.
      throw new ConfigError(`Invalid ${naming(spec)} (from ${raw.from}): ${reason}${spec.secret ? '' : `; got ${JSON.stringify(raw.value)}`}.`);
    }
    values[key] = frozen(parsed.data);
  }
  return { values: Object.freeze(values) as OptionValues<S>, sources: Object.freeze(sources) as OptionSources<S> };
}

export function loadOptions<S extends Specs>(specs: S, flags: RawFlags, env: NodeJS.ProcessEnv, file?: FileValues): OptionValues<S> {
  return resolveOptions(specs, flags, env, file).values;
}

/** A printable copy with secrets replaced. */
export function redactOptions<S extends Specs>(specs: S, values: OptionValues<S>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => {
      if (!specs[key]?.secret) return [key, value];
      return [key, Array.isArray(value) ? value.map(() => '***') : '***'];
    }),
  );
}
