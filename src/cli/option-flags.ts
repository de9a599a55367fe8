// Builds commander options from the configuration's option specs, so --help and the config never disagree.
import { Option, type Command } from 'commander';
import { z } from 'zod';
import type { RawFlags } from '../config/load-options.js';
import type { OptionSpec } from '../config/option-spec.js';

function describe(spec: OptionSpec<unknown>): string {
  const shownDefault = spec.secret || spec.default === undefined || (Array.isArray(spec.default) && spec.default.length === 0) ? '' : ` (default: ${String(spec.default)})`;
  return `${spec.description}${shownDefault} [env: ${spec.env.join(', ')}]`;
}

/** Adds one option per spec; defaults stay out of commander so the environment can still win over them. */
export function addOptionFlags(command: Command, specs: Readonly<Record<string, OptionSpec<unknown>>>): (command: Command) => RawFlags {
  const options = Object.values(specs).map((spec) => {
    const option = new Option(`--${spec.flag} ${spec.valueName}`, describe(spec));
    // Commander lists the choices in --help and names them when a flag's value is not one of them.
    if (spec.schema instanceof z.ZodEnum) option.choices(spec.schema.options.map(String));
    if (spec.repeatable) option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
    command.addOption(option);
    return { spec, option };
  });
  return (parsed) =>
    Object.fromEntries(options.map(({ spec, option }) => [spec.flag, parsed.getOptionValue(option.attributeName()) as string | string[] | undefined]));
}
