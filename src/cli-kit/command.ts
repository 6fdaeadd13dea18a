// The shape of a command of either program, and the helpers every command uses to read its arguments.

import { parseArgs } from 'node:util';
import { AgentError, type ExitCode } from '../errors';
import type { System } from '../system/system';

export type FlagSpec = Record<string, { type: 'boolean' | 'string'; short?: string; multiple?: boolean }>;

export interface Command {
  /** the same name as its entry in the program's command table, which also holds the one-line summary */
  name: string;
  /** usage line after "PROGRAM NAME", e.g. "[--root DIR] [--json]" */
  usage: string;
  /** lines explaining the flags, shown by --help */
  details: string[];
  /** at least one example command line */
  examples: string[];
  flags: FlagSpec;
  /** accepts "-- CMD..." or other positionals */
  positionals?: boolean;
  run(args: ParsedArgs, system: System): Promise<ExitCode>;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** `argv` after the command name, checked against the command's flags; `program` names the executable in errors. */
export function parseCommandArgs(program: string, command: Command, argv: string[]): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...command.flags, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    if (!command.positionals && positionals.length > 0) {
      throw new Error(`unexpected argument "${positionals[0]}"`);
    }
    return { values: values as ParsedArgs['values'], positionals };
  } catch (err) {
    throw new AgentError('E_USAGE', `${program} ${command.name}: ${(err as Error).message}`, {
      fix: `see "${program} ${command.name} --help"`,
    });
  }
}

export function helpText(program: string, command: Command, summary: string): string {
  return [
    `${program} ${command.name} ${command.usage}`.trimEnd(),
    '',
    summary,
    ...(command.details.length ? ['', ...command.details.map((d) => `  ${d}`)] : []),
    '',
    'Examples:',
    ...command.examples.map((e) => `  ${e}`),
  ].join('\n');
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function boolFlag(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

export function printJson(system: System, value: unknown): void {
  system.out(JSON.stringify(value, null, 2));
}
