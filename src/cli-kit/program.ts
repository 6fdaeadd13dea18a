// What a program is to the command kit: its name, version and command table, and the overview --help prints.

import type { System } from '../system/system';
import type { Command } from './command';

/** One row of a program's command table: name and summary at hand, the command itself loaded when it runs. */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

export interface Program {
  /** the executable's name, as usage lines, errors and --version show it */
  name: string;
  /** what the program does, in one line */
  tagline: string;
  version: string;
  commands: readonly CommandEntry[];
  /** the program's exit codes, in one line */
  exitCodes: string;
  /** the command line to dispatch, given the one the program was started with (default: itself) */
  route?(argv: string[], system: System): string[];
}

export function usageText(program: Program): string {
  const { name, commands } = program;
  const width = Math.max('--version'.length, ...commands.map((c) => c.name.length));
  return [
    `${name}: ${program.tagline}`,
    '',
    `Usage: ${name} COMMAND [options]   (${name} help COMMAND, or ${name} COMMAND --help, for each)`,
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `  ${'--version'.padEnd(width)}  the versions of ${name} and Node.js`,
    '',
    program.exitCodes,
  ].join('\n');
}

export function versionText(program: Program): string {
  return `${program.name} ${program.version} (node ${process.version})`;
}
