// `cloudlet-agent` as a program of the command kit (src/cli-kit/): its name, version, commands and PID 1 routing.

import type { ExitCode } from '../../errors';
import { dispatch as dispatchProgram } from '../../cli-kit/dispatch';
import type { Program } from '../../cli-kit/program';
import type { System } from '../../system/system';
import { VERSION } from '../../version';
import { AGENT_NAME } from './command';
import { COMMANDS } from './commands';

const AGENT: Program = {
  name: AGENT_NAME,
  tagline: 'brings a Cloudlet image to life on this machine',
  version: VERSION,
  commands: COMMANDS,
  exitCodes: 'Exit codes: 0 ok, 1 failed, 2 usage or invalid input, 3 requirements not met, 4 degraded, 5 timed out',
  // As PID 1 the kernel passes its own arguments (e.g. "splash", "-s"), never a command name; "--"
  // keeps them from being parsed as flags (a usage error would end PID 1 and panic the kernel).
  route: (argv, system) => (system.isPid1 && !COMMANDS.some((c) => c.name === argv[0]) ? ['init', '--', ...argv] : argv),
};

export function dispatch(argv: string[], system: System): Promise<ExitCode> {
  return dispatchProgram(AGENT, argv, system);
}
