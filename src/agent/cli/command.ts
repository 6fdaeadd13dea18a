// The agent's commands in the shared command shape (src/cli-kit/), with errors and help naming cloudlet-agent.

import { parseCommandArgs as parseProgramArgs, stringFlag, type Command, type ParsedArgs } from '../../cli-kit/command';

export { boolFlag, printJson, stringFlag, type Command, type FlagSpec, type ParsedArgs } from '../../cli-kit/command';

export const AGENT_NAME = 'cloudlet-agent';

export function parseCommandArgs(command: Command, argv: string[]): ParsedArgs {
  return parseProgramArgs(AGENT_NAME, command, argv);
}

export function rootOf(args: ParsedArgs): string {
  return stringFlag(args, 'root') ?? '/';
}
