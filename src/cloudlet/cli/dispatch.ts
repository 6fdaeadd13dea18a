// `cloudlet` as a program of the command kit (src/cli-kit/): its name, version and commands.

import type { ExitCode } from '../../errors';
import { dispatch as dispatchProgram } from '../../cli-kit/dispatch';
import type { Program } from '../../cli-kit/program';
import type { System } from '../../system/system';
import { VERSION } from '../../version';
import { COMMANDS } from './commands';

const CLOUDLET: Program = {
  name: 'cloudlet',
  tagline: 'bakes Cloudlet images into bootable disks, and checks images and manifests, on the build host',
  version: VERSION,
  commands: COMMANDS,
  exitCodes: 'Exit codes: 0 ok, 1 failed, 2 usage or invalid input',
};

export function dispatch(argv: string[], system: System): Promise<ExitCode> {
  return dispatchProgram(CLOUDLET, argv, system);
}
