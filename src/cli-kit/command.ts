// The shape of a command of either program, and the helpers every command uses to read its arguments.

import { parseArgs } from 'node:util';
import { AgentError, type ExitCode } from '../errors';
import type { System } from '../system/system';
import { optionProblem } from './option-check';
import type { Program } from './program';

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
  /** `program` is the one dispatching (always given by dispatch): its name and table, for commands that describe the program */
  run(args: ParsedArgs, system: System, program?: Program): Promise<ExitCode>;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** `argv` after the command name, checked against the command's flags; `program` names the executable in errors. */
export function parseCommandArgs(program: string, command: Command, argv: string[]): ParsedArgs {
  const options: FlagSpec = { ...command.flags, help: { type: 'boolean', short: 'h' } };
  const refuse = (message: string): AgentError =>
    new AgentError('E_USAGE', `${program} ${command.name}: ${message}`, {
      fix: `see "${program} ${command.name} --help"${Object.keys(command.flags).length ? ` (options: ${Object.keys(options).map((f) => `--${f}`).join(', ')})` : ''}`,
    });
  const problem = optionProblem(argv, options, (flag) => valueName(command, flag));
  if (problem !== undefined) throw refuse(problem);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch {
    // optionProblem refuses whatever parseArgs would; its own wording never reaches the user.
    throw refuse('cannot read the options as given');
  }
  const { values, positionals } = parsed;
  if (!command.positionals && positionals.length > 0) throw refuse(`unexpected argument "${positionals[0]}"`);
  return { values: values as ParsedArgs['values'], positionals };
}

/** The placeholder the usage line gives a string flag's value ("--root DIR" -> DIR), VALUE when it gives none. */
export function valueName(command: Command, flag: string): string {
  const escaped = flag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`--${escaped}[ =]([A-Z][A-Za-z0-9_=-]*|[a-z][a-z0-9-]*(?:\\|[a-z0-9-]+)+)`).exec(command.usage)?.[1] ?? 'VALUE';
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
