// Picks the command for the command line and turns every outcome into an exit code.

import { AgentError, EXIT, asAgentError, type ExitCode } from '../../errors';
import { AGENT_VERSION } from '../../version';
import { COMMANDS } from './commands';
import { helpText, parseCommandArgs } from './command';
import type { System } from '../../system/system';

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'cloudlet-agent: brings a Cloudlet image to life on this machine',
    '',
    'Usage: cloudlet-agent COMMAND [options]   (cloudlet-agent COMMAND --help for each)',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    '  --version  the agent and Node.js versions',
    '',
    'Exit codes: 0 ok, 1 failed, 2 usage or invalid input, 3 requirements not met, 4 degraded, 5 timed out',
  ].join('\n');
}

export async function dispatch(argv: string[], system: System): Promise<ExitCode> {
  // As PID 1 the kernel passes its own arguments (e.g. "splash", "-s"), never a command name; "--"
  // keeps them from being parsed as flags (a usage error would end PID 1 and panic the kernel).
  const [first, ...rest] = system.isPid1 && !COMMANDS.some((c) => c.name === argv[0]) ? ['init', '--', ...argv] : argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    system.out(usage());
    return first === undefined ? EXIT.usage : EXIT.ok;
  }
  if (first === '--version' || first === 'version') {
    system.out(`cloudlet-agent ${AGENT_VERSION} (node ${process.version})`);
    return EXIT.ok;
  }
  const entry = COMMANDS.find((c) => c.name === first);
  try {
    if (!entry) {
      throw new AgentError('E_USAGE', `unknown command "${first}"`, { fix: 'run "cloudlet-agent --help" for the list of commands' });
    }
    const command = await entry.load();
    const args = parseCommandArgs(command, rest);
    if (args.values.help === true) {
      system.out(helpText(command, entry.summary));
      return EXIT.ok;
    }
    return await command.run(args, system);
  } catch (err) {
    const error = asAgentError(err);
    if (rest.includes('--json')) system.out(JSON.stringify({ error: error.toJSON() }, null, 2));
    else system.err(error.render());
    return error.exitCode;
  }
}
